"""Hidden suite for standardize_columns(X): (X - column means) / unbiased column standard deviations, n >= 2."""
import math

import torch
from hypothesis import given

import d2lkit as d2l
from autograder.strategies import matrices
from autograder.suite import expect, expect_close, fail, points

CALL = "standardize_columns(X)"


def _spread(**kwargs):
    """Matrices with n >= 2 whose columns all have a standard deviation of at least 0.5 (well conditioned)."""
    return matrices(min_rows=2, **kwargs).filter(lambda X: bool((X.double().std(dim=0) >= 0.5).all()))


def _close(a, b):
    return bool(torch.allclose(a, b, rtol=1e-4, atol=1e-5))


def _expect_standardized(got, X):
    expected = d2l.standardize_columns(X)
    n, d = X.shape
    if isinstance(got, torch.Tensor) and got.shape == expected.shape and got.dtype == X.dtype \
            and got.device == X.device and not _close(got, expected):
        if d >= 2 and _close(got, d2l.standardize_columns(X.T).T):
            fail(f"{CALL} standardised the rows: each COLUMN (feature) needs mean 0 and standard deviation 1, so "
                 f"reduce over dim=0", X=X)
        if _close(got, expected * math.sqrt(n / (n - 1))):
            fail(f"{CALL} divided by the biased standard deviation: use the unbiased one, "
                 f"sqrt(sum of squared deviations / (n - 1))", X=X)
        centered = X - X.mean(dim=0, keepdim=True)
        if _close(got, centered / centered.pow(2).sum(dim=0, keepdim=True) * (n - 1)) or \
                _close(got, centered / centered.pow(2).sum(dim=0, keepdim=True) * n):
            fail(f"{CALL} divided by the variance: divide by the standard deviation, its square root", X=X)
        if _close(got, X / (centered.pow(2).sum(dim=0, keepdim=True) / (n - 1)).sqrt()):
            fail(f"{CALL} did not subtract the column means: Z = (X - mean) / std", X=X)
    # float32 allows for the one-pass formula (sum of squares - n mean ** 2), less accurate but correct
    rtol, atol = (1e-3, 1e-4) if X.dtype == torch.float32 else (1e-7, 1e-7)
    expect_close(got, expected, CALL, rtol=rtol, atol=atol, X=X)


@points(2)
@given(X=_spread())
def test_matches_reference(student, device, X):
    """standardize_columns(X) equals the reference on float32/float64, square and non-contiguous inputs."""
    X = X.to(device)
    _expect_standardized(student.standardize_columns(X), X)


@points(1)
@given(X=_spread(square=True))
def test_square_inputs(student, X):
    """On square matrices each column (not each row) gets mean 0 and standard deviation 1."""
    Z = student.standardize_columns(X)
    _expect_standardized(Z, X)
    expect(bool(Z.mean(dim=0).abs().max() < 1e-4), f"the columns of {CALL} should have mean 0", X=X)


@points(1)
@given(X=_spread())
def test_does_not_modify_input(student, X):
    """standardize_columns(X) is correct and leaves X unchanged."""
    before = X.clone()
    result = student.call("standardize_columns", X, return_args=True)
    _expect_standardized(result.value, before)
    expect(torch.equal(result.args[0], before),
           f"{CALL} modified its input X in place (X -= ... or X /= ...): compute on new tensors", X=before)
