"""The harness side of the trust boundary: starting, feeding and killing workers."""
from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field

from autograder import protocol
from autograder.sandbox import SANDBOX_FAILED, Isolation, Limits  # noqa: F401  (Limits is part of this API)

SIGNAL_NAMES = {signal.SIGSEGV: "SIGSEGV, a crash", signal.SIGKILL: "SIGKILL", signal.SIGABRT: "SIGABRT, an abort",
                signal.SIGXCPU: "SIGXCPU, CPU time limit", signal.SIGXFSZ: "SIGXFSZ, file size limit",
                signal.SIGBUS: "SIGBUS, a crash", signal.SIGFPE: "SIGFPE, an arithmetic fault"}


class Zygote:
    """A running fork server (``autograder.zygote``); use as a context manager.

    ``hidden`` lists folders and files that sandboxed workers must not see
    (the course's suites and solutions, if they lie inside a library folder
    the sandbox shows). ``sandbox`` is ``auto`` (the strongest isolation that
    works here), ``strict`` (fail unless namespaces work) or ``off``.
    """

    def __init__(self, hidden=(), sandbox: str = "auto"):
        self.directory = tempfile.mkdtemp(prefix="autograder-zygote-")
        self.path = os.path.join(self.directory, "socket")
        environment = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
        options = json.dumps({"hidden": [str(path) for path in hidden], "sandbox": sandbox})
        self.process = subprocess.Popen([sys.executable, "-m", "autograder.zygote", self.path, options],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=environment)
        self.isolation: Isolation | None = None

    def wait_ready(self) -> Isolation:
        """Block until the fork server has imported what workers need (seconds); start-up overlaps other work."""
        if self.isolation is None:
            line = self.process.stdout.readline().decode().strip()
            if line.startswith("error "):
                raise RuntimeError(f"the worker fork server refused to start: {line[6:]}")
            if not line.startswith("ready "):
                raise RuntimeError("the worker fork server did not start")
            fields = json.loads(line[6:])
            fields.pop("protections", None)
            self.isolation = Isolation(**fields)
        return self.isolation

    def spawn(self, request: dict) -> tuple[int, int, socket.socket]:
        """Start a worker; returns (its process group, the worker's own pid, its connection)."""
        self.wait_ready()
        sock = self._connect()
        sock.sendall((json.dumps(request) + "\n").encode())
        line = b""
        sock.settimeout(30)
        try:
            while not line.endswith(b"\n"):
                chunk = sock.recv(1)
                if not chunk:
                    raise SandboxFailed("the fork server did not start a worker")
                line += chunk
        except (socket.timeout, TimeoutError):
            raise SandboxFailed("the fork server did not start a worker in time") from None
        sock.settimeout(None)
        answer = json.loads(line)
        if "error" in answer:
            raise SandboxFailed(f"the worker sandbox could not be set up: {answer['error']}")
        return answer["pid"], answer["worker"], sock

    def status(self, pid: int, wait: float = 1.0) -> dict | None:
        """How the worker whose process group is ``pid`` ended, or None if it has not (yet)."""
        self.wait_ready()
        deadline = time.monotonic() + wait
        while True:
            with self._connect() as sock:
                sock.sendall((json.dumps({"op": "status", "pid": pid}) + "\n").encode())
                answer = json.loads(sock.makefile().readline() or "null")
            if answer is not None or time.monotonic() > deadline:
                return answer
            time.sleep(0.02)

    def _connect(self) -> socket.socket:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(self.path)
        return sock

    def close(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        try:
            os.unlink(self.path)
            os.rmdir(self.directory)
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class WorkerFailure(Exception):
    """A worker call that did not produce a reply the harness can use."""


class CallTimedOut(WorkerFailure):
    pass


class WorkerDied(WorkerFailure):
    pass


class ReplyRejected(WorkerFailure):
    pass


class SandboxFailed(RuntimeError):
    """The grader could not start an isolated worker: a problem of the grading machine, not of the student."""


def resident_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


@dataclass
class Reply:
    ok: bool
    value: object = None
    args: list | None = None
    error: dict | None = None
    violations: list[str] = field(default_factory=list)


class WorkerSession:
    """One submission's worker: loads its cells, answers calls, restarts after failures.

    ``cells`` is a list of ``(label, source)``. A cell that hangs or kills the
    worker while loading is skipped on every later start.
    """

    def __init__(self, zygote: Zygote, cells, workdir: str, limits: Limits, env: dict | None = None):
        self.zygote = zygote
        self.cells = list(cells)
        self.workdir = workdir
        self.limits = limits
        self.env = env or {}
        self.skipped: set[str] = set()
        self.load_messages: dict[str, str] = {}
        self.pid: int | None = None  # the worker's process group (its supervisor, in a sandbox)
        self.worker_pid: int | None = None  # the process running the student's code
        self.sock: socket.socket | None = None
        self.starts = 0

    # -- lifecycle ---------------------------------------------------------
    def ensure_started(self):
        if self.sock is None:
            self._start()

    def _start(self):
        while True:
            self._spawn()
            restart = False
            for label, source in self.cells:
                if label in self.skipped:
                    continue
                try:
                    reply = self._request({"op": "exec", "label": label, "source": source}, self.limits.load_timeout)
                except CallTimedOut:
                    message = f"{label} ran longer than {self.limits.load_timeout:g} s while loading and was skipped"
                    restart = True
                except WorkerFailure as failure:
                    message = f"{label} was skipped: {failure}"
                    restart = True
                else:
                    if reply.ok:
                        continue
                    message = f"{label} raised {reply.error['type']}: {reply.error['message']}"
                self.load_messages.setdefault(label, message)
                if restart:
                    self.skipped.add(label)
                    self._kill()
                    break
            if not restart:
                return

    def _spawn(self):
        self.starts += 1
        env = {"HOME": self.workdir, "PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1",
               "PYTHONHASHSEED": "0", "TMPDIR": self.workdir, **self.env}
        memory = self.limits.memory if self.limits.address_space else None
        self.pid, self.worker_pid, self.sock = self.zygote.spawn(
            {"workdir": self.workdir, "memory": memory, "env": env, "limits": asdict(self.limits)})

    def _kill(self):
        if self.pid is not None:
            for kill, target in ((os.killpg, self.pid), (os.kill, self.worker_pid)):
                try:  # the worker may have left its group (setsid): kill it by pid too
                    kill(target, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        if self.sock is not None:
            self.sock.close()
        self.pid = self.worker_pid = self.sock = None

    def close(self):
        self._kill()

    # -- requests ------------------------------------------------------------
    def call(self, name, args=(), kwargs=None, *, timeout=None, forbid=(), seed=0, return_args=False) -> Reply:
        return self._graded({"op": "call", "name": name, "args": list(args), "kwargs": kwargs or {}, "forbid": list(forbid),
                             "seed": seed, "return_args": return_args}, timeout)

    def driver(self, source, entry, args=(), kwargs=None, *, timeout=None, forbid=(), seed=0) -> Reply:
        return self._graded({"op": "driver", "source": source, "entry": entry, "args": list(args), "kwargs": kwargs or {},
                             "forbid": list(forbid), "seed": seed}, timeout)

    def _graded(self, request, timeout):
        self.ensure_started()
        try:
            reply = self._request(request, timeout or self.limits.timeout)
        except WorkerFailure:
            self._kill()
            raise
        if not reply.ok and (reply.error or {}).get("type") == "OutOfMemoryError":
            self._kill()  # torch.cuda.OutOfMemoryError: a fresh worker gives the next call a clean device
        return reply

    def _request(self, request, timeout) -> Reply:
        started = time.monotonic()
        try:
            protocol.send(self.sock, request)
        except OSError:
            raise self._died() from None
        if not self._wait_readable(started + timeout):
            raise CallTimedOut(f"timed out after {timeout:g} s")
        try:
            self.sock.settimeout(max(1.0, timeout - (time.monotonic() - started)))
            payload = protocol.recv_bytes(self.sock)
        except (protocol.ProtocolError, ConnectionError):
            raise self._died() from None
        except (socket.timeout, TimeoutError):
            raise CallTimedOut(f"timed out after {timeout:g} s") from None
        except protocol.UnsupportedReply as error:
            raise ReplyRejected(f"returned an unsupported object: {error}") from None
        finally:
            if self.sock is not None:
                self.sock.settimeout(None)
        try:
            reply = protocol.decode_plain(payload)
        except protocol.UnsupportedReply as error:
            raise ReplyRejected(f"returned an unsupported object: {error}") from None
        if type(reply) is not dict or type(reply.get("ok")) is not bool:
            raise ReplyRejected("returned an unsupported object: the reply was malformed")
        violations = [v for v in reply.get("violations", []) if type(v) is str][:20]
        if "unsupported" in reply:
            raise ReplyRejected(f"returned an unsupported object ({str(reply['unsupported'])[:300]})")
        if reply["ok"]:
            return Reply(True, reply.get("value"), reply.get("args"), None, violations)
        error = reply.get("error")
        if type(error) is not dict:
            raise ReplyRejected("returned an unsupported object: the reply was malformed")
        error = {key: str(error.get(key, ""))[:4000] for key in ("type", "message", "traceback", "function")}
        return Reply(False, None, None, error, violations)

    def _wait_readable(self, deadline: float) -> bool:
        """Wait for a reply, killing the worker if its resident memory passes the limit."""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            readable, _, _ = select.select([self.sock], [], [], min(remaining, 0.05))
            if readable:
                return True
            if resident_bytes(self.worker_pid) > self.limits.memory:
                raise WorkerDied(f"the worker process used more than the memory limit of "
                                 f"{self.limits.memory / 2**30:.3g} GiB and was stopped")

    def _died(self) -> WorkerDied:
        status = self.zygote.status(self.pid) if self.pid else None
        if status is None:
            how = "the worker process ended"
        elif status.get("oom"):
            how = (f"the worker process used more than the memory limit of {self.limits.memory / 2**30:.3g} GiB "
                   f"and was stopped")
        elif status.get("exit") == SANDBOX_FAILED:
            raise SandboxFailed("the worker sandbox could not be set up; run python -m autograder doctor")
        elif "signal" in status:
            number = status["signal"]
            how = f"the worker process was killed by signal {number} ({SIGNAL_NAMES.get(number, signal.Signals(number).name)})"
        elif status["exit"] == 0:
            how = "the worker process exited (os._exit or similar)"
        else:
            how = f"the worker process exited with code {status['exit']}"
        return WorkerDied(how)
