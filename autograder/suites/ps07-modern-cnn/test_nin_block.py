"""Hidden suite for nin_block(in_channels, out_channels, kernel_size, strides, padding)."""
import torch
from hypothesis import example, given, settings, strategies as st

import d2lkit as d2l
from _ps07_helpers import check_module, check_state, dtypes, inputs, reference_block
from autograder.suite import points

HINT = ("Conv2d(in_channels, out_channels, kernel_size, stride=strides, padding=padding), ReLU, then twice "
        "(1x1 Conv2d(out_channels, out_channels), ReLU)")


@st.composite
def configs(draw):
    kernel = draw(st.sampled_from([1, 2, 3, 5]))
    return (draw(st.integers(1, 3)), draw(st.integers(1, 4)), kernel, draw(st.integers(1, 3)),
            draw(st.integers(0, kernel // 2)))


@points(1)
@settings(max_examples=3)
@given(args=configs())
@example(args=(2, 3, 3, 2, 1))
def test_parameters(student, args):
    """One k x k convolution then two 1x1 convolutions, at Sequential indices 0, 2, 4."""
    check_state(student, "nin_block", args, {}, reference_block(d2l.nin_block, args), HINT)


@points(1)
@settings(max_examples=3)
@given(args=configs(), h=st.integers(5, 9), w=st.integers(5, 9))
@example(args=(2, 3, 3, 2, 1), h=8, w=7)
def test_output_shape(student, args, h, w):
    """The first convolution uses the given kernel size, stride and padding; the 1x1 ones keep the size."""
    X = inputs((2, args[0], h, w), torch.float64, seed=h * w)
    check_module(student, "nin_block", args, {}, reference_block(d2l.nin_block, args), X, train=False,
                 shape_hint=HINT)


@points(1)
@settings(max_examples=3)
@given(args=configs(), dtype=dtypes(), seed=st.integers(0, 100))
@example(args=(2, 3, 3, 1, 1), dtype=torch.float64, seed=1)
def test_matches_reference(student, device, args, dtype, seed):
    """With the harness's parameters, the output equals the reference's (float32 and float64)."""
    X = inputs((2, args[0], 7, 6), dtype, seed)
    check_module(student, "nin_block", args, {}, reference_block(d2l.nin_block, args, seed=seed), X, train=False,
                 device=device, shape_hint=HINT)


@points(1)
@settings(max_examples=3)
@given(args=configs(), seed=st.integers(0, 100))
@example(args=(2, 3, 3, 2, 1), seed=2)
def test_gradients(student, args, seed):
    """In training mode every parameter's gradient equals the reference's (float64); ReLU follows each conv."""
    X = inputs((3, args[0], 6, 7), torch.float64, seed)
    check_module(student, "nin_block", args, {}, reference_block(d2l.nin_block, args, seed=seed), X, train=True,
                 grads=True, seed=seed, shape_hint=HINT)
