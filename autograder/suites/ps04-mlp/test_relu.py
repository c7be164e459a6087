"""Hidden suite for relu(X): elementwise max(X, 0), with derivative 0 at X == 0 as torch.relu."""
import torch
from hypothesis import given, settings

import d2lkit as d2l
from _ps04_helpers import activation_inputs, expect_unchanged, expect_values, reference_gradient, student_gradient
from autograder.strategies import tensors
from autograder.suite import expect_close, fail, points

CALL = "relu(X)"


@points(2)
@given(X=activation_inputs(zeros=True))
def test_matches_reference(student, device, X):
    """relu(X) equals max(X, 0) elementwise, with X's shape, dtype and device (float32/float64, any shape)."""
    X = X.to(device)
    expect_values(student.relu(X), d2l.relu(X), CALL, X)


@points(1)
@settings(max_examples=12)
@given(X=activation_inputs(dtype=torch.float64))
def test_gradient(student, X):
    """Autograd through relu gives 1 where X > 0 and 0 where X < 0 (float64)."""
    G = torch.linspace(0.5, 2.0, X.numel(), dtype=torch.float64).reshape(X.shape)
    got = student_gradient(student, "relu", X, G)
    expect_close(got, reference_gradient(d2l.relu, X, G), "the gradient of (relu(X) * G).sum() with respect to X",
                 X=X, G=G)


@points(1)
@settings(max_examples=12)
@given(X=activation_inputs(dtype=torch.float64, zeros=True))
def test_gradient_at_zero(student, X):
    """At X == 0 the derivative of relu is 0, as torch.relu defines it."""
    G = torch.ones_like(X)
    got = student_gradient(student, "relu", X, G)
    expected = reference_gradient(d2l.relu, X, G)
    if isinstance(got, torch.Tensor) and got.shape == X.shape and got.dtype == X.dtype:
        at_zero = got[X == 0]
        if at_zero.numel() and not torch.equal(at_zero, torch.zeros_like(at_zero)):
            value = at_zero[at_zero != 0][0].item()
            how = {1.0: " (keeping X where X >= 0 passes the gradient through at 0; keep it where X > 0)",
                   0.5: " (torch.max(X, zeros) / torch.maximum split the gradient between the two equal "
                        "arguments, and (X + X.abs()) / 2 gives 1/2 there too)"}.get(value, "")
            fail(f"the derivative of relu at X == 0 is {value:g}{how}; it must be 0, as for torch.relu: keep X "
                 f"only where X > 0, e.g. torch.where(X > 0, X, 0.0) or X * (X > 0)", X=X)
    expect_close(got, expected, "the gradient of relu(X).sum() with respect to X", X=X)


@points(1)
@settings(max_examples=12)
@given(X=tensors((5, 4), min_value=-3.0, max_value=3.0))
def test_does_not_modify_input(student, X):
    """relu(X) is correct and leaves X unchanged."""
    result = student.call("relu", X, return_args=True)
    expect_values(result.value, d2l.relu(X), CALL, X)
    expect_unchanged(result.args[0], X, CALL)
