"""The pytest plugin that runs hidden suites against one submission (harness side)."""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, Phase, settings

from autograder.suite import Failure, Student

settings.register_profile(
    "autograder",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=25,
    print_blob=False,
    report_multiple_bugs=False,
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
    suppress_health_check=list(HealthCheck),
)


TIMEOUTS_BEFORE_GIVING_UP = 2


@dataclass
class TestRecord:
    exercise: str
    function: str  # the test function's name
    name: str  # function plus non-device parameters
    description: str
    points: float
    device: str | None
    status: str  # passed, failed or skipped
    message: str = ""
    seconds: float = 0.0


@dataclass
class Context:
    course_exercises: dict  # id -> course.Exercise
    session: object  # session.WorkerSession
    devices: tuple[str, ...]
    blocked: dict[str, str] = field(default_factory=dict)  # exercise id -> message failing all its tests
    records: list[TestRecord] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def exercise_of(path) -> str:
    return Path(str(path)).stem.removeprefix("test_")


def failure_message(excinfo) -> str:
    error = excinfo.value
    while isinstance(error, BaseExceptionGroup):  # hypothesis may group a flaky failure
        error = next((e for e in error.exceptions if isinstance(e, Failure)), error.exceptions[0])
    if isinstance(error, Failure):
        return str(error)
    return (f"the grader could not check this result ({type(error).__name__}: {str(error)[:300]}); "
            "check the return type and shape against the docstring")


class GradingPlugin:
    def __init__(self, context: Context):
        self.context = context
        self.student_proxy = Student(context.session, context.course_exercises)

    @pytest.fixture(scope="session")
    def student(self):
        return self.student_proxy

    def pytest_configure(self, config):
        config.addinivalue_line("markers", "points(n): the points a hidden test is worth")
        settings.load_profile("autograder")

    def pytest_generate_tests(self, metafunc):
        if "device" not in metafunc.fixturenames:
            return
        exercise = self.context.course_exercises[exercise_of(metafunc.definition.fspath)]
        params = []
        for device in exercise.devices:
            if device not in self.context.devices:
                continue
            marks = ()
            if device == "cuda" and not torch.cuda.is_available():
                marks = (pytest.mark.skip(reason="CUDA is not available on this machine"),)
            params.append(pytest.param(device, marks=marks, id=device))
        metafunc.parametrize("device", params)

    def pytest_collection_modifyitems(self, items):
        for item in items:
            if item.get_closest_marker("points") is None:
                self.context.errors.append(f"{item.nodeid} has no @points marker")

    def pytest_runtest_setup(self, item):
        exercise = exercise_of(item.fspath)
        self.student_proxy._begin_test(exercise, item.nodeid)
        if exercise in self.context.blocked:
            raise Failure(self.context.blocked[exercise])
        if self.student_proxy.timeouts.get(exercise, 0) >= TIMEOUTS_BEFORE_GIVING_UP:
            raise Failure(f"not run: {TIMEOUTS_BEFORE_GIVING_UP} earlier tests of '{exercise}' timed out; "
                          "make it terminate quickly (an endless loop, or Python loops over every element?)")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.context.records.append(self._record(item, call, report))

    def _record(self, item, call, report) -> TestRecord:
        marker = item.get_closest_marker("points")
        params = dict(getattr(getattr(item, "callspec", None), "params", {}))
        device = params.pop("device", "cpu")
        name = item.originalname.removeprefix("test_")
        if params:
            name += "[" + "-".join(str(v) for v in params.values()) + "]"
        doc = inspect.getdoc(item.function) or ""
        if report.skipped:
            status, message = "skipped", _skip_reason(report)
        elif report.passed:
            status, message = "passed", ""
        else:
            status, message = "failed", failure_message(call.excinfo)
        return TestRecord(exercise_of(item.fspath), item.originalname, name, doc.splitlines()[0] if doc else "",
                          float(marker.args[0]) if marker and marker.args else 0.0, device, status, message,
                          round(report.duration, 3))


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return "skipped: " + str(longrepr[2]).removeprefix("Skipped: ")
    return "skipped"
