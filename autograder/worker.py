"""The untrusted worker: runs a submission's cells and answers requests.

It is forked from the zygote (``autograder.zygote``), never from the harness,
so it holds no hidden suite or grading state. Requests:

* ``{"op": "exec", "label", "source"}``: run one notebook cell.
* ``{"op": "call", "name", "args", "kwargs", ...}``: call a student function.
* ``{"op": "driver", "source", "entry", "args", "kwargs", ...}``: run a
  driver from a hidden suite; it receives the student's namespace first.

Every reply is ``{"ok": True, "value", "args", "violations"}`` or
``{"ok": False, "error": {"type", "message", "traceback"}, "violations"}``.
"""
from __future__ import annotations

import builtins
import io
import linecache
import os
import random
import socket
import sys
import traceback
import types

import numpy as np
import torch

from autograder import protocol
from autograder.guard import Guard

OUTPUT_CAP = 64 * 1024
CELL_PREFIX = "<cell "  # cell labels are "cell N" or "cell N (grade_id)"


class CappedOutput(io.TextIOBase):
    """A text stream that keeps the first OUTPUT_CAP characters and drops the rest."""

    def __init__(self):
        self.parts: list[str] = []
        self.size = 0

    def writable(self):
        return True

    def write(self, text):
        if self.size < OUTPUT_CAP:
            self.parts.append(text[: OUTPUT_CAP - self.size])
        self.size += len(text)
        return len(text)

    def flush(self):
        pass


class Namespace:
    """Read access to the student's globals for drivers."""

    def __init__(self, globals_):
        self._globals = globals_

    def __getitem__(self, name):
        try:
            return self._globals[name]
        except KeyError:
            raise NameError(f"name '{name}' is not defined in your notebook") from None

    def __contains__(self, name):
        return name in self._globals

    def get(self, name, default=None):
        return self._globals.get(name, default)

    def replaced(self, **values):
        """A context manager that temporarily rebinds student globals."""
        return _Rebind(self._globals, values)


class _Rebind:
    def __init__(self, globals_, values):
        self.globals, self.values, self.saved = globals_, values, {}

    def __enter__(self):
        for name, value in self.values.items():
            self.saved[name] = self.globals.get(name, _MISSING)
            self.globals[name] = value

    def __exit__(self, *exc):
        for name, value in self.saved.items():
            if value is _MISSING:
                self.globals.pop(name, None)
            else:
                self.globals[name] = value
        return False


_MISSING = object()


def _student_traceback(error):
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename.startswith(CELL_PREFIX)]
    lines = traceback.format_list(frames)
    lines += traceback.format_exception_only(type(error), error)
    return "".join(lines)[-4000:]


def _error(error):
    # co_qualname names a method with its class ("Conv.__init__"), so a stubbed class reads well
    codes = [tb.tb_frame.f_code for tb in _tracebacks(error.__traceback__)
             if tb.tb_frame.f_code.co_filename.startswith(CELL_PREFIX)]
    return {"type": type(error).__name__, "message": str(error)[:2000], "traceback": _student_traceback(error),
            "function": codes[-1].co_qualname if codes else ""}


def _tracebacks(tb):
    while tb is not None:
        yield tb
        tb = tb.tb_next


class UnsupportedValue(Exception):
    """A value the harness would refuse: said here, with its type, so the student reads why."""


def _plain(value):
    """Detach tensors so replies carry data, not autograd graphs; refuse tensor subclasses.

    ``nn.Parameter`` is the one subclass an honest solution returns; any other
    may override ``__torch_function__``, so it is refused rather than detached.
    """
    if isinstance(value, torch.Tensor):
        if type(value) not in (torch.Tensor, torch.nn.Parameter):
            raise UnsupportedValue(f"a tensor subclass ({type(value).__name__}); return a plain torch.Tensor")
        return value.detach()
    if type(value) in (list, tuple):
        return type(value)(_plain(item) for item in value)
    if type(value) is dict:
        return {key: _plain(item) for key, item in value.items()}
    if type(value) in _NUMPY_SCALARS:  # exact types only: a subclass could override item()
        return value.item()
    return value


# numpy scalars (np.float32(0.5), np.int64(3), np.bool_) as their Python values: an honest
# solution gets them from .mean() of an array or from a pandas cell
_NUMPY_SCALARS = frozenset(t for t in set(np.sctypeDict.values())
                           if issubclass(t, (np.integer, np.floating, np.bool_)) and t is not np.timedelta64)


class Worker:
    def __init__(self, sock: socket.socket):
        self.sock = sock
        # The notebook's namespace is a real __main__ module, as in a Jupyter kernel, so pickle
        # (multiprocessing, torch.save of a student's class) finds what the cells define.
        main = types.ModuleType("__main__")
        main.__builtins__ = builtins
        sys.modules["__main__"] = main
        self.globals = main.__dict__
        self.namespace = Namespace(self.globals)

    def serve(self):
        while True:
            try:
                request = protocol.decode_trusted(protocol.recv_bytes(self.sock, max_bytes=2**31))
            except protocol.ProtocolError:
                return
            reply = self.handle(request)
            try:
                payload = protocol.encode(reply)
            except BaseException as error:  # a student object that cannot be pickled
                payload = protocol.encode({"ok": False, "unsupported": f"{type(error).__name__}: {str(error)[:300]}",
                                           "violations": reply.get("violations", [])})
            protocol.send_bytes(self.sock, payload)

    def handle(self, request):
        op = request["op"]
        if op == "exec":
            return self.exec_cell(request["label"], request["source"])
        if op in ("call", "driver"):
            return self.call(request)
        return {"ok": False, "error": {"type": "ProtocolError", "message": f"unknown op {op}", "traceback": ""}}

    def exec_cell(self, label, source):
        filename = f"<{label}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        try:
            code = compile(source, filename, "exec")
            exec(code, self.globals)
        except BaseException as error:  # SystemExit and KeyboardInterrupt included: the cell failed
            return {"ok": False, "error": _error(error), "violations": []}
        return {"ok": True, "value": None, "violations": []}

    def call(self, request):
        seed = request.get("seed", 0)
        torch.manual_seed(seed)
        random.seed(seed)
        np.random.seed(seed % 2**32)
        args = list(request.get("args", ()))
        kwargs = dict(request.get("kwargs", {}))
        guard = Guard(request.get("forbid", ()))
        try:
            if request["op"] == "call":
                function = self.namespace[request["name"]]
            else:
                function = self._driver(request["source"], request["entry"])
                args.insert(0, self.namespace)
            with guard:
                value = function(*args, **kwargs)
        except BaseException as error:  # a graded call may raise anything, SystemExit included
            return {"ok": False, "error": _error(error), "violations": guard.violations}
        try:
            reply = {"ok": True, "value": _plain(value), "violations": guard.violations}
            if request.get("return_args"):
                reply["args"] = _plain(args[1:] if request["op"] == "driver" else args)
        except UnsupportedValue as error:
            return {"ok": False, "unsupported": str(error), "violations": guard.violations}
        return reply

    def _driver(self, source, entry):
        scope = {"__name__": "autograder_driver", "torch": torch}
        exec(compile(source, "<driver>", "exec"), scope)
        return scope[entry]


def run(sock: socket.socket) -> None:
    """Entry point in a freshly forked worker process."""
    output = CappedOutput()
    sys.stdout = sys.stderr = output
    torch.set_num_threads(1)
    try:
        Worker(sock).serve()
    finally:
        os._exit(0)
