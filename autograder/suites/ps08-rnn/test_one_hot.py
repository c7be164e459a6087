"""Hidden suite for one_hot(X, vocab_size): batch-major (B, T) indices -> time-major float32 (T, B, vocab_size)."""
import torch
from hypothesis import given, strategies as st

import d2lkit as d2l
from autograder.suite import expect_close, fail, points


@st.composite
def indices(draw, square=False):
    B = draw(st.integers(1, 5))
    T = B if square else draw(st.integers(1, 5))
    V = draw(st.integers(1, 7))
    seed = draw(st.integers(0, 2**31 - 1))
    X = torch.randint(0, V, (B, T), generator=torch.Generator().manual_seed(seed))
    return X, V


def _expect(got, X, V):
    expected = d2l.one_hot(X, V)
    call = f"one_hot(X, {V})"
    if isinstance(got, torch.Tensor) and X.shape[0] != X.shape[1] and got.shape == (*X.shape, V):
        fail(f"{call} returned shape {tuple(got.shape)} (batch-major); return time-major (T, B, vocab_size): "
             f"encode X.T", X=X, vocab_size=V)
    if isinstance(got, torch.Tensor) and got.shape == expected.shape and got.dtype == torch.int64:
        fail(f"{call} returned int64; return float32 (the network multiplies it with float weights)",
             X=X, vocab_size=V)
    if (isinstance(got, torch.Tensor) and got.shape == expected.shape and got.dtype == expected.dtype
            and got.device == expected.device and torch.equal(got.cpu(), d2l.one_hot(X.T.contiguous(), V).cpu())
            and not torch.equal(got.cpu(), expected.cpu())):
        fail(f"{call} encodes X instead of X.T: entry [t, b] must encode X[b, t] (time-major output)",
             X=X, vocab_size=V)
    expect_close(got, expected, call, X=X, vocab_size=V)


@points(2)
@given(problem=indices())
def test_matches_reference(student, device, problem):
    """one_hot(X, vocab_size) is time-major float32 on X's device, with a 1 at [t, b, X[b, t]]."""
    X, V = problem
    X = X.to(device)
    _expect(student.one_hot(X, V), X, V)


@points(1)
@given(problem=indices(square=True))
def test_square_input(student, problem):
    """On square X (B == T) entry [t, b] still encodes X[b, t] (transpose before encoding)."""
    X, V = problem
    _expect(student.one_hot(X, V), X, V)
