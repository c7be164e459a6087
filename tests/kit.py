"""Helpers for the kit's own tests: the course, notebooks with replaced cells, grading."""
from __future__ import annotations

import copy
import importlib.util
import json
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course import load_course
from autograder.grading import Job, grade_all

REPO = Path(__file__).resolve().parent.parent
COURSE = load_course(REPO / "course.yml", check_files=False)


def solution_notebook(assignment_id: str) -> Path:
    assignment = COURSE.assignment(assignment_id)
    return COURSE.solutions_dir / assignment_id / assignment.notebooks[0]


def student_notebook(assignment_id: str) -> Path:
    assignment = COURSE.assignment(assignment_id)
    return COURSE.release_dir / assignment_id / assignment.notebooks[0]


def notebook_with(folder: Path, assignment_id: str, name: str, replacements: dict[str, str],
                  base: Path | None = None) -> Path:
    """A copy of the solution notebook (or ``base``) with solution cells replaced by grade_id."""
    data = json.loads((base or solution_notebook(assignment_id)).read_text())
    data = copy.deepcopy(data)
    found = set()
    for cell in data["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell["cell_type"] == "code" and grade_id in replacements:
            cell["source"] = replacements[grade_id]
            found.add(grade_id)
    missing = set(replacements) - found
    if missing:
        raise KeyError(f"no solution cell for {sorted(missing)} in {assignment_id}")
    folder = Path(folder) / assignment_id
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    path.write_text(json.dumps(data, indent=1))
    return path


def grade(zygote, paths, assignment_id=None, exercises=None, devices=("cpu",), jobs=2):
    """Grade notebooks through the real engine (forked graders and workers)."""
    job_list = [Job(Path(p), assignment_id, Path(p).name) for p in paths]
    return grade_all(job_list, COURSE, zygote, devices=devices, max_parallel=jobs, exercise_ids=exercises)


def failed_tests(result: dict, exercise: str, device: str | None = None) -> dict[str, str]:
    """name -> message of the failed tests of an exercise (on ``device`` only, if given)."""
    return {t["name"]: t["message"] for t in result["exercises"][exercise]["tests"]
            if t["status"] == "failed" and (device is None or t["device"] in (device, None))}


@dataclass(frozen=True)
class Mutant:
    """A buggy implementation: one typical bug, and the hidden tests that must catch it."""

    exercise: str
    name: str
    source: str
    fails: tuple[str, ...]  # hidden test names (without "test_") that must fail
    message: str  # a fragment of the message the first of those tests must show
    extra: dict = field(default_factory=dict)  # other solution cells to replace (rarely needed)
    device: str = "cpu"  # "cuda": a device bug (a tensor built on the CPU inside the function), caught on a GPU only


@dataclass(frozen=True)
class Variant:
    """A correct implementation in another style: it must get full marks."""

    exercise: str
    name: str
    source: str
    extra: dict = field(default_factory=dict)  # other solution cells to replace (rarely needed)


def load_catalogue():
    """Every (assignment_id, Mutant | Variant) from tests/catalogue/*.py (named after the assignment)."""
    entries = []
    for path in sorted((REPO / "tests" / "catalogue").glob("ps*.py")):
        spec = importlib.util.spec_from_file_location(f"catalogue_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        assignment_id = path.stem.replace("_", "-")
        entries += [(assignment_id, entry) for entry in module.MUTANTS + module.VARIANTS]
    return entries
