"""The fork server that starts workers.

It imports torch once and never computes with it, so forking it is cheap
(milliseconds) and safe (OpenMP hangs in children of a process that already
ran parallel work). At start it chooses the strongest isolation that works on
this machine (``autograder.sandbox.probe``) and prints ``ready`` with it as
JSON. A client connects to its Unix socket and sends a JSON spawn request;
the zygote forks a child that isolates itself and becomes the worker (see
``sandbox.start_worker``), serving on that connection. A client can also ask
how a worker it started ended. The zygote exits when its standard input
closes, that is, when the process that started it is gone.

Usage: ``python -m autograder.zygote SOCKET '{"hidden": [...], "sandbox": "auto|strict|off"}'``.
"""
from __future__ import annotations

import json
import os
import select
import signal
import socket
import sys

import numpy  # noqa: F401  (imported for the workers)
import torch  # noqa: F401
import torch._dynamo  # noqa: F401  (the first optimizer step imports it: about 1 s in every worker otherwise)
import torch.optim  # noqa: F401

import d2lkit  # noqa: F401  (notebooks import it; a sandboxed worker may not see the course folder)
from autograder import sandbox, worker

STATUS_KEEP = 10_000


def _serve_worker(request: dict):
    def serve(conn: socket.socket, env: dict):
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.environ.clear()
        os.environ.update({**request.get("env", {}), **env})
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        worker.run(conn)

    return serve


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


def choose_isolation(options: dict) -> sandbox.Isolation:
    mode = options.get("sandbox", "auto")
    if mode == "off":
        return sandbox.Isolation(problems=["namespaces turned off (--sandbox off)"])
    isolation = sandbox.probe(options.get("hidden", []), sandbox.Limits())
    if mode == "strict" and isolation.level != "namespaces":
        raise RuntimeError("--sandbox strict: " + "; ".join(isolation.problems))
    return isolation


def serve(path: str, options: dict) -> None:
    try:
        isolation = choose_isolation(options)
    except RuntimeError as error:
        sys.stdout.write(f"error {error}\n")
        sys.stdout.flush()
        return
    cgroups = sandbox.Cgroups()
    isolation.cgroup = cgroups.kind
    if cgroups.problem:
        isolation.problems.append(cgroups.problem)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(64)
    workers: dict[int, list[str]] = {}  # supervisor pid -> its cgroup folders
    statuses: dict[int, dict] = {}
    leftovers: list[list[str]] = []  # cgroup folders whose tasks were still exiting
    sys.stdout.write("ready " + json.dumps(isolation.as_dict()) + "\n")
    sys.stdout.flush()
    count = 0
    try:
        while True:
            readable, _, _ = select.select([listener, sys.stdin], [], [], 0.2)
            _reap(statuses, workers, cgroups, leftovers)
            if sys.stdin in readable and not os.read(sys.stdin.fileno(), 4096):
                return
            if listener not in readable:
                continue
            conn, _ = listener.accept()
            try:
                request = _read_request(conn)
                if request.get("op") == "status":
                    _reap(statuses, workers, cgroups, leftovers)
                    conn.sendall((json.dumps(statuses.get(request["pid"])) + "\n").encode())
                    continue
                count += 1
                limits = sandbox.Limits(**request.get("limits", {}))
                folders = cgroups.create(f"w{count}", limits) if cgroups.kind else []
                pid = os.fork()
                if pid == 0:
                    listener.close()
                    sandbox.start_worker(conn, request, isolation, limits, options.get("hidden", []), folders,
                                         _serve_worker(request))
                    os._exit(0)
                workers[pid] = folders
            except (OSError, ValueError, KeyError, TypeError):
                pass
            finally:
                conn.close()
    finally:
        for pid in workers:
            _kill(pid)
        for folders in [*workers.values(), *leftovers]:
            cgroups.remove(folders)
        cgroups.remove_roots()


def _kill(pid: int):
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _reap(statuses: dict[int, dict], workers: dict[int, list[str]], cgroups, leftovers) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
        folders = workers.pop(pid, [])
        if os.WIFSIGNALED(status):
            statuses[pid] = {"signal": os.WTERMSIG(status)}
        else:
            statuses[pid] = {"exit": os.WEXITSTATUS(status)}
        statuses[pid]["oom"] = cgroups.out_of_memory(folders)
        if not cgroups.remove(folders):
            leftovers.append(folders)
        if len(statuses) > STATUS_KEEP:
            statuses.pop(next(iter(statuses)))
    leftovers[:] = [folders for folders in leftovers if not cgroups.remove(folders)]


if __name__ == "__main__":
    serve(sys.argv[1], json.loads(sys.argv[2]) if len(sys.argv) > 2 else {})
