"""Hidden suite for corr2d(X, K): 2-D cross-correlation, X (h, w), K (kh, kw) -> (h - kh + 1, w - kw + 1)."""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.suite import fail, points

from _ps06_helpers import check_gradients, check_unchanged, close, expect_values, image_and_kernel, images, run

CALL = "corr2d(X, K)"


def expect_corr2d(got, X, K):
    """``got`` is the reference cross-correlation; the typical mistakes get their own message."""
    expected = d2l.corr2d(X, K)
    h, w = X.shape
    kh, kw = K.shape
    terms = kh * kw
    inputs = dict(X=X, K=K)
    if isinstance(got, torch.Tensor) and got.shape != expected.shape:
        if got.shape == (h - kh, w - kw) or got.shape == (h - kh + 2, w - kw + 2):
            fail(f"{CALL} returned shape {tuple(got.shape)}, expected {tuple(expected.shape)}: the kernel fits "
                 f"h - kh + 1 times down and w - kw + 1 times across (check the range of your loops)", **inputs)
        if got.shape == expected.shape[::-1]:
            fail(f"{CALL} returned shape {tuple(got.shape)}, expected {tuple(expected.shape)}: the output has "
                 f"h - kh + 1 rows and w - kw + 1 columns (rows come from K.shape[0], columns from K.shape[1])",
                 **inputs)
        fail(f"{CALL} returned shape {tuple(got.shape)}, expected (h - kh + 1, w - kw + 1) = "
             f"{tuple(expected.shape)}", **inputs)
    if not close(got, expected, terms) and terms > 1 and close(got, d2l.corr2d(X, K.flip(0, 1)), terms):
        fail(f"{CALL} flipped the kernel (that is a convolution in the mathematical sense); cross-correlation "
             f"multiplies X[i + a, j + b] by K[a, b] with K as given", **inputs)
    expect_values(got, expected, CALL, terms, **inputs)


@points(2)
@settings(max_examples=15)
@given(case=image_and_kernel())
def test_matches_reference(student, device, case):
    """corr2d equals the reference on float32/float64, square and non-contiguous inputs, with X's dtype and device."""
    X, K = (t.to(device) for t in case)
    expect_corr2d(student.corr2d(X, K), X, K)


@points(1)
@settings(max_examples=10)
@given(case=image_and_kernel(square_kernel=False, max_side=8))
def test_non_square_kernel(student, case):
    """Non-square kernels (kh != kw) on non-square images: rows use kh, columns use kw."""
    X, K = case
    expect_corr2d(student.corr2d(X, K), X, K)


@points(1)
@settings(max_examples=10)
@given(case=image_and_kernel(kernel=lambda h, w: (1, 1)) | image_and_kernel(kernel=lambda h, w: (h, w)))
def test_one_by_one_and_full_size_kernels(student, case):
    """A 1x1 kernel scales X (output (h, w)); a kernel as large as X gives a 1x1 output."""
    X, K = case
    expect_corr2d(student.corr2d(X, K), X, K)


@points(1)
@settings(max_examples=8)
@given(case=image_and_kernel(dtype=torch.float64), data=st.data())
def test_gradient(student, case, data):
    """Autograd through corr2d gives the reference gradients with respect to X and K (float64)."""
    X, K = case
    G = data.draw(images((X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1), dtype=torch.float64))
    result = run(student, "corr2d", X, K, grad_of=(0, 1), G=G, call=CALL)
    expect_corr2d(result["value"], X, K)
    Xr, Kr = X.clone().requires_grad_(True), K.clone().requires_grad_(True)
    (d2l.corr2d(Xr, Kr) * G).sum().backward()
    check_gradients(result, (Xr.grad, Kr.grad), ("X", "K"), CALL, X=X, K=K, G=G)


@points(1)
@settings(max_examples=8)
@given(case=image_and_kernel())
def test_does_not_modify_inputs(student, case):
    """corr2d is correct and leaves X and K unchanged."""
    X, K = case
    result = run(student, "corr2d", X.clone(), K.clone(), return_args=True, call=CALL)
    expect_corr2d(result["value"], X, K)
    check_unchanged(result, (X, K), ("X", "K"), CALL, X=X, K=K)
