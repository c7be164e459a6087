"""The attack corpus: hostile submissions of ps03's softmax, each graded through the real engine.

An attack replaces the softmax solution cell (``source``), and sometimes
adds a cell or changes the notebook (``cells``, ``outputs_mb``). ``expect``
is what the honest part of the submission deserves:

* ``"zero"``: it tries to score without computing softmax, or computes it
  wrongly after its trick; it must earn nothing on softmax;
* ``"full"``: a correct softmax that also does something hostile or noisy on
  the side; it keeps every point, and the side effect stays contained;

``message``, when given, is a fragment that one of its test messages shows.
``sandboxed`` marks attacks that only a namespace sandbox stops (reading
other files, the network, signalling the grader): they are skipped, visibly,
where the fork server runs without namespaces. ``cuda`` attacks need a GPU.
Every attack must also leave the batch running and every other submission's
score unchanged (``tests/test_attacks.py``).
"""
from dataclasses import dataclass, field

CORRECT = '''
def _honest_softmax(X):
    E = torch.exp(X - X.max(dim=1, keepdim=True).values)
    return E / E.sum(dim=1, keepdim=True)
'''


@dataclass(frozen=True)
class Attack:
    name: str
    source: str
    expect: str  # "zero" or "full"
    message: str = ""
    sandboxed: bool = False
    cuda: bool = False
    cells: tuple = ()  # extra code cells appended after the setup cell
    outputs_mb: int = 0  # megabytes of output stored in the notebook's cells
    notes: str = ""


def honest(body: str) -> str:
    """A correct softmax that runs ``body`` (indented code) before answering."""
    return CORRECT + "def softmax(X):\n" + body + "    return _honest_softmax(X)\n"


