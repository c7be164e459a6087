"""Shared fixtures for the d2lkit reference tests."""
import os
import sys

import pytest

# Let `pytest tests/d2lkit` find the package without installing it.
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    """An empty D2LKIT_DATA folder for this test."""
    monkeypatch.setenv('D2LKIT_DATA', str(tmp_path / 'data'))
    return tmp_path / 'data'
