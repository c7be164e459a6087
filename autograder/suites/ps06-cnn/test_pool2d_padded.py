"""Hidden suite for pool2d_padded(X, pool_size, padding=0, stride=None, mode='max'): pooling as torch's
max_pool2d/avg_pool2d: stride defaults to the window, max pads with -inf, avg pads with 0 and divides by the
full window size."""
import torch
from hypothesis import assume, given, settings, strategies as st

import d2lkit as d2l
from autograder.strategies import dtypes
from autograder.suite import fail, points

from _ps06_helpers import close, expect_values, images, pair, run


@st.composite
def cases(draw, dtype=None, padded=None, ints=False, negative=False):
    """(X, pool_size, padding, stride) with padding <= half the window and the window fitting."""
    dtype = dtype or draw(dtypes())
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    if padded:
        assume(kh > 1 or kw > 1)
    ph = draw(st.integers(0, (min(kh, kw) if ints else kh) // 2))
    pw = ph if ints else draw(st.integers(0, kw // 2))
    if padded:
        assume(ph + pw > 0)
    h = draw(st.integers(max(1, kh - 2 * ph), 7))
    w = draw(st.integers(max(1, kw - 2 * pw), 7))
    sh = draw(st.integers(1, 3))
    sw = sh if ints else draw(st.integers(1, 3))
    X = draw(images((h, w), dtype=dtype))
    if negative:
        X = -1.0 - X.abs()
    return X, (kh, kw), (ph if ints else (ph, pw)), (sh if ints else (sh, sw))


def pooled(student, X, pool_size, *args, **kwargs):
    """The student's pool2d_padded(X, pool_size, ...), with a correct pool2d available to it."""
    return run(student, "pool2d_padded", X, pool_size, *args, replace=("pool2d",), call="pool2d_padded(...)",
               **kwargs)["value"]


def expect_pool(got, X, pool_size, padding, stride, mode, call):
    expected = d2l.pool2d_padded(X, pool_size, padding, stride, mode)
    inputs = dict(X=X, pool_size=pool_size, padding=padding, stride=stride, mode=mode)
    p = pool_size[0] * pool_size[1]
    if isinstance(got, torch.Tensor) and got.shape != expected.shape:
        if stride is None and tuple(got.shape) == d2l.conv_output_shape(X.shape, pool_size, padding, 1):
            fail(f"{call} returned shape {tuple(got.shape)}, expected {tuple(expected.shape)}: stride=None means "
                 f"the stride equals pool_size (non-overlapping windows), not 1", **inputs)
        fail(f"{call} returned shape {tuple(got.shape)}, expected ((h + 2 p_h - k_h) // s_h + 1, "
             f"(w + 2 p_w - k_w) // s_w + 1) = {tuple(expected.shape)}", **inputs)
    if not close(got, expected, p) and pair(padding) != (0, 0):
        if mode == "max":
            zero_padded = _max_zero_padded(X, pool_size, padding, stride)
            if close(got, zero_padded, p):
                fail(f"{call} padded with zeros, so a padded zero beats negative inputs; max pooling pads with "
                     f"-inf (float('-inf')), so that padding never wins", **inputs)
        else:
            if isinstance(got, torch.Tensor) and close(got, _avg_excluding_padding(X, pool_size, padding, stride), p):
                fail(f"{call} divided by the number of real (unpadded) entries; divide every window's sum by the "
                     f"full window size k_h * k_w (count_include_pad=True)", **inputs)
    expect_values(got, expected, call, p, **inputs)


def _max_zero_padded(X, pool_size, padding, stride):
    (ph, pw) = pair(padding)
    Xp = torch.nn.functional.pad(X, (pw, pw, ph, ph))
    return d2l.pool2d_padded(Xp, pool_size, 0, stride, "max")


def _avg_excluding_padding(X, pool_size, padding, stride):
    sums = d2l.pool2d_padded(X, pool_size, padding, stride, "avg")
    counts = d2l.pool2d_padded(torch.ones_like(X), pool_size, padding, stride, "avg")
    return sums / counts


def call_text(pool_size, padding, stride, mode):
    return f"pool2d_padded(X, {pool_size}, padding={padding!r}, stride={stride!r}, mode={mode!r})"


@points(2)
@settings(max_examples=12)
@given(case=cases(), mode=st.sampled_from(["max", "avg"]))
def test_matches_reference(student, device, case, mode):
    """Explicit padding and stride pairs, max and avg, float32/float64, any device."""
    X, pool_size, padding, stride = case
    X = X.to(device)
    got = pooled(student, X, pool_size, padding, stride, mode)
    expect_pool(got, X, pool_size, padding, stride, mode, call_text(pool_size, padding, stride, mode))


@points(1)
@settings(max_examples=10)
@given(case=cases(padded=True, negative=True))
def test_max_padding_never_wins(student, case):
    """Max pooling of negative inputs with padding: the padding (-inf) never becomes the maximum."""
    X, pool_size, padding, stride = case
    got = pooled(student, X, pool_size, padding, stride, "max")
    expect_pool(got, X, pool_size, padding, stride, "max", call_text(pool_size, padding, stride, "max"))


@points(1)
@settings(max_examples=10)
@given(case=cases(padded=True))
def test_average_counts_padding(student, case):
    """Average pooling with padding divides each window's sum by k_h * k_w (padded zeros count)."""
    X, pool_size, padding, stride = case
    got = pooled(student, X, pool_size, padding, stride, "avg")
    expect_pool(got, X, pool_size, padding, stride, "avg", call_text(pool_size, padding, stride, "avg"))


@points(1)
@settings(max_examples=10)
@given(case=cases(ints=True), mode=st.sampled_from(["max", "avg"]), explicit_mode=st.booleans())
def test_default_stride_and_int_arguments(student, case, mode, explicit_mode):
    """stride=None (the default) means stride = pool_size; an int padding applies to both axes."""
    X, pool_size, padding, _ = case
    if explicit_mode or mode == "avg":
        got = pooled(student, X, pool_size, padding, mode=mode)
        call = f"pool2d_padded(X, {pool_size}, padding={padding}, mode={mode!r})"
    else:
        got = pooled(student, X, pool_size, padding)
        call = f"pool2d_padded(X, {pool_size}, padding={padding})"
    expect_pool(got, X, pool_size, padding, None, mode, call)
