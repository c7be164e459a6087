"""Hidden suite for resnet_block(input_channels, num_channels, num_residuals, first_block=False)."""
import torch
from hypothesis import example, given, settings, strategies as st

import d2lkit as d2l
from _ps07_helpers import check_module, check_state, dtypes, inputs, reference_block, sources_of
from autograder.suite import points

# a correct Residual is swapped in, so a mistake there is not charged here twice
BLOCKS = sources_of(d2l.Residual)
HINT = ("block 0 is Residual(input_channels, num_channels, use_1x1conv=True, strides=2) unless first_block, "
        "then Residual(num_channels, num_channels); the others are Residual(num_channels, num_channels)")


@st.composite
def configs(draw):
    first = draw(st.booleans())
    cout = draw(st.integers(1, 4))
    cin = cout if first else draw(st.integers(1, 3))
    return (cin, cout, draw(st.integers(1, 3))), ({"first_block": True} if first else {})


@points(1)
@settings(max_examples=2)
@given(config=configs())
@example(config=((2, 2, 2), {'first_block': True}))
def test_parameters(student, config):
    """num_residuals Residual blocks at indices 0, 1, ...; only block 0 (not first_block) has a 1x1 shortcut."""
    args, kwargs = config
    check_state(student, "resnet_block", args, kwargs, reference_block(d2l.resnet_block, args, kwargs), HINT,
                sources=BLOCKS)


@points(1)
@settings(max_examples=2)
@given(config=configs(), h=st.integers(2, 7), w=st.integers(2, 7))
@example(config=((2, 3, 2), {}), h=6, w=5)
def test_output_shape(student, config, h, w):
    """Halves the resolution and sets num_channels, except a first_block stage, which keeps the shape."""
    args, kwargs = config
    X = inputs((2, args[0], h, w), torch.float64, h * w)
    check_module(student, "resnet_block", args, kwargs, reference_block(d2l.resnet_block, args, kwargs), X,
                 train=False, shape_hint=HINT, sources=BLOCKS)


@points(2)
@settings(max_examples=2)
@given(config=configs(), dtype=dtypes(), train=st.booleans(), seed=st.integers(0, 100))
@example(config=((2, 3, 2), {}), dtype=torch.float64, train=True, seed=1)
def test_matches_reference(student, device, config, dtype, train, seed):
    """Outputs and running statistics equal the reference's in training and in evaluation mode."""
    args, kwargs = config
    X = inputs((3, args[0], 4, 5), dtype, seed)
    check_module(student, "resnet_block", args, kwargs, reference_block(d2l.resnet_block, args, kwargs, seed=seed),
                 X, train=train, device=device, shape_hint=HINT, sources=BLOCKS)