ATTACKS = [
    # -- objects that lie to the comparison -------------------------------------------------------------------
    Attack("lying_eq", '''
class Always:
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
def softmax(X):
    return Always()
''', "zero", "unsupported object"),
    Attack("lying_bool", '''
class Truthy:
    def __bool__(self):
        return True
    def __len__(self):
        return 1
def softmax(X):
    return Truthy()
''', "zero", "unsupported object"),
    Attack("lying_float", '''
class Number:
    def __float__(self):
        return 1.0
    def __index__(self):
        return 1
def softmax(X):
    return Number()
''', "zero", "unsupported object"),
    Attack("lying_array", '''
class Arrayish:
    def __array__(self, *args, **kwargs):
        import numpy
        return numpy.ones(1)
    def __len__(self):
        return 1
def softmax(X):
    return Arrayish()
''', "zero", "unsupported object"),
    Attack("lying_torch_function", '''
class Liar(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return True
def softmax(X):
    return torch.zeros_like(X).as_subclass(Liar)
''', "zero", "unsupported object"),
    Attack("tensor_subclass", '''
class Marked(torch.Tensor):
    def __eq__(self, other):
        return True
def softmax(X):
    return torch.zeros_like(X).as_subclass(Marked)
''', "zero", "tensor subclass"),
    Attack("pickled_code_in_reply", '''
class Payload:
    def __reduce__(self):
        import os
        return (os.system, ("touch /tmp/pwned-by-reply",))
def softmax(X):
    return [Payload()]
''', "zero", "unsupported object"),

    # -- tampering with the checkers (they run in another process) --------------------------------------------
    Attack("monkeypatch_torch", '''
import torch.testing
torch.allclose = lambda *args, **kwargs: True
torch.equal = lambda *args, **kwargs: True
torch.isclose = lambda *args, **kwargs: torch.ones(1, dtype=torch.bool)
torch.testing.assert_close = lambda *args, **kwargs: None
torch.Tensor.__eq__ = lambda self, other: True
def softmax(X):
    return torch.zeros_like(X)
''', "zero"),
    Attack("monkeypatch_numpy", '''
import numpy
numpy.allclose = lambda *args, **kwargs: True
numpy.testing.assert_allclose = lambda *args, **kwargs: None
def softmax(X):
    return torch.zeros_like(X)
''', "zero"),
    Attack("monkeypatch_builtins", '''
import builtins
builtins.isinstance = lambda obj, kind: True
builtins.abs = lambda value: 0
def softmax(X):
    return torch.zeros_like(X)
''', "zero"),
    Attack("monkeypatch_pytest_hypothesis", '''
import pytest, hypothesis
pytest.fail = lambda *args, **kwargs: None
hypothesis.given = lambda *args, **kwargs: (lambda test: (lambda *a, **k: None))
def softmax(X):
    return torch.zeros_like(X)
''', "zero"),
    Attack("monkeypatch_autograder", '''
import autograder.suite, autograder.worker, autograder.protocol
autograder.suite.expect_close = lambda *args, **kwargs: None
autograder.worker._plain = lambda value: value
autograder.protocol.check_plain = lambda obj: None
def softmax(X):
    return torch.zeros_like(X)
''', "zero"),
    Attack("forged_reply_encoder", '''
import autograder.protocol
_encode = autograder.protocol.encode
def _forge(obj):
    if isinstance(obj, dict) and "ok" in obj:
        obj = {"ok": True, "value": "all good", "violations": []}
    return _encode(obj)
autograder.protocol.encode = _forge
def softmax(X):
    raise ValueError("never computed")
''', "zero"),
    Attack("forged_frame_on_socket", '''
def softmax(X):
    import io, os, struct
    buffer = io.BytesIO()
    torch.save({"ok": True, "value": torch.zeros_like(X), "violations": []}, buffer)
    frame = struct.pack(">Q", len(buffer.getvalue())) + buffer.getvalue()
    for fd in range(3, 64):
        try:
            os.write(fd, frame)
        except OSError:
            pass
    return torch.zeros_like(X)
''', "zero"),
    Attack("sys_modules_poisoning", '''
import sys, types
fake = types.ModuleType("torch")
fake.allclose = lambda *args, **kwargs: True
sys.modules["torch.testing"] = fake
sys.modules["numpy.testing"] = fake
def softmax(X):
    return torch.zeros_like(X)
''', "zero"),
    Attack("fake_messages_on_stdout", '''
import sys
print = lambda *args, **kwargs: sys.__stdout__.write("PASSED softmax 9/9\\n")
sys.stdout.write("score: 9/9\\nall tests passed\\n")
def softmax(X):
    sys.stdout.write('{"score": 9.0, "max_score": 9.0}\\n')
    return torch.zeros_like(X)
''', "zero"),
    Attack("fake_result_files", '''
import json, os
def softmax(X):
    fake = json.dumps({"assignment": "ps03-softmax-regression", "score": 36.0, "max_score": 36.0})
    for folder in (os.getcwd(), os.path.dirname(os.getcwd()), "/tmp", os.path.expanduser("~"), "out"):
        try:
            with open(os.path.join(folder, "results.json"), "w") as handle:
                handle.write(fake)
        except OSError:
            pass
    return torch.zeros_like(X)
''', "zero"),

    # -- reading what a submission must not see ------------------------------------------------------------------
    Attack("steal_solution_notebook", '''
import glob, json, os
def _stolen():
    paths = []
    for root in ["/work", "/home", "/root", "/tmp", "/srv", "/opt", "/mnt", os.path.expanduser("~")]:
        for depth in range(4):
            paths += glob.glob(os.path.join(root, *["*"] * depth, "solutions", "ps03-softmax-regression", "*.ipynb"))
    for path in paths:
        for cell in json.load(open(path))["cells"]:
            source = "".join(cell["source"])
            if "def softmax" in source and "BEGIN SOLUTION" in source:
                scope = {"torch": torch}
                exec(source, scope)
                return scope["softmax"]
    return None
_found = _stolen()
def softmax(X):
    return _found(X) if _found else torch.zeros_like(X)
''', "zero", sandboxed=True),
    Attack("steal_other_submission", '''
import glob, json, os
def _stolen():
    patterns = ["/tmp/autograder-submission-*/*.ipynb", "/tmp/pytest-of-*/*/*/*/*.ipynb",
                "/tmp/pytest-of-*/*/*/*.ipynb", "/work/*/examples/submissions/*/alice.ipynb"]
    for pattern in patterns:
        for path in glob.glob(pattern, recursive=True):
            try:
                cells = json.load(open(path))["cells"]
            except (OSError, ValueError):
                continue
            for cell in cells:
                source = "".join(cell["source"])
                if "def softmax" in source and "NotImplementedError" not in source and "_stolen" not in source:
                    scope = {"torch": torch}
                    try:
                        exec(source, scope)
                        return scope["softmax"]
                    except Exception:
                        continue
    return None
_found = _stolen()
def softmax(X):
    return _found(X) if _found else torch.zeros_like(X)
''', "zero", sandboxed=True),
    Attack("read_hidden_suite", '''
def softmax(X):
    import glob
    found = []
    for depth in range(5):
        found += glob.glob("/" + "/".join(["*"] * depth) + "/suites/ps03-softmax-regression/test_softmax.py")
    text = open(found[0]).read() if found else ""
    return torch.full_like(X, float(len(text) > 0))
''', "zero", sandboxed=True),
    Attack("read_gradebook_and_home", '''
def softmax(X):
    import glob, os
    found = glob.glob("/work/*/gradebook.db") + glob.glob("/work/*/course.yml") + glob.glob("/root/.*")
    found = [path for path in found if not path.startswith("/root/.pyenv")]
    return torch.full_like(X, float(len(found) > 0))
''', "zero", sandboxed=True),
    Attack("network_exfiltration", '''
def softmax(X):
    import socket
    try:
        socket.create_connection(("1.1.1.1", 53), timeout=1).close()
        reachable = True
    except OSError:
        reachable = False
    return torch.full_like(X, 1.0 / X.shape[1]) if reachable else torch.zeros_like(X)
''', "zero", sandboxed=True),

    # -- ending the process ------------------------------------------------------------------------------------
    Attack("exit_at_import", '''
import sys
sys.exit(0)
def softmax(X):
    return X
''', "zero"),
    Attack("os_exit_at_import", '''
import os
os._exit(0)
''', "zero"),
    Attack("exit_in_function", '''
def softmax(X):
    import sys
    sys.exit(0)
''', "zero"),
    Attack("os_exit_in_function", '''
def softmax(X):
    import os
    os._exit(0)
''', "zero", "crashed"),
    Attack("sigkill_self", '''
def softmax(X):
    import os, signal
    os.kill(os.getpid(), signal.SIGKILL)
    return torch.zeros_like(X)
''', "zero"),
    Attack("sigstop_self", '''
def softmax(X):
    import os, signal
    os.kill(os.getpid(), signal.SIGSTOP)
    return torch.zeros_like(X)
''', "zero"),
    Attack("kill_the_grader", '''
def softmax(X):
    import os, signal
    targets = {os.getppid(), os.getpgid(0)}
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) != os.getpid():
            try:
                if b"python" in open(f"/proc/{name}/cmdline", "rb").read():
                    targets.add(int(name))
            except OSError:
                pass
    for pid in targets:
        try:
            os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError):
            pass
    return torch.zeros_like(X)
''', "zero", sandboxed=True),
    Attack("segfault", '''
def softmax(X):
    import ctypes
    ctypes.string_at(0)
''', "zero", "crashed"),
    Attack("ctypes_memory_write", '''
def softmax(X):
    import ctypes
    ctypes.memset(id(1), 0, 64)  # overwrite the interpreter's small integer 1
    return torch.zeros_like(X)
''', "zero"),

    # -- resources -----------------------------------------------------------------------------------------------
    Attack("infinite_loop", '''
def softmax(X):
    while True:
        pass
''', "zero", "timed out after"),
    Attack("keyboard_interrupt_loop", '''
def softmax(X):
    import time
    while True:
        try:
            time.sleep(0.01)
        except KeyboardInterrupt:
            pass
''', "zero", "timed out after"),
    Attack("memory_bomb_at_once", '''
def softmax(X):
    blocks = [torch.ones(50 * 2**30 // 4)]
    return blocks[0]
''', "zero", "memory limit"),
    Attack("memory_bomb_growing", '''
def softmax(X):
    hoard = []
    while True:
        hoard.append(torch.ones(64 * 2**20 // 4))  # 64 MiB at a time, each one touched
''', "zero", "memory"),
    Attack("cuda_memory_bomb", '''
def softmax(X):
    hoard = [torch.empty(2**30, device="cuda") for _ in range(10_000)]
    return hoard[0]
''', "zero", cuda=True),
    Attack("fork_bomb", '''
def softmax(X):
    import os
    while True:
        try:
            os.fork()
        except OSError:
            pass
''', "zero", "timed out after"),
    Attack("thread_bomb", honest('''
    import threading, time
    threads = []
    try:
        for _ in range(100_000):
            thread = threading.Thread(target=time.sleep, args=(3600,), daemon=True)
            thread.start()
            threads.append(thread)
    except RuntimeError:
        pass
'''), "full", sandboxed=True, notes="the task limit stops it; the softmax is still right"),
    Attack("daemon_child_survives", CORRECT + """
_spawned = []
def softmax(X):
    import os, time
    if not _spawned:
        _spawned.append(True)
        if os.fork() == 0:
            os.setsid()
            while True:
                time.sleep(0.1)
    return _honest_softmax(X)
""", "full", sandboxed=True, notes="the child outlives its call, not its worker: it ends with the PID namespace"),
    Attack("subprocess_shell", '''
def softmax(X):
    import subprocess
    text = subprocess.run(["sh", "-c", "cat /work/*/solutions/*/*.ipynb /*/*/solutions/*/*.ipynb 2>/dev/null"],
                          capture_output=True, text=True, timeout=5).stdout
    return torch.full_like(X, float("BEGIN SOLUTION" in text))
''', "zero", sandboxed=True),
    Attack("multiprocessing_pool", CORRECT + '''
def _square(n):
    return n * n
def softmax(X):
    import multiprocessing
    with multiprocessing.get_context("fork").Pool(2) as pool:
        squares = pool.map(_square, range(4))
    assert squares == [0, 1, 4, 9]
    return _honest_softmax(X)
''', "full", notes="honest work in child processes is fine (autograd does not cross processes, so the work "
                   "is a side computation here)"),
    Attack("gigabytes_of_output", CORRECT + """
_flooded = []
def softmax(X):
    import os, sys
    if not _flooded:  # once: 2 GiB on the file descriptors, 120 MB through sys.stdout
        _flooded.append(True)
        chunk = b"x" * 2**20
        for _ in range(1024):
            os.write(1, chunk)
            os.write(2, chunk)
        for _ in range(200):
            sys.stdout.write("noise " * 100_000)
    return _honest_softmax(X)
""", "full"),
    Attack("print_flood", honest('''
    for _ in range(5000):
        print("spam " * 200)
'''), "full"),
    Attack("recursion_overflow", '''
def softmax(X):
    return softmax(X)
''', "zero", "RecursionError"),
    Attack("c_stack_overflow", '''
import sys
sys.setrecursionlimit(10**7)
def softmax(X, depth=0):
    return softmax(X, depth + 1)
''', "zero"),
    Attack("import_time_side_effects", CORRECT + '''
import atexit, signal, threading, time
atexit.register(lambda: print("ALL TESTS PASSED"))
signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)
threading.Thread(target=lambda: time.sleep(3600), daemon=True).start()
softmax = _honest_softmax
''', "full"),
    Attack("huge_notebook_outputs", CORRECT + "softmax = _honest_softmax\n", "full", outputs_mb=60),

    # -- from-scratch rules -----------------------------------------------------------------------------------
    Attack("reference_directly", '''
import d2lkit
def softmax(X):
    return d2lkit.softmax(X)
''', "zero", "d2lkit"),
    Attack("forbidden_by_alias", '''
import torch.nn.functional as Fn
def softmax(X):
    return Fn.softmax(X, dim=1)
''', "zero", "torch.nn.functional.softmax"),
    Attack("forbidden_through_getattr", '''
def softmax(X):
    name = "soft" + "max"
    return getattr(torch, name)(X, 1)
''', "zero", "torch.softmax"),
    Attack("forbidden_through_dunder_import", '''
def softmax(X):
    return __import__("d2lkit").softmax(X)
''', "zero", "d2lkit"),
    Attack("forbidden_through_eval", '''
def softmax(X):
    f = eval("torch." + "soft" + "max")
    return f(X, 1)
''', "zero", "torch.softmax"),
    Attack("forbidden_through_sys_modules", '''
import sys
def softmax(X):
    reference = sys.modules["d2l" + "kit"]
    return getattr(reference, "soft" + "max")(X)
''', "zero", "d2lkit"),
    Attack("forbidden_tensor_method", '''
def softmax(X):
    method = "soft" + "max"
    return getattr(X, method)(1)
''', "zero", "softmax"),
]
