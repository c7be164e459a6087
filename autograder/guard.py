"""Run-time from-scratch rules, enforced inside the worker.

This is defence in depth: the worker is untrusted, so a student can disable
it. The static check in the harness (``autograder.rules``) is the trusted one.
A forbidden name is either a callable (``torch.softmax``) or a module prefix
(``torch.optim``, ``d2lkit``). Forbidding ``torch.X`` also forbids the tensor
method ``torch.Tensor.X`` when it exists.
"""
from __future__ import annotations

import sys
import types

import torch
from torch.overrides import TorchFunctionMode


class ForbiddenCall(Exception):
    """Raised in student code that calls an API its exercise forbids."""


def expand(names):
    """The forbidden names plus the tensor-method alias of each ``torch.X``."""
    expanded = list(names)
    for name in names:
        head, _, attr = name.rpartition(".")
        if head == "torch" and hasattr(torch.Tensor, attr):
            expanded.append(f"torch.Tensor.{attr}")
    return expanded


def _resolve(name):
    """The object a dotted name refers to, looking only at imported modules."""
    parts = name.split(".")
    for split in range(len(parts), 0, -1):
        obj = sys.modules.get(".".join(parts[:split]))
        if obj is None:
            continue
        try:
            for attr in parts[split:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


class Guard:
    """Records (and raises on) forbidden calls made during one graded call."""

    def __init__(self, names):
        self.violations: list[str] = []
        self.callables: dict[int, str] = {}
        self.modules: list[str] = []
        for name in expand(names):
            obj = _resolve(name)
            if isinstance(obj, types.ModuleType) or obj is None:
                self.modules.append(name)
            else:
                self.callables[id(obj)] = name

    def record(self, name):
        if name not in self.violations:
            self.violations.append(name)
        raise ForbiddenCall(f"{name} is not allowed in this exercise")

    def __enter__(self):
        self._mode = _Mode(self)
        self._mode.__enter__()
        if self.modules:
            self._previous = sys.getprofile()
            sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc):
        if self.modules:
            sys.setprofile(self._previous)
        self._mode.__exit__(*exc)
        return False

    def _module_of(self, module_name):
        for prefix in self.modules:
            if module_name == prefix or module_name.startswith(prefix + "."):
                return prefix
        return None

    def _profile(self, frame, event, arg):
        if event == "call":
            module = frame.f_globals.get("__name__", "")
            if self._module_of(module):
                caller = frame.f_back.f_globals.get("__name__", "") if frame.f_back else ""
                if not self._module_of(caller):
                    self.violations.append(f"{module}.{frame.f_code.co_name}")
        elif event == "c_call":
            module = getattr(arg, "__module__", None) or ""
            if self._module_of(module):
                self.violations.append(f"{module}.{getattr(arg, '__name__', '?')}")

    def torch_function(self, func):
        name = self.callables.get(id(func))
        if name is None and self.modules:
            module = getattr(func, "__module__", None) or ""
            if self._module_of(module):
                name = f"{module}.{getattr(func, '__name__', '?')}"
        if name is not None:
            self.record(name)


class _Mode(TorchFunctionMode):
    def __init__(self, guard):
        super().__init__()
        self.guard = guard

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.guard.torch_function(func)
        return func(*args, **(kwargs or {}))
