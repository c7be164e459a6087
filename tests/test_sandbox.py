"""Worker isolation: chosen at start, reported honestly by the doctor, enforced in every worker.

The attack corpus (test_attacks.py) shows what the sandbox stops; these
tests check how it is chosen and that the doctor's self-test can tell an
isolated worker from one that is not.
"""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from autograder import doctor, sandbox, zygote
from kit import COURSE, REPO


@pytest.fixture(scope="module")
def auto():
    return doctor.run(COURSE, "auto")


def check(checks, name):
    [(passed, detail)] = [(passed, detail) for check_name, passed, detail in checks if check_name == name]
    return passed, detail


@pytest.mark.slow
def test_doctor_self_test_passes_where_namespaces_work(auto):
    """With namespaces, a real worker cannot read the course, signal the grader, use the network or see /tmp."""
    isolation, found, checks = auto
    if isolation.level != "namespaces":
        pytest.skip("no namespaces here: " + "; ".join(isolation.problems))
    failed = [(name, detail) for name, passed, detail in checks if not passed]
    assert not failed
    assert all(isolation.protections().values()) or not isolation.cgroup


@pytest.mark.slow
def test_doctor_sees_the_course_when_namespaces_are_off():
    """--sandbox off: the same self-test finds the hidden suites readable, so the doctor's checks can fail."""
    isolation, found, checks = doctor.run(COURSE, "off")
    assert isolation.level == "limits" and "turned off" in isolation.problems[0]
    passed, detail = check(checks, "hidden suites, solutions, gradebook and home unreadable")
    assert not passed and detail != "none readable"
    assert not isolation.protections()["no network"]


def test_strict_refuses_to_grade_without_namespaces(monkeypatch):
    """--sandbox strict stops before grading when only resource limits are available, and says why."""
    weak = sandbox.Isolation(level="limits", problems=["namespaces are not available (test)"])
    monkeypatch.setattr(sandbox, "probe", lambda hidden, limits: weak)
    with pytest.raises(RuntimeError, match="strict: namespaces are not available"):
        zygote.choose_isolation({"sandbox": "strict"})
    assert zygote.choose_isolation({"sandbox": "auto"}) is weak


def test_off_never_probes(monkeypatch):
    """--sandbox off uses resource limits only, without trying namespaces."""
    monkeypatch.setattr(sandbox, "probe", lambda hidden, limits: pytest.fail("probed"))
    assert zygote.choose_isolation({"sandbox": "off"}).level == "limits"


@pytest.mark.slow
def test_doctor_command_prints_every_protection():
    """python -m autograder doctor lists the protections, the self-test and the GPU; exit 0."""
    process = subprocess.run([sys.executable, "-m", "autograder", "doctor"], cwd=REPO, capture_output=True,
                             text=True, timeout=300)
    assert process.returncode == 0, process.stderr
    out = process.stdout
    assert out.startswith("isolation level: ")
    for name in sandbox.Isolation().protections():
        assert name in out
    assert "self-test in a worker:" in out and "GPU:" in out


def test_cgroups_of_dead_fork_servers_are_swept():
    """A fork server killed with SIGKILL leaves empty cgroups; the next one removes them, not live ones."""
    cgroups = sandbox.Cgroups()
    if not cgroups.kind:
        pytest.skip(cgroups.problem or "no cgroups here")
    try:
        parent = os.path.dirname(next(iter(cgroups.roots.values())))
        dead = os.path.join(parent, f"autograder-{2**22 + 1}")  # above any pid_max: no such process
        os.makedirs(os.path.join(dead, "w1"))
        cgroups.sweep()  # what a new fork server does at start
        assert not os.path.exists(dead)
        assert all(os.path.isdir(root) for root in cgroups.roots.values())
    finally:
        cgroups.remove_roots()


@pytest.mark.slow
def test_a_virtualenv_reached_through_a_link_works_in_the_sandbox():
    """Python run as <link>/bin/python imports from the link's path; workers see that path too."""
    if doctor.run(COURSE, "auto")[0].level != "namespaces":
        pytest.skip("no namespaces here")
    # not under /tmp: workers get a private /tmp
    folder = Path(tempfile.mkdtemp(prefix=".autograder-test-", dir=Path.home()))
    link = folder / "venv"
    link.symlink_to(os.path.realpath(sys.prefix))
    try:
        process = subprocess.run([str(link / "bin" / "python"), "-m", "autograder", "doctor"], cwd=REPO,
                                 capture_output=True, text=True, timeout=300)
    finally:
        shutil.rmtree(folder)
    assert process.returncode == 0, process.stderr[-2000:]
    assert process.stdout.startswith("isolation level: namespaces") and "[!!]" not in process.stdout
