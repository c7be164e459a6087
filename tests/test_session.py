"""The worker boundary: a failure in one call costs that call only, and the worker comes back."""
import pytest
import torch

from autograder.session import CallTimedOut, Limits, ReplyRejected, WorkerDied, WorkerSession

CELLS = [
    ("cell 1", "import os, sys, time, torch"),
    ("cell 2", "def double(x):\n    return x * 2\n"),
    ("cell 3", textwrap_source := (
        "def exit_hard():\n    os._exit(3)\n"
        "def segfault():\n    import ctypes\n    ctypes.string_at(0)\n"
        "def spin():\n    while True:\n        pass\n"
        "def stubborn():\n    while True:\n        try:\n            time.sleep(0.05)\n        except KeyboardInterrupt:\n            pass\n"
        "def huge():\n    return torch.zeros(50 * 2**30 // 4)\n"
        "def leave():\n    sys.exit(1)\n"
        "def chatty(x):\n    for _ in range(2000):\n        print('x' * 1000)\n    sys.stderr.write('warning' * 1000)\n    return x\n"
        "class Liar:\n    def __eq__(self, other):\n        return True\n"
        "def liar():\n    return Liar()\n"
        "def mutate(x):\n    x.add_(1)\n    return None\n"
        "def fail():\n    raise ValueError('bad input')\n"
        "def pickled_double(x):\n    import pickle\n    return pickle.loads(pickle.dumps(double))(x)\n"
        "def numpy_scalars():\n    import numpy as np\n    return [np.float32(1.5), np.int64(3), np.bool_(True)]\n"
        "def cuda_oom():\n    raise torch.cuda.OutOfMemoryError('CUDA out of memory. Tried to allocate 80.00 GiB')\n"
        "class Stub:\n    def __init__(self):\n        raise NotImplementedError()\n"
    )),
]


@pytest.fixture
def session(zygote, tmp_path):
    worker = WorkerSession(zygote, CELLS, str(tmp_path), Limits(timeout=1.5, memory=2 * 2**30, load_timeout=3))
    yield worker
    worker.close()


@pytest.mark.parametrize("name, failure, fragment", [
    ("exit_hard", WorkerDied, "exited with code 3"),
    ("segfault", WorkerDied, "signal 11"),
    ("spin", CallTimedOut, "timed out after 1.5 s"),
    ("stubborn", CallTimedOut, "timed out"),
    ("liar", ReplyRejected, "unsupported object"),
])
def test_fatal_calls_fail_alone_and_the_worker_restarts(session, name, failure, fragment):
    """Crashes, exits, endless loops and lying objects fail that call; the next call works."""
    with pytest.raises(failure, match=fragment):
        session.call(name)
    assert torch.equal(session.call("double", [torch.ones(2)]).value, torch.full((2,), 2.0))


@pytest.mark.parametrize("name, kind", [("huge", "RuntimeError"), ("leave", "SystemExit"), ("fail", "ValueError")])
def test_student_exceptions_are_reported(session, name, kind):
    """Memory bombs, sys.exit and ordinary exceptions come back as errors with the student's traceback."""
    reply = session.call(name)
    assert not reply.ok and reply.error["type"] == kind
    if name == "fail":
        assert "bad input" in reply.error["traceback"] and "cell 3" in reply.error["traceback"]


def test_errors_name_the_method_with_its_class(session):
    """A stubbed class reports Class.method, so the student knows which stub to fill."""
    reply = session.call("Stub")
    assert reply.error["type"] == "NotImplementedError" and reply.error["function"] == "Stub.__init__"


def test_functions_of_the_notebook_pickle(session):
    """Cells run in a real __main__ module, as in Jupyter, so pickle (multiprocessing, torch.save) finds them."""
    reply = session.call("pickled_double", [torch.ones(2)])
    assert reply.ok, reply.error
    assert torch.equal(reply.value, torch.full((2,), 2.0))


def test_numpy_scalars_come_back_as_python_numbers(session):
    """np.float32, np.int64 and np.bool_ from an honest solution arrive as float, int and bool."""
    reply = session.call("numpy_scalars")
    assert reply.ok, reply
    assert reply.value == [1.5, 3, True] and [type(v) for v in reply.value] == [float, int, bool]


def test_cuda_out_of_memory_fails_the_call_and_restarts_the_worker(session):
    """A student exhausting GPU memory fails that call; the next call gets a fresh worker (a clean device)."""
    session.ensure_started()
    before = (session.starts, session.worker_pid)
    reply = session.call("cuda_oom")
    assert not reply.ok and reply.error["type"] == "OutOfMemoryError"
    assert torch.equal(session.call("double", [torch.ones(2)]).value, torch.full((2,), 2.0))
    assert session.starts == before[0] + 1 and session.worker_pid != before[1]


def test_output_costs_nothing(session):
    """Megabytes of stdout and stderr from student code do not affect the result."""
    reply = session.call("chatty", [torch.ones(1)])
    assert reply.ok and torch.equal(reply.value, torch.ones(1))


def test_arguments_after_the_call_are_returned(session):
    """return_args shows in-place changes to the inputs."""
    reply = session.call("mutate", [torch.zeros(2)], return_args=True)
    assert torch.equal(reply.args[0], torch.ones(2))


def test_hanging_or_fatal_cells_are_skipped_while_loading(zygote, tmp_path):
    """A cell that hangs or kills the worker while loading is skipped, with a message; the rest loads."""
    cells = [("cell 1", "x = 1"), ("cell 2", "while True: pass"), ("cell 3", "import os; os._exit(0)"),
             ("cell 4", "def f():\n    return x + 1\n"), ("cell 5", "raise ValueError('visible check')")]
    worker = WorkerSession(zygote, cells, str(tmp_path), Limits(timeout=2, load_timeout=1))
    try:
        assert worker.call("f").value == 2
        assert "ran longer than 1 s" in worker.load_messages["cell 2"]
        assert "exited" in worker.load_messages["cell 3"]
        assert "ValueError: visible check" in worker.load_messages["cell 5"]
    finally:
        worker.close()


def test_run_time_guard_names_the_forbidden_call(session):
    """A forbidden torch call made at run time is reported by name."""
    worker = session
    worker.cells.append(("cell 4", "def sm(X):\n    return torch.softmax(X, 1)\n"))
    reply = worker.call("sm", [torch.ones(2, 2)], forbid=["torch.softmax"])
    assert reply.violations == ["torch.softmax"]


def test_resident_memory_watch_stops_a_worker_without_address_space_limit(zygote, tmp_path):
    """With RLIMIT_AS off (as for CUDA), filling memory past the limit kills the worker with a clear message."""
    cells = [("cell 1", "import torch\ndef fill():\n    return torch.ones(3 * 2**30 // 4).sum()\n")]
    worker = WorkerSession(zygote, cells, str(tmp_path), Limits(timeout=20, memory=2**30, address_space=False))
    try:
        with pytest.raises(WorkerDied, match="memory limit"):
            worker.call("fill")
    finally:
        worker.close()
