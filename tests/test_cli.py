"""The command line on a folder of mixed notebooks: every notebook gets a row, only setup errors exit non-zero."""
import csv
import json
import os
import subprocess
import sys

import pytest

from kit import REPO, notebook_with, student_notebook

ASSIGNMENT = "ps03-softmax-regression"


def run_cli(*args, cwd=REPO):
    environment = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions") / ASSIGNMENT
    folder.mkdir()
    notebook_with(folder.parent, ASSIGNMENT, "good", {})
    notebook_with(folder.parent, ASSIGNMENT, "buggy", {"softmax": "def softmax(X):\n    return X.exp() / X.exp().sum()\n"})
    (folder / "stub.ipynb").write_text(student_notebook(ASSIGNMENT).read_text())
    (folder / "invalid.ipynb").write_text('{"cells": [ this is not json')
    (folder / "old.ipynb").write_text(json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {},
                                                  "worksheets": [{"cells": []}]}))
    (folder / "empty.ipynb").write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}))
    out = tmp_path_factory.mktemp("out")
    process = run_cli("grade", str(folder), "--jobs", "2", "--out", str(out), "--format", "json,gradescope,csv,markdown")
    return process, out, sorted(p.stem for p in folder.glob("*.ipynb"))


@pytest.mark.slow
def test_every_notebook_gets_a_row_and_exit_code_is_zero(graded):
    """Good, buggy, stub, invalid JSON, nbformat 3 and empty notebooks each get a result; exit 0."""
    process, out, names = graded
    assert process.returncode == 0, process.stderr
    results = {p.stem: json.loads(p.read_text()) for p in (out / ASSIGNMENT).glob("*.json")
               if not p.name.endswith(".results.json")}
    assert sorted(k.rsplit("__", 1)[-1] for k in results) == names
    by_name = {k.rsplit("__", 1)[-1]: v for k, v in results.items()}
    assert by_name["good"]["score"] == by_name["good"]["max_score"] > 0
    assert 0 < by_name["buggy"]["score"] < by_name["buggy"]["max_score"]
    for name in ("stub", "invalid", "old", "empty"):
        assert by_name[name]["score"] == 0
    assert "not valid notebook JSON" in by_name["invalid"]["notes"][0]
    assert any("not implemented" in t["message"] for t in by_name["stub"]["exercises"]["softmax"]["tests"])
    assert "no solution cell" in by_name["empty"]["exercises"]["softmax"]["tests"][0]["message"]


@pytest.mark.slow
def test_native_json_follows_the_schema(graded):
    """Each result has the documented fields at every level."""
    _, out, _ = graded
    result = json.loads(next(p for p in (out / ASSIGNMENT).glob("*good.json")).read_text())
    assert {"assignment", "submission", "score", "max_score", "exercises", "sandbox"} <= set(result)
    assert result["sandbox"]["level"] in ("namespaces", "limits") and "protections" in result["sandbox"]
    for exercise in result["exercises"].values():
        assert {"score", "max_score", "tests"} <= set(exercise)
        for test in exercise["tests"]:
            assert {"name", "score", "max_score", "passed", "message", "device"} <= set(test)


@pytest.mark.slow
def test_gradescope_and_csv_outputs(graded):
    """Gradescope results.json per submission, one CSV row and one Markdown row per submission are written."""
    process, out, names = graded
    gradescope = json.loads(next((out / ASSIGNMENT).glob("*good.results.json")).read_text())
    assert gradescope["score"] > 0 and all({"name", "score", "max_score", "output"} <= set(t) for t in gradescope["tests"])
    rows = list(csv.DictReader((out / "summary.csv").open()))
    assert len(rows) == len(names) and "softmax" in rows[0]
    assert ASSIGNMENT in process.stdout and "total" in process.stdout
    markdown = (out / "summary.md").read_text()
    assert f"### {ASSIGNMENT}" in markdown and "| `softmax` |" in markdown
    assert sum(line.startswith("| ") for line in markdown.splitlines()) == len(names) + 1  # header + a row each
    assert "sandbox: " in markdown and "torch " in markdown


def test_bad_course_exits_non_zero(tmp_path):
    """A course.yml with an error stops grading before it starts, with exit code 2."""
    (tmp_path / "course.yml").write_text("course: {id: x}\nassignments: []\n")
    (tmp_path / "a.ipynb").write_text("{}")
    process = run_cli("--course", str(tmp_path / "course.yml"), "grade", str(tmp_path / "a.ipynb"))
    assert process.returncode == 2 and "assignments: must be a non-empty list" in process.stderr


def test_unknown_assignment_exits_non_zero(tmp_path):
    """An assignment id that course.yml does not declare is a usage error."""
    (tmp_path / "a.ipynb").write_text("{}")
    process = run_cli("grade", str(tmp_path / "a.ipynb"), "--assignment", "nope")
    assert process.returncode == 2 and "no assignment 'nope'" in process.stderr
