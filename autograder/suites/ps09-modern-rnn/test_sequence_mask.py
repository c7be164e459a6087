"""Hidden suite for sequence_mask(X, valid_len, value=0): positions t >= valid_len[b] set to value."""
import torch
from hypothesis import given, strategies as st

import d2lkit as d2l
from autograder.strategies import dtypes, tensors
from autograder.suite import describe, expect, expect_close, fail, points


@st.composite
def problems(draw, trailing=None, square=False):
    dtype = draw(dtypes())
    B = draw(st.integers(1, 5))
    T = B if square else draw(st.integers(1, 5))
    if trailing is None:
        trailing = draw(st.sampled_from([(), (2,), (3, 2)]))
    X = draw(tensors((B, T, *trailing), dtype=dtype))
    valid = torch.tensor(draw(st.lists(st.integers(0, T), min_size=B, max_size=B)))
    value = draw(st.sampled_from([0, -1e6, 0.5]))
    return X, valid, value


def _check(got, X, valid, value):
    call = f"sequence_mask(X, valid_len, value={value})"
    info = dict(X=X, valid_len=valid, value=value)
    expected = d2l.sequence_mask(X, valid, value)
    if isinstance(got, torch.Tensor) and got.shape == expected.shape and got.dtype == expected.dtype:
        le_mask = d2l.sequence_mask(X, (valid - 1).clamp(min=0), value)
        if torch.equal(got.cpu(), le_mask.cpu()) and not torch.equal(le_mask.cpu(), expected.cpu()):
            fail(f"{call} also masked step valid_len[b] - 1: keep steps t < valid_len[b] (compare with <, not <=)",
                 **info)
        if X.dim() == 2 and X.shape[0] == X.shape[1]:
            by_col = torch.where(torch.arange(X.shape[1])[:, None] < valid.cpu()[None, :], X.cpu(),
                                 torch.tensor(value, dtype=X.dtype))
            if torch.equal(got.cpu(), by_col) and not torch.equal(by_col, expected.cpu()):
                fail(f"{call} compared valid_len with the wrong axis: row b keeps its first valid_len[b] steps "
                     f"(arange(T)[None, :] < valid_len[:, None])", **info)
    expect_close(got, expected, call, **info)


@points(2)
@given(problem=problems())
def test_matches_reference(student, device, problem):
    """Entries at steps t >= valid_len[b] become value, on X's device and dtype, X of 2 or more dims."""
    X, valid, value = problem
    X, valid = X.to(device), valid.to(device)
    _check(student.sequence_mask(X, valid, value), X, valid, value)


@points(1)
@given(problem=problems(trailing=(), square=True))
def test_square_input(student, problem):
    """On square X (B == T) each ROW b keeps its first valid_len[b] entries."""
    X, valid, value = problem
    _check(student.sequence_mask(X, valid, value), X, valid, value)


@points(1)
@given(problem=problems())
def test_does_not_modify_X(student, problem):
    """The result is correct and X is left unchanged (return a new tensor)."""
    X, valid, value = problem
    before = X.clone()
    result = student.call("sequence_mask", X, valid, value, return_args=True)
    _check(result.value, before, valid, value)
    after = result.args[0]
    expect(isinstance(after, torch.Tensor) and torch.equal(after, before),
           f"sequence_mask(X, valid_len, value={value}) modified X in place (it is now {describe(after)}); build "
           f"the result with torch.where or on X.clone()", X=before, valid_len=valid)
