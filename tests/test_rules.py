"""Static from-scratch rules find forbidden APIs however they are spelled, and only in the solution."""
import pytest

from autograder.notebook import CodeCell
from autograder.rules import find_violations

FORBID = ["torch.softmax", "torch.nn.functional.softmax", "torch.log_softmax", "torch.optim", "d2lkit"]
SETUP = CodeCell(1, "import torch\nimport torch.nn.functional as F\nimport d2lkit as d2l\n"
                    "from torch import softmax as sm\nFF = torch.nn.functional\nfrom torch import optim\n")
HELPER = CodeCell(2, "def helper(X):\n    return FF.softmax(X, 1)\n")


def violations(body):
    solution = CodeCell(3, body, grade_id="softmax", solution=True)
    return find_violations([SETUP, HELPER, solution], solution, FORBID)


@pytest.mark.parametrize("body, api", [
    ("def softmax(X):\n    return torch.softmax(X, 1)\n", "torch.softmax"),
    ("def softmax(X):\n    return F.softmax(X, dim=1)\n", "torch.nn.functional.softmax"),
    ("def softmax(X):\n    return X.softmax(1)\n", "torch.Tensor.softmax"),
    ("def softmax(X):\n    return sm(X, 1)\n", "torch.softmax"),
    ("def softmax(X):\n    return getattr(torch, 'softmax')(X, 1)\n", "torch.softmax"),
    ("def softmax(X):\n    return helper(X)\n", "torch.nn.functional.softmax"),
    ("def softmax(X):\n    return d2l.softmax(X)\n", "d2lkit"),
    ("def softmax(X):\n    import d2lkit\n    return d2lkit.softmax(X)\n", "d2lkit"),
    ("def softmax(X):\n    return __import__('torch').softmax(X, 1)\n", "torch.softmax"),
    ("def softmax(X):\n    return X.log_softmax(1).exp()\n", "torch.Tensor.log_softmax"),
    ("def softmax(X):\n    opt = optim.SGD([X], lr=1)\n    return X\n", "torch.optim"),
    ("def softmax(X):\n    import importlib\n    m = importlib.import_module('torch.optim')\n    return X\n",
     "torch.optim"),
])
def test_forbidden_use_is_found_and_named(body, api):
    """Aliases, getattr, helpers, local imports and tensor methods are all caught."""
    found = violations(body)
    assert api in {v.api for v in found}
    assert "line" in found[0].where and "softmax" in found[0].message("softmax")


def test_from_scratch_solution_and_setup_imports_are_allowed():
    """Elementary ops pass, and importing d2lkit or optim in a setup cell is not a violation."""
    body = ("def softmax(X):\n    E = torch.exp(X - X.max(dim=1, keepdim=True).values)\n"
            "    return E / E.sum(1, keepdim=True)\n")
    assert violations(body) == []


def test_unparsable_solution_has_no_static_violation():
    """A syntax error is left to the run-time checks (the function will not exist)."""
    assert violations("def softmax(X:\n") == []
