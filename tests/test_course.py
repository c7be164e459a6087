"""course.yml is loaded into typed objects and every mistake is a clear error naming the file and entry."""
import json
import textwrap

import pytest

from autograder.course import CourseError, load_course, parse_size

NOTEBOOK = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    {"cell_type": "code", "metadata": {"nbgrader": {"grade_id": "f", "solution": True, "grade": False}},
     "source": "def f(x):\n    return x\n", "outputs": [], "execution_count": None}]}

VALID = """
course: {id: demo, title: Demo}
defaults: {timeout: 5, memory: 1GiB, forbid: [d2lkit]}
assignments:
  - id: a1
    title: First
    due: 2026-12-01
    notebooks: [nb.ipynb]
    exercises:
      - {id: f, points: 2, forbid: [torch.softmax], devices: [cpu]}
"""


def make_course(tmp_path, text=VALID, suite=True, notebook=NOTEBOOK):
    (tmp_path / "course.yml").write_text(textwrap.dedent(text))
    if suite:
        (tmp_path / "autograder" / "suites" / "a1").mkdir(parents=True)
        (tmp_path / "autograder" / "suites" / "a1" / "test_f.py").write_text("")
    if notebook is not None:
        (tmp_path / "solutions" / "a1").mkdir(parents=True)
        (tmp_path / "solutions" / "a1" / "nb.ipynb").write_text(json.dumps(notebook))
    return tmp_path / "course.yml"


def error_of(tmp_path, text, **kwargs) -> str:
    with pytest.raises(CourseError) as info:
        load_course(make_course(tmp_path, text, **kwargs))
    return str(info.value)


def test_valid_course_loads_into_typed_objects(tmp_path):
    """A valid course.yml gives assignments and exercises with defaults merged."""
    course = load_course(make_course(tmp_path))
    exercise = course.assignment("a1").exercise("f")
    assert exercise.points == 2.0 and exercise.timeout == 5.0 and exercise.memory == 2**30
    assert exercise.forbid == ("d2lkit", "torch.softmax") and exercise.devices == ("cpu",)
    assert str(course.assignment("a1").due) == "2026-12-01"


def test_the_repository_course_is_valid():
    """The course.yml shipped with the kit passes every check, suites included."""
    from autograder.suites_check import check_suites
    from kit import REPO

    course = load_course(REPO / "course.yml")
    check_suites(course, [a.id for a in course.assignments])


@pytest.mark.parametrize("text, fragment", [
    (VALID.replace("points: 2,", "points: 2, pointz: 3,"), "exercise 'f': unknown key 'pointz'"),
    (VALID.replace("points: 2", "points: 0"), "exercise 'f': points must be a positive number"),
    (VALID.replace("points: 2", "points: -1"), "exercise 'f': points must be a positive number"),
    (VALID.replace("title: First", "title: First\n    colour: red"), "assignment 'a1': unknown key 'colour'"),
    (VALID.replace("memory: 1GiB", "memory: lots"), "defaults: memory must be a positive size"),
    (VALID.replace("devices: [cpu]", "devices: [tpu]"), "unknown device 'tpu'"),
    (VALID + "      - {id: f, points: 1}\n", "exercise 'f': duplicate exercise id"),
    (VALID + VALID.split("assignments:")[1], "assignment 'a1': duplicate assignment id"),
    (VALID.replace("title: Demo}", "title: Demo}\ncourse: {id: x}"), "duplicate key 'course'"),
    (VALID.replace("due: 2026-12-01", "due: someday"), "due must be a date"),
])
def test_invalid_entries_are_named(tmp_path, text, fragment):
    """Unknown keys, bad values and duplicate ids are errors naming course.yml and the entry."""
    message = error_of(tmp_path, text)
    assert fragment in message
    assert str(tmp_path / "course.yml") in message


def test_missing_suite_is_an_error(tmp_path):
    """An exercise without autograder/suites/<assignment>/test_<id>.py is an error."""
    assert "exercise 'f': missing hidden suite" in error_of(tmp_path, VALID, suite=False)


def test_exercise_without_solution_cell_is_an_error(tmp_path):
    """An exercise whose grade_id has no solution cell in the solution notebook is an error."""
    notebook = json.loads(json.dumps(NOTEBOOK))
    notebook["cells"][0]["metadata"]["nbgrader"]["grade_id"] = "g"
    assert "no solution cell with grade_id 'f'" in error_of(tmp_path, VALID, notebook=notebook)


def test_all_errors_are_reported_together(tmp_path):
    """Several mistakes are listed in one error, not one per run."""
    text = VALID.replace("points: 2,", "points: 0, pointz: 3,")
    message = error_of(tmp_path, text)
    assert "pointz" in message and "positive number" in message


def test_sizes():
    """Memory sizes accept plain bytes and binary units."""
    assert parse_size("4GiB") == 4 * 2**30 and parse_size("512 MiB") == 512 * 2**20 and parse_size(1000) == 1000
    with pytest.raises(ValueError):
        parse_size("0GiB")
