"""Hidden suite for perplexity(total_loss, num_tokens): exp of the mean loss per token, a Python float."""
import math

import torch
from hypothesis import given, strategies as st

import d2lkit as d2l
from autograder.suite import describe, fail, points

LOSSES = st.floats(0.0, 60.0, allow_nan=False)
COUNTS = st.integers(1, 50)


def _as_number(ns, name, *args):
    """NAME(*args); a numpy scalar or float subclass comes back as a Python number"""
    result = ns[name](*args)
    if type(result).__module__ == "numpy" and hasattr(result, "item"):
        return result.item()
    if isinstance(result, float) and type(result) is not float:
        return float(result)
    return result


def _expect(got, total, n):
    expected = d2l.perplexity(total, n)
    call = f"perplexity({describe(total)}, {n})"
    value = float(got) if isinstance(got, (int, float)) and not isinstance(got, bool) else None
    if value is None:
        fail(f"{call} returned {describe(got)}; return a Python float (math.exp(float(total_loss) / num_tokens))",
             total_loss=total, num_tokens=n)
    if math.isclose(value, expected, rel_tol=1e-5, abs_tol=1e-9):
        return
    t = float(total)
    if math.isclose(value, math.exp(t), rel_tol=1e-6):
        fail(f"{call} returned exp(total_loss) = {value:.6g}; divide by num_tokens first (expected {expected:.6g})",
             total_loss=total, num_tokens=n)
    if math.isclose(value, 2 ** (t / n), rel_tol=1e-6):
        fail(f"{call} returned 2 ** (mean loss); the cross-entropy uses natural logarithms, so use math.exp "
             f"(expected {expected:.6g})", total_loss=total, num_tokens=n)
    fail(f"{call} returned {value:.6g}, expected exp(total_loss / num_tokens) = {expected:.6g}",
         total_loss=total, num_tokens=n)


@points(1)
@given(total=LOSSES, n=COUNTS)
def test_float_loss(student, total, n):
    """perplexity of a float total loss is exp(total_loss / num_tokens)."""
    _expect(student.run(_as_number, "perplexity", total, n, describe_as=f"perplexity({total!r}, {n})"), total, n)


@points(1)
@given(total=LOSSES, n=COUNTS, dtype=st.sampled_from([torch.float32, torch.float64]))
def test_tensor_loss(student, device, total, n, dtype):
    """A 0-dim tensor total loss (on any device) gives the same Python float."""
    loss = torch.tensor(total, dtype=dtype, device=device)
    _expect(student.run(_as_number, "perplexity", loss, n, describe_as=f"perplexity(loss, {n})"), loss, n)
