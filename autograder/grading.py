"""Grading submissions: one forked grader process per submission, N at a time.

A grader (trusted) reads the notebook, checks the from-scratch rules, starts
the submission's worker through the zygote, and runs the hidden suites with
``autograder.plugin``. It sends its result back as JSON. Graders are forked
from the calling process, so they start in milliseconds; they pin torch to
one thread first (a forked child of a process that ran OpenMP work hangs in
its first parallel region otherwise).
"""
from __future__ import annotations

import contextlib
import json
import os
import selectors
import shutil
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from autograder.course import Assignment, Course
from autograder.notebook import NotebookError, execution_plan, locate, read_notebook
from autograder.rules import find_violations

SUBMISSION_DEADLINE = 30 * 60.0


@dataclass(frozen=True)
class Job:
    submission: Path
    assignment_id: str | None  # None: could not be told from the path
    display: str


def preload_grader_modules() -> None:
    """Import what every forked grader needs once, in the parent, so that forks share it.

    Only imports: the parent must not run torch operations (its forked
    children would then hang in their first OpenMP parallel region).
    """
    import hypothesis  # noqa: F401
    import pytest  # noqa: F401
    import torch  # noqa: F401

    import autograder.plugin  # noqa: F401
    import d2lkit  # noqa: F401  (every hidden suite judges against it)


def environment() -> dict:
    import torch

    info = {"python": sys.version.split()[0], "torch": torch.__version__, "cuda": torch.version.cuda,
            "cuda_available": torch.cuda.is_available()}
    if torch.cuda.is_available():
        info["cuda_devices"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return info


def empty_result(course: Course | None, assignment: Assignment | None, display: str, message: str) -> dict:
    """A result row for a submission whose tests could not run at all."""
    exercises = {}
    if assignment is not None:
        for exercise in assignment.exercises:
            exercises[exercise.id] = {
                "score": 0.0, "max_score": exercise.points, "notes": [],
                "tests": [{"name": "notebook", "description": "the notebook could be graded", "score": 0.0,
                           "max_score": exercise.points, "passed": False, "status": "failed", "message": message,
                           "device": None}],
            }
    return {"assignment": assignment.id if assignment else None, "submission": display, "score": 0.0,
            "max_score": assignment.points if assignment else 0.0, "notes": [message], "exercises": exercises}


def score(records, assignment: Assignment, selected) -> dict:
    """Exercise results from test records: a test's points split over its runs that were not skipped."""
    runs = {}
    for record in records:
        if record.status != "skipped":
            runs[(record.exercise, record.function)] = runs.get((record.exercise, record.function), 0) + 1
    exercises = {}
    for exercise in assignment.exercises:
        if exercise.id not in selected:
            continue
        tests = []
        for record in records:
            if record.exercise != exercise.id:
                continue
            count = runs.get((record.exercise, record.function), 0)
            max_score = record.points / count if record.status != "skipped" and count else 0.0
            tests.append({"name": record.name, "description": record.description,
                          "score": max_score if record.status == "passed" else 0.0, "max_score": max_score,
                          "passed": record.status == "passed", "status": record.status,
                          "message": record.message, "device": record.device, "seconds": record.seconds})
        exercises[exercise.id] = {"score": sum(t["score"] for t in tests),
                                  "max_score": sum(t["max_score"] for t in tests), "notes": [], "tests": tests}
    return exercises


def grade_submission(job: Job, course: Course, zygote, devices=("cpu",), exercise_ids=None) -> dict:
    """Grade one notebook in this process (call it in a forked grader)."""
    import pytest

    from autograder.plugin import Context, GradingPlugin
    from autograder.session import Limits, WorkerSession

    if job.assignment_id is None:
        return empty_result(course, None, job.display, "could not tell which assignment this notebook belongs to "
                                                        "(name it after the assignment's notebook or put it in a "
                                                        "folder named after the assignment)")
    assignment = course.assignment(job.assignment_id)
    selected = [e.id for e in assignment.exercises if exercise_ids is None or e.id in exercise_ids]
    try:
        notebook = read_notebook(job.submission)
    except NotebookError as error:
        return empty_result(course, assignment, job.display, f"{error}; nothing could be graded")

    plan, plan_notes = execution_plan(notebook)
    notes = notebook.notes + plan_notes
    blocked, exercise_notes = {}, {}
    for exercise_id in selected:
        exercise = assignment.exercise(exercise_id)
        located = locate(notebook, exercise_id)
        exercise_notes[exercise_id] = [located.note] if located.note else []
        if located.cell is None:
            blocked[exercise_id] = located.note
            continue
        violations = find_violations(notebook.cells, located.cell, exercise.forbid)
        if violations:
            blocked[exercise_id] = "\n".join(v.message(exercise_id) for v in violations)

    workdir = tempfile.mkdtemp(prefix="autograder-submission-")
    os.chmod(workdir, 0o700)
    shutil.copyfile(job.submission, os.path.join(workdir, job.submission.name))
    chosen = [assignment.exercise(e) for e in selected]
    import torch

    limits = Limits(timeout=max(e.timeout for e in chosen), memory=max(e.memory for e in chosen),
                    load_timeout=course.load_timeout,
                    address_space=not ("cuda" in devices and torch.cuda.is_available()))
    worker_env = {key: os.environ[key] for key in ("CUDA_VISIBLE_DEVICES", "PYTORCH_NVML_BASED_CUDA_CHECK")
                  if key in os.environ}
    session = WorkerSession(zygote, plan, workdir, limits, env=worker_env)
    context = Context({e.id: e for e in assignment.exercises}, session, tuple(devices), blocked)
    try:
        session.ensure_started()
        suites = [str(course.suite_path(assignment.id, e)) for e in selected]
        make_suite_importable(course.suites_dir / assignment.id)
        args = [*suites, "-q", "-p", "no:cacheprovider", "--import-mode=importlib", "--assert=plain",
                "--rootdir", str(course.suites_dir), "-c", str(course.suites_dir / "pytest.ini"), "-W", "ignore"]
        with _quiet():
            pytest.main(args, plugins=[GradingPlugin(context)])
    finally:
        session.close()
        shutil.rmtree(workdir, ignore_errors=True)
    if context.errors:
        raise RuntimeError("the hidden suites are broken: " + "; ".join(context.errors))

    exercises = score(context.records, assignment, selected)
    for exercise_id, result in exercises.items():
        result["notes"] = exercise_notes.get(exercise_id, [])
        if not result["tests"]:
            raise RuntimeError(f"the hidden suite of '{exercise_id}' ran no test")
    load_notes = list(session.load_messages.values())
    return {"assignment": assignment.id, "submission": job.display,
            "score": sum(e["score"] for e in exercises.values()),
            "max_score": sum(e["max_score"] for e in exercises.values()),
            "notes": notes + load_notes, "exercises": exercises}


def make_suite_importable(folder: Path) -> None:
    """Put an assignment's suite folder on sys.path, so its tests import its helper modules
    (``_ps06_helpers``); pytest's importlib mode, which keeps suites apart, does not."""
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))


