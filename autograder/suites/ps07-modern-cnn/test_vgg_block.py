"""Hidden suite for vgg_block(num_convs, in_channels, out_channels): 3x3 convolutions + ReLU, then a 2x2 max-pool."""
import torch
from hypothesis import example, given, settings, strategies as st

import d2lkit as d2l
from _ps07_helpers import check_module, check_state, dtypes, image_sizes, inputs, reference_block
from autograder.suite import points

HINT = ("num_convs times (Conv2d(c, out_channels, kernel_size=3, padding=1), ReLU()) with c = in_channels "
        "first and out_channels after, then MaxPool2d(kernel_size=2, stride=2)")


@st.composite
def configs(draw):
    return (draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 4)))


@points(1)
@settings(max_examples=3)
@given(args=configs())
@example(args=(2, 2, 3))
def test_parameters(student, args):
    """The block registers one 3x3 convolution per num_convs at Sequential indices 0, 2, 4, ..."""
    check_state(student, "vgg_block", args, {}, reference_block(d2l.vgg_block, args), HINT)


@points(1)
@settings(max_examples=3)
@given(args=configs(), size=image_sizes(2, 9), n=st.integers(1, 3))
@example(args=(2, 2, 3), size=(5, 7), n=2)
def test_output_shape(student, args, size, n):
    """(n, in, h, w) -> (n, out, h // 2, w // 2): padding 1 keeps the size, the pool halves it (rounding down)."""
    X = inputs((n, args[1]) + size, torch.float64, seed=sum(size))
    check_module(student, "vgg_block", args, {}, reference_block(d2l.vgg_block, args), X, train=False,
                 shape_hint=HINT)


@points(2)
@settings(max_examples=3)
@given(args=configs(), size=image_sizes(2, 7), dtype=dtypes(), seed=st.integers(0, 100))
@example(args=(2, 2, 3), size=(4, 5), dtype=torch.float64, seed=1)
def test_matches_reference(student, device, args, size, dtype, seed):
    """With the harness's parameters, the output equals the reference's (float32 and float64)."""
    X = inputs((2, args[1]) + size, dtype, seed)
    check_module(student, "vgg_block", args, {}, reference_block(d2l.vgg_block, args, seed=seed), X, train=False,
                 device=device, shape_hint=HINT)


@points(1)
@settings(max_examples=3)
@given(args=configs(), size=image_sizes(2, 6), seed=st.integers(0, 100))
@example(args=(2, 1, 2), size=(4, 4), seed=2)
def test_gradients(student, args, size, seed):
    """In training mode the output and every parameter's gradient equal the reference's (float64)."""
    X = inputs((2, args[1]) + size, torch.float64, seed)
    check_module(student, "vgg_block", args, {}, reference_block(d2l.vgg_block, args, seed=seed), X, train=True,
                 grads=True, seed=seed, shape_hint=HINT)
