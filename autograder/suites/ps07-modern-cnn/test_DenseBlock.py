"""Hidden suite for DenseBlock(num_convs, input_channels, num_channels): conv_blocks whose outputs are concatenated."""
import torch
from hypothesis import example, given, settings, strategies as st

import d2lkit as d2l
from _ps07_helpers import check_module, check_state, dtypes, image_sizes, inputs, reference_block, sources_of
from autograder.suite import points

# a correct conv_block is swapped in, so a mistake there is not charged here twice
BLOCKS = sources_of(d2l.conv_block)
HINT = ("self.net holds num_convs conv_blocks, block i taking input_channels + i * num_channels channels; "
        "forward concatenates X = torch.cat((X, block(X)), dim=1) after each block, so the output has "
        "input_channels + num_convs * num_channels channels")


@st.composite
def configs(draw):
    return (draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 4)))


@points(1)
@settings(max_examples=3)
@given(args=configs())
@example(args=(2, 2, 3))
def test_parameters(student, args):
    """net.0, net.1, ... are conv_blocks whose input channels grow by num_channels each."""
    check_state(student, "DenseBlock", args, {}, reference_block(d2l.DenseBlock, args), HINT, sources=BLOCKS)


@points(1)
@settings(max_examples=3)
@given(args=configs(), size=image_sizes(1, 6))
@example(args=(2, 2, 3), size=(4, 5))
def test_output_shape(student, args, size):
    """(N, c, h, w) -> (N, c + num_convs * num_channels, h, w)."""
    X = inputs((2, args[1]) + size, torch.float64, sum(size))
    check_module(student, "DenseBlock", args, {}, reference_block(d2l.DenseBlock, args), X, train=False,
                 shape_hint=HINT, sources=BLOCKS)


@points(2)
@settings(max_examples=3)
@given(args=configs(), size=image_sizes(2, 5), dtype=dtypes(), seed=st.integers(0, 100))
@example(args=(2, 2, 3), size=(4, 5), dtype=torch.float64, seed=1)
def test_evaluation_mode(student, device, args, size, dtype, seed):
    """Evaluation mode: the output (input first, then each block's output) equals the reference's."""
    X = inputs((2, args[1]) + size, dtype, seed)
    check_module(student, "DenseBlock", args, {}, reference_block(d2l.DenseBlock, args, seed=seed), X,
                 train=False, device=device, shape_hint=HINT, sources=BLOCKS)


@points(2)
@settings(max_examples=3)
@given(args=configs(), seed=st.integers(0, 100))
@example(args=(2, 2, 3), seed=2)
def test_training_mode(student, args, seed):
    """Training mode: output, gradients and every block's running statistics equal the reference's."""
    X = inputs((3, args[1], 4, 3), torch.float64, seed)
    check_module(student, "DenseBlock", args, {}, reference_block(d2l.DenseBlock, args, seed=seed), X, train=True,
                 grads=True, seed=seed, shape_hint=HINT, sources=BLOCKS)
