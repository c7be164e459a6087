"""``python -m autograder doctor``: which protections are active on this machine, checked by a real worker.

It starts the fork server as grading does, then runs a self-test inside a
worker that tries what a hostile submission would (read the hidden suites,
the solutions, the gradebook and the instructor's home; connect to the
network; signal the grader; write where the grader reads) and reports what
it managed. Nothing here trusts the worker's word for what is protected: a
check passes when the attempt failed.
"""
from __future__ import annotations

import inspect
import os
import textwrap
import uuid

from autograder.course import Course
from autograder.sandbox import Isolation, Limits, outside_libraries


def self_test(ns, targets, grader_pids, marker):
    """the sandbox self-test: try what a hostile submission would"""
    import os
    import resource
    import socket

    found = {"readable": [], "signalled": [], "network": "", "processes": 0, "uid": os.getuid()}
    for path in targets:
        try:
            if os.path.isdir(path):
                names = os.listdir(path)
                found["readable"] += [os.path.join(path, name) for name in names[:3]]
            else:
                with open(path, "rb") as handle:
                    handle.read(1)
                found["readable"].append(path)
        except OSError:
            pass
    for pid in grader_pids:
        try:
            os.kill(pid, 0)  # signal 0: permission check only
            found["signalled"].append(pid)
        except OSError:
            pass
    try:
        socket.create_connection(("1.1.1.1", 53), timeout=2).close()
        found["network"] = "connected"
    except OSError as error:
        found["network"] = f"refused: {error.strerror or error}"
    try:
        with open(f"/tmp/{marker}", "w") as handle:
            handle.write("x")
    except OSError:
        pass
    found["processes"] = sum(name.isdigit() for name in os.listdir("/proc"))
    status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
    found["capabilities"] = status.get("CapEff", "").strip()
    found["no_new_privs"] = status.get("NoNewPrivs", "").strip() == "1"
    found["limits"] = {name: resource.getrlimit(getattr(resource, f"RLIMIT_{name}"))[0]
                       for name in ("AS", "CPU", "NPROC", "NOFILE", "FSIZE", "CORE")}
    return found


def targets(course: Course) -> list[str]:
    """Paths a worker must not read: suites, solutions, the course folder, the grader's home."""
    paths = [str(course.suites_dir), str(course.solutions_dir), str(course.root / "course.yml"),
             str(course.root / "gradebook.db"), os.path.expanduser("~")]
    return [path for path in paths if os.path.exists(path)]


def run(course: Course, sandbox: str = "auto") -> tuple[Isolation, dict, list[tuple[str, bool, str]]]:
    """Start a fork server and a worker as grading would; return the isolation, the self-test and the checks."""
    import tempfile

    from autograder.session import WorkerSession, Zygote

    marker = f"autograder-doctor-{uuid.uuid4().hex}"
    with Zygote(hidden=course.hidden_paths, sandbox=sandbox) as zygote:
        isolation = zygote.wait_ready()
        workdir = tempfile.mkdtemp(prefix="autograder-doctor-")
        session = WorkerSession(zygote, [], workdir, Limits(timeout=30))
        try:
            reply = session.driver(textwrap.dedent(inspect.getsource(self_test)), "self_test",
                                   (targets(course), [os.getpid(), zygote.process.pid], marker))
        finally:
            session.close()
            os.rmdir(workdir) if not os.listdir(workdir) else None
    if not reply.ok:
        raise RuntimeError(f"the self-test failed in the worker: {reply.error}")
    found = reply.value
    readable = outside_libraries(found["readable"])  # Python itself may live in the home folder
    leaked_marker = os.path.exists(f"/tmp/{marker}")
    if leaked_marker:
        os.remove(f"/tmp/{marker}")
    checks = [
        ("hidden suites, solutions, gradebook and home unreadable", not readable,
         ", ".join(readable[:4]) or "none readable"),
        ("cannot signal the grader or the fork server", not found["signalled"],
         f"signalled {found['signalled']}" if found["signalled"] else "permission denied / not visible"),
        ("no network", found["network"] != "connected", found["network"]),
        ("private /tmp", not leaked_marker, "a file written to /tmp appeared in the grader's /tmp" if leaked_marker
         else "writes stay inside the sandbox"),
        ("other processes invisible", found["processes"] <= 2, f"{found['processes']} processes visible"),
        ("no capabilities", int(found["capabilities"] or "0", 16) == 0, f"CapEff {found['capabilities']}"),
        ("no_new_privs", found["no_new_privs"], "set" if found["no_new_privs"] else "not set"),
        ("not root", found["uid"] != 0, f"uid {found['uid']}"),
        ("resource limits", all(found["limits"][name] != -1 for name in ("CPU", "NOFILE", "FSIZE")),
         ", ".join(f"{name} {'unlimited' if value == -1 else value}" for name, value in found["limits"].items())),
    ]
    return isolation, found, checks


def gpu_report() -> list[str]:
    os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")  # asks NVML, so CUDA stays uninitialised here
    import torch

    lines = [f"torch {torch.__version__}, CUDA build {torch.version.cuda or 'none'}"]
    if torch.cuda.is_available():
        lines.append(f"CUDA devices: {torch.cuda.device_count()} "
                     f"(CUDA_VISIBLE_DEVICES={os.environ.get('CUDA_VISIBLE_DEVICES', 'unset')})")
    else:
        lines.append("CUDA: not available (cuda runs of --device all are reported as skipped)")
    return lines


def report(course: Course, sandbox: str = "auto") -> tuple[str, bool]:
    """The doctor's text, and whether every protection is active."""
    isolation, _, checks = run(course, sandbox)
    lines = [f"isolation level: {isolation.level}"
             + (" (user namespace)" if isolation.user_namespace else "")
             + (f", cgroup {isolation.cgroup}" if isolation.cgroup else ", no cgroups")]
    lines += [f"  missing because: {problem}" for problem in isolation.problems]
    lines.append("protections:")
    lines += [f"  [{'x' if active else ' '}] {name}" for name, active in isolation.protections().items()]
    lines.append("self-test in a worker:")
    lines += [f"  [{'ok' if passed else '!!'}] {name}: {detail}" for name, passed, detail in checks]
    lines.append("GPU:")
    lines += [f"  {line}" for line in gpu_report()]
    return "\n".join(lines), all(passed for _, passed, _ in checks) and all(isolation.protections().values())
