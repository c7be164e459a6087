"""Hidden suite for rnn(inputs, state, params): a tanh RNN layer, time-major, from parameters."""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.strategies import dtypes, tensors
from autograder.suite import describe, expect_close, expect_close_tree, fail, points

CALL = "rnn(inputs, state, params)"


@st.composite
def problems(draw, square=False, dtype=None, with_state=None):
    dtype = dtype or draw(dtypes())
    if square:
        T = B = d = h = draw(st.integers(2, 4))
    else:
        T, B, d, h = (draw(st.integers(1, 5)) for _ in range(4))
    inputs = draw(tensors((T, B, d), dtype=dtype, min_value=-1.0, max_value=1.0))
    params = [draw(tensors(shape, dtype=dtype, min_value=-0.8, max_value=0.8)) for shape in ((d, h), (h, h), (h,))]
    if with_state is None:
        with_state = draw(st.booleans())
    state = (draw(tensors((B, h), dtype=dtype, min_value=-1.0, max_value=1.0)),) if with_state else None
    return inputs, state, params


def _inputs(inputs, state, params):
    return dict(inputs=inputs, state=state, W_xh=params[0], W_hh=params[1], b_h=params[2])


def _expect(got, inputs, state, params):
    expected = d2l.rnn(inputs, state, params)
    info = _inputs(inputs, state, params)
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        fail(f"{CALL} should return (outputs, (H,)), but returned {describe(got)}", **info)
    outputs, new_state = got
    if isinstance(new_state, torch.Tensor):
        fail(f"{CALL} returned the state as a bare tensor; return it as a one-element tuple (H,)", **info)
    if isinstance(outputs, torch.Tensor) and outputs.shape == (inputs.shape[0] * inputs.shape[1], params[1].shape[0]):
        fail(f"{CALL} returned outputs of shape {tuple(outputs.shape)}; stack the hidden states of every step "
             f"into (T, B, h) with torch.stack (no concatenation along dim 0)", **info)
    expect_close_tree(got, expected, CALL, **info)


@points(2)
@given(problem=problems())
def test_matches_reference(student, device, problem):
    """outputs (T, B, h) and (H,) match H_t = tanh(X_t W_xh + H_{t-1} W_hh + b_h), float32 and float64."""
    inputs, state, params = problem
    inputs, params = inputs.to(device), [p.to(device) for p in params]
    state = None if state is None else tuple(s.to(device) for s in state)
    _expect(student.rnn(inputs, state, params), inputs, state, params)


@points(1)
@given(problem=problems(with_state=False))
def test_state_none_starts_at_zero(student, device, problem):
    """state=None starts from zeros made with the inputs' dtype on their device."""
    inputs, _, params = problem
    inputs, params = inputs.to(device), [p.to(device) for p in params]
    _expect(student.rnn(inputs, None, params), inputs, None, params)


@points(1)
@given(problem=problems(square=True, with_state=True))
def test_square_shapes(student, problem):
    """With T == B == d == h the loop still runs over time (dim 0) and multiplies X_t @ W_xh, H @ W_hh."""
    inputs, state, params = problem
    _expect(student.rnn(inputs, state, params), inputs, state, params)


def _two_halves(ns, inputs, params, split):
    """rnn on inputs[:split], then on inputs[split:] starting from the returned state"""
    first, state = ns["rnn"](inputs[:split], None, params)
    second, state = ns["rnn"](inputs[split:], state, params)
    return first, second, state


@points(1)
@settings(max_examples=10)
@given(problem=problems(with_state=False), data=st.data())
def test_state_carries_over(student, problem, data):
    """Running the two halves of a sequence one after the other (passing the state) equals one run."""
    inputs, _, params = problem
    if inputs.shape[0] < 2:
        inputs = torch.cat([inputs, inputs.flip(0)])
    split = data.draw(st.integers(1, inputs.shape[0] - 1))
    got = student.run(_two_halves, inputs, params, split)
    outputs, state = d2l.rnn(inputs, None, params)
    expect_close_tree(got, (outputs[:split], outputs[split:], state),
                      f"(first half outputs, second half outputs, final state) of two rnn calls split at step {split}",
                      **_inputs(inputs, None, params))


def _gradients(ns, inputs, state, params, weights):
    """the gradients of (outputs * weights).sum() with respect to params and state"""
    params = [p.clone().requires_grad_(True) for p in params]
    state = tuple(s.clone().requires_grad_(True) for s in state)
    outputs, _ = ns["rnn"](inputs, state, params)
    (outputs * weights).sum().backward()
    return [None if p.grad is None else p.grad for p in params] + [state[0].grad]


@points(1)
@settings(max_examples=10)
@given(problem=problems(dtype=torch.float64, with_state=True), data=st.data())
def test_gradients(student, problem, data):
    """Autograd through rnn gives the reference gradients for W_xh, W_hh, b_h and the initial state (float64)."""
    inputs, state, params = problem
    T, B, _ = inputs.shape
    weights = data.draw(tensors((T, B, params[1].shape[0]), dtype=torch.float64, noncontiguous=False))
    expected = _gradients({"rnn": d2l.rnn}, inputs, state, params, weights)
    got = student.run(_gradients, inputs, state, params, weights)
    expect_close_tree(got, expected, "[grad W_xh, grad W_hh, grad b_h, grad H0] of (outputs * weights).sum()",
                      **_inputs(inputs, state, params))
