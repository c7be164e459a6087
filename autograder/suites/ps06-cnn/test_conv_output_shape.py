"""Hidden suite for conv_output_shape(input_shape, kernel_shape, padding=0, stride=1):
((h + 2 p_h - kh) // s_h + 1, (w + 2 p_w - kw) // s_w + 1) as Python ints; padding/stride an int or a pair."""
from hypothesis import assume, given, strategies as st

import d2lkit as d2l
from autograder.suite import describe, expect, fail, points


@st.composite
def cases(draw, ints=False, asymmetric=False):
    """(input_shape, kernel_shape, padding, stride), the kernel fitting in the padded input."""
    h, w = draw(st.integers(1, 32)), draw(st.integers(1, 32))
    ph, pw = draw(st.integers(0, 4)), draw(st.integers(0, 4))
    sh, sw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    if ints:
        pw, sw = ph, sh
    if asymmetric:
        assume(ph != pw and sh != sw and h != w)
    kh, kw = draw(st.integers(1, h + 2 * ph)), draw(st.integers(1, w + 2 * pw))
    padding = ph if ints else (ph, pw)
    stride = sh if ints else (sh, sw)
    return (h, w), (kh, kw), padding, stride


def pair(value):
    return (value, value) if isinstance(value, int) else value


def expect_shape(got, case, call):
    input_shape, kernel_shape, padding, stride = case
    expected = d2l.conv_output_shape(input_shape, kernel_shape, padding, stride)
    inputs = dict(input_shape=input_shape, kernel_shape=kernel_shape, padding=padding, stride=stride)
    values = None
    if isinstance(got, (tuple, list)) and len(got) == 2:
        try:
            values = tuple(int(v) for v in got)
        except (TypeError, ValueError):
            values = None
    if values is None:
        fail(f"{call} should return a tuple (height, width), but returned {describe(got)}", **inputs)
    if values == expected:
        return values
    (h, w), (kh, kw), (ph, pw), (sh, sw) = input_shape, kernel_shape, pair(padding), pair(stride)
    one_side = ((h + ph - kh) // sh + 1, (w + pw - kw) // sw + 1)
    ceil = (-(-(h + 2 * ph - kh) // sh) + 1, -(-(w + 2 * pw - kw) // sw) + 1)
    swapped = ((h + 2 * pw - kh) // sw + 1, (w + 2 * ph - kw) // sh + 1)
    if values == one_side:
        fail(f"{call} returned {values}, expected {expected}: padding p adds p rows on top AND p at the bottom, "
             f"so the padded height is h + 2 * p_h", **inputs)
    if values == ceil:
        fail(f"{call} returned {values}, expected {expected}: round DOWN, (h + 2 p_h - kh) // s_h + 1 (a window "
             f"that does not fit entirely is dropped)", **inputs)
    if values == swapped and values != expected:
        fail(f"{call} returned {values}, expected {expected}: the height uses p_h and s_h (the first entries of "
             f"padding and stride), the width p_w and s_w", **inputs)
    fail(f"{call} returned {values}, expected {expected} = ((h + 2 p_h - kh) // s_h + 1, "
         f"(w + 2 p_w - kw) // s_w + 1)", **inputs)


@points(2)
@given(case=cases())
def test_matches_reference(student, case):
    """The shape formula with per-axis padding and stride (pairs)."""
    expect_shape(student.conv_output_shape(*case), case, "conv_output_shape(input_shape, kernel_shape, padding, "
                                                         "stride)")


@points(1)
@given(case=cases(asymmetric=True))
def test_asymmetric_padding_and_stride(student, case):
    """p_h != p_w and s_h != s_w on a non-square input: each axis uses its own padding and stride."""
    expect_shape(student.conv_output_shape(*case), case, "conv_output_shape(input_shape, kernel_shape, padding, "
                                                         "stride)")


@points(1)
@given(case=cases(ints=True), defaults=st.booleans())
def test_int_arguments_and_python_ints(student, case, defaults):
    """An int padding/stride applies to both axes (defaults 0 and 1); the result is a tuple of Python ints."""
    if defaults:
        case = (case[0], case[1], 0, 1)
        got = student.conv_output_shape(case[0], case[1])
        call = "conv_output_shape(input_shape, kernel_shape)"
    else:
        got = student.conv_output_shape(*case)
        call = "conv_output_shape(input_shape, kernel_shape, padding, stride)"
    expect_shape(got, case, call)
    expect(isinstance(got, tuple) and all(type(v) is int for v in got),
           f"{call} returned {describe(got)}; return a tuple of two Python ints (use //, not /)",
           input_shape=case[0], kernel_shape=case[1], padding=case[2], stride=case[3])
