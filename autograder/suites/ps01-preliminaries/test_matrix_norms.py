"""Hidden suite for matrix_norms(X): (row-wise L1 norms (n,), row-wise L2 norms (n,), Frobenius norm ()) of X (n, d)."""
import torch
from hypothesis import given

import d2lkit as d2l
from autograder.strategies import matrices
from autograder.suite import describe, expect, expect_close, fail, points

CALL = "matrix_norms(X)"


def _close(a, b):
    return (isinstance(a, torch.Tensor) and a.shape == b.shape and a.dtype == b.dtype and a.device == b.device
            and torch.allclose(a.detach(), b, rtol=1e-4, atol=1e-5))


def _unpack(got, X):
    if not (isinstance(got, (tuple, list)) and len(got) == 3):
        fail(f"{CALL} should return a tuple (l1, l2, fro) of three tensors, but returned {describe(got)}", X=X)
    return got


def _expect_rows(got, expected, which, X):
    """l1 or l2 (index 0 or 1) of the result, with the typical bugs named."""
    name = ("l1", "l2")[which]
    if isinstance(got, torch.Tensor) and not _close(got, expected):
        columns = d2l.matrix_norms(X.T)[which]
        if _close(got, columns) or (got.dim() == 1 and len(got) == X.shape[1] != X.shape[0]):
            fail(f"{CALL} returned the {name} norms of the columns: {name}[i] is the norm of row i, so reduce "
                 f"over dim=1 (the feature axis)", X=X)
        if which == 0 and _close(got, X.sum(dim=1)):
            fail(f"{CALL} returned the row sums as l1: the L1 norm sums the absolute values, |X|.sum(dim=1)", X=X)
        if which == 1 and _close(got, expected ** 2):
            fail(f"{CALL} returned the sums of squares as l2: take their square root", X=X)
        if which == 1 and _close(got, X.abs().sum(dim=1).sqrt()):
            fail(f"{CALL} returned the square root of the L1 norm as l2: square the entries before summing", X=X)
    expect_close(got, expected, f"{name} of {CALL}", X=X)


@points(2)
@given(X=matrices())
def test_row_l1_norms(student, device, X):
    """l1[i] is the sum of |X[i, k]| over k, shape (n,), on float32/float64, square and non-contiguous inputs."""
    X = X.to(device)
    got = _unpack(student.matrix_norms(X), X)
    _expect_rows(got[0], d2l.matrix_norms(X)[0], 0, X)


@points(2)
@given(X=matrices())
def test_row_l2_norms(student, device, X):
    """l2[i] is sqrt of the sum of X[i, k] ** 2 over k, shape (n,), on float32/float64 and square inputs."""
    X = X.to(device)
    got = _unpack(student.matrix_norms(X), X)
    _expect_rows(got[1], d2l.matrix_norms(X)[1], 1, X)


@points(1)
@given(X=matrices())
def test_frobenius_norm(student, device, X):
    """fro is the 0-dim tensor sqrt of the sum of all X[i, k] ** 2."""
    X = X.to(device)
    fro = _unpack(student.matrix_norms(X), X)[2]
    expected = d2l.matrix_norms(X)[2]
    if isinstance(fro, torch.Tensor) and fro.shape != () and fro.numel() == 1:
        fail(f"{CALL} returned fro with shape {tuple(fro.shape)}: it should be a 0-dim tensor (shape ()), what "
             f"summing over all elements gives, e.g. (X ** 2).sum().sqrt()", X=X)
    if isinstance(fro, torch.Tensor) and fro.shape == () and not _close(fro, expected):
        l2 = d2l.matrix_norms(X)[1]
        if _close(fro, l2.sum()):
            fail(f"{CALL} returned the sum of the row L2 norms as fro: the Frobenius norm is the square root of "
                 f"the sum of ALL squared entries", X=X)
        if _close(fro, expected ** 2):
            fail(f"{CALL} returned the sum of squares as fro: take its square root", X=X)
    expect_close(fro, expected, f"fro of {CALL}", X=X)


@points(1)
@given(X=matrices())
def test_does_not_modify_input(student, X):
    """matrix_norms(X) is correct and leaves X unchanged."""
    before = X.clone()
    result = student.call("matrix_norms", X, return_args=True)
    expected = d2l.matrix_norms(before)
    got = _unpack(result.value, before)
    for index, name in enumerate(("l1", "l2", "fro")):
        expect_close(got[index], expected[index], f"{name} of {CALL}", X=before)
    expect(torch.equal(result.args[0], before),
           f"{CALL} modified its input X in place (X.abs_(), X **= 2 or X.pow_): use X.abs(), X ** 2, which make "
           f"new tensors", X=before)
