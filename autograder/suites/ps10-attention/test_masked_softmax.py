"""Hidden suite for masked_softmax(X, valid_lens): -1e6 fill, 1-D and 2-D lengths, pure."""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.strategies import dtypes, tensors
from autograder.suite import expect, expect_close, fail, points
from _ps10_helpers import valid_lens

CALL = "masked_softmax(X, valid_lens)"


@st.composite
def problems(draw, kind=None, dtype=None, min_len=0):
    B, Q, K = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 6))
    if draw(st.booleans()):
        Q = K  # square scores, to catch masking along the wrong axis
    X = draw(tensors((B, Q, K), dtype=dtype or draw(dtypes()), min_value=-5.0, max_value=5.0))
    return X, draw(valid_lens(B, Q, K, kind=kind, min_len=min_len))


def check(student, X, lens, call=CALL):
    got = student.masked_softmax(X, lens)
    expected = d2l.masked_softmax(X, lens)
    if isinstance(got, torch.Tensor) and got.shape == expected.shape and torch.isnan(got).any():
        fail(f"{call} returned NaN: fill the masked scores with -1e6, not -inf (a valid length of 0 masks "
             f"every key)", X=X, valid_lens=lens)
    expect_close(got, expected, call, X=X, valid_lens=lens)


@points(2)
@settings(max_examples=8)
@given(problem=problems(kind="1d"))
def test_one_length_per_sequence(student, device, problem):
    """valid_lens of shape (B,): sequence b keeps its first valid_lens[b] keys for every query."""
    X, lens = problem
    check(student, X.to(device), lens.to(device))


@points(2)
@settings(max_examples=8)
@given(problem=problems(kind="2d"))
def test_one_length_per_query(student, device, problem):
    """valid_lens of shape (B, Q): each query has its own valid length."""
    X, lens = problem
    check(student, X.to(device), lens.to(device))


@points(1)
@settings(max_examples=5)
@given(problem=problems(kind="none"))
def test_no_mask(student, problem):
    """valid_lens None is a plain softmax over the last axis."""
    check(student, *problem)


@points(1)
def test_valid_length_zero(student):
    """A valid length of 0 gives uniform weights 1/K (the -1e6 fill), not NaN."""
    X = torch.tensor([[[1.0, 2.0, 3.0], [0.0, -1.0, 4.0]], [[2.0, 0.0, 1.0], [5.0, 5.0, -5.0]]])
    check(student, X, torch.tensor([0, 2]))
    check(student, X, torch.tensor([[1, 0], [0, 3]]))


@points(1)
@settings(max_examples=5)
@given(problem=problems(min_len=0))
def test_does_not_modify_input(student, problem):
    """The result is correct and X and valid_lens are left unchanged (the book's version writes into X)."""
    X, lens = problem
    X = X.contiguous()
    before, lens_before = X.clone(), None if lens is None else lens.clone()
    result = student.call("masked_softmax", X, lens, return_args=True)
    expect_close(result.value, d2l.masked_softmax(before, lens_before), CALL, X=before, valid_lens=lens_before)
    expect(torch.equal(result.args[0], before),
           f"{CALL} modified X in place (X.reshape(...) shares X's memory, so X[~mask] = -1e6 writes into the "
           f"caller's X): use X.masked_fill(~mask, -1e6) or torch.where, which return a new tensor",
           X=before, valid_lens=lens_before)
    if lens is not None:
        expect(torch.equal(result.args[1], lens_before), f"{CALL} modified valid_lens in place",
               X=before, valid_lens=lens_before)


def _gradient(ns, X, lens, G):
    """the gradient of (masked_softmax(X, valid_lens) * G).sum() with respect to X"""
    X = X.clone().requires_grad_(True)
    (ns["masked_softmax"](X, lens) * G).sum().backward()
    return X.grad


@points(1)
@settings(max_examples=5)
@given(problem=problems(dtype=torch.float64, min_len=1), data=st.data())
def test_gradient(student, problem, data):
    """Autograd through masked_softmax gives the reference gradient (float64); masked keys get none."""
    X, lens = problem
    G = data.draw(tensors(tuple(X.shape), dtype=torch.float64))
    expected = X.clone().requires_grad_(True)
    (d2l.masked_softmax(expected, lens) * G).sum().backward()
    expect_close(student.run(_gradient, X, lens, G), expected.grad,
                 "the gradient of (masked_softmax(X, valid_lens) * G).sum()", X=X, valid_lens=lens, G=G)
