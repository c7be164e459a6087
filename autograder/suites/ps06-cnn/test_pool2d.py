"""Hidden suite for pool2d(X, pool_size, mode='max'): max or average pooling of X (h, w) with a (p_h, p_w)
window, stride 1 and no padding -> (h - p_h + 1, w - p_w + 1)."""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.suite import fail, points

from _ps06_helpers import check_gradients, check_unchanged, close, expect_values, image_and_kernel, images, run


@st.composite
def cases(draw, dtype=None, square_window=None):
    """(X, pool_size): X with distinct values (a unique maximum per window)."""
    X, K = draw(image_and_kernel(dtype=dtype, square_kernel=square_window))
    return X, tuple(K.shape)


def expect_pool(got, X, pool_size, mode, call):
    expected = d2l.pool2d(X, pool_size, mode)
    inputs = dict(X=X, pool_size=pool_size, mode=mode)
    p = pool_size[0] * pool_size[1]
    if isinstance(got, torch.Tensor) and got.shape != expected.shape:
        h, w = X.shape
        if tuple(got.shape) == (h - pool_size[1] + 1, w - pool_size[0] + 1):
            fail(f"{call} returned shape {tuple(got.shape)}, expected {tuple(expected.shape)}: the window has "
                 f"p_h = pool_size[0] rows and p_w = pool_size[1] columns", **inputs)
        fail(f"{call} returned shape {tuple(got.shape)}, expected (h - p_h + 1, w - p_w + 1) = "
             f"{tuple(expected.shape)} (stride 1, no padding)", **inputs)
    if not close(got, expected, p) and p > 1:
        other = d2l.pool2d(X, pool_size, "avg" if mode == "max" else "max")
        if close(got, other, p):
            fail(f"{call} computed {'average' if mode == 'max' else 'max'} pooling; mode={mode!r} asks for the "
                 f"window's {'maximum' if mode == 'max' else 'mean'}", **inputs)
        if mode == "avg" and close(got, expected * p, p):
            fail(f"{call} returned the window's sum; divide by the window size p_h * p_w (the mean)", **inputs)
    expect_values(got, expected, call, p, **inputs)


@points(2)
@settings(max_examples=12)
@given(case=cases(), default=st.booleans())
def test_max_pooling(student, device, case, default):
    """Max pooling (mode='max', also the default) equals the reference on float32/float64 and any device."""
    X, pool_size = case
    X = X.to(device)
    if default:
        expect_pool(student.pool2d(X, pool_size), X, pool_size, "max", f"pool2d(X, {pool_size})")
    else:
        expect_pool(student.pool2d(X, pool_size, "max"), X, pool_size, "max", f"pool2d(X, {pool_size}, 'max')")


@points(2)
@settings(max_examples=12)
@given(case=cases())
def test_average_pooling(student, device, case):
    """Average pooling (mode='avg') equals the reference on float32/float64 and any device."""
    X, pool_size = case
    X = X.to(device)
    expect_pool(student.pool2d(X, pool_size, "avg"), X, pool_size, "avg", f"pool2d(X, {pool_size}, 'avg')")


@points(1)
@settings(max_examples=8)
@given(case=cases(square_window=False), mode=st.sampled_from(["max", "avg"]))
def test_non_square_window(student, case, mode):
    """Non-square windows (p_h != p_w): rows use p_h and columns p_w."""
    X, pool_size = case
    expect_pool(student.pool2d(X, pool_size, mode), X, pool_size, mode, f"pool2d(X, {pool_size}, {mode!r})")


@points(1)
@settings(max_examples=8)
@given(case=cases(dtype=torch.float64), mode=st.sampled_from(["max", "avg"]), data=st.data())
def test_gradient_and_purity(student, case, mode, data):
    """Autograd through pool2d gives the reference gradient (float64), and X is not modified."""
    X, pool_size = case
    call = f"pool2d(X, {pool_size}, {mode!r})"
    G = data.draw(images(tuple(d2l.pool2d(X, pool_size).shape), dtype=torch.float64))
    result = run(student, "pool2d", X.clone(), pool_size, mode, grad_of=(0,), G=G, return_args=True, call=call)
    expect_pool(result["value"], X, pool_size, mode, call)
    check_unchanged(result, (X,), ("X",), call, X=X)
    Xr = X.clone().requires_grad_(True)
    (d2l.pool2d(Xr, pool_size, mode) * G).sum().backward()
    check_gradients(result, (Xr.grad,), ("X",), call, X=X, G=G)
