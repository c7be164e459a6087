"""Reading student notebooks: code cells, solution cells, and what runs for grading.

Nothing here executes student code; it only parses JSON and Python source.
"""
from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from pathlib import Path

SKIP_TAG = "training"
MAX_NOTEBOOK_BYTES = 1 << 30
_DROPPED_CELL_MAGICS = ("%%time", "%%timeit", "%%capture")


class NotebookError(Exception):
    """The file cannot be read as a notebook at all."""


@dataclass(frozen=True)
class CodeCell:
    number: int  # 1-based position among all cells, as a student counts them
    source: str
    grade_id: str | None = None
    solution: bool = False
    test: bool = False
    tags: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"cell {self.number}" + (f" ({self.grade_id})" if self.grade_id else "")


@dataclass
class Notebook:
    path: Path
    cells: list[CodeCell]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Located:
    """Where an exercise's solution was found, if anywhere."""

    cell: CodeCell | None
    note: str = ""


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else str(source or "")


def read_notebook(path: str | Path) -> Notebook:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            raise NotebookError(f"{path.name} is larger than {MAX_NOTEBOOK_BYTES >> 20} MiB")
        data = json.loads(path.read_bytes())
    except OSError as error:
        raise NotebookError(f"cannot read {path.name}: {error.strerror or error}") from None
    except (ValueError, RecursionError) as error:
        raise NotebookError(f"{path.name} is not valid notebook JSON ({error})") from None
    if not isinstance(data, dict):
        raise NotebookError(f"{path.name} is not a notebook (its JSON is not an object)")
    notes = []
    major = data.get("nbformat")
    if major == 3 or (major is None and "worksheets" in data):
        raw_cells = [cell for sheet in data.get("worksheets") or [] for cell in sheet.get("cells") or []]
        notes.append(f"{path.name} is in the old nbformat 3; it was read as nbformat 4")
    elif isinstance(data.get("cells"), list):
        raw_cells = data["cells"]
        if major != 4:
            notes.append(f"{path.name} declares nbformat {major!r}; it was read as nbformat 4")
    else:
        raise NotebookError(f"{path.name} is not a notebook (it has no cells)")
    cells = []
    for number, cell in enumerate(raw_cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = _text(cell.get("source", cell.get("input")))
        metadata = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        nbgrader = metadata.get("nbgrader") if isinstance(metadata.get("nbgrader"), dict) else {}
        tags = metadata.get("tags") if isinstance(metadata.get("tags"), list) else []
        grade_id = nbgrader.get("grade_id")
        cells.append(CodeCell(
            number=number,
            source=source,
            grade_id=grade_id if isinstance(grade_id, str) else None,
            solution=nbgrader.get("solution") is True,
            test=nbgrader.get("grade") is True and nbgrader.get("solution") is not True,
            tags=tuple(str(tag) for tag in tags),
        ))
    return Notebook(path, cells, notes)


def defined_names(source: str) -> set[str]:
    """Top-level function and class names a cell defines (empty if it does not parse)."""
    try:
        tree = ast.parse(clean_source(source) or "")
    except (SyntaxError, ValueError):
        return set()
    return {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def locate(notebook: Notebook, exercise_id: str) -> Located:
    """The cell holding an exercise's solution: by grade_id, else by its definition."""
    tagged = [cell for cell in notebook.cells if cell.grade_id == exercise_id and cell.solution]
    if tagged:
        note = ""
        if len(tagged) > 1:
            note = (f"{len(tagged)} cells have grade_id '{exercise_id}'; the last one "
                    f"(cell {tagged[-1].number}) was graded")
        return Located(tagged[-1], note)
    defining = [cell for cell in notebook.cells if exercise_id in defined_names(cell.source)]
    if defining:
        cell = defining[-1]
        return Located(cell, f"the solution cell for '{exercise_id}' was recovered from its definition in "
                             f"cell {cell.number} (its nbgrader metadata was missing or changed)")
    return Located(None, f"no solution cell for '{exercise_id}' was found in {notebook.path.name}")


def clean_source(source: str) -> str | None:
    """Source with IPython magics and shell escapes neutralised; None for a cell magic cell."""
    lines = source.splitlines()
    first = next((line.strip() for line in lines if line.strip()), "")
    if first.startswith("%%"):
        if not first.startswith(_DROPPED_CELL_MAGICS):
            return None
        index = next(i for i, line in enumerate(lines) if line.strip())
        lines[index] = ""
    cleaned = []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            cleaned.append(line[: len(line) - len(stripped)] + "pass")
        else:
            cleaned.append(line)
    return "\n".join(cleaned) + "\n"


def execution_plan(notebook: Notebook) -> tuple[list[tuple[str, str]], list[str]]:
    """The ``(label, source)`` cells a worker runs, and notes on cells left out.

    Cells tagged ``training`` (training runs, downloads, plots) and nbgrader
    test cells (pointers to the hidden suites) are not run for grading.
    """
    plan, notes = [], []
    for cell in notebook.cells:
        if SKIP_TAG in cell.tags or cell.test:
            continue
        source = clean_source(cell.source)
        if source is None:
            notes.append(f"cell {cell.number} is a cell magic and was not run")
            continue
        plan.append((cell.label, source))
    return plan, notes
