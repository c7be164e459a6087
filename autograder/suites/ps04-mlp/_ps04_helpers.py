"""Shared pieces of the ps04-mlp hidden suites: inputs and checks for elementwise activations."""
import torch
from hypothesis import strategies as st

from autograder.strategies import dtypes, tensors
from autograder.suite import describe, expect, expect_close, fail

SHAPES = st.one_of(st.tuples(st.integers(1, 12)), st.tuples(st.integers(1, 6), st.integers(1, 6)),
                   st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 4)))


@st.composite
def activation_inputs(draw, dtype=None, scale=6.0, zeros=False):
    """A float32/float64 tensor (1 to 3 dims, maybe non-contiguous) with values in [-scale, scale], maybe some 0s."""
    shape = draw(SHAPES)
    X = draw(tensors(shape, dtype=dtype, min_value=-scale, max_value=scale))
    if zeros:
        keep = draw(tensors(shape, dtype=torch.float64, min_value=0.0, max_value=1.0, noncontiguous=False)) < 0.6
        X = X * keep.to(X.dtype)
        X[(0,) * X.dim()] = 0.0  # at least one exact zero
    return X


def large_inputs(dtype):
    """Magnitudes where a naive exp overflows (float32 above about 88, float64 above about 709)."""
    values = [-1000.0, -800.0, -100.0, -90.0, -30.0, -1.0, 0.0, 1.0, 30.0, 90.0, 100.0, 800.0, 1000.0]
    return torch.tensor(values, dtype=dtype)


def activation_gradient(ns, name, X, G):
    """the gradient of (NAME(X) * G).sum() with respect to X (autograd)"""
    X = X.clone().requires_grad_(True)
    Y = ns[name](X)
    if not isinstance(Y, torch.Tensor):
        return f"returned {type(Y).__name__}, not a tensor"
    if not Y.requires_grad:
        return "returned a tensor that is not connected to X"
    if Y.shape != G.shape:
        return f"returned shape {tuple(Y.shape)} for X of shape {tuple(G.shape)}"
    (Y * G).sum().backward()
    if X.grad is None:
        return "gave no gradient for X"
    return X.grad


def reference_gradient(function, X, G):
    X = X.clone().requires_grad_(True)
    (function(X) * G).sum().backward()
    return X.grad


def student_gradient(student, name, X, G):
    got = student.run(activation_gradient, name, X, G, describe_as=f"({name}(X) * G).sum().backward()")
    if isinstance(got, str):
        fail(f"no gradient can flow through {name}(X): it {got}; compute the result from X with tensor "
             f"operations (no .item(), .detach(), .numpy(), torch.tensor(...) or torch.no_grad())", X=X)
    return got


def expect_values(got, expected, call, X, hint=""):
    """``got`` equals ``expected`` (shape, dtype, device, values); NaN/inf where the result is finite named."""
    if isinstance(got, torch.Tensor) and got.shape == expected.shape and got.dtype == expected.dtype \
            and got.device == expected.device and not torch.isfinite(got).all():
        bad = (~torch.isfinite(got.detach())).nonzero()[0].tolist()
        fail(f"{call} returned inf or NaN at index "
             f"{tuple(bad)} (X there is {X[tuple(bad)].item():g}) where the correct result is "
             f"{expected[tuple(bad)].item():g}{hint}", X=X)
    expect_close(got, expected, call, X=X)


def expect_unchanged(after, before, call):
    expect(isinstance(after, torch.Tensor) and after.shape == before.shape and torch.equal(after, before),
           f"{call} modified X in place (it is now {describe(after)}); compute on new tensors "
           f"(torch.exp(X), not X.exp_(); no X[...] = ...)", X=before)
