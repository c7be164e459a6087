"""What hidden suites use: the ``student`` proxy, points, checks with actionable messages.

A suite is an ordinary pytest file ``suites/<assignment>/test_<exercise>.py``.
Each test carries ``@points(n)``; a test taking a ``device`` argument runs
once per device the exercise and the command line allow, its points split
evenly between the runs that are not skipped. ``student.NAME(*args)`` calls
the student's function in the worker and returns plain data; ``student.run``
runs a driver there. Checks raise ``Failure`` with a message for the student
(shapes, dtypes, devices, the inputs, expected and got), never suite source.
"""
from __future__ import annotations

import inspect
import textwrap
import zlib

import pytest
import torch

from autograder.session import CallTimedOut, ReplyRejected, WorkerDied, WorkerFailure

points = pytest.mark.points

_SMALL = 60  # elements shown in full in messages


class Failure(AssertionError):
    """A failed check; its message is shown to the student."""


def describe(value) -> str:
    """A short, student-facing description of a value."""
    if isinstance(value, torch.Tensor):
        head = f"{str(value.dtype).removeprefix('torch.')} tensor of shape {tuple(value.shape)} on {value.device}"
        if value.numel() <= _SMALL:
            with torch.no_grad():
                body = repr(value.detach().cpu()).replace("\n", "\n    ")
            return f"{head}:\n    {body}"
        return head
    if isinstance(value, (list, tuple)) and len(value) > 8:
        return f"{type(value).__name__} of {len(value)} items"
    text = repr(value)
    return text if len(text) <= 400 else text[:400] + "..."


def _inputs(inputs: dict) -> str:
    return "".join(f"\n  {name} = {describe(value)}" for name, value in inputs.items())


def fail(message: str, **inputs):
    raise Failure(message + (("\nInputs:" + _inputs(inputs)) if inputs else ""))


def expect(condition: bool, message: str, **inputs):
    if not condition:
        fail(message, **inputs)


def tolerances(dtype: torch.dtype) -> tuple[float, float]:
    """(rtol, atol) for comparing results of a dtype."""
    if dtype == torch.float64:
        return 1e-7, 1e-7
    if dtype in (torch.float16, torch.bfloat16):
        return 1e-2, 1e-2
    return 1e-4, 1e-5


def expect_tensor_like(got, expected: torch.Tensor, call: str, **inputs):
    """``got`` is a tensor with ``expected``'s shape, dtype and device."""
    if not isinstance(got, torch.Tensor):
        fail(f"{call} should return a tensor, but returned {describe(got)}", **inputs)
    if got.shape != expected.shape:
        fail(f"{call} returned shape {tuple(got.shape)}, expected {tuple(expected.shape)}", **inputs)
    if got.dtype != expected.dtype:
        fail(f"{call} returned dtype {got.dtype}, expected {expected.dtype} "
             f"(keep the input's dtype; do not convert)", **inputs)
    if got.device != expected.device:
        fail(f"{call} returned a tensor on {got.device} for inputs on {expected.device} "
             f"(create tensors on the input's device)", **inputs)


def expect_close(got, expected: torch.Tensor, call: str, *, rtol=None, atol=None, **inputs):
    """``got`` matches ``expected`` in shape, dtype, device and values (per-dtype tolerance)."""
    expect_tensor_like(got, expected, call, **inputs)
    default_rtol, default_atol = tolerances(expected.dtype)
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    got_, expected_ = got.detach(), expected.detach()
    if torch.isnan(got_).any() and not torch.isnan(expected_).any():
        fail(f"{call} returned NaN where the correct result is finite"
             f"\n  expected = {describe(expected_)}\n  got = {describe(got_)}", **inputs)
    if not torch.allclose(got_, expected_, rtol=rtol, atol=atol, equal_nan=True):
        error = (got_ - expected_).abs().nan_to_num(float("inf"))
        index = tuple(int(i) for i in torch.unravel_index(error.argmax(), error.shape)) if error.dim() else ()
        fail(f"{call} is wrong: largest error {error.max().item():.3g} at index {index} "
             f"(tolerance rtol={rtol:g}, atol={atol:g})"
             f"\n  expected = {describe(expected_)}\n  got = {describe(got_)}", **inputs)


def expect_equal(got, expected, call: str, **inputs):
    if type(got) is not type(expected) or got != expected:
        fail(f"{call} returned {describe(got)}, expected {describe(expected)}", **inputs)


