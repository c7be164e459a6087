"""Hidden suite for tanh(X): (1 - exp(-2X)) / (1 + exp(-2X)) elementwise, from exp, stable for large |X|."""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from _ps04_helpers import (activation_inputs, expect_unchanged, expect_values, large_inputs, reference_gradient,
                           student_gradient)
from autograder.strategies import dtypes, tensors
from autograder.suite import expect_close, fail, points

CALL = "tanh(X)"
STABLE = ("; exponentiate only non-positive numbers: (1 - exp(-2x)) / (1 + exp(-2x)) for x >= 0 and "
          "(exp(2x) - 1) / (exp(2x) + 1) for x < 0 (torch.where between the two, each computed on the input "
          "masked to its own side, e.g. z = torch.exp(-2 * torch.where(X >= 0, X, -X)))")


@points(2)
@given(X=activation_inputs())
def test_matches_reference(student, device, X):
    """tanh(X) equals (1 - exp(-2X)) / (1 + exp(-2X)) elementwise, with X's shape, dtype and device."""
    X = X.to(device)
    expect_values(student.tanh(X), d2l.tanh(X), CALL, X)


@points(1)
@given(dtype=dtypes())
def test_stable_for_large_inputs(student, dtype):
    """tanh gives finite, correct values for |X| up to 1000 (no overflow in exp)."""
    X = large_inputs(dtype)
    expect_values(student.tanh(X), d2l.tanh(X), CALL, X, hint=STABLE)


@points(1)
@settings(max_examples=12)
@given(X=activation_inputs(dtype=torch.float64, scale=10.0, zeros=True), large=st.booleans())
def test_gradient(student, X, large):
    """Autograd through tanh gives 1 - tanh(X) ** 2, finite also for |X| up to 1000 and right at X = 0 (float64)."""
    if large:
        X = large_inputs(torch.float64)
    G = torch.linspace(0.5, 2.0, X.numel(), dtype=torch.float64).reshape(X.shape)
    got = student_gradient(student, "tanh", X, G)
    expected = reference_gradient(d2l.tanh, X, G)
    if isinstance(got, torch.Tensor) and got.shape == X.shape and not torch.isfinite(got).all():
        index = tuple((~torch.isfinite(got)).nonzero()[0].tolist())
        fail(f"the gradient of tanh at X = {X[index].item():g} is {got[index].item()} instead of "
             f"{expected[index].item() / G[index].item():g}: inf / inf or 0 * inf appears on the way{STABLE}; "
             f"a branch torch.where does not take still gets a zero gradient, and 0 * inf is NaN", X=X)
    if isinstance(got, torch.Tensor) and got.shape == X.shape and got.dtype == X.dtype:
        at_zero = (X == 0) & ~torch.isclose(got, expected)
        if at_zero.any():
            index = tuple(at_zero.nonzero()[0].tolist())
            fail(f"the gradient of tanh at X = 0 is {got[index].item() / G[index].item():g}, expected 1: "
                 f"autograd takes the derivative of X.abs() (and of torch.sign) at 0 as 0, which removes the "
                 f"gradient there; pick the branch input with torch.where(X >= 0, -X, X) instead of -X.abs()",
                 X=X, G=G)
    expect_close(got, expected, "the gradient of (tanh(X) * G).sum() with respect to X", X=X, G=G)


@points(1)
@settings(max_examples=12)
@given(X=tensors((4, 3), min_value=-5.0, max_value=5.0))
def test_does_not_modify_input(student, X):
    """tanh(X) is correct and leaves X unchanged."""
    result = student.call("tanh", X, return_args=True)
    expect_values(result.value, d2l.tanh(X), CALL, X)
    expect_unchanged(result.args[0], X, CALL)
