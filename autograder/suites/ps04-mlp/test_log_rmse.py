"""Hidden suite for log_rmse(preds, labels): sqrt(mean((log(max(preds, 1)) - log(labels)) ** 2)) as a Python float."""
import math

import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.strategies import dtypes, tensors
from autograder.suite import describe, expect, fail, points

CALL = "log_rmse(preds, labels)"


@st.composite
def pairs(draw, small=False, dtype=None):
    """(preds, labels) of one shape (n, 1) or (n,); labels in [2, 5e5]; preds near the labels (with ``small``: some
    below 1, one of them 0)."""
    dtype = dtype or draw(dtypes())
    n = draw(st.integers(2 if small else 1, 10))
    shape = draw(st.sampled_from([(n, 1), (n,)]))
    log_labels = draw(tensors(shape, dtype=torch.float64, min_value=math.log(2), max_value=math.log(5e5),
                              noncontiguous=False))
    noise = draw(tensors(shape, dtype=torch.float64, min_value=-0.7, max_value=0.7, noncontiguous=False))
    preds = (log_labels + noise).exp()
    if small:
        low = draw(tensors(shape, dtype=torch.float64, min_value=-50.0, max_value=0.99, noncontiguous=False))
        pick = draw(tensors(shape, dtype=torch.float64, min_value=0.0, max_value=1.0, noncontiguous=False)) < 0.5
        pick.view(-1)[0] = True
        preds = torch.where(pick, low, preds)
        preds.view(-1)[-1] = 0.0  # a zero prediction, and at least one more below 1
    return preds.to(dtype), log_labels.exp().to(dtype)


def expect_log_rmse(got, preds, labels, require_float=False):
    """``got`` is the reference's value; a 0-dim tensor holding it passes unless ``require_float``."""
    expected = d2l.log_rmse(preds, labels)
    inputs = dict(preds=preds, labels=labels)
    value = got
    if isinstance(got, torch.Tensor) and got.numel() == 1:
        value = float(got.detach().cpu().reshape(()))
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(f"{CALL} should return a Python float, but returned {describe(got)}", **inputs)
    if math.isnan(value) or math.isinf(value):
        if (preds < 1).any():
            fail(f"{CALL} returned {value}: clamp the predictions to at least 1 before the log "
                 f"(torch.clamp(preds, min=1)); log of 0 is -inf and of a negative number NaN", **inputs)
        fail(f"{CALL} returned {value}, expected {expected:.6g} (no prediction is below 1 here: check the "
             f"mean, a division by n - 1 or by zero?)", **inputs)
    if abs(value - expected) <= 1e-5 * max(1.0, expected) + 1e-6:
        expect(type(got) is float or not require_float, f"{CALL} returned {describe(got)}; return a Python float "
                                   f"(float(...) or .item())", **inputs)
        return
    p, l = preds.double().cpu(), labels.double().cpu()
    diff = torch.log(p.clamp(min=1)) - torch.log(l)
    for wrong, hint in ((diff.pow(2).mean().item(), "returned the mean squared log error; take its square root"),
                        (diff.pow(2).sum().sqrt().item(), "sums the squared errors; average them (mean) before "
                                                          "the square root"),
                        (diff.abs().mean().item(), "averages |log error|; use the root of the mean SQUARED error"),
                        (torch.sqrt(((p.clamp(min=1) - l) ** 2).mean()).item(), "compares the prices, not their "
                                                                                 "logarithms")):
        if abs(value - wrong) <= 1e-5 * max(1.0, abs(wrong)) + 1e-6:
            fail(f"{CALL} {hint} (expected {expected:.6g}, got {value:.6g})", **inputs)
    fail(f"{CALL} returned {value:.6g}, expected {expected:.6g} = sqrt(mean((log(max(preds, 1)) - log(labels)) ** 2))",
         **inputs)


@points(2)
@given(pair=pairs())
def test_matches_reference(student, device, pair):
    """log_rmse equals the reference, as a Python float, on predictions near the labels (shapes (n, 1) and (n,))."""
    preds, labels = (t.to(device) for t in pair)
    expect_log_rmse(student.log_rmse(preds, labels), preds, labels, require_float=True)


@points(1)
@settings(max_examples=12)
@given(pair=pairs(small=True))
def test_clamps_small_predictions(student, device, pair):
    """Predictions below 1 (zero, negative) are clamped to 1 before the log: a finite, correct result."""
    preds, labels = (t.to(device) for t in pair)
    expect_log_rmse(student.log_rmse(preds, labels), preds, labels)


@points(1)
@settings(max_examples=12)
@given(pair=pairs(small=True))
def test_does_not_modify_inputs(student, pair):
    """log_rmse is correct and leaves preds and labels unchanged (clamp a copy, not preds itself)."""
    preds, labels = pair
    before = (preds.clone(), labels.clone())
    result = student.call("log_rmse", preds, labels, return_args=True)
    expect_log_rmse(result.value, *before)
    for name, old, new in zip(("preds", "labels"), before, result.args):
        expect(isinstance(new, torch.Tensor) and torch.equal(new, old),
               f"{CALL} modified {name} in place (it is now {describe(new)}); use torch.clamp(preds, min=1), "
               f"not preds.clamp_(...)", preds=before[0], labels=before[1])
