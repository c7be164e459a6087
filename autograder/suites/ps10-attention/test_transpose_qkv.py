"""Hidden suite for transpose_qkv(X, num_heads): (B, n, h) -> (B * H, n, h / H), head j of b at b * H + j."""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.strategies import dtypes, tensors
from autograder.suite import expect_close, fail, points

CALL = "transpose_qkv(X, num_heads)"


@st.composite
def problems(draw, noncontiguous=False):
    B, n, H, d = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 3))
    if draw(st.booleans()):
        B = n = H  # equal sizes, to catch axes swapped in the wrong order
    X = draw(tensors((B, n, H * d), dtype=draw(dtypes()), noncontiguous=noncontiguous))
    return X, H


def check(student, X, H):
    got = student.transpose_qkv(X, H)
    expected = d2l.transpose_qkv(X, H)
    if isinstance(got, torch.Tensor) and got.shape == expected.shape and not torch.equal(got.cpu(), expected.cpu()):
        if torch.equal(got.cpu(), X.reshape(expected.shape).cpu()):
            fail(f"{CALL} reshaped X without moving the head axis: reshape to (B, n, H, h/H), permute to "
                 f"(B, H, n, h/H), then reshape to (B * H, n, h/H)", X=X, num_heads=H)
    expect_close(got, expected, CALL, X=X, num_heads=H)


@points(2)
@settings(max_examples=8)
@given(problem=problems())
def test_matches_reference(student, device, problem):
    """Head j of sequence b lands at index b * H + j, holding features j*h/H .. (j+1)*h/H - 1."""
    X, H = problem
    check(student, X.to(device), H)


@points(1)
@settings(max_examples=5)
@given(problem=problems(noncontiguous=True))
def test_noncontiguous_input(student, problem):
    """A non-contiguous X (a transposed view) works too: use reshape, not view."""
    check(student, *problem)
