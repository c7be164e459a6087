"""Hidden suite for linreg(X, w, b): the linear model X @ w + b, X (n, d), w (d, 1), b (1,) -> (n, 1)."""
import torch
from hypothesis import given, strategies as st

import d2lkit as d2l
from autograder.strategies import dtypes, shapes_2d, tensors
from autograder.suite import expect, expect_close, fail, points


def _inputs(data, dtype=None):
    n, d = data.draw(shapes_2d(max_rows=8, max_cols=8))
    dtype = dtype or data.draw(dtypes())
    X = data.draw(tensors((n, d), dtype=dtype))
    w = data.draw(tensors((d, 1), dtype=dtype))
    b = data.draw(tensors((1,), dtype=dtype))
    return X, w, b


def _expect_output(got, X, w, b):
    n, d = X.shape
    if isinstance(got, torch.Tensor) and tuple(got.shape) != (n, 1):
        if d > 1 and got.dim() == 2 and got.shape[1] == d:
            fail(f"linreg(X, w, b) returned shape {tuple(got.shape)}, expected {(n, 1)}: X * w multiplies "
                 f"elementwise and broadcasts; use the matrix product X @ w (or torch.matmul)", X=X, w=w, b=b)
        if tuple(got.shape) == (n,):
            fail(f"linreg(X, w, b) returned shape {(n,)}, expected {(n, 1)}: keep w as the (d, 1) column it is "
                 f"(X @ w with w of shape (d, 1) gives (n, 1))", X=X, w=w, b=b)
    expected = d2l.linreg(X, w, b)
    if (isinstance(got, torch.Tensor) and got.shape == expected.shape and got.dtype == expected.dtype
            and got.device == expected.device
            and torch.allclose(got.detach(), (X @ w).detach(), rtol=1e-4, atol=1e-5)
            and not torch.allclose(got.detach(), expected, rtol=1e-4, atol=1e-5)):
        fail("linreg(X, w, b) returned X @ w without the bias: add b", X=X, w=w, b=b)
    expect_close(got, expected, "linreg(X, w, b)", X=X, w=w, b=b)


@points(3)
@given(data=st.data())
def test_matches_reference(student, device, data):
    """linreg(X, w, b) equals X @ w + b, shape (n, 1), on float32/float64, square and non-contiguous inputs."""
    X, w, b = (t.to(device) for t in _inputs(data))
    _expect_output(student.linreg(X, w, b), X, w, b)


def _linreg_gradients(ns, X, w, b, G):
    """the gradients of (linreg(X, w, b) * G).sum() with respect to w and b"""
    w, b = w.clone().requires_grad_(True), b.clone().requires_grad_(True)
    total = (ns["linreg"](X, w, b) * G).sum()
    if total.requires_grad:
        total.backward()
    return [w.grad, b.grad]


@points(1)
@given(data=st.data())
def test_gradient(student, data):
    """Autograd through linreg(X, w, b) gives the correct gradients for w and b (float64)."""
    X, w, b = _inputs(data, torch.float64)
    G = data.draw(tensors((X.shape[0], 1), dtype=torch.float64, noncontiguous=False))
    expected_w, expected_b = w.clone().requires_grad_(True), b.clone().requires_grad_(True)
    (d2l.linreg(X, expected_w, expected_b) * G).sum().backward()
    got = student.run(_linreg_gradients, X, w, b, G)
    for name, value, expected in (("w", got[0], expected_w.grad), ("b", got[1], expected_b.grad)):
        if value is None:
            fail(f"no gradient reached {name} through linreg(X, w, b): compute the output from w and b with "
                 f"tensor operations (no .detach(), .item(), .numpy(), torch.tensor(...) or torch.no_grad())",
                 X=X, w=w, b=b)
        expect_close(value, expected, f"the gradient of (linreg(X, w, b) * G).sum() with respect to {name}",
                     X=X, w=w, b=b, G=G)


@points(1)
@given(data=st.data())
def test_does_not_modify_inputs(student, data):
    """linreg(X, w, b) is correct and leaves X, w and b unchanged."""
    X, w, b = _inputs(data)
    result = student.call("linreg", X, w, b, return_args=True)
    _expect_output(result.value, X, w, b)
    for name, before, after in zip("Xwb", (X, w, b), result.args):
        expect(isinstance(after, torch.Tensor) and after.shape == before.shape and torch.equal(after, before),
               f"linreg(X, w, b) modified its input {name} in place; compute the result in a new tensor",
               X=X, w=w, b=b)
