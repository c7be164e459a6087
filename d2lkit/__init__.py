"""Reference implementations for the course kit of "Dive into Deep Learning" (PyTorch).

Use as ``import d2lkit as d2l``. One module per part of the book; every
public name (each module's ``__all__``) is re-exported here, so a new module
needs no edit of this file. Note that ``d2l.softmax_regression`` is the
function (the model), which shadows the submodule of the same name: reach
the module through ``importlib.import_module('d2lkit.softmax_regression')``.
"""
import importlib as _importlib
import pkgutil as _pkgutil

_MODULES = sorted(info.name for info in _pkgutil.iter_modules(__path__) if not info.name.startswith('_'))
__all__ = []
for _name in _MODULES:
    _module = _importlib.import_module(f'{__name__}.{_name}')
    __all__ += _module.__all__
    globals().update({key: getattr(_module, key) for key in _module.__all__})
_duplicates = {key for key in __all__ if __all__.count(key) > 1}
if _duplicates:  # two parts of the book exporting one name: one would silently shadow the other
    raise ImportError(f"d2lkit modules export the same names: {sorted(_duplicates)}")
del _name, _module, _duplicates
