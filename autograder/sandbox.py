"""Worker isolation: namespaces, a private filesystem view, cgroups and resource limits.

Every worker is started by the fork server (``autograder.zygote``) through
:func:`start_worker`. What it gets depends on the isolation level chosen when
the fork server starts (:func:`probe` tries the strongest first):

``namespaces``
    The forked process unshares mount, PID, network, IPC and UTS namespaces
    (plus a user namespace when the grader is not root) and forks the worker
    as PID 1 of the new PID namespace. The worker sees a private root made of
    read-only binds of the system and Python folders only, with the hidden
    suites and solutions covered, a fresh ``/proc``, an empty ``/tmp`` and a
    ``/submission`` folder holding only a copy of the submission (both small tmpfs), and
    no network but a loopback that is down. It then drops every capability
    (as root: to a uid of its own, unique among running workers) and sets
    ``no_new_privs``. It cannot see or signal the grader, the fork server or
    other workers; when it ends, everything it started ends with it.
``limits``
    No namespaces are available (a restricted container): the worker runs in
    a private working folder as the grader's user. It can read what the
    grader can read and reach the network. ``python -m autograder doctor``
    says so, and the grading report records it.

Both levels apply resource limits: address space (``RLIMIT_AS``, except for
CUDA runs), CPU seconds, file size, open files, processes (``RLIMIT_NPROC``
where the worker has a uid of its own), no core dumps, and, where the cgroup
file system is writable, a memory and a task limit for the worker and
everything it starts (and a CPU quota, so that one submission cannot slow
the others down).
"""
from __future__ import annotations

import ctypes
import errno
import json
import os
import resource
import signal
import socket
import sys
from dataclasses import asdict, dataclass, field

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC = 32, 1024, 2048, 4096, 16384
MS_PRIVATE, MS_RELATIME, MS_STRICTATIME = 1 << 18, 1 << 21, 1 << 24
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 4, 24, 38
LAST_CAPABILITY = 63

CPU_PERIOD = 100_000  # microseconds of a cgroup CPU quota period
UID_BASE = 200_000  # root mode: worker uid = UID_BASE + pid of its supervisor (unique among live workers)
SANDBOX_FAILED = 121  # exit code of a worker whose sandbox could not be set up
WORKDIR = "/submission"  # the worker's working folder inside the sandbox

SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/passwd",
             "/etc/group", "/etc/nsswitch.conf", "/etc/hosts")
DEVICES = ("null", "zero", "full", "random", "urandom")

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
_libc.pivot_root.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]


@dataclass
class Limits:
    """Resource limits of one worker (course.yml sets timeouts and memory; the rest are fixed here)."""

    timeout: float = 10.0  # wall-clock seconds per graded call (enforced by the harness)
    load_timeout: float = 60.0  # wall-clock seconds per notebook cell while loading
    memory: int = 4 * 2**30  # bytes the worker (and its children, with cgroups) may add
    address_space: bool = True  # RLIMIT_AS; off for CUDA runs (the driver maps huge ranges)
    cpu_seconds: int = 600  # RLIMIT_CPU over the worker's life (background threads that never stop)
    processes: int = 64  # tasks (processes and threads) in the worker's cgroup / RLIMIT_NPROC
    cpus: float = 1.0  # CPUs the worker and its children may use together (cgroup CPU quota)
    open_files: int = 256  # RLIMIT_NOFILE
    file_size: int = 64 * 2**20  # RLIMIT_FSIZE: largest file the worker may write
    scratch: int = 128 * 2**20  # size of each of the sandbox's /submission and /tmp


@dataclass
class Isolation:
    """What protects workers on this machine; reported by ``doctor`` and recorded in results."""

    level: str = "limits"  # "namespaces" or "limits"
    user_namespace: bool = False  # namespaces level without root: a user namespace maps the grader's uid
    cgroup: str = ""  # "v1" or "v2" when worker memory and task limits use cgroups
    problems: list[str] = field(default_factory=list)  # why stronger protections are missing

    def protections(self) -> dict[str, bool]:
        namespaces = self.level == "namespaces"
        return {
            "separate process (crash, exit and timeout isolation)": True,
            "address-space, CPU-time, file-size and open-file limits": True,
            "private filesystem view (hidden suites, solutions, gradebook, home, other submissions)": namespaces,
            "no network": namespaces,
            "private PID namespace (cannot see or signal the grader or other workers)": namespaces,
            "private /tmp and a working folder holding only the submission": namespaces,
            "unprivileged (no capabilities, no_new_privs" + (", own uid)" if not self.user_namespace else ")"):
                namespaces,
            "process/thread limit": bool(self.cgroup) or (namespaces and not self.user_namespace),
            "memory, CPU and task limits covering child processes (cgroup)": bool(self.cgroup),
        }

    def as_dict(self) -> dict:
        return {**asdict(self), "protections": self.protections()}


