"""Hidden suite for softmax(X): row-wise softmax of a 2-D tensor, stable, pure."""
import torch
from hypothesis import given, strategies as st

import d2lkit as d2l
from autograder.strategies import matrices, tensors
from autograder.suite import expect, expect_close, points


@points(3)
@given(X=matrices())
def test_matches_reference(student, device, X):
    """softmax(X) equals the reference on float32/float64, square and non-contiguous inputs."""
    X = X.to(device)
    expect_close(student.softmax(X), d2l.softmax(X), "softmax(X)", X=X)


@points(1)
@given(X=matrices(min_rows=2, min_cols=2, square=True))
def test_normalises_each_row(student, device, X):
    """Every row of softmax(X) is positive and sums to 1 (rows, not columns)."""
    X = X.to(device)
    Y = student.softmax(X)
    expect_close(Y, d2l.softmax(X), "softmax(X)", X=X)
    expect(bool((Y.sum(dim=1) - 1).abs().max() < 1e-4), "the rows of softmax(X) should each sum to 1", X=X)


@points(1)
@given(X=matrices(), shift=st.floats(-50, 50))
def test_shift_invariant(student, X, shift):
    """Adding a constant to a row does not change softmax(X)."""
    shifted = X + shift
    expect_close(student.softmax(shifted), d2l.softmax(X), "softmax(X + c)", X=X, c=shift, rtol=1e-4, atol=1e-5)


@points(2)
@given(X=matrices(min_rows=2, dtype=torch.float32, min_value=-1000.0, max_value=1000.0),
       offsets=st.lists(st.sampled_from([-1000.0, 0.0, 1000.0]), min_size=8, max_size=8))
def test_stable_for_large_logits(student, device, X, offsets):
    """softmax stays finite and correct for logits of magnitude 1e3 in any row."""
    X = (X.clamp(-50, 50) + torch.tensor(offsets[: X.shape[0]], dtype=X.dtype)[:, None]).to(device)
    Y = student.softmax(X)
    if isinstance(Y, torch.Tensor) and not torch.isfinite(Y).all():
        expect(False, "softmax(X) overflows for large logits (it returned inf or NaN): subtract each row's "
                      "maximum before exponentiating", X=X)
    expect_close(Y, d2l.softmax(X), "softmax(X) with large logits", X=X)


@points(1)
@given(X=matrices())
def test_does_not_modify_input(student, X):
    """softmax(X) is correct and leaves X unchanged."""
    before = X.clone()
    result = student.call("softmax", X, return_args=True)
    expect_close(result.value, d2l.softmax(before), "softmax(X)", X=before)
    expect(torch.equal(result.args[0], before), "softmax(X) modified its input X in place; compute on a new tensor",
           X=before)


def _softmax_gradient(ns, X, G):
    """the gradient of (softmax(X) * G).sum() with respect to X"""
    X = X.clone().requires_grad_(True)
    (ns["softmax"](X) * G).sum().backward()
    return X.grad


@points(1)
@given(X=matrices(dtype=torch.float64), data=st.data())
def test_gradient(student, X, data):
    """Autograd through softmax(X) gives the reference gradient (float64)."""
    G = data.draw(tensors(tuple(X.shape), dtype=torch.float64))
    expected_X = X.clone().requires_grad_(True)
    (d2l.softmax(expected_X) * G).sum().backward()
    got = student.run(_softmax_gradient, X, G)
    expect_close(got, expected_X.grad, "the gradient of (softmax(X) * G).sum()", X=X, G=G)
