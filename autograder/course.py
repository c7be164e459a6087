"""The course declaration (``course.yml``), loaded into typed objects and validated.

Every error names the file and the entry, and all of them are reported
together before any grading starts.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

DEVICES = ("cpu", "cuda")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|TiB)?\s*$")
_UNITS = {None: 1, "B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}
_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


class CourseError(Exception):
    """course.yml is invalid; the message lists every problem found."""


@dataclass(frozen=True)
class Exercise:
    id: str
    points: float
    forbid: tuple[str, ...]
    devices: tuple[str, ...]
    timeout: float
    memory: int
    notebook: str


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    due: dt.date | None
    notebooks: tuple[str, ...]
    exercises: tuple[Exercise, ...]

    def exercise(self, exercise_id: str) -> Exercise:
        for exercise in self.exercises:
            if exercise.id == exercise_id:
                return exercise
        raise KeyError(exercise_id)

    @property
    def points(self) -> float:
        return sum(exercise.points for exercise in self.exercises)


@dataclass(frozen=True)
class Course:
    path: Path
    id: str
    title: str
    assignments: tuple[Assignment, ...]
    suites_dir: Path
    solutions_dir: Path
    release_dir: Path
    load_timeout: float = 60.0

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def hidden_paths(self) -> tuple[Path, ...]:
        """What a sandboxed worker must not see: the course folder (gradebook, submissions), suites, solutions."""
        return (self.root, self.suites_dir, self.solutions_dir)

    def assignment(self, assignment_id: str) -> Assignment:
        for assignment in self.assignments:
            if assignment.id == assignment_id:
                return assignment
        known = ", ".join(a.id for a in self.assignments)
        raise CourseError(f"{self.path}: no assignment '{assignment_id}' (known: {known})")

    def suite_path(self, assignment_id: str, exercise_id: str) -> Path:
        return self.suites_dir / assignment_id / f"test_{exercise_id}.py"


def parse_size(value) -> int:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)) and value > 0:
        return int(value)
    match = _SIZE.match(str(value))
    if not match:
        raise ValueError(value)
    size = int(float(match.group(1)) * _UNITS[match.group(2)])
    if size <= 0:
        raise ValueError(value)
    return size


class _UniqueKeyLoader(yaml.SafeLoader):
    pass


def _mapping_without_duplicates(loader, node, deep=False):
    keys = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in keys:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key '{key}'", key_node.start_mark)
        keys.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


class _Checker:
    def __init__(self, path: Path):
        self.path = path
        self.errors: list[str] = []

    def error(self, where: str, message: str):
        self.errors.append(f"{self.path}: {where}: {message}")

    def keys(self, where, entry, allowed, required=()):
        if not isinstance(entry, dict):
            self.error(where, f"expected a mapping, got {type(entry).__name__}")
            return False
        for key in entry:
            if key not in allowed:
                self.error(where, f"unknown key '{key}' (allowed: {', '.join(sorted(allowed))})")
        for key in required:
            if key not in entry:
                self.error(where, f"missing required key '{key}'")
        return True

    def number(self, where, value, what):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            self.error(where, f"{what} must be a positive number, got {value!r}")
            return None
        return float(value)

    def size(self, where, value):
        try:
            return parse_size(value)
        except ValueError:
            self.error(where, f"memory must be a positive size such as 4GiB, got {value!r}")
            return None

    def names(self, where, value, what):
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.error(where, f"{what} must be a list of strings, got {value!r}")
            return ()
        return tuple(value)

    def devices(self, where, value):
        devices = self.names(where, value, "devices")
        for device in devices:
            if device not in DEVICES:
                self.error(where, f"unknown device '{device}' (allowed: {', '.join(DEVICES)})")
        return devices


_TOP = {"course", "defaults", "assignments", "paths"}
_COURSE = {"id", "title"}
_PATHS = {"suites", "solutions", "release"}
_DEFAULTS = {"timeout", "memory", "devices", "forbid", "load_timeout"}
_ASSIGNMENT = {"id", "title", "due", "notebooks", "exercises"}
_EXERCISE = {"id", "points", "forbid", "devices", "timeout", "memory", "notebook"}


def load_course(path: str | Path = "course.yml", check_files: bool = True) -> Course:
    """Load and validate ``course.yml``; raise CourseError listing every problem."""
    path = Path(path).resolve()
    check = _Checker(path)
    try:
        data = yaml.load(path.read_text(), Loader=_UniqueKeyLoader)
    except FileNotFoundError:
        raise CourseError(f"{path}: file not found") from None
    except yaml.YAMLError as error:
        raise CourseError(f"{path}: not valid YAML: {error}") from None
    if not check.keys("top level", data, _TOP, required=("course", "assignments")):
        raise CourseError("\n".join(check.errors))
    course_entry = data.get("course") or {}
    check.keys("course", course_entry, _COURSE, required=("id",))
    paths = data.get("paths") or {}
    check.keys("paths", paths, _PATHS)
    root = path.parent
    suites_dir = root / paths.get("suites", "autograder/suites")
    solutions_dir = root / paths.get("solutions", "solutions")
    release_dir = root / paths.get("release", "assignments")

    defaults = data.get("defaults") or {}
    check.keys("defaults", defaults, _DEFAULTS)
    default_timeout = check.number("defaults", defaults.get("timeout", 10), "timeout") or 10.0
    load_timeout = check.number("defaults", defaults.get("load_timeout", 60), "load_timeout") or 60.0
    default_memory = check.size("defaults", defaults.get("memory", "4GiB")) or 4 * 2**30
    default_devices = check.devices("defaults", defaults.get("devices", list(DEVICES)))
    default_forbid = check.names("defaults", defaults.get("forbid", []), "forbid")

    assignments = []
    seen_assignments = set()
    raw_assignments = data.get("assignments")
    if not isinstance(raw_assignments, list) or not raw_assignments:
        check.error("assignments", "must be a non-empty list")
        raw_assignments = []
    for index, entry in enumerate(raw_assignments):
        where = f"assignment '{entry['id']}'" if isinstance(entry, dict) and "id" in entry else f"assignments[{index}]"
        if not check.keys(where, entry, _ASSIGNMENT, required=("id", "notebooks", "exercises")):
            continue
        assignment_id = entry.get("id")
        where = f"assignment '{assignment_id}'"
        if not isinstance(assignment_id, str) or not _ID.match(assignment_id):
            check.error(where, "id must be a name of letters, digits, '-' and '_'")
            continue
        if assignment_id in seen_assignments:
            check.error(where, "duplicate assignment id")
        seen_assignments.add(assignment_id)
        notebooks = check.names(where, entry.get("notebooks"), "notebooks")
        due = entry.get("due")
        if due is not None and not isinstance(due, dt.date):
            try:
                due = dt.date.fromisoformat(str(due))
            except ValueError:
                check.error(where, f"due must be a date such as 2026-10-01, got {due!r}")
                due = None
        exercises = []
        seen_exercises = set()
        raw_exercises = entry.get("exercises")
        if not isinstance(raw_exercises, list) or not raw_exercises:
            check.error(where, "exercises must be a non-empty list")
            raw_exercises = []
        for position, item in enumerate(raw_exercises):
            item_where = (f"{where}, exercise '{item['id']}'" if isinstance(item, dict) and "id" in item
                          else f"{where}, exercises[{position}]")
            if not check.keys(item_where, item, _EXERCISE, required=("id", "points")):
                continue
            exercise_id = item.get("id")
            item_where = f"{where}, exercise '{exercise_id}'"
            if not isinstance(exercise_id, str) or not _ID.match(exercise_id):
                check.error(item_where, "id must be a name of letters, digits, '-' and '_'")
                continue
            if exercise_id in seen_exercises:
                check.error(item_where, "duplicate exercise id")
            seen_exercises.add(exercise_id)
            points = check.number(item_where, item.get("points"), "points")
            notebook = item.get("notebook", notebooks[0] if notebooks else "")
            if notebook not in notebooks:
                check.error(item_where, f"notebook '{notebook}' is not one of the assignment's notebooks")
            exercises.append(Exercise(
                id=exercise_id,
                points=points or 0.0,
                forbid=tuple(dict.fromkeys(default_forbid + check.names(item_where, item.get("forbid", []), "forbid"))),
                devices=check.devices(item_where, item["devices"]) if "devices" in item else default_devices,
                timeout=check.number(item_where, item.get("timeout", default_timeout), "timeout") or default_timeout,
                memory=check.size(item_where, item.get("memory", default_memory)) or default_memory,
                notebook=notebook,
            ))
        assignments.append(Assignment(assignment_id, str(entry.get("title", assignment_id)), due, notebooks,
                                      tuple(exercises)))

    course = Course(path, str(course_entry.get("id", "")), str(course_entry.get("title", "")), tuple(assignments),
                    suites_dir, solutions_dir, release_dir, load_timeout)
    if check_files and not check.errors:
        _check_files(course, check)
    if check.errors:
        raise CourseError("\n".join(check.errors))
    return course


def _check_files(course: Course, check: _Checker):
    for assignment in course.assignments:
        where = f"assignment '{assignment.id}'"
        suite_dir = course.suites_dir / assignment.id
        declared = {f"test_{exercise.id}.py" for exercise in assignment.exercises}
        if suite_dir.is_dir():
            for extra in sorted(p.name for p in suite_dir.glob("test_*.py") if p.name not in declared):
                check.error(where, f"suite {suite_dir / extra} has no exercise in course.yml")
        grade_ids = {}
        for notebook in assignment.notebooks:
            notebook_path = course.solutions_dir / assignment.id / notebook
            try:
                cells = json.loads(notebook_path.read_text())["cells"]
            except (OSError, ValueError, KeyError) as error:
                check.error(where, f"cannot read solution notebook {notebook_path}: {error}")
                continue
            grade_ids[notebook] = {
                cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                for cell in cells
                if cell.get("cell_type") == "code" and cell.get("metadata", {}).get("nbgrader", {}).get("solution")
            }
        for exercise in assignment.exercises:
            item_where = f"{where}, exercise '{exercise.id}'"
            suite = course.suite_path(assignment.id, exercise.id)
            if not suite.is_file():
                check.error(item_where, f"missing hidden suite {suite}")
            ids = grade_ids.get(exercise.notebook)
            if ids is not None and exercise.id not in ids:
                check.error(item_where, f"no solution cell with grade_id '{exercise.id}' in "
                                        f"{course.solutions_dir / assignment.id / exercise.notebook}")


def find_course(start: str | Path | None = None) -> Path:
    """The course.yml in ``start`` or its parents, or beside this package."""
    candidates = []
    if start is not None:
        here = Path(start).resolve()
        candidates += [here, *here.parents]
    candidates.append(Path(__file__).resolve().parent.parent)
    for folder in candidates:
        if (folder / "course.yml").is_file():
            return folder / "course.yml"
    raise CourseError("no course.yml found (use --course PATH)")