def _check(result: int, what: str):
    if result != 0:
        number = ctypes.get_errno()
        raise OSError(number, f"{what}: {os.strerror(number)}")


def _mount(source, target, fstype, flags, data=None):
    encode = lambda value: value.encode() if isinstance(value, str) else value  # noqa: E731
    _check(_libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data)),
           f"mount {source} on {target}")


def _prctl(option, value):
    _check(_libc.prctl(option, value, 0, 0, 0), f"prctl {option}")


# -- cgroups (created by the fork server, joined by the worker's supervisor) ---------------------------------
class Cgroups:
    """Per-worker cgroups under a folder of this fork server's, in cgroup v1 or v2; ``kind`` empty if unusable."""

    def __init__(self):
        self.kind, self.roots, self.problem = "", {}, ""
        tag = f"autograder-{os.getpid()}"
        try:
            if os.path.isdir("/sys/fs/cgroup/memory") and os.path.isdir("/sys/fs/cgroup/pids"):
                for controller in ("memory", "pids", "cpu"):
                    if controller == "cpu" and not os.path.isdir("/sys/fs/cgroup/cpu"):
                        continue
                    root = os.path.join("/sys/fs/cgroup", controller, tag)
                    os.makedirs(root, exist_ok=True)
                    self.roots[controller] = root
                self.kind = "v1"
            elif os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
                own = open("/proc/self/cgroup").read().strip().split("::", 1)[-1]
                root = os.path.join("/sys/fs/cgroup" + own, tag)
                os.makedirs(root, exist_ok=True)
                with open(os.path.join(root, "cgroup.subtree_control"), "w") as control:
                    control.write("+memory +pids +cpu")
                self.roots["unified"] = root
                self.kind = "v2"
        except OSError as error:
            self.problem = f"cgroups are not writable ({error.strerror or error})"
            self.kind = ""
            self.remove_roots()
        else:
            self.sweep()

    def sweep(self):
        """Remove the empty cgroups of fork servers that died without cleaning up (SIGKILL)."""
        parents = {os.path.dirname(root) for root in self.roots.values()}
        for parent in parents:
            try:
                names = os.listdir(parent)
            except OSError:
                continue
            for name in names:
                pid = name.removeprefix("autograder-")
                if name == pid or not pid.isdigit() or os.path.exists(f"/proc/{pid}"):
                    continue
                folder = os.path.join(parent, name)
                for child in os.listdir(folder) if os.path.isdir(folder) else ():
                    if os.path.isdir(os.path.join(folder, child)):
                        self.remove([os.path.join(folder, child)])
                self.remove([folder])

    def create(self, name: str, limits: Limits) -> list[str]:
        """The cgroup folders of one worker, with its limits set; its supervisor joins them."""
        if not self.kind:
            return []
        if self.kind == "v1":
            memory = os.path.join(self.roots["memory"], name)
            pids = os.path.join(self.roots["pids"], name)
            os.makedirs(memory, exist_ok=True)
            os.makedirs(pids, exist_ok=True)
            _write(os.path.join(memory, "memory.limit_in_bytes"), limits.memory)
            _write(os.path.join(memory, "memory.memsw.limit_in_bytes"), limits.memory, optional=True)
            _write(os.path.join(pids, "pids.max"), limits.processes)
            folders = [memory, pids]
            if "cpu" in self.roots:
                cpu = os.path.join(self.roots["cpu"], name)
                os.makedirs(cpu, exist_ok=True)
                _write(os.path.join(cpu, "cpu.cfs_period_us"), CPU_PERIOD, optional=True)
                _write(os.path.join(cpu, "cpu.cfs_quota_us"), int(limits.cpus * CPU_PERIOD), optional=True)
                folders.append(cpu)
            return folders
        folder = os.path.join(self.roots["unified"], name)
        os.makedirs(folder, exist_ok=True)
        _write(os.path.join(folder, "memory.max"), limits.memory)
        _write(os.path.join(folder, "memory.swap.max"), 0, optional=True)
        _write(os.path.join(folder, "pids.max"), limits.processes)
        _write(os.path.join(folder, "cpu.max"), f"{int(limits.cpus * CPU_PERIOD)} {CPU_PERIOD}", optional=True)
        return [folder]

    def out_of_memory(self, folders: list[str]) -> bool:
        """Whether the kernel killed a task of these cgroups for using too much memory."""
        for folder in folders:
            for name, key in (("memory.oom_control", "oom_kill"), ("memory.events", "oom_kill")):
                try:
                    for line in open(os.path.join(folder, name)):
                        parts = line.split()
                        if parts[:1] == [key] and int(parts[1]) > 0:
                            return True
                except (OSError, ValueError, IndexError):
                    continue
        return False

    def remove(self, folders: list[str]) -> bool:
        """Remove a worker's cgroups; False while some of its tasks are still exiting."""
        done = True
        for folder in folders:
            try:
                os.rmdir(folder)
            except FileNotFoundError:
                pass
            except OSError:
                done = False
        return done

    def remove_roots(self):
        for root in self.roots.values():
            try:
                os.rmdir(root)
            except OSError:
                pass


