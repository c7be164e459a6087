"""Reading submissions: broken files give clear errors, lost metadata is recovered, magics are neutralised."""
import json

import pytest

from autograder.notebook import NotebookError, clean_source, execution_plan, locate, read_notebook


def write(tmp_path, cells, name="nb.ipynb", **top):
    data = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells, **top}
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def code(source, grade_id=None, solution=False, grade=False, tags=()):
    metadata = {"tags": list(tags)}
    if grade_id:
        metadata["nbgrader"] = {"grade_id": grade_id, "solution": solution, "grade": grade}
    return {"cell_type": "code", "metadata": metadata, "source": source, "outputs": [], "execution_count": None}


def test_invalid_json_is_a_clear_error(tmp_path):
    """A notebook that is not JSON raises NotebookError saying so."""
    path = tmp_path / "bad.ipynb"
    path.write_text('{"cells": [')
    with pytest.raises(NotebookError, match="not valid notebook JSON"):
        read_notebook(path)


def test_nbformat_3_is_read_with_a_note(tmp_path):
    """Old nbformat 3 worksheets are read, with a note."""
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps({"nbformat": 3, "worksheets": [{"cells": [
        {"cell_type": "code", "input": "def f():\n    return 1\n", "metadata": {}}]}]}))
    notebook = read_notebook(path)
    assert notebook.cells[0].source.startswith("def f")
    assert "nbformat 3" in notebook.notes[0]
    assert locate(notebook, "f").cell is notebook.cells[0]


def test_solution_found_by_grade_id_then_by_definition(tmp_path):
    """grade_id wins; without it the cell defining the function is used, and a note says so."""
    notebook = read_notebook(write(tmp_path, [code("import torch"), code("def f(x):\n    return x\n")]))
    located = locate(notebook, "f")
    assert located.cell.number == 2 and "recovered from its definition" in located.note
    notebook = read_notebook(write(tmp_path, [code("def f(x): pass", "f", True), code("def f(x): return 1", "f", True)]))
    located = locate(notebook, "f")
    assert located.cell.number == 2 and "2 cells have grade_id" in located.note
    assert locate(notebook, "g").cell is None


def test_training_and_test_cells_are_not_run(tmp_path):
    """Cells tagged training and nbgrader test cells are left out of the execution plan."""
    notebook = read_notebook(write(tmp_path, [
        code("x = 1"), code("train()", tags=["training"]), code("# graded", "test_f", grade=True),
        code("%%bash\nls"), code("%matplotlib inline\ny = 2")]))
    plan, notes = execution_plan(notebook)
    assert [label for label, _ in plan] == ["cell 1", "cell 5"]
    assert "cell magic" in notes[0]
    assert plan[1][1].splitlines()[0] == "pass"


def test_magics_keep_line_numbers():
    """Line magics and shell escapes become pass, keeping indentation and line numbers."""
    assert clean_source("a = 1\n  !pip install x\n%time b = 2\n") == "a = 1\n  pass\npass\n"
    assert clean_source("%%time\nx = 1\n") == "\nx = 1\n"
