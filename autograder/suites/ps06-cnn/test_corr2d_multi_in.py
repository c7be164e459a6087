"""Hidden suite for corr2d_multi_in(X, K): X (c_i, h, w), K (c_i, kh, kw) -> (h - kh + 1, w - kw + 1),
the sum over channels of corr2d(X[c], K[c]). Runs with a correct corr2d swapped in."""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.suite import fail, points

from _ps06_helpers import check_gradients, check_unchanged, close, expect_values, image_and_kernel, images, run

CALL = "corr2d_multi_in(X, K)"


def channels(draw_min=1, draw_max=4):
    return st.integers(draw_min, draw_max)


@st.composite
def cases(draw, c_i=None, dtype=None):
    c = c_i or draw(channels())
    return draw(image_and_kernel(dtype=dtype, channels_in=c, max_side=6))


def call_student(student, X, K, **options):
    return run(student, "corr2d_multi_in", X, K, replace=("corr2d",), call=CALL, **options)


def expect_multi_in(got, X, K):
    expected = d2l.corr2d_multi_in(X, K)
    inputs = dict(X=X, K=K)
    terms = K.numel()
    if isinstance(got, torch.Tensor) and got.shape != expected.shape:
        if tuple(got.shape) == (X.shape[0],) + tuple(expected.shape):
            fail(f"{CALL} returned shape {tuple(got.shape)}, one result per input channel; add them up (sum over "
                 f"the channels) to get shape {tuple(expected.shape)}", **inputs)
        fail(f"{CALL} returned shape {tuple(got.shape)}, expected (h - kh + 1, w - kw + 1) = "
             f"{tuple(expected.shape)}", **inputs)
    if X.shape[0] > 1 and not close(got, expected, terms):
        per_channel = torch.stack([d2l.corr2d(x, k) for x, k in zip(X, K)])
        if close(got, per_channel.mean(0), terms):
            fail(f"{CALL} averaged over the channels; ADD the per-channel cross-correlations", **inputs)
        if close(got, per_channel[0], terms) or close(got, per_channel[-1], terms):
            fail(f"{CALL} returned the cross-correlation of a single channel; add those of all {X.shape[0]} "
                 f"channels", **inputs)
    expect_values(got, expected, CALL, terms, **inputs)


@points(2)
@settings(max_examples=12)
@given(case=cases())
def test_matches_reference(student, device, case):
    """corr2d_multi_in equals the reference (sum over channels) on float32/float64 and any device."""
    X, K = (t.to(device) for t in case)
    expect_multi_in(call_student(student, X, K)["value"], X, K)


@points(1)
@settings(max_examples=6)
@given(case=cases(c_i=1))
def test_single_channel(student, case):
    """With one input channel the result is corr2d(X[0], K[0]), of shape (h', w') (no channel dim)."""
    X, K = case
    expect_multi_in(call_student(student, X, K)["value"], X, K)


@points(1)
@settings(max_examples=6)
@given(case=cases(dtype=torch.float64), data=st.data())
def test_gradient(student, case, data):
    """Autograd through corr2d_multi_in gives the reference gradients for X and K (float64)."""
    X, K = case
    G = data.draw(images(tuple(d2l.corr2d_multi_in(X, K).shape), dtype=torch.float64))
    result = call_student(student, X, K, grad_of=(0, 1), G=G)
    expect_multi_in(result["value"], X, K)
    Xr, Kr = X.clone().requires_grad_(True), K.clone().requires_grad_(True)
    (d2l.corr2d_multi_in(Xr, Kr) * G).sum().backward()
    check_gradients(result, (Xr.grad, Kr.grad), ("X", "K"), CALL, X=X, K=K, G=G)


@points(1)
@settings(max_examples=6)
@given(case=cases())
def test_does_not_modify_inputs(student, case):
    """corr2d_multi_in is correct and leaves X and K unchanged."""
    X, K = case
    result = call_student(student, X.clone(), K.clone(), return_args=True)
    expect_multi_in(result["value"], X, K)
    check_unchanged(result, (X, K), ("X", "K"), CALL, X=X, K=K)
