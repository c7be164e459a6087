"""Hidden suite for corr2d_multi_in_out_1x1(X, K): X (c_i, h, w), K (c_o, c_i, 1, 1) -> (c_o, h, w),
the 1x1 convolution as the matrix product K (c_o, c_i) @ X (c_i, h * w)."""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.suite import fail, points

from _ps06_helpers import check_gradients, close, expect_values, image_and_kernel, images, run

CALL = "corr2d_multi_in_out_1x1(X, K)"
REPLACE = ("corr2d", "corr2d_multi_in", "corr2d_multi_in_out")  # correct versions, in case the student reuses them


@st.composite
def cases(draw, square_channels=False, dtype=None, non_square_image=False):
    c_i = draw(st.integers(2, 4) if square_channels else st.integers(1, 4))
    c_o = c_i if square_channels else draw(st.integers(1, 4))
    X, K = draw(image_and_kernel(dtype=dtype, channels_in=c_i, channels_out=c_o, kernel=lambda h, w: (1, 1)))
    if non_square_image and X.shape[1] == X.shape[2]:
        X = torch.cat([X, X[:, :, :1]], dim=2)
    return X, K


def expect_1x1(got, X, K):
    expected = d2l.corr2d_multi_in_out_1x1(X, K)
    inputs = dict(X=X, K=K)
    terms = X.shape[0]
    c_o, c_i = K.shape[:2]
    if isinstance(got, torch.Tensor) and got.shape != expected.shape:
        fail(f"{CALL} returned shape {tuple(got.shape)}, expected (c_o, h, w) = {tuple(expected.shape)}: reshape "
             f"the (c_o, h * w) product back to (c_o, h, w)", **inputs)
    if not close(got, expected, terms):
        if c_o == c_i > 1 and close(got, d2l.corr2d_multi_in_out_1x1(X, K.transpose(0, 1)), terms):
            fail(f"{CALL} used K transposed: K[o, c, 0, 0] weighs input channel c in output channel o, so multiply "
                 f"K.reshape(c_o, c_i) @ X.reshape(c_i, h * w)", **inputs)
        h, w = X.shape[1:]
        if h != w and isinstance(got, torch.Tensor) and got.shape == expected.shape:
            scrambled = expected.transpose(1, 2).reshape(c_o, h, w)
            if close(got, scrambled, terms):
                fail(f"{CALL} put the pixels back in the wrong order: reshape the product to (c_o, h, w) directly "
                     f"(X.reshape(c_i, h * w) keeps the row-major order of the pixels)", **inputs)
    expect_values(got, expected, CALL, terms, **inputs)


@points(2)
@settings(max_examples=12)
@given(case=cases())
def test_matches_reference(student, device, case):
    """The 1x1 convolution equals the reference on float32/float64, non-contiguous inputs and any device."""
    X, K = (t.to(device) for t in case)
    expect_1x1(run(student, "corr2d_multi_in_out_1x1", X, K, replace=REPLACE, call=CALL)["value"], X, K)


@points(1)
@settings(max_examples=8)
@given(case=cases(square_channels=True))
def test_as_many_outputs_as_inputs(student, case):
    """With c_o == c_i, K[o, c] weighs input channel c in output channel o (not the transpose)."""
    X, K = case
    expect_1x1(run(student, "corr2d_multi_in_out_1x1", X, K, replace=REPLACE, call=CALL)["value"], X, K)


@points(1)
@settings(max_examples=8)
@given(case=cases(non_square_image=True))
def test_non_square_images(student, case):
    """On h != w images every pixel keeps its place (the reshape back to (c_o, h, w) is right)."""
    X, K = case
    expect_1x1(run(student, "corr2d_multi_in_out_1x1", X, K, replace=REPLACE, call=CALL)["value"], X, K)


@points(1)
@settings(max_examples=6)
@given(case=cases(dtype=torch.float64), data=st.data())
def test_gradient(student, case, data):
    """Autograd through the 1x1 convolution gives the reference gradients for X and K (float64)."""
    X, K = case
    G = data.draw(images((K.shape[0],) + tuple(X.shape[1:]), dtype=torch.float64))
    result = run(student, "corr2d_multi_in_out_1x1", X, K, grad_of=(0, 1), G=G, call=CALL, replace=REPLACE)
    expect_1x1(result["value"], X, K)
    Xr, Kr = X.clone().requires_grad_(True), K.clone().requires_grad_(True)
    (d2l.corr2d_multi_in_out_1x1(Xr, Kr) * G).sum().backward()
    check_gradients(result, (Xr.grad, Kr.grad), ("X", "K"), CALL, X=X, K=K, G=G)
