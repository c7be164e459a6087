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
from dataclasses import dataclass, field

from autograder import protocol
from autograder.zygote import PID

SIGNAL_NAMES = {signal.SIGSEGV: "SIGSEGV, a crash", signal.SIGKILL: "SIGKILL", signal.SIGABRT: "SIGABRT, an abort",
                signal.SIGXCPU: "SIGXCPU, CPU time limit", signal.SIGXFSZ: "SIGXFSZ, file size limit",
                signal.SIGBUS: "SIGBUS, a crash", signal.SIGFPE: "SIGFPE, an arithmetic fault"}


class Zygote:
    """A running fork server (``autograder.zygote``); use as a context manager."""

    def __init__(self):
        self.directory = tempfile.mkdtemp(prefix="autograder-zygote-")
        self.path = os.path.join(self.directory, "socket")
        environment = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
        self.process = subprocess.Popen([sys.executable, "-m", "autograder.zygote", self.path],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=environment)
        self.ready = False

    def wait_ready(self):
        """Block until the fork server has imported what workers need (seconds); start-up overlaps other work."""
        if not self.ready:
            if self.process.stdout.readline().strip() != b"ready":
                raise RuntimeError("the worker fork server did not start")
            self.ready = True

    def spawn(self, request: dict) -> tuple[int, socket.socket]:
        self.wait_ready()
        sock = self._connect()
        sock.sendall((json.dumps(request) + "\n").encode())
        data = b""
        while len(data) < PID.size:
            chunk = sock.recv(PID.size - len(data))
            if not chunk:
                raise RuntimeError("the fork server did not start a worker")
            data += chunk
        (pid,) = PID.unpack(data)
        return pid, sock

    def status(self, pid: int, wait: float = 1.0) -> dict | None:
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


@dataclass
class Limits:
    timeout: float = 10.0
    memory: int = 4 * 2**30
    load_timeout: float = 60.0
    # RLIMIT_AS breaks CUDA (its driver reserves huge virtual ranges); with
    # address_space False only the resident-memory watch below applies.
    address_space: bool = True


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
        self.pid: int | None = None
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
        self.pid, self.sock = self.zygote.spawn({"workdir": self.workdir, "memory": memory, "env": env})

    def _kill(self):
        if self.pid is not None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self.sock is not None:
            self.sock.close()
        self.pid = self.sock = None

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
            return self._request(request, timeout or self.limits.timeout)
        except WorkerFailure:
            self._kill()
            raise

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
            if resident_bytes(self.pid) > self.limits.memory:
                raise WorkerDied(f"the worker process used more than the memory limit of "
                                 f"{self.limits.memory / 2**30:.3g} GiB and was stopped")

    def _died(self) -> WorkerDied:
        status = self.zygote.status(self.pid) if self.pid else None
        if status is None:
            how = "the worker process ended"
        elif "signal" in status:
            number = status["signal"]
            how = f"the worker process was killed by signal {number} ({SIGNAL_NAMES.get(number, signal.Signals(number).name)})"
        elif status["exit"] == 0:
            how = "the worker process exited (os._exit or similar)"
        else:
            how = f"the worker process exited with code {status['exit']}"
        return WorkerDied(how)
