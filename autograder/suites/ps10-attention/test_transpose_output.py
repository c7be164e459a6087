"""Hidden suite for transpose_output(X, num_heads): the inverse of transpose_qkv."""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.strategies import dtypes, tensors
from autograder.suite import expect_close, fail, points

CALL = "transpose_output(X, num_heads)"


@st.composite
def problems(draw, noncontiguous=False):
    B, n, H, d = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 3))
    if draw(st.booleans()):
        B = n = H
    X = draw(tensors((B * H, n, d), dtype=draw(dtypes()), noncontiguous=noncontiguous))
    return X, H


def check(student, X, H):
    got = student.transpose_output(X, H)
    expected = d2l.transpose_output(X, H)
    if isinstance(got, torch.Tensor) and got.shape == expected.shape and not torch.equal(got.cpu(), expected.cpu()):
        if torch.equal(got.cpu(), X.reshape(expected.shape).cpu()):
            fail(f"{CALL} reshaped X without moving the head axis back: reshape to (B, H, n, d), permute to "
                 f"(B, n, H, d), then reshape to (B, n, H * d)", X=X, num_heads=H)
    expect_close(got, expected, CALL, X=X, num_heads=H)


@points(2)
@settings(max_examples=8)
@given(problem=problems())
def test_matches_reference(student, device, problem):
    """transpose_output undoes transpose_qkv: head j of sequence b goes back to features j*d .. (j+1)*d - 1."""
    X, H = problem
    check(student, X.to(device), H)


@points(1)
@settings(max_examples=5)
@given(problem=problems(noncontiguous=True))
def test_noncontiguous_input(student, problem):
    """A non-contiguous X (the output of a batched matmul may be one) works too: use reshape, not view."""
    check(student, *problem)