@contextlib.contextmanager
def _quiet():
    """Silence pytest's own terminal output (set AUTOGRADER_DEBUG=1 to see it)."""
    if os.environ.get("AUTOGRADER_DEBUG"):
        yield
        return
    saved = [os.dup(1), os.dup(2)]
    devnull = os.open(os.devnull, os.O_WRONLY)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, devnull):
            os.close(fd)


def gpu_pool(devices, slots: int = 1) -> list[str]:
    """The GPUs graders may hold at once: each visible CUDA device ``slots`` times; empty without CUDA."""
    if "cuda" not in devices:
        return []
    import torch

    if not torch.cuda.is_available():
        return []
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    ids = ([d.strip() for d in visible.split(",") if d.strip()] if visible
           else [str(i) for i in range(torch.cuda.device_count())])
    return [gpu for gpu in ids for _ in range(max(1, slots))]


def grade_all(jobs, course: Course, zygote, devices=("cpu",), max_parallel=1, exercise_ids=None, on_result=None,
              gpu_slots=1):
    """Grade jobs in forked graders, ``max_parallel`` at a time; results in job order.

    When CUDA runs are asked for and a GPU is present, each grader holds one GPU
    slot (``CUDA_VISIBLE_DEVICES`` set for it and its worker), so at most
    ``gpu_slots`` submissions share a device and no more graders run than slots.
    """
    preload_grader_modules()
    zygote.wait_ready()  # before forking graders, so that none of them reads the fork server's pipe
    free_gpus = gpu_pool(devices, gpu_slots)
    if free_gpus:
        max_parallel = min(max_parallel, len(free_gpus))
    results: list[dict | None] = [None] * len(jobs)
    pending = list(enumerate(jobs))
    running = {}  # fd -> (index, pid, chunks, started, gpu)
    selector = selectors.DefaultSelector()
    while pending or running:
        while pending and len(running) < max(1, max_parallel):
            index, job = pending.pop(0)
            gpu = free_gpus.pop(0) if free_gpus else None
            read_fd, pid = _fork_grader(job, course, zygote, devices, exercise_ids, gpu)
            running[read_fd] = (index, pid, [], time.monotonic(), gpu)
            selector.register(read_fd, selectors.EVENT_READ)
        for key, _ in selector.select(timeout=1.0):
            fd = key.fd
            chunk = os.read(fd, 1 << 20)
            if chunk:
                running[fd][2].append(chunk)
                continue
            selector.unregister(fd)
            os.close(fd)
            index, pid, chunks, _, gpu = running.pop(fd)
            if gpu is not None:
                free_gpus.append(gpu)
            _, status = os.waitpid(pid, 0)
            results[index] = _decode_result(b"".join(chunks), status, jobs[index], course)
            if gpu is not None:
                results[index]["gpu"] = gpu
            if on_result:
                on_result(results[index])
        now = time.monotonic()
        for fd, (index, pid, _, started, _) in list(running.items()):
            if now - started > SUBMISSION_DEADLINE:
                os.kill(pid, signal.SIGKILL)
    return results


def _fork_grader(job, course, zygote, devices, exercise_ids, gpu=None):
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        code = 0
        if gpu is not None:  # before CUDA starts in this grader; its worker inherits it (grade_submission)
            os.environ["CUDA_VISIBLE_DEVICES"] = gpu
        try:
            import torch

            torch.set_num_threads(1)
            result = grade_submission(job, course, zygote, devices, exercise_ids)
        except BaseException:  # report any grader failure as a result row
            result = {"internal_error": traceback.format_exc()}
            code = 1
        data = json.dumps(result).encode()
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(data)
        os._exit(code)
    os.close(write_fd)
    return read_fd, pid


def _decode_result(data: bytes, status: int, job: Job, course: Course) -> dict:
    assignment = None
    if job.assignment_id:
        try:
            assignment = course.assignment(job.assignment_id)
        except Exception:
            assignment = None
    try:
        result = json.loads(data)
    except ValueError:
        result = None
    if isinstance(result, dict) and "internal_error" not in result:
        return result
    detail = result["internal_error"] if isinstance(result, dict) else f"the grader process ended with status {status}"
    row = empty_result(course, assignment, job.display, "grading failed because of an error in the grader; "
                                                         "please tell your instructor")
    row["internal_error"] = detail
    return row