def _write(path, value, optional=False):
    try:
        with open(path, "w") as handle:
            handle.write(str(value))
    except OSError:
        if not optional:
            raise


# -- the filesystem view -----------------------------------------------------------------------------------
def _covered(path: str, roots) -> bool:
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


def bind_sources() -> list[str]:
    """Host paths bound read-only into the worker's root: system folders, Python and its libraries, d2lkit.

    Only library folders: never the current folder or other ``sys.path``
    entries (the course root is often one), so suites, solutions, the
    gradebook and submissions are out of sight unless they lie inside a
    library folder, where :func:`_build_root` covers them.
    """
    sources = [path for path in (*SYSTEM_PATHS, *ETC_FILES) if os.path.lexists(path)]
    sources = [path if os.path.islink(path) and path in SYSTEM_PATHS else os.path.realpath(path) for path in sources]
    sources += [os.path.realpath(path) for path in _library_paths() if os.path.isdir(path)]
    chosen = []
    for path in sorted(set(sources), key=len):
        if not _covered(path, chosen):
            chosen.append(path)
    return chosen


def _library_paths() -> set[str]:
    """Python's prefixes, site-packages and d2lkit, as this interpreter names them (links unresolved)."""
    import site

    import d2lkit

    return {sys.base_prefix, sys.prefix, sys.exec_prefix, os.path.dirname(sys.executable),
            *site.getsitepackages(), site.getusersitepackages(), os.path.dirname(d2lkit.__file__)}


def _link_aliases(root: str, sources: list[str]):
    """Recreate the symbolic links on the way to the library folders (a virtualenv reached through a
    link, say), so the paths the interpreter imports from exist in the worker's root too."""
    for path in sorted(_library_paths()):
        parts = os.path.abspath(path).split(os.sep)
        for end in range(2, len(parts) + 1):
            link = os.sep.join(parts[:end])
            if _covered(link, sources) or not os.path.islink(link) or os.path.lexists(root + link):
                continue
            os.makedirs(os.path.dirname(root + link), exist_ok=True)
            os.symlink(os.path.realpath(link), root + link)


def _mount_flags(path: str) -> int:
    flags = os.statvfs(path).f_flag
    result = 0
    for st_flag, ms_flag in ((os.ST_NOATIME, MS_NOATIME), (os.ST_NODIRATIME, MS_NODIRATIME),
                             (os.ST_RELATIME, MS_RELATIME), (os.ST_NOEXEC, MS_NOEXEC)):
        if flags & st_flag:
            result |= ms_flag
    return result


def _bind(source: str, root: str, writable_devices=False):
    target = root + source
    if os.path.islink(source) and source in SYSTEM_PATHS:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.symlink(os.readlink(source), target)
        return
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    _mount(source, target, None, MS_BIND)
    flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | _mount_flags(target)
    if not writable_devices:
        flags |= MS_NODEV
    _mount(None, target, None, flags & ~MS_RDONLY if writable_devices else flags)


