"""Makes this suite's helper module (_ps10_helpers) importable: the engine imports suites with
--import-mode=importlib, which does not put a suite's folder on sys.path."""
import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
