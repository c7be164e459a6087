"""The student notebooks in assignments/ are generated from solutions/ and match course.yml.

solutions/<id>/<notebook>.ipynb is the source of truth (nbgrader source
format); assignments/ holds what ``nbgrader generate_assignment`` makes of it,
committed so students and the grader can use it without running nbgrader.
"""
from __future__ import annotations

import ast
import importlib.util
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
COURSE = yaml.safe_load((REPO / "course.yml").read_text())
ASSIGNMENTS = {a["id"]: a for a in COURSE["assignments"]}
NOTEBOOKS = [(a["id"], nb) for a in COURSE["assignments"] for nb in a["notebooks"]]
HINT = "run python scripts/generate_assignments.py and commit assignments/"

# an exercise is a function or a class (an nn.Module the student writes)
DEFINITIONS = (ast.FunctionDef, ast.ClassDef)


def _script():
    spec = importlib.util.spec_from_file_location("generate_assignments", REPO / "scripts" / "generate_assignments.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def solution_cells(notebook) -> dict[str, dict]:
    return {nbgrader(c)["grade_id"]: c for c in notebook["cells"] if nbgrader(c).get("solution")}


def graded_cells(notebook) -> dict[str, dict]:
    return {nbgrader(c)["grade_id"]: c for c in notebook["cells"]
            if nbgrader(c).get("grade") and not nbgrader(c).get("solution")}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """Every assignment generated from solutions/ into a temporary release folder."""
    out = tmp_path_factory.mktemp("release")
    generate = _script().generate
    with ThreadPoolExecutor(max_workers=2) as pool:  # each generation is an nbgrader subprocess
        list(pool.map(lambda assignment_id: generate(assignment_id, out), ASSIGNMENTS))
    return out


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_assignments_are_generated_from_solutions(fresh, assignment_id):
    """assignments/<id>/ is exactly what nbgrader generates from solutions/<id>/ (no hand edits, no drift)."""
    generated = {p.relative_to(fresh / assignment_id) for p in (fresh / assignment_id).rglob("*") if p.is_file()}
    committed_dir = REPO / "assignments" / assignment_id
    committed = {p.relative_to(committed_dir) for p in committed_dir.rglob("*") if p.is_file()}
    assert committed == generated, f"assignments/{assignment_id} has other files than generated: {HINT}"
    for name in sorted(generated):
        new, old = fresh / assignment_id / name, committed_dir / name
        if name.suffix == ".ipynb":
            new_nb, old_nb = load(new), load(old)
            if new_nb != old_nb:
                cells = [n.get("id", i) for i, (n, o) in enumerate(zip(new_nb["cells"], old_nb["cells"])) if n != o]
                pytest.fail(f"assignments/{assignment_id}/{name} is out of date (cells {cells or 'count'} differ): {HINT}")
        else:
            assert new.read_bytes() == old.read_bytes(), f"assignments/{assignment_id}/{name} is out of date: {HINT}"


def _solution_lines(cell_source: str) -> list[str]:
    inside, lines = False, []
    for line in cell_source.splitlines():
        if "### BEGIN SOLUTION" in line:
            inside = True
        elif "### END SOLUTION" in line:
            inside = False
        elif inside and line.strip():
            lines.append(line.strip())
    return lines


@pytest.mark.parametrize("assignment_id, name", NOTEBOOKS)
def test_student_notebooks_hold_no_solutions(assignment_id, name):
    """Solution regions are stubbed out; each solution cell keeps its grade_id, signature and docstring."""
    solution = load(REPO / "solutions" / assignment_id / name)
    student = load(REPO / "assignments" / assignment_id / name)
    text = json.dumps(student)
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    # Lines of solution code must not appear anywhere in the student notebook, unless
    # the same line is also visible outside the solution regions of the solution notebook.
    visible = set()
    for cell in solution["cells"]:
        if not nbgrader(cell).get("solution"):
            visible |= {line.strip() for line in source(cell).splitlines()}
    student_lines = {line.strip() for cell in student["cells"] for line in source(cell).splitlines()}
    for grade_id, cell in solution_cells(solution).items():
        leaked = [line for line in _solution_lines(source(cell)) if line in student_lines and line not in visible]
        assert not leaked, f"solution code of {grade_id} leaked into the student notebook: {leaked}"

    ids = [e["id"] for e in ASSIGNMENTS[assignment_id]["exercises"]]
    cells = solution_cells(student)
    assert sorted(cells) == sorted(ids)
    for exercise_id in ids:
        cell = cells[exercise_id]
        assert nbgrader(cell)["locked"] is False and cell["outputs"] == [] and cell["execution_count"] is None
        tree = ast.parse(source(cell))
        [definition] = [node for node in tree.body if isinstance(node, DEFINITIONS) and node.name == exercise_id]
        assert ast.get_docstring(definition), f"{exercise_id} lost its docstring"
        functions = [definition] if isinstance(definition, ast.FunctionDef) else [
            node for node in definition.body if isinstance(node, ast.FunctionDef)]
        stubs = [f for f in functions if any(isinstance(node, ast.Raise) for node in f.body)]
        assert stubs, f"{exercise_id} has no stubbed function or method"
        for function in stubs:
            body = function.body[1:] if ast.get_docstring(function) else function.body
            assert len(body) == 1 and ast.unparse(body[0]) == "raise NotImplementedError()", (
                f"{exercise_id}.{function.name}'s stub is not just a raise")
    setup = [c for c in student["cells"] if nbgrader(c).get("grade_id") == "setup"]
    assert setup and nbgrader(setup[0])["locked"] and setup[0]["metadata"].get("editable") is False


@pytest.mark.parametrize("assignment_id, name", NOTEBOOKS)
def test_solution_notebooks_match_course(assignment_id, name):
    """grade_ids are course.yml's exercise ids; test cells carry course.yml's points; cells are clean."""
    notebook = load(REPO / "solutions" / assignment_id / name)
    exercises = {e["id"]: e for e in ASSIGNMENTS[assignment_id]["exercises"]}
    solutions = solution_cells(notebook)
    assert sorted(solutions) == sorted(exercises), "solution cells (grade_id) differ from course.yml's exercises"
    tests = graded_cells(notebook)
    assert sorted(tests) == sorted(f"test_{e}" for e in exercises), "test cells differ from course.yml's exercises"
    for exercise_id, exercise in exercises.items():
        meta = nbgrader(tests[f"test_{exercise_id}"])
        assert meta["points"] == exercise["points"], f"test_{exercise_id} has {meta['points']} points"
        assert meta["locked"] is True
        assert f"`{exercise_id}` ({exercise['points']} points)" in source(tests[f"test_{exercise_id}"])
        code = source(solutions[exercise_id])
        assert "### BEGIN SOLUTION" in code and "### END SOLUTION" in code
        assert exercise_id in {n.name for n in ast.parse(code).body if isinstance(n, DEFINITIONS)}
    # solution cells come in course order, each followed by its test cell
    order = [nbgrader(c).get("grade_id") for c in notebook["cells"] if nbgrader(c).get("grade_id")]
    expected = ["setup"] + [g for e in exercises for g in (e, f"test_{e}")]
    assert order == expected
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, "clear the outputs"
            text = source(cell)
            if any(s in text for s in ("load_data_fashion_mnist", "plt.", "Animator")):
                assert "training" in cell["metadata"].get("tags", []), "data, training and plot cells need the tag"


def test_example_submissions_are_in_sync():
    """examples/submissions/ is what scripts/make_examples.py builds from assignments/."""
    spec = importlib.util.spec_from_file_location("make_examples", REPO / "scripts" / "make_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    stale = [str(path.relative_to(REPO)) for path, text in module.build().items()
             if not path.exists() or path.read_text() != text]
    assert not stale, f"out of date: {stale}; run python scripts/make_examples.py"
