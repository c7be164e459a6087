"""Reference implementations for the course kit of "Dive into Deep Learning" (PyTorch).

Use as ``import d2lkit as d2l``. One module per part of the book; every
public name is re-exported here. Note that ``d2l.softmax_regression`` is the
function (the model), which shadows the submodule of the same name: reach
the module through ``importlib.import_module('d2lkit.softmax_regression')``.
"""
import sys as _sys

from .data import *  # noqa: F401,F403
from .devices import *  # noqa: F401,F403
from .linear_regression import *  # noqa: F401,F403
from .softmax_regression import *  # noqa: F401,F403
from .utils import *  # noqa: F401,F403

_MODULES = ('utils', 'devices', 'data', 'linear_regression', 'softmax_regression')
__all__ = [name for m in _MODULES for name in _sys.modules[f'{__name__}.{m}'].__all__]
