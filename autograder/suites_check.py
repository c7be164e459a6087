"""Checking the hidden suites against course.yml before any grading starts.

Every exercise's suite must collect without errors, every test must carry
``@points``, and the points of a suite must add up to the exercise's points.
Collection runs in a forked child so the suites are not imported here.
"""
from __future__ import annotations

import json
import os

from autograder.course import Course, CourseError


class _Collector:
    def __init__(self):
        self.points: dict[str, dict[str, float | None]] = {}
        self.errors: list[str] = []

    def pytest_collectreport(self, report):
        if report.failed:
            self.errors.append(f"{report.nodeid}: the suite does not import ({str(report.longrepr)[-500:]})")

    def pytest_collection_modifyitems(self, items):
        for item in items:
            exercise = os.path.basename(str(item.fspath)).removeprefix("test_").removesuffix(".py")
            marker = item.get_closest_marker("points")
            value = float(marker.args[0]) if marker and marker.args else None
            self.points.setdefault(exercise, {})[item.originalname] = value


def _collect(course: Course, assignment_id: str) -> dict:
    import pytest

    from autograder.grading import _quiet, make_suite_importable

    collector = _Collector()
    suite_dir = course.suites_dir / assignment_id
    make_suite_importable(suite_dir)
    args = [str(suite_dir), "--collect-only", "-q", "-p", "no:cacheprovider", "--import-mode=importlib",
            "--rootdir", str(course.suites_dir), "-c", str(course.suites_dir / "pytest.ini")]
    with _quiet():
        pytest.main(args, plugins=[collector])
    return {"points": collector.points, "errors": collector.errors}


def _collect_forked(course: Course, assignment_id: str) -> dict:
    from autograder.grading import preload_grader_modules

    preload_grader_modules()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        try:
            data = json.dumps(_collect(course, assignment_id)).encode()
        except BaseException as error:  # report, never hang the parent
            data = json.dumps({"points": {}, "errors": [f"collecting failed: {error!r}"]}).encode()
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(data)
        os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    return json.loads(data or b'{"points": {}, "errors": ["collecting crashed"]}')


def check_suites(course: Course, assignment_ids) -> None:
    """Raise CourseError naming every suite that disagrees with course.yml."""
    errors = []
    for assignment_id in assignment_ids:
        assignment = course.assignment(assignment_id)
        collected = _collect_forked(course, assignment_id)
        errors += collected["errors"]
        for exercise in assignment.exercises:
            tests = collected["points"].get(exercise.id, {})
            where = f"{course.path}: assignment '{assignment_id}', exercise '{exercise.id}'"
            if not tests:
                errors.append(f"{where}: its suite has no tests")
                continue
            unmarked = sorted(name for name, value in tests.items() if value is None)
            if unmarked:
                errors.append(f"{where}: tests without @points: {', '.join(unmarked)}")
            total = sum(value for value in tests.values() if value is not None)
            if abs(total - exercise.points) > 1e-9:
                errors.append(f"{where}: course.yml gives {exercise.points:g} points but its suite's tests "
                              f"add up to {total:g}")
    if errors:
        raise CourseError("\n".join(errors))
