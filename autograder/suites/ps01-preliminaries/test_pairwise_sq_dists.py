"""Hidden suite for pairwise_sq_dists(X, Y): D[i, j] = ||X[i] - Y[j]||^2, (n, d) and (m, d) -> (n, m), no loops.

Both correct styles are accepted: broadcasting (exact up to rounding) and the
expansion ||x||^2 + ||y||^2 - 2 x.y, whose rounding error grows with the
squared norms of the rows; the tolerance includes that term.
"""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.strategies import dtypes, tensors
from autograder.suite import Failure, describe, expect, expect_tensor_like, fail, points

CALL = "pairwise_sq_dists(X, Y)"


@st.composite
def _pairs(draw, square=None, max_size=6, dtype=None):
    """(X, Y) of shapes (n, d) and (m, d); with square=True, n = m = d (transposes go unnoticed otherwise)."""
    dtype = dtype or draw(dtypes())
    if square is None:
        square = draw(st.booleans())
    if square:
        n = m = d = draw(st.integers(1, max_size))
    else:
        n, m, d = (draw(st.integers(1, max_size)) for _ in range(3))
    X = draw(tensors((n, d), dtype=dtype, min_value=-5.0, max_value=5.0))
    Y = draw(tensors((m, d), dtype=dtype, min_value=-5.0, max_value=5.0))
    if m > 1 and draw(st.booleans()):  # a row of Y equal to a row of X: a distance of exactly 0
        Y = Y.clone()
        Y[0] = X[0]
    return X, Y


def _expect_distances(got, X, Y):
    expected = d2l.pairwise_sq_dists(X, Y)
    n, m = expected.shape
    if isinstance(got, torch.Tensor) and tuple(got.shape) != (n, m):
        if tuple(got.shape) == (m, n):
            fail(f"{CALL} returned shape {(m, n)}, expected {(n, m)}: row i of the result belongs to X[i], "
                 f"column j to Y[j]", X=X, Y=Y)
        if got.dim() == 1:
            fail(f"{CALL} returned shape {tuple(got.shape)}, expected {(n, m)}: X - Y only pairs row i of X with "
                 f"row i of Y; insert axes (X[:, None, :] - Y[None, :, :]) so that every row of X meets every "
                 f"row of Y", X=X, Y=Y)
        if got.dim() == 3:
            fail(f"{CALL} returned shape {tuple(got.shape)}: sum the squared differences over the last "
                 f"(feature) axis to get shape {(n, m)}", X=X, Y=Y)
    expect_tensor_like(got, expected, CALL, X=X, Y=Y)
    exact = expected.double()
    scale = (X.double() ** 2).sum(dim=1)[:, None] + (Y.double() ** 2).sum(dim=1)[None, :]
    eps = torch.finfo(X.dtype).eps
    bound = 1e-5 if X.dtype == torch.float32 else 1e-10
    allowed = bound + 4 * eps * exact.abs() + 32 * eps * scale.to(exact.device)
    error = (got.detach().double() - exact).abs()
    if torch.isnan(error).any() or (error > allowed).any():
        if X.shape[0] == X.shape[1] == Y.shape[0] and got.shape == expected.shape:
            swapped = d2l.pairwise_sq_dists(X.T, Y.T)
            if torch.allclose(got.detach().double(), swapped.double(), rtol=1e-4, atol=1e-4):
                fail(f"{CALL} compared columns instead of rows: D[i, j] compares the row X[i] with the row Y[j] "
                     f"(sum over the feature axis, the last one)", X=X, Y=Y)
        if n == m and n > 1 and torch.allclose(got.detach().double(), exact.T, rtol=1e-4, atol=1e-4):
            fail(f"{CALL} returned the transpose of D: row i of the result belongs to X[i], column j to Y[j]",
                 X=X, Y=Y)
        if torch.allclose(got.detach().double(), exact.sqrt(), rtol=1e-4, atol=1e-4):
            fail(f"{CALL} returned the distances, not their squares: do not take the square root", X=X, Y=Y)
        index = tuple(int(i) for i in torch.unravel_index((error - allowed).argmax(), error.shape))
        fail(f"{CALL} is wrong: at index {index} expected {exact[index].item():.6g}, got "
             f"{got[index].item():.6g} (error {error[index].item():.3g}); D[i, j] is the sum over k of "
             f"(X[i, k] - Y[j, k]) ** 2\n  expected = {describe(expected)}\n  got = {describe(got)}", X=X, Y=Y)


def _call(student, first, second, **inputs):
    try:
        return student.pairwise_sq_dists(first, second)
    except Failure as failure:
        if "timed out" in str(failure):
            fail(f"{failure}\n{CALL} is far too slow for n = m = {len(first)}: do not loop over pairs of rows in "
                 f"Python; broadcast X[:, None, :] - Y[None, :, :] (shape (n, m, d)) and sum over the last axis, "
                 f"or use one matrix product X @ Y.T", **inputs)
        raise


@points(3)
@given(pair=_pairs())
def test_matches_reference(student, device, pair):
    """pairwise_sq_dists(X, Y) equals the reference for float32/float64, square and non-contiguous inputs."""
    X, Y = (t.to(device) for t in pair)
    _expect_distances(_call(student, X, Y, X=X, Y=Y), X, Y)


@points(2)
@settings(max_examples=1)
@given(dtype=dtypes(), data=st.data())
def test_fast_for_large_inputs(student, device, dtype, data):
    """With n = m = 1000 points the result is correct and comes well within the time limit (no Python loops)."""
    X = data.draw(tensors((1000, 8), dtype=dtype, min_value=-3.0, max_value=3.0, noncontiguous=False)).to(device)
    Y = data.draw(tensors((1000, 8), dtype=dtype, min_value=-3.0, max_value=3.0, noncontiguous=False)).to(device)
    _expect_distances(_call(student, X, Y, X_shape=tuple(X.shape), Y_shape=tuple(Y.shape)), X, Y)


@points(1)
@given(pair=_pairs())
def test_does_not_modify_inputs(student, pair):
    """pairwise_sq_dists(X, Y) is correct and leaves X and Y unchanged."""
    X, Y = pair
    before = (X.clone(), Y.clone())
    result = student.call("pairwise_sq_dists", X, Y, return_args=True)
    _expect_distances(result.value, *before)
    for name, old, new in zip("XY", before, result.args):
        expect(torch.equal(new, old), f"{CALL} modified its input {name} in place: compute on new tensors",
               X=before[0], Y=before[1])
