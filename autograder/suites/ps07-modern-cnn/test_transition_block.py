"""Hidden suite for transition_block(input_channels, num_channels): BatchNorm2d, ReLU, 1x1 conv, 2x2 average pool."""
import torch
from hypothesis import example, given, settings, strategies as st

import d2lkit as d2l
from _ps07_helpers import check_module, check_state, dtypes, image_sizes, inputs, reference_block
from autograder.suite import points

HINT = ("nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(), nn.Conv2d(input_channels, num_channels, "
        "kernel_size=1), nn.AvgPool2d(kernel_size=2, stride=2)): the resolution is halved, rounding down")


@st.composite
def configs(draw):
    return (draw(st.integers(1, 4)), draw(st.integers(1, 4)))


@points(1)
@settings(max_examples=3)
@given(args=configs())
@example(args=(2, 3))
def test_parameters(student, args):
    """Batch normalization over the INPUT channels at index 0, the convolution at index 2."""
    check_state(student, "transition_block", args, {}, reference_block(d2l.transition_block, args), HINT)


@points(1)
@settings(max_examples=3)
@given(args=configs(), size=image_sizes(2, 7), dtype=dtypes(), seed=st.integers(0, 100))
@example(args=(2, 3), size=(4, 5), dtype=torch.float64, seed=1)
def test_evaluation_mode(student, device, args, size, dtype, seed):
    """Evaluation mode with the harness's parameters and statistics: the reference's (N, num_channels, h//2, w//2)."""
    X = inputs((2, args[0]) + size, dtype, seed)
    check_module(student, "transition_block", args, {}, reference_block(d2l.transition_block, args, seed=seed), X,
                 train=False, device=device, shape_hint=HINT)


@points(1)
@settings(max_examples=3)
@given(args=configs(), seed=st.integers(0, 100))
@example(args=(2, 3), seed=2)
def test_training_mode(student, args, seed):
    """Training mode: output, gradients and running statistics equal the reference's (BN, ReLU, conv, pool)."""
    X = inputs((3, args[0], 4, 5), torch.float64, seed)
    check_module(student, "transition_block", args, {}, reference_block(d2l.transition_block, args, seed=seed), X,
                 train=True, grads=True, seed=seed, shape_hint=HINT)
