"""Hidden suite for corr2d_multi_in_out(X, K): X (c_i, h, w), K (c_o, c_i, kh, kw) -> (c_o, h', w'),
Y[o] = corr2d_multi_in(X, K[o]). Runs with correct corr2d and corr2d_multi_in swapped in."""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.suite import fail, points

from _ps06_helpers import check_gradients, close, expect_values, image_and_kernel, images, run

CALL = "corr2d_multi_in_out(X, K)"


@st.composite
def cases(draw, c_i=None, c_o=None, square_channels=False, dtype=None):
    c_in = c_i or draw(st.integers(1, 3))
    c_out = c_in if square_channels else (c_o or draw(st.integers(1, 3)))
    return draw(image_and_kernel(dtype=dtype, channels_in=c_in, channels_out=c_out, max_side=6))


def call_student(student, X, K, **options):
    return run(student, "corr2d_multi_in_out", X, K, replace=("corr2d", "corr2d_multi_in"), call=CALL, **options)


def expect_multi_in_out(got, X, K):
    expected = d2l.corr2d_multi_in_out(X, K)
    inputs = dict(X=X, K=K)
    terms = K[0].numel()
    c_o = K.shape[0]
    if isinstance(got, torch.Tensor) and got.shape != expected.shape:
        if tuple(got.shape) == tuple(expected.squeeze().shape):
            fail(f"{CALL} returned shape {tuple(got.shape)}: keep every dimension, (c_o, h - kh + 1, w - kw + 1) = "
                 f"{tuple(expected.shape)}, also when c_o or the output size is 1 (do not squeeze)", **inputs)
        if tuple(got.shape) == tuple(expected.shape[1:]):
            fail(f"{CALL} returned shape {tuple(got.shape)}: keep one output channel per kernel K[o] and stack "
                 f"them along dim 0 (shape {tuple(expected.shape)}), do not add them up or squeeze them", **inputs)
        fail(f"{CALL} returned shape {tuple(got.shape)}, expected (c_o, h - kh + 1, w - kw + 1) = "
             f"{tuple(expected.shape)}", **inputs)
    if not close(got, expected, terms) and K.shape[0] == K.shape[1] and c_o > 1:
        if close(got, d2l.corr2d_multi_in_out(X, K.transpose(0, 1)), terms):
            fail(f"{CALL} used K[:, o] for output channel o; K has shape (c_o, c_i, kh, kw), so output channel o "
                 f"uses K[o] (its c_i slices go with the c_i input channels)", **inputs)
    expect_values(got, expected, CALL, terms, **inputs)


@points(2)
@settings(max_examples=12)
@given(case=cases())
def test_matches_reference(student, device, case):
    """corr2d_multi_in_out equals the reference on float32/float64 and any device."""
    X, K = (t.to(device) for t in case)
    expect_multi_in_out(call_student(student, X, K)["value"], X, K)


@points(1)
@settings(max_examples=8)
@given(case=cases(square_channels=True, c_i=2) | cases(square_channels=True, c_i=3))
def test_as_many_outputs_as_inputs(student, case):
    """With c_o == c_i, output channel o uses the kernel K[o] (not K[:, o])."""
    X, K = case
    expect_multi_in_out(call_student(student, X, K)["value"], X, K)


@points(1)
@settings(max_examples=6)
@given(case=cases(c_o=1))
def test_single_output_channel(student, case):
    """With one output channel the result keeps its channel dim: shape (1, h', w')."""
    X, K = case
    expect_multi_in_out(call_student(student, X, K)["value"], X, K)


@points(1)
@settings(max_examples=6)
@given(case=cases(dtype=torch.float64), data=st.data())
def test_gradient(student, case, data):
    """Autograd through corr2d_multi_in_out gives the reference gradients for X and K (float64)."""
    X, K = case
    G = data.draw(images(tuple(d2l.corr2d_multi_in_out(X, K).shape), dtype=torch.float64))
    result = call_student(student, X, K, grad_of=(0, 1), G=G)
    expect_multi_in_out(result["value"], X, K)
    Xr, Kr = X.clone().requires_grad_(True), K.clone().requires_grad_(True)
    (d2l.corr2d_multi_in_out(Xr, Kr) * G).sum().backward()
    check_gradients(result, (Xr.grad, Kr.grad), ("X", "K"), CALL, X=X, K=K, G=G)
