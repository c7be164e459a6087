"""Hidden suite for deep_rnn(inputs, states, layers): stacked tanh RNN layers."""
import torch
from hypothesis import given, strategies as st

import d2lkit as d2l
from autograder.strategies import dtypes, tensors
from autograder.suite import expect_close_tree, fail, points

CALL = "deep_rnn(inputs, states, layers)"


@st.composite
def problems(draw, with_states=None, min_layers=1):
    dtype = draw(dtypes())
    T, B, d = (draw(st.integers(1, 4)) for _ in range(3))
    sizes = [d] + draw(st.lists(st.integers(1, 4), min_size=min_layers, max_size=3))
    inputs = draw(tensors((T, B, d), dtype=dtype, min_value=-1.0, max_value=1.0))
    layers = [[draw(tensors(shape, dtype=dtype, min_value=-1.0, max_value=1.0)) for shape in ((a, b), (b, b), (b,))]
              for a, b in zip(sizes, sizes[1:])]
    if with_states is None:
        with_states = draw(st.booleans())
    states = ([(draw(tensors((B, h), dtype=dtype, min_value=-1.0, max_value=1.0)),) for h in sizes[1:]]
              if with_states else None)
    return inputs, states, layers


def _check(student, problem, device="cpu"):
    inputs, states, layers = problem
    inputs = inputs.to(device)
    layers = [[p.to(device) for p in layer] for layer in layers]
    states = None if states is None else [tuple(s.to(device) for s in st_) for st_ in states]
    info = dict(inputs=inputs, states=states, layers=layers)
    got = student.deep_rnn(inputs, states, layers)
    expected = d2l.deep_rnn(inputs, states, layers)
    if isinstance(got, (tuple, list)) and len(got) == 2 and isinstance(got[1], (tuple, list)) \
            and len(got[1]) == 1 and len(layers) > 1:
        fail(f"{CALL} returned the state of one layer only; return a list with the state (H,) of every layer, "
             f"in layer order", **info)
    if isinstance(got, (tuple, list)) and len(got) == 2 and isinstance(got[0], torch.Tensor) and len(layers) > 1:
        first_only = d2l.deep_rnn(inputs, None if states is None else states[:1], layers[:1])[0]
        differs = first_only.shape != expected[0].shape or not torch.allclose(first_only, expected[0])
        if got[0].shape == first_only.shape and got[0].dtype == first_only.dtype \
                and got[0].device == first_only.device and torch.allclose(got[0], first_only) and differs:
            fail(f"{CALL} returned the outputs of the first layer; feed each layer's outputs to the next and "
                 f"return the last layer's", **info)
    expect_close_tree(got, (expected[0], list(expected[1])), CALL, **info)


@points(2)
@given(problem=problems())
def test_matches_reference(student, device, problem):
    """The last layer's outputs (T, B, h_L) and the list of every layer's (H,), states given or None."""
    _check(student, problem, device)


@points(1)
@given(problem=problems(with_states=True, min_layers=2))
def test_layers_feed_each_other(student, problem):
    """Layer l reads the outputs of layer l - 1 (not the original inputs) and starts from its own state."""
    _check(student, problem)


@points(1)
@given(problem=problems(with_states=False))
def test_zero_states(student, device, problem):
    """states=None starts every layer from zeros of the inputs' dtype on their device."""
    _check(student, problem, device)