def expect_close_tree(got, expected, call: str, *, rtol=None, atol=None, **inputs):
    """Like ``expect_close`` for nested tuples/lists/dicts of tensors: same structure, every leaf close.

    The message names the position of the first leaf that differs, e.g.
    ``call[1][0]`` for the hidden state H of ``(outputs, (H, C))``.
    """
    if isinstance(expected, torch.Tensor):
        expect_close(got, expected, call, rtol=rtol, atol=atol, **inputs)
    elif isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            fail(f"{call} should be a {type(expected).__name__} of {len(expected)} items, "
                 f"but is {describe(got)}", **inputs)
        for index, (got_item, expected_item) in enumerate(zip(got, expected)):
            expect_close_tree(got_item, expected_item, f"{call}[{index}]", rtol=rtol, atol=atol, **inputs)
    elif isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            fail(f"{call} should be a dict with keys {sorted(expected)}, but is {describe(got)}", **inputs)
        for key in expected:
            expect_close_tree(got[key], expected[key], f"{call}[{key!r}]", rtol=rtol, atol=atol, **inputs)
    elif expected is None:
        expect(got is None, f"{call} should be None, but is {describe(got)}", **inputs)
    else:
        expect_equal(got, expected, call, **inputs)


def _call_text(name, args, kwargs) -> str:
    def short(value):
        if isinstance(value, torch.Tensor):
            return f"<{str(value.dtype).removeprefix('torch.')} {tuple(value.shape)} on {value.device}>"
        text = repr(value)
        return text if len(text) <= 40 else f"<{type(value).__name__}>"

    parts = [short(a) for a in args] + [f"{k}={short(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


class Result:
    """A call's return value plus its arguments as they were after the call."""

    def __init__(self, value, args):
        self.value = value
        self.args = args


class Student:
    """The harness's view of a submission: every call crosses the worker boundary."""

    def __init__(self, session, course_exercises: dict):
        self._session = session
        self._exercises = course_exercises
        self._exercise = None
        self._test = ""
        self._calls = 0
        self._poisoned: Failure | None = None
        self.timeouts: dict[str, int] = {}

    def _begin_test(self, exercise_id: str, test_id: str):
        self._exercise = self._exercises[exercise_id]
        self._test = test_id
        self._calls = 0
        self._poisoned = None

    def _seed(self) -> int:
        self._calls += 1
        return (zlib.crc32(self._test.encode()) + self._calls) % 2**31

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self.call(name, *args, **kwargs).value

    def call(self, name, *args, return_args=False, **kwargs) -> Result:
        """Call the student's ``name`` with plain-data arguments."""
        text = _call_text(name, args, kwargs)
        reply = self._request(text, lambda timeout, forbid, seed: self._session.call(
            name, args, kwargs, timeout=timeout, forbid=forbid, seed=seed, return_args=return_args))
        return Result(reply.value, reply.args)

    def run(self, driver, *args, describe_as: str | None = None, **kwargs):
        """Run ``driver(namespace, *args, **kwargs)`` in the worker and return its plain result.

        The driver must be a self-contained top-level function (imports inside);
        its source is sent to the worker and run under the exercise's rules.
        """
        source = textwrap.dedent(inspect.getsource(driver))
        text = describe_as or (driver.__doc__.strip().splitlines()[0] if driver.__doc__ else driver.__name__)
        reply = self._request(text, lambda timeout, forbid, seed: self._session.driver(
            source, driver.__name__, args, kwargs, timeout=timeout, forbid=forbid, seed=seed))
        return reply.value

    def _request(self, text, send):
        if self._poisoned is not None:
            raise self._poisoned
        exercise = self._exercise
        try:
            reply = send(exercise.timeout, exercise.forbid, self._seed())
        except WorkerFailure as failure:
            if isinstance(failure, CallTimedOut):
                self.timeouts[exercise.id] = self.timeouts.get(exercise.id, 0) + 1
            self._poisoned = Failure(self._worker_message(text, failure))
            raise self._poisoned from None
        if reply.violations:
            names = ", ".join(reply.violations)
            raise Failure(f"{text} called {names} while running; '{exercise.id}' must be written from scratch "
                          f"without it")
        if not reply.ok:
            raise Failure(self._error_message(text, reply.error))
        return reply

    def _worker_message(self, text, failure: WorkerFailure) -> str:
        if isinstance(failure, CallTimedOut):
            return f"{text} {failure} (an infinite loop, or much slower than needed?)"
        if isinstance(failure, WorkerDied):
            return f"{text} crashed: {failure}"
        if isinstance(failure, ReplyRejected):
            return f"{text} {failure}; return tensors, numbers, strings, or lists/tuples/dicts of them"
        return f"{text} failed: {failure}"

    def _error_message(self, text, error: dict) -> str:
        kind, message = error["type"], error["message"]
        if kind == "NotImplementedError":
            function = error.get("function") or text.split("(")[0]
            return f"{function} is not implemented yet (it raises NotImplementedError)"
        if kind == "NameError" and "is not defined in your notebook" in message:
            return f"{message}: define it in its solution cell"
        hint = ""
        if kind == "OutOfMemoryError":
            hint = "\n(the GPU ran out of memory; the next test starts with a fresh worker and a clean device)"
        elif "can't allocate memory" in message or "out of memory" in message.lower():
            hint = f"\n(the memory limit is {self._exercise.memory / 2**30:.3g} GiB)"
        trace = error.get("traceback", "").strip()
        return f"{text} raised {kind}: {message}{hint}" + (f"\n{trace}" if trace else "")
