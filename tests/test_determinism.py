"""The same submission always gets the same score: across runs, across --jobs values, alone or in a batch.

Hypothesis is derandomized without an example database and every call into
the worker is seeded from the test and the call count, so nothing about a
run (its order in the batch, the number of parallel graders, the worker it
lands in) may change a result.
"""
import re
import shutil

import pytest

from kit import REPO, grade

ASSIGNMENT = "ps02-linear-regression"
EXAMPLES = REPO / "examples" / "submissions" / ASSIGNMENT
NAMES = ["alice", "bob"]  # correct, and typical bugs (random ones included)
RUNS = 5


def outcome(result: dict) -> list:
    """Everything a student sees, test by test, with memory addresses masked."""
    rows = [("total", result["score"])]
    for exercise_id, exercise in sorted(result["exercises"].items()):
        for test in exercise["tests"]:
            message = re.sub(r"0x[0-9a-f]+", "0x…", test["message"])
            rows.append((exercise_id, test["name"], test.get("device"), test["status"], test["score"], message))
    return rows


@pytest.mark.slow
def test_scores_are_identical_across_runs_and_jobs(zygote, tmp_path):
    """Five copies of each submission in one batch with 2 jobs, and each alone with 1 job: all identical."""
    paths = []
    for run in range(RUNS):
        for name in NAMES:
            path = tmp_path / ASSIGNMENT / f"{name}-{run}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(EXAMPLES / f"{name}.ipynb", path)
            paths.append(path)
    batch = grade(zygote, paths, ASSIGNMENT, jobs=2)
    alone = {name: grade(zygote, [EXAMPLES / f"{name}.ipynb"], ASSIGNMENT, jobs=1)[0] for name in NAMES}
    for name in NAMES:
        expected = outcome(alone[name])
        copies = [outcome(r) for r in batch if r["submission"].rsplit("/", 1)[-1].startswith(f"{name}-")]
        assert len(copies) == RUNS
        for copy in copies:
            assert copy == expected, name
    # the batch holds a spread of scores, so the comparison is not between empty results
    scores = {alone[name]["score"] for name in NAMES}
    assert len(scores) == len(NAMES) and max(scores) == alone["alice"]["max_score"]