def _cover(path: str, root: str):
    """Hide a folder (an empty read-only tmpfs) or a file (/dev/null) under the new root."""
    target = root + path
    if os.path.isdir(target):
        _mount("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=000")
    elif os.path.exists(target):
        _mount("/dev/null", target, None, MS_BIND)


def _build_root(root: str, files: dict[str, bytes], hidden, limits: Limits, owner: int | None):
    """Mount the worker's filesystem view on ``root`` (an existing folder) and make it ``/``."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")
    sources = bind_sources()
    for source in sources:
        _bind(source, root)
    _link_aliases(root, sources)
    for path in hidden:
        if _covered(path, sources):
            _cover(path, root)
    dev = root + "/dev"
    os.makedirs(dev)
    _mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=755")
    nodes = [f"/dev/{name}" for name in DEVICES]
    nodes += sorted(f"/dev/{name}" for name in os.listdir("/dev") if name.startswith("nvidia"))
    for node in nodes:
        if os.path.exists(node) and not os.path.isdir(node):
            _bind(node, root, writable_devices=True)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        os.symlink(target, os.path.join(dev, name))
    ids = f",uid={owner},gid={owner}" if owner is not None else ""
    os.makedirs(dev + "/shm")
    _mount("tmpfs", dev + "/shm", "tmpfs", MS_NOSUID | MS_NODEV, f"size={limits.scratch},mode=1777")
    os.makedirs(root + "/proc")
    try:
        _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    except OSError:  # a container that forbids new proc mounts: the host's, read-only
        _mount("/proc", root + "/proc", None, MS_BIND | MS_REC)
    if os.path.isdir("/sys"):
        _bind("/sys", root)
    for folder, mode in (("/tmp", "1777"), (WORKDIR, "700")):
        if _covered(folder, sources) or any(_covered(source, [folder]) for source in sources):
            raise RuntimeError(f"a library folder overlaps the sandbox's {folder}: {sources}")
        os.makedirs(root + folder)
        _mount("tmpfs", root + folder, "tmpfs", MS_NOSUID | MS_NODEV, f"size={limits.scratch},mode={mode}{ids}")
    for name, data in files.items():
        with open(root + WORKDIR + "/" + name, "wb") as handle:
            handle.write(data)
        if owner is not None:
            os.chown(root + WORKDIR + "/" + name, owner, owner)
    os.chdir(root)
    _check(_libc.pivot_root(b".", b"."), "pivot_root")
    _check(_libc.umount2(b".", MNT_DETACH), "detach the old root")
    os.chdir("/")
    _mount(None, "/", None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chdir(WORKDIR)


def _read_files(folder: str) -> dict[str, bytes]:
    files = {}
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if os.path.isfile(path) and not os.path.islink(path):
            with open(path, "rb") as handle:
                files[name] = handle.read()
    return files


def _drop_privileges(uid: int | None):
    """No capabilities and no way to gain any; as root, also a uid of the worker's own."""
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)  # clears every capability
    else:
        for capability in range(LAST_CAPABILITY + 1):
            if _libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0 and ctypes.get_errno() == errno.EINVAL:
                break
        header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
        data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable x 2: all empty
        _check(_libc.capset(header, data), "capset")
    _prctl(PR_SET_NO_NEW_PRIVS, 1)


def _limits(request: dict, limits: Limits, own_uid: bool):
    if request.get("memory"):
        limit = _vm_size() + int(request["memory"])
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_size, limits.file_size))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if own_uid:
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))


