"""Hidden suite for get_k_fold_data(k, i, X, y) -> (X_train, y_train, X_valid, y_valid).

Folds: fold_size = n // k; fold j < k - 1 is rows [j * fold_size, (j + 1) * fold_size);
the last fold holds every remaining row [(k - 1) * fold_size, n). Training rows keep their order.
"""
import torch
from hypothesis import assume, given, settings, strategies as st

import d2lkit as d2l
from autograder.strategies import dtypes, tensors
from autograder.suite import describe, expect, expect_close, fail, points

NAMES = ("X_train", "y_train", "X_valid", "y_valid")


@st.composite
def splits(draw, uneven=None, last=False, dtype=None):
    k = draw(st.integers(2, 5))
    n = draw(st.integers(k, 14))
    if uneven is not None:
        assume((n % k != 0) == uneven)
    i = k - 1 if last else draw(st.integers(0, k - 1))
    d = draw(st.integers(1, 3))
    X = draw(tensors((n, d), dtype=dtype, min_value=-5.0, max_value=5.0))
    y = draw(tensors(draw(st.sampled_from([(n,), (n, 1)])), dtype=dtype, min_value=-5.0, max_value=5.0,
                     noncontiguous=False))
    return k, i, X, y


def _book(k, i, X, y):
    """The book's version: the n % k last rows belong to no fold."""
    fold_size = X.shape[0] // k
    parts = [(X[j * fold_size:(j + 1) * fold_size], y[j * fold_size:(j + 1) * fold_size]) for j in range(k)]
    train = [p for j, p in enumerate(parts) if j != i]
    return (torch.cat([p[0] for p in train]), torch.cat([p[1] for p in train]), parts[i][0], parts[i][1])


def _chunked(k, i, X, y):
    """torch.chunk folds: ceil(n / k) rows each, the last one smaller."""
    xs, ys = X.chunk(k), y.chunk(k)
    if i >= len(xs):
        return None
    return (torch.cat([x for j, x in enumerate(xs) if j != i]), torch.cat([t for j, t in enumerate(ys) if j != i]),
            xs[i], ys[i])


def _same(got, expected):
    return (isinstance(got, (tuple, list)) and len(got) == 4 and expected is not None and
            all(isinstance(g, torch.Tensor) and g.shape == e.shape and torch.equal(g.cpu(), e.cpu())
                for g, e in zip(got, expected)))


def expect_split(got, k, i, X, y):
    call = f"get_k_fold_data({k}, {i}, X, y)"
    inputs = dict(X=X, y=y)
    expected = d2l.get_k_fold_data(k, i, X, y)
    if not (isinstance(got, (tuple, list)) and len(got) == 4):
        fail(f"{call} should return four tensors (X_train, y_train, X_valid, y_valid), but returned "
             f"{describe(got)}", **inputs)
    n, fold_size = X.shape[0], X.shape[0] // k
    if n % k and not _same(got, expected):
        if _same(got, _book(k, i, X, y)):
            fail(f"{call} drops the last {n % k} row(s) (n = {n} is not a multiple of k = {k}): the last fold "
                 f"must hold every remaining row, rows {(k - 1) * fold_size} to {n - 1}", **inputs)
        if _same(got, _chunked(k, i, X, y)):
            fail(f"{call} uses folds of ceil(n / k) rows (torch.chunk); the folds have n // k = {fold_size} "
                 f"rows each and the last one takes the remainder", **inputs)
    if _same(got, (torch.cat([X[:0], X]), torch.cat([y[:0], y]), expected[2], expected[3])):
        fail(f"{call} keeps the validation fold in the training set; train on the other folds only", **inputs)
    for j in range(k):
        if j != i and _same(got, d2l.get_k_fold_data(k, j, X, y)):
            fail(f"{call} returned fold {j} as the validation set; it must be fold {i} "
                 f"(rows {i * fold_size} to {n - 1 if i == k - 1 else (i + 1) * fold_size - 1})", **inputs)
    for name, g, e in zip(NAMES, got, expected):
        expect_close(g, e, f"{name} of {call}", **inputs)


@points(2)
@given(split=splits())
def test_matches_reference(student, device, split):
    """The four parts equal the reference's (values, shapes, dtype, device), for y of shape (n,) or (n, 1)."""
    k, i, X, y = split
    X, y = X.to(device), y.to(device)
    expect_split(student.get_k_fold_data(k, i, X, y), k, i, X, y)


@points(1)
@settings(max_examples=12)
@given(split=splits(uneven=True, last=True))
def test_uneven_last_fold(student, split):
    """When k does not divide n, the last fold takes the remainder: n - (k - 1) * (n // k) rows."""
    k, i, X, y = split
    expect_split(student.get_k_fold_data(k, i, X, y), k, i, X, y)


def _all_folds(ns, k, X, y):
    """get_k_fold_data(k, i, X, y) for every i = 0, ..., k - 1"""
    return [ns["get_k_fold_data"](k, i, X, y) for i in range(k)]


@points(1)
@settings(max_examples=12)
@given(k=st.integers(2, 5), extra=st.integers(0, 4), dtype=dtypes())
def test_covers_every_example(student, k, extra, dtype):
    """Over i = 0..k-1 the validation folds use every row exactly once, and train + valid is always all rows."""
    n = 2 * k + extra
    X = torch.arange(n, dtype=dtype).reshape(n, 1) * torch.tensor([1.0, -1.0], dtype=dtype)
    y = torch.arange(n, dtype=dtype) + 100
    folds = student.run(_all_folds, k, X, y)
    seen = []
    for i, got in enumerate(folds):
        expect_split(got, k, i, X, y)
        seen += got[2][:, 0].tolist()
    expect(sorted(seen) == list(range(n)), f"the validation folds over i = 0..{k - 1} hold the rows "
                                           f"{sorted(seen)}, expected each of 0..{n - 1} once", X=X, y=y)


@points(1)
@settings(max_examples=12)
@given(split=splits())
def test_does_not_modify_inputs(student, split):
    """get_k_fold_data is correct and leaves X and y unchanged."""
    k, i, X, y = split
    before = (X.clone(), y.clone())
    result = student.call("get_k_fold_data", k, i, X, y, return_args=True)
    expect_split(result.value, k, i, *before)
    for name, old, new in zip("Xy", before, result.args[2:]):
        expect(isinstance(new, torch.Tensor) and torch.equal(new, old),
               f"get_k_fold_data({k}, {i}, X, y) modified {name} in place; return new tensors", X=before[0],
               y=before[1])
