"""Hidden suite for corr2d_padded(X, K, padding=0, stride=1): zero padding on both sides of each axis, then
cross-correlation evaluated every s_h rows and s_w columns."""
import torch
from hypothesis import assume, given, settings, strategies as st

import d2lkit as d2l
from autograder.strategies import dtypes
from autograder.suite import fail, points

from _ps06_helpers import check_gradients, close, expect_values, images, pair, run

CALL = "corr2d_padded(X, K, padding, stride)"


@st.composite
def cases(draw, dtype=None, ints=False, asymmetric=False):
    """(X, K, padding, stride) with the kernel fitting in the padded input."""
    dtype = dtype or draw(dtypes())
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    if ints:
        pw, sw = ph, sh
    if asymmetric:
        assume(ph != pw and sh != sw and h != w)
    kh, kw = draw(st.integers(1, h + 2 * ph)), draw(st.integers(1, w + 2 * pw))
    X = draw(images((h, w), dtype=dtype))
    K = draw(images((kh, kw), dtype=dtype))
    return X, K, (ph if ints else (ph, pw)), (sh if ints else (sh, sw))


def padded(student, X, K, *args):
    """The student's corr2d_padded(X, K, *args), with a correct corr2d available to it."""
    call = "corr2d_padded(X, K, padding, stride)" if args else "corr2d_padded(X, K)"
    return run(student, "corr2d_padded", X, K, *args, replace=("corr2d",), call=call)["value"]


def expect_padded(got, X, K, padding, stride, call=CALL):
    expected = d2l.corr2d_padded(X, K, padding, stride)
    inputs = dict(X=X, K=K, padding=padding, stride=stride)
    (ph, pw), (sh, sw) = pair(padding), pair(stride)
    terms = K.numel()
    if isinstance(got, torch.Tensor) and got.shape != expected.shape:
        h, w = X.shape
        kh, kw = K.shape
        if tuple(got.shape) == ((h + ph - kh) // sh + 1, (w + pw - kw) // sw + 1):
            fail(f"{call} returned shape {tuple(got.shape)}, expected {tuple(expected.shape)}: pad p_h rows on top "
                 f"AND at the bottom, and p_w columns on the left AND on the right", **inputs)
        swapped = ((h + 2 * pw - kh) // sh + 1, (w + 2 * ph - kw) // sw + 1)
        if ph != pw and tuple(got.shape) == swapped:
            fail(f"{call} returned shape {tuple(got.shape)}, expected {tuple(expected.shape)}: the padding of the "
                 f"rows and of the columns are swapped (note that torch.nn.functional.pad's tuple starts with the "
                 f"LAST dimension: F.pad(X, (p_w, p_w, p_h, p_h)))", **inputs)
        if (sh, sw) != (1, 1) and tuple(got.shape) == d2l.conv_output_shape(X.shape, K.shape, padding, 1):
            fail(f"{call} returned shape {tuple(got.shape)}, expected {tuple(expected.shape)}: move the window by "
                 f"s_h rows and s_w columns (the stride), not by one", **inputs)
        fail(f"{call} returned shape {tuple(got.shape)}, expected ((h + 2 p_h - kh) // s_h + 1, "
             f"(w + 2 p_w - kw) // s_w + 1) = {tuple(expected.shape)}", **inputs)
    if not close(got, expected, terms) and terms > 1 and close(got, d2l.corr2d_padded(X, K.flip(0, 1), padding,
                                                                                        stride), terms):
        fail(f"{call} flipped the kernel; cross-correlation uses K as given", **inputs)
    expect_values(got, expected, call, terms, **inputs)


@points(2)
@settings(max_examples=15)
@given(case=cases())
def test_matches_reference(student, device, case):
    """corr2d_padded equals the reference for pairs padding and stride, float32/float64, any device."""
    X, K, padding, stride = case
    X, K = X.to(device), K.to(device)
    expect_padded(padded(student, X, K, padding, stride), X, K, padding, stride)


@points(1)
@settings(max_examples=10)
@given(case=cases(asymmetric=True))
def test_asymmetric_padding_and_stride(student, case):
    """p_h != p_w and s_h != s_w on non-square inputs: rows use p_h, s_h and columns p_w, s_w."""
    X, K, padding, stride = case
    expect_padded(padded(student, X, K, padding, stride), X, K, padding, stride)


@points(1)
@settings(max_examples=10)
@given(case=cases(ints=True), defaults=st.booleans())
def test_int_arguments_and_defaults(student, case, defaults):
    """Int padding and stride apply to both axes; the defaults (0, 1) give corr2d(X, K)."""
    X, K, padding, stride = case
    if defaults:
        K = K[:X.shape[0], :X.shape[1]]
        expect_padded(padded(student, X, K), X, K, 0, 1, call="corr2d_padded(X, K)")
    else:
        expect_padded(padded(student, X, K, padding, stride), X, K, padding, stride)


@points(1)
@settings(max_examples=8)
@given(case=cases(dtype=torch.float64), data=st.data())
def test_gradient(student, case, data):
    """Autograd through corr2d_padded gives the reference gradients for X and K (float64)."""
    X, K, padding, stride = case
    shape = d2l.conv_output_shape(X.shape, K.shape, padding, stride)
    G = data.draw(images(shape, dtype=torch.float64))
    result = run(student, "corr2d_padded", X, K, padding, stride, grad_of=(0, 1), G=G, call=CALL,
                 replace=("corr2d",))
    expect_padded(result["value"], X, K, padding, stride)
    Xr, Kr = X.clone().requires_grad_(True), K.clone().requires_grad_(True)
    (d2l.corr2d_padded(Xr, Kr, padding, stride) * G).sum().backward()
    check_gradients(result, (Xr.grad, Kr.grad), ("X", "K"), CALL, X=X, K=K, padding=padding, stride=stride, G=G)