def _vm_size() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _mirror_exit(pid: int):
    """Wait for ``pid`` and end this process the same way (exit code or signal)."""
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except ChildProcessError:
            os._exit(0)
        except InterruptedError:
            continue
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def start_worker(conn: socket.socket, request: dict, isolation: Isolation, limits: Limits, hidden,
                 cgroups: list[str], serve):
    """In a fresh child of the fork server: isolate, write the pids line, then ``serve(conn)``; never returns.

    The line ``{"pid": supervisor, "worker": worker}`` (or ``{"error": ...}``)
    goes to ``conn`` before any reply: ``pid`` is the process group to kill,
    ``worker`` the process whose memory the harness watches.
    """
    try:
        os.setsid()
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        for folder in cgroups:
            _write(os.path.join(folder, "cgroup.procs"), os.getpid())
        if isolation.level != "namespaces":
            os.chdir(request["workdir"])
            _limits(request, limits, own_uid=False)
            conn.sendall((json.dumps({"pid": os.getpid(), "worker": os.getpid()}) + "\n").encode())
            serve(conn, {"HOME": request["workdir"], "TMPDIR": request["workdir"]})
            os._exit(0)
        files = _read_files(request["workdir"])
        root_mode = os.geteuid() == 0
        uid = UID_BASE + os.getpid() if root_mode else None
        flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
        if not root_mode:
            flags |= CLONE_NEWUSER
            host_uid, host_gid = os.geteuid(), os.getegid()
        _check(_libc.unshare(flags), "unshare")
        if not root_mode:
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"0 {host_uid} 1")
            _write("/proc/self/gid_map", f"0 {host_gid} 1")
        child = os.fork()
    except BaseException as error:  # report why; the harness fails the submission's tests with it
        _report_failure(conn, error)
    if child:
        conn.sendall((json.dumps({"pid": os.getpid(), "worker": child}) + "\n").encode())
        conn.close()
        _mirror_exit(child)
    try:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        _build_root(request["workdir"], files, hidden, limits, uid)
        _limits(request, limits, own_uid=uid is not None)
        _drop_privileges(uid)
    except BaseException as error:
        _report_failure(conn, error, write_line=False)
    serve(conn, {"HOME": WORKDIR, "TMPDIR": "/tmp"})
    os._exit(0)


def _report_failure(conn, error, write_line=True):
    try:
        if write_line:
            conn.sendall((json.dumps({"error": f"{type(error).__name__}: {error}"}) + "\n").encode())
    finally:
        os._exit(SANDBOX_FAILED)


def outside_libraries(paths) -> list[str]:
    """The paths that are neither inside nor on the way to a library folder the sandbox binds on purpose
    (as bound, or as the interpreter names it through links)."""
    sources = bind_sources()
    wanted = [*sources, *map(os.path.abspath, _library_paths())]
    return [path for path in paths
            if not _covered(path, sources) and not any(_covered(source, [path]) for source in wanted)]


def leaks(hidden) -> list[str]:
    """What of ``hidden`` this process can see, other than the library folders the sandbox binds on purpose."""
    seen = []
    for path in map(str, hidden):
        try:
            if not os.path.isdir(path):
                if os.path.exists(path) and os.path.getsize(path) > 0:
                    seen.append(path)
                continue
            seen += outside_libraries(os.path.join(path, name) for name in os.listdir(path))
        except OSError:
            continue
    return seen


# -- choosing the level --------------------------------------------------------------------------------------
def probe(hidden, limits: Limits) -> Isolation:
    """Try the namespaces level in a throw-away child and return the strongest level that works here."""
    import tempfile

    isolation = Isolation(level="namespaces", user_namespace=os.geteuid() != 0)
    folder = tempfile.mkdtemp(prefix="autograder-probe-")
    parent, child = socket.socketpair()
    pid = os.fork()
    if pid == 0:
        parent.close()
        try:
            def check(conn, env):
                visible = leaks(hidden)
                conn.sendall((json.dumps({"ok": not visible, "visible": visible}) + "\n").encode())
                os._exit(0)

            start_worker(child, {"workdir": folder}, isolation, limits, hidden, [], check)
        finally:
            os._exit(SANDBOX_FAILED)
    child.close()
    parent.settimeout(20)
    lines = []
    try:
        with parent.makefile("r") as stream:
            lines = [json.loads(line) for line in stream]
    except (OSError, ValueError):
        pass
    os.waitpid(pid, 0)
    os.rmdir(folder)
    answers = {key: value for line in lines for key, value in line.items()}
    if "error" in answers or not answers.get("ok"):
        reason = answers.get("error") or (f"hidden paths stayed visible: {answers.get('visible')}"
                                          if "visible" in answers else "the sandboxed probe did not answer")
        isolation = Isolation(level="limits", problems=[f"namespaces are not available ({reason})"])
    return isolation
