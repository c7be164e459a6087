"""The attack corpus (tests/attacks/corpus.py), graded through the real engine in one batch.

Each attack must score as its honest part deserves, the batch must go on
(every submission gets a row, no internal error), and the other submissions
in the batch must score exactly as they do alone: an honest control is
graded first, last, and on its own, and the three results must be equal.
Nothing an attack does may outlive it or reach the grader's files.
"""
import dataclasses
import importlib.util
import json
import os
from pathlib import Path

import pytest
import torch

from autograder.grading import Job, grade_all
from autograder.sandbox import UID_BASE
from kit import COURSE, REPO, notebook_with

ASSIGNMENT = "ps03-softmax-regression"
_spec = importlib.util.spec_from_file_location("attack_corpus", REPO / "tests" / "attacks" / "corpus.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)
ATTACKS = {attack.name: attack for attack in corpus.ATTACKS}
CONTROL = corpus.CORRECT + "softmax = _honest_softmax\n"
# Hangs and memory bombs hit the limits, so short limits keep the batch quick; a correct
# softmax needs milliseconds and a few MiB per call, so these still leave it a wide margin.
TIMEOUT, LOAD_TIMEOUT, MEMORY = 3.0, 10.0, 2**30
PLANTED = [REPO / "results.json", Path("/tmp/results.json"), Path.home() / "results.json", Path("/tmp/pwned-by-reply")]


def runnable(attack, isolation) -> str:
    """Why an attack cannot run here ("" if it can)."""
    if attack.cuda and not torch.cuda.is_available():
        return "needs a CUDA device"
    if attack.sandboxed and isolation.level != "namespaces":
        return "only a namespace sandbox stops it, and this machine has none: " + "; ".join(isolation.problems)
    return ""


def attack_notebook(folder, attack) -> Path:
    path = notebook_with(folder, ASSIGNMENT, attack.name, {"softmax": attack.source})
    if attack.cells or attack.outputs_mb:
        data = json.loads(path.read_text())
        for source in attack.cells:
            data["cells"].insert(2, {"cell_type": "code", "metadata": {}, "source": source, "outputs": [],
                                     "execution_count": None})
        if attack.outputs_mb:
            line = "x" * 1000 + "\n"
            output = {"output_type": "stream", "name": "stdout", "text": [line] * (attack.outputs_mb * 1000)}
            data["cells"][-1]["outputs"] = [output]
        path.write_text(json.dumps(data))
    return path


def quick_course():
    """The course with ASSIGNMENT's limits lowered to TIMEOUT, LOAD_TIMEOUT and MEMORY."""
    assignment = COURSE.assignment(ASSIGNMENT)
    exercises = tuple(dataclasses.replace(e, timeout=TIMEOUT, memory=MEMORY) for e in assignment.exercises)
    return dataclasses.replace(COURSE, load_timeout=LOAD_TIMEOUT,
                               assignments=(dataclasses.replace(assignment, exercises=exercises),))


def grade(zygote, paths, jobs):
    jobs_list = [Job(Path(p), ASSIGNMENT, Path(p).name) for p in paths]
    return grade_all(jobs_list, quick_course(), zygote, max_parallel=jobs, exercise_ids=["softmax"])


def sandbox_processes(zygote_pid: int, by_cgroup: bool) -> list[int]:
    """Live processes with a worker uid; with ``by_cgroup``, only those in this fork server's cgroups."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if os.stat(f"/proc/{name}").st_uid < UID_BASE:
                    continue
                cgroups = Path(f"/proc/{name}/cgroup").read_text()
            except OSError:
                continue
            # other test sessions on this machine run workers too; theirs sit in their own cgroups
            if not by_cgroup or f"autograder-{zygote_pid}/" in cgroups:
                found.append(int(name))
    return found


def selected(request) -> list[str]:
    """The attacks whose tests this pytest run collected (all of them, unless -k picks some)."""
    names = {item.callspec.params["name"] for item in request.session.items
             if hasattr(item, "callspec") and "name" in item.callspec.params}
    return [name for name in ATTACKS if name in names]


@pytest.fixture(scope="module")
def graded(zygote, tmp_path_factory, request):
    isolation = zygote.wait_ready()
    planted_before = {path for path in PLANTED if path.exists()}
    folder = tmp_path_factory.mktemp("attacks")
    names = [name for name in selected(request) if not runnable(ATTACKS[name], isolation)]
    paths = [notebook_with(folder, ASSIGNMENT, "control_first", {"softmax": CONTROL})]
    paths += [attack_notebook(folder, ATTACKS[name]) for name in names]
    paths.append(notebook_with(folder, ASSIGNMENT, "control_last", {"softmax": CONTROL}))
    results = grade(zygote, paths, jobs=2)
    alone = grade(zygote, [paths[0]], jobs=1)[0]
    by_name = dict(zip(["control_first", *names, "control_last"], results))
    return {"results": by_name, "alone": alone, "isolation": isolation, "planted_before": planted_before,
            "names": names, "zygote_pid": zygote.process.pid}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(ATTACKS))
def test_attack_scores_as_its_honest_part_deserves(graded, name):
    """A trick earns nothing; a correct softmax with hostile side effects keeps its points; the message says why."""
    attack = ATTACKS[name]
    reason = runnable(attack, graded["isolation"])
    if reason:
        pytest.skip(reason)
    result = graded["results"][name]
    assert "internal_error" not in result, result.get("internal_error")
    softmax = result["exercises"]["softmax"]
    failed = [(t["name"], t["message"][:300]) for t in softmax["tests"] if not t["passed"]]
    if attack.expect == "zero":
        assert softmax["max_score"] > 0 and softmax["score"] == 0, [t["name"] for t in softmax["tests"] if t["passed"]]
    else:
        assert softmax["score"] == softmax["max_score"] > 0, failed
    if attack.message:
        messages = [t["message"] for t in softmax["tests"]] + result["notes"]
        assert any(attack.message in m for m in messages), messages[:3]


@pytest.mark.slow
def test_other_submissions_score_as_they_do_alone(graded):
    """The honest control scores the same, test by test, before the attacks, after them, and on its own."""
    def summary(result):
        return [(t["name"], t["status"], t["score"]) for t in result["exercises"]["softmax"]["tests"]]

    first, last = graded["results"]["control_first"], graded["results"]["control_last"]
    assert summary(first) == summary(last) == summary(graded["alone"])
    assert first["score"] == first["max_score"] > 0


@pytest.mark.slow
def test_nothing_outlives_the_batch_or_reaches_the_grader(graded):
    """No worker process survives its submission; no file an attack planted appears outside its sandbox."""
    assert len(graded["results"]) == 2 + len(graded["names"])
    if graded["isolation"].level == "namespaces":
        assert sandbox_processes(graded["zygote_pid"], bool(graded["isolation"].cgroup)) == []
        planted = {path for path in PLANTED if path.exists()} - graded["planted_before"]
        assert not planted, planted


def test_the_corpus_is_large_and_covers_both_outcomes():
    """At least 30 vectors, each named once, with both tricks (zero) and contained side effects (full)."""
    assert len(ATTACKS) == len(corpus.ATTACKS) >= 30
    assert {attack.expect for attack in corpus.ATTACKS} == {"zero", "full"}
