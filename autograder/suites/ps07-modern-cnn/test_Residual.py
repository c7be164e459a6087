"""Hidden suite for Residual(input_channels, num_channels, use_1x1conv=False, strides=1)."""
import torch
from hypothesis import example, given, settings, strategies as st

import d2lkit as d2l
from _ps07_helpers import check_module, check_state, dtypes, image_sizes, inputs, reference_block
from autograder.suite import points

HINT = ("conv1 is 3x3 with padding 1 and stride `strides`, conv2 3x3 with padding 1, and the shortcut is "
        "conv3(X) (1x1, stride `strides`) when use_1x1conv, else X")


@st.composite
def configs(draw, shortcut=None):
    """(args, kwargs): an identity block (same channels, stride 1) or a 1x1-shortcut block (stride 1 or 2)."""
    shortcut = draw(st.booleans()) if shortcut is None else shortcut
    cin = draw(st.integers(1, 3))
    if not shortcut:
        return (cin, cin), {}
    return (cin, draw(st.integers(1, 4))), {"use_1x1conv": True, "strides": draw(st.sampled_from([1, 2]))}


def check(student, config, X, seed=0, **options):
    args, kwargs = config
    reference = reference_block(d2l.Residual, args, kwargs, seed=seed)
    check_module(student, "Residual", args, kwargs, reference, X, seed=seed, shape_hint=HINT, **options)


@points(1)
@settings(max_examples=2)
@given(config=configs())
@example(config=((2, 3), {'use_1x1conv': True, 'strides': 2}))
def test_parameters(student, config):
    """conv1, bn1, conv2, bn2 (and conv3 only with use_1x1conv) of the docstring's sizes."""
    args, kwargs = config
    check_state(student, "Residual", args, kwargs, reference_block(d2l.Residual, args, kwargs),
                "conv3 exists only when use_1x1conv is True; otherwise set self.conv3 = None")


@points(2)
@settings(max_examples=2)
@given(config=configs(), size=image_sizes(2, 6), dtype=dtypes(), seed=st.integers(0, 100))
@example(config=((2, 3), {'use_1x1conv': True, 'strides': 2}), size=(5, 4), dtype=torch.float64, seed=1)
def test_evaluation_mode(student, device, config, size, dtype, seed):
    """Evaluation mode with the harness's parameters and running statistics: output equals the reference's."""
    X = inputs((2, config[0][0]) + size, dtype, seed)
    check(student, config, X, seed, train=False, device=device)


@points(1)
@settings(max_examples=2)
@given(config=configs(shortcut=False), size=image_sizes(2, 5), seed=st.integers(0, 100))
@example(config=((2, 2), {}), size=(4, 5), seed=2)
def test_identity_shortcut(student, config, size, seed):
    """Without use_1x1conv the input is added back unchanged before the final ReLU."""
    X = inputs((3, config[0][0]) + size, torch.float64, seed)
    check(student, config, X, seed, train=False)


@points(1)
@settings(max_examples=2)
@given(cin=st.integers(1, 3), cout=st.integers(1, 4), size=image_sizes(3, 7), seed=st.integers(0, 100))
@example(cin=2, cout=3, size=(5, 6), seed=3)
def test_1x1conv_with_stride_2(student, cin, cout, size, seed):
    """With use_1x1conv and strides=2 the output is (N, num_channels, (h+1)//2, (w+1)//2) and matches."""
    X = inputs((2, cin) + size, torch.float64, seed)
    check(student, ((cin, cout), {"use_1x1conv": True, "strides": 2}), X, seed, train=False)


@points(2)
@settings(max_examples=2)
@given(config=configs(), seed=st.integers(0, 100))
@example(config=((2, 3), {'use_1x1conv': True, 'strides': 2}), seed=4)
def test_training_mode(student, config, seed):
    """Training mode: output, parameter gradients and the updated running statistics equal the reference's."""
    X = inputs((4, config[0][0], 4, 5), torch.float64, seed)
    check(student, config, X, seed, train=True, grads=True)
