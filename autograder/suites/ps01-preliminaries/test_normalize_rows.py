"""Hidden suite for normalize_rows(X): X / X.sum(dim=1, keepdim=True) for a 2-D X with positive entries."""
import torch
from hypothesis import given

import d2lkit as d2l
from autograder.strategies import matrices
from autograder.suite import Failure, expect, expect_close, fail, points

CALL = "normalize_rows(X)"


def _positive(**kwargs):
    """Matrices with entries in [0.1, 10], so that no row sums to (nearly) zero."""
    return matrices(min_value=0.1, max_value=10.0, **kwargs)


def _call(student, X):
    try:
        return student.normalize_rows(X)
    except Failure as failure:
        if "must match the size of tensor" in str(failure):
            fail(f"{CALL} divided an (n, d) matrix by a tensor of shape (n,), which broadcasts against the "
                 f"columns: sum with keepdim=True (X.sum(dim=1, keepdim=True) has shape (n, 1)).\n{failure}", X=X)
        raise


def _expect_normalised(got, X):
    expected = d2l.normalize_rows(X)
    if isinstance(got, torch.Tensor) and got.shape == expected.shape and got.dtype == X.dtype \
            and got.device == X.device and not torch.allclose(got, expected, rtol=1e-4, atol=1e-5):
        if X.shape[0] == X.shape[1] and torch.allclose(got, X / X.sum(dim=1), rtol=1e-4, atol=1e-5):
            fail(f"{CALL} divided column j by the sum of row j: X.sum(dim=1) has shape (n,), which broadcasts "
                 f"along the rows; keep the summed axis with X.sum(dim=1, keepdim=True) (shape (n, 1))", X=X)
        if torch.allclose(got, X / X.sum(dim=0, keepdim=True), rtol=1e-4, atol=1e-5) \
                or torch.allclose(got, X / X.sum(dim=0), rtol=1e-4, atol=1e-5):
            fail(f"{CALL} divided by the column sums: the rows must sum to 1, so sum over dim=1 "
                 f"(X.sum(dim=1, keepdim=True))", X=X)
        if torch.allclose(got, X / X.sum(), rtol=1e-4, atol=1e-5):
            fail(f"{CALL} divided by the sum of the whole matrix: divide each row by its own sum "
                 f"(X.sum(dim=1, keepdim=True))", X=X)
    expect_close(got, expected, CALL, X=X)


@points(3)
@given(X=_positive())
def test_matches_reference(student, device, X):
    """normalize_rows(X) equals X / X.sum(dim=1, keepdim=True) on float32/float64, square and non-contiguous inputs."""
    X = X.to(device)
    _expect_normalised(_call(student, X), X)


@points(1)
@given(X=_positive(min_rows=2, min_cols=2, square=True))
def test_square_inputs(student, X):
    """On square matrices each row (not each column) of the result sums to 1."""
    got = _call(student, X)
    _expect_normalised(got, X)
    expect(bool((got.sum(dim=1) - 1).abs().max() < 1e-4), f"the rows of {CALL} should each sum to 1", X=X)


@points(1)
@given(X=_positive())
def test_does_not_modify_input(student, X):
    """normalize_rows(X) is correct and leaves X unchanged."""
    before = X.clone()
    result = student.call("normalize_rows", X, return_args=True)
    _expect_normalised(result.value, before)
    expect(torch.equal(result.args[0], before),
           f"{CALL} modified its input X in place (X /= ... or X.div_): return a new tensor, X / row_sums", X=before)
