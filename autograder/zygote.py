"""The fork server that starts workers.

It imports torch once and never computes with it, so forking it is cheap
(milliseconds) and safe (OpenMP hangs in children of a process that already
ran parallel work). A client connects to its Unix socket and sends a JSON
spawn request; the zygote forks a worker that serves on that connection, and
writes the worker's pid back before leaving the connection to it. A client
can also ask for the exit status of a worker it started. The zygote exits when
its standard input closes, that is, when the process that started it is gone.
"""
from __future__ import annotations

import json
import os
import resource
import select
import signal
import socket
import struct
import sys

import numpy  # noqa: F401  (imported for the workers)
import torch  # noqa: F401
import torch._dynamo  # noqa: F401  (the first optimizer step imports it: about 1 s in every worker otherwise)
import torch.optim  # noqa: F401

from autograder import worker

PID = struct.Struct(">q")
STATUS_KEEP = 10_000


def _vm_size() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _become_worker(conn: socket.socket, request: dict) -> None:
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.chdir(request["workdir"])
    os.environ.clear()
    os.environ.update(request.get("env", {}))
    memory = request.get("memory")
    if memory:
        # Address space, not resident memory: torch maps gigabytes it never
        # touches, so the limit is what the worker may add to what it has.
        limit = _vm_size() + int(memory)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    file_size = request.get("file_size", 64 * 2**20)
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    worker.run(conn)


def _read_request(conn: socket.socket) -> dict:
    conn.settimeout(10)
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            raise ConnectionError("client went away")
        data += chunk
    conn.settimeout(None)
    return json.loads(data)


def serve(path: str) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(64)
    statuses: dict[int, dict] = {}
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        readable, _, _ = select.select([listener, sys.stdin], [], [], 0.2)
        _reap(statuses)
        if sys.stdin in readable and not os.read(sys.stdin.fileno(), 4096):
            return
        if listener not in readable:
            continue
        conn, _ = listener.accept()
        try:
            request = _read_request(conn)
            if request.get("op") == "status":
                _reap(statuses)
                conn.sendall((json.dumps(statuses.get(request["pid"])) + "\n").encode())
                continue
            pid = os.fork()
            if pid == 0:
                listener.close()
                _become_worker(conn, request)
                os._exit(0)
            conn.sendall(PID.pack(pid))
        except (OSError, ValueError, KeyError):
            pass
        finally:
            conn.close()


def _reap(statuses: dict[int, dict]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if os.WIFSIGNALED(status):
            statuses[pid] = {"signal": os.WTERMSIG(status)}
        else:
            statuses[pid] = {"exit": os.WEXITSTATUS(status)}
        if len(statuses) > STATUS_KEEP:
            statuses.pop(next(iter(statuses)))


if __name__ == "__main__":
    serve(sys.argv[1])
