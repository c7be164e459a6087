"""Hidden suite for Inception(in_channels, c1, c2, c3, c4): four paths concatenated on the channel dim."""
import torch
from hypothesis import example, given, settings, strategies as st

import d2lkit as d2l
from _ps07_helpers import check_module, check_state, dtypes, image_sizes, inputs, reference_block
from autograder.suite import points

HINT = ("the four paths keep height and width (3x3 conv padding 1, 5x5 conv padding 2, max-pool 3x3 stride 1 "
        "padding 1) and are concatenated on dim 1: c1 + c2[1] + c3[1] + c4 channels")


@st.composite
def configs(draw):
    """Distinct path widths, so a path in the wrong place or with the wrong size shows."""
    widths = draw(st.permutations([1, 2, 3, 4, 5, 6]))
    return (draw(st.integers(1, 3)), widths[0], (widths[1], widths[2]), (widths[3], widths[4]), widths[5])


@points(1)
@settings(max_examples=3)
@given(args=configs())
@example(args=(2, 1, (2, 3), (4, 5), 6))
def test_parameters(student, args):
    """p1_1, p2_1, p2_2, p3_1, p3_2, p4_2 are convolutions of the docstring's sizes (p4_1 is a max-pool)."""
    check_state(student, "Inception", args, {}, reference_block(d2l.Inception, args), HINT)


@points(1)
@settings(max_examples=3)
@given(args=configs(), size=image_sizes(1, 7))
@example(args=(2, 1, (2, 3), (4, 5), 6), size=(4, 5))
def test_output_shape(student, args, size):
    """(N, in, h, w) -> (N, c1 + c2[1] + c3[1] + c4, h, w)."""
    X = inputs((2, args[0]) + size, torch.float64, seed=sum(size))
    check_module(student, "Inception", args, {}, reference_block(d2l.Inception, args), X, train=False,
                 shape_hint=HINT)


@points(3)
@settings(max_examples=3)
@given(args=configs(), size=image_sizes(2, 6), dtype=dtypes(), seed=st.integers(0, 100))
@example(args=(2, 6, (2, 3), (4, 5), 1), size=(4, 5), dtype=torch.float64, seed=1)
def test_matches_reference(student, device, args, size, dtype, seed):
    """With the harness's parameters the output equals the reference's: paths in order p1, p2, p3, p4, ReLUs."""
    X = inputs((2, args[0]) + size, dtype, seed)
    check_module(student, "Inception", args, {}, reference_block(d2l.Inception, args, seed=seed), X,
                 train=False, device=device, shape_hint=HINT)


@points(1)
@settings(max_examples=3)
@given(args=configs(), seed=st.integers(0, 100))
@example(args=(2, 1, (2, 3), (4, 5), 6), seed=2)
def test_gradients(student, args, seed):
    """Every parameter's gradient equals the reference's (float64, training mode)."""
    X = inputs((2, args[0], 5, 4), torch.float64, seed)
    check_module(student, "Inception", args, {}, reference_block(d2l.Inception, args, seed=seed), X, train=True,
                 grads=True, seed=seed, shape_hint=HINT)
