"""End to end with real nbgrader: zip_collect, autograde (through the kit's engine), generate_feedback, export.

The course folder is a temporary one whose nbgrader_config.py loads the kit's; its
submissions cover a correct notebook, a buggy one, tampered test cells, stripped and
changed metadata, cheating, invalid JSON, nbformat 3 and a renamed notebook with an
extra one. Every student must appear in the gradebook and the CSV with the right score.
"""
from __future__ import annotations

import copy
import csv
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENT = "ps02-linear-regression"
NOTEBOOK = "linear-regression"
POINTS = {"synthetic_data": 6, "data_iter": 6, "linreg": 5, "squared_loss": 5, "sgd": 7}
TOTAL = sum(POINTS.values())


def nbgrader(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, env=env, capture_output=True,
                          text=True, timeout=600)


def solved(release: dict) -> dict:
    """The released notebook with every solution cell filled from solutions/."""
    source = json.loads((REPO / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb").read_text())
    answers = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"]) for c in source["cells"]
               if c["metadata"].get("nbgrader", {}).get("solution")}
    nb = copy.deepcopy(release)
    for cell in nb["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell["source"] = re.sub(r"\s*### (BEGIN|END) SOLUTION", "", answers[grade_id])
    return nb


def replace(nb: dict, grade_id: str, old: str, new: str) -> dict:
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id:
            text = "".join(cell["source"])
            assert old in text
            cell["source"] = text.replace(old, new)
    return nb


def submissions(release: dict) -> dict[str, bytes]:
    """File name in the zip -> content."""
    good = solved(release)
    dump = lambda nb: json.dumps(nb).encode()  # noqa: E731
    files = {f"correct_{NOTEBOOK}.ipynb": dump(good)}
    # buggy: squared_loss forgets the 1/2
    files[f"buggy_{NOTEBOOK}.ipynb"] = dump(replace(good, "squared_loss", "diff ** 2 / 2", "diff ** 2"))
    # tampered test cells: in-kernel "tests" replaced, points raised, a fake score output; buggy sgd
    tampered = replace(good, "sgd", "param -= lr * param.grad / batch_size", "param -= lr * param.grad")
    for cell in tampered["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("grade"):
            cell["source"] = "assert True  # all good"
            meta["points"] = 100
            cell["outputs"] = [{"output_type": "execute_result", "execution_count": 1, "metadata": {},
                                "data": {"text/plain": "100"}}]
    files[f"tamperedtests_{NOTEBOOK}.ipynb"] = dump(tampered)
    # metadata stripped from every cell, test cells deleted, one grade_id changed, cells duplicated and reordered
    stripped = copy.deepcopy(good)
    cells = []
    for cell in stripped["cells"]:
        meta = cell["metadata"].pop("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            continue
        cells.append(cell)
    cells.reverse()
    cells.append(copy.deepcopy(cells[0]))
    cells[1]["metadata"]["nbgrader"] = {"grade_id": "my_cell", "grade": True, "points": 50, "solution": False,
                                        "locked": False, "schema_version": 3}
    stripped["cells"] = cells[::-1]
    files[f"strippedmeta_{NOTEBOOK}.ipynb"] = dump(stripped)
    # cheating: linreg returns an object equal to anything, and the notebook patches torch.allclose
    cheat = replace(good, "linreg", "return", "class Any:\n        def __eq__(self, other): return True\n"
                                              "    torch.allclose = lambda *a, **k: True\n    return Any()\n    return")
    files[f"cheater_{NOTEBOOK}.ipynb"] = dump(cheat)
    # malformed: not JSON
    files[f"malformed_{NOTEBOOK}.ipynb"] = dump(good)[:5000]
    # nbformat 3, another kernel name, and a huge output
    v4 = nbformat.from_dict(copy.deepcopy(good))
    v4.metadata["kernelspec"] = {"name": "torch-env", "display_name": "Torch", "language": "python"}
    v4.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * 2_000_000)] \
        if v4.cells[1].cell_type == "code" else []
    files[f"oldformat_{NOTEBOOK}.ipynb"] = nbformat.writes(nbformat.convert(v4, 3)).encode()
    # renamed notebook (with the stub file name changed) and an extra notebook
    files["renamed_my-work.ipynb"] = dump(good)
    files["renamed_scratch.ipynb"] = dump(nbformat.v4.new_notebook())
    return files


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    (root / "nbgrader_config.py").write_text(
        f"c = get_config()\nload_subconfig({str(REPO / 'nbgrader_config.py')!r})\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{root / 'gradebook.db'}'\n")
    (root / "solutions").symlink_to(REPO / "solutions")
    run = nbgrader(root, "generate_assignment", ASSIGNMENT)
    assert run.returncode == 0, run.stdout + run.stderr
    release = json.loads((root / "assignments" / ASSIGNMENT / f"{NOTEBOOK}.ipynb").read_text())
    archive = root / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "submissions.zip", "w") as zf:
        for name, content in submissions(release).items():
            zf.writestr(name, content)
    run = nbgrader(root, "zip_collect", ASSIGNMENT)
    assert run.returncode == 0, run.stdout + run.stderr
    runs = {}
    # AUTOGRADER_SANDBOX=off where namespaced workers cannot start (python -m autograder doctor tells)
    runs["autograde"] = nbgrader(root, "autograde", ASSIGNMENT, "--KitGrade.jobs=2",
                                 f"--KitGrade.sandbox={os.environ.get('AUTOGRADER_SANDBOX', 'auto')}")
    runs["feedback"] = nbgrader(root, "generate_feedback", ASSIGNMENT)
    runs["export"] = nbgrader(root, "export", "--to=grades.csv")
    return root, runs


EXPECTED = {
    "correct": TOTAL,
    "buggy": TOTAL - POINTS["squared_loss"],
    "tamperedtests": TOTAL - POINTS["sgd"] + 3,  # sgd without / batch_size: 3 of 7 (it zeroes the gradients)
    "strippedmeta": TOTAL,
    "cheater": TOTAL - POINTS["linreg"],
    "malformed": 0,
    "oldformat": TOTAL,
    "renamed": TOTAL,
}


def test_commands_succeed(course):
    root, runs = course
    for name, run in runs.items():
        assert run.returncode == 0, f"{name}: {run.stdout}{run.stderr}"


def test_gradebook_scores(course):
    from nbgrader.api import Gradebook

    root, _ = course
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for student, total in EXPECTED.items():
            submission = gb.find_submission(ASSIGNMENT, student)
            assert submission.score == pytest.approx(total), student
            grades = {g.name: g for g in gb.find_submission_notebook(NOTEBOOK, ASSIGNMENT, student).grades}
            for exercise, points in POINTS.items():
                grade = grades[f"test_{exercise}"]
                assert grade.max_score == points and 0 <= grade.auto_score <= points
                assert not grade.needs_manual_grade, (student, exercise)
        buggy = {g.name: g.score for g in gb.find_submission_notebook(NOTEBOOK, ASSIGNMENT, "buggy").grades}
        assert buggy["test_squared_loss"] == 0 and buggy["test_sgd"] == POINTS["sgd"]


def test_export_csv(course):
    root, _ = course
    rows = {r["student_id"]: r for r in csv.DictReader((root / "grades.csv").open())}
    for student, total in EXPECTED.items():
        assert float(rows[student]["score"]) == pytest.approx(total), student
        assert float(rows[student]["max_score"]) == TOTAL


def feedback(root: Path, student: str) -> str:
    return (root / "feedback" / student / ASSIGNMENT / f"{NOTEBOOK}.html").read_text()


def test_feedback_shows_counterexample_not_suite(course):
    root, _ = course
    page = feedback(root, "buggy")
    assert "squared_loss</b>: 0 / 5 points" in page
    assert "FAILED" in page and "Inputs:" in page and "tensor(" in page  # the counterexample
    assert "All checks passed." in page  # the other exercises
    suites = REPO / "autograder" / "suites" / ASSIGNMENT
    for suite in suites.glob("test_*.py"):
        for line in suite.read_text().splitlines():
            line = line.strip()
            if len(line) > 40 and not line.startswith(("#", '"', "'")):
                assert line not in page, f"suite source leaked: {line}"
    assert "diff ** 2 / 2" not in page  # the reference code of squared_loss


def test_tampering_changes_nothing(course):
    root, _ = course
    page = feedback(root, "tamperedtests")
    assert "sgd</b>: 3 / 7 points" in page  # as the buggy sgd earns; the test cells' tampering is ignored
    stripped = feedback(root, "strippedmeta")
    assert "recovered from its definition" in stripped and "unknown grade_id" in stripped


def test_broken_submissions_get_a_message(course):
    root, _ = course
    assert "is not valid notebook JSON" in feedback(root, "malformed")
    assert "nbformat 3" in feedback(root, "oldformat")
    renamed = feedback(root, "renamed")
    assert "my-work.ipynb was graded as" in renamed and "scratch.ipynb is not a notebook of this assignment" in renamed


def test_config_matches_course():
    """nbgrader_config.py: solutions/ is the source, assignments/ the release, the course id and the
    assignments are course.yml's, and autograde runs the kit's preprocessors (never Execute)."""
    import yaml
    from traitlets.config.loader import PyFileConfigLoader

    course = yaml.safe_load((REPO / "course.yml").read_text())
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    assert config.CourseDirectory.source_directory == "solutions"
    assert config.CourseDirectory.release_directory == "assignments"
    assert config.CourseDirectory.course_id == course["course"]["id"]
    namespace = {"get_config": lambda: config.__class__(), "__file__": str(REPO / "nbgrader_config.py")}
    exec(compile((REPO / "nbgrader_config.py").read_text(), "nbgrader_config.py", "exec"), namespace)
    assert namespace["COURSE_ASSIGNMENTS"] == [a["id"] for a in course["assignments"]]
    for assignment in course["assignments"]:
        assert (REPO / "solutions" / assignment["id"]).is_dir()
    names = [p.__name__ for p in config.Autograde.autograde_preprocessors]
    assert names[0] == "KitGrade" and "Execute" not in names
    assert names.index("KitFlagManual") == names.index("SaveAutoGrades") + 1
    assert [p.__name__ for p in config.Autograde.sanitize_preprocessors][:2] == ["ClearOutput", "KitRepair"]
