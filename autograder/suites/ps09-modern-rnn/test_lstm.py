"""Hidden suite for lstm(inputs, state, params): an LSTM layer from parameters, state (H, C)."""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.strategies import tensors
from autograder.suite import expect_close_tree, fail, points

from _ps09_helpers import expect_layer, gradients_driver, layer_problems, to_device

CALL = "lstm(inputs, state, params)"
NAMES = ["W_xi", "W_hi", "b_i", "W_xf", "W_hf", "b_f", "W_xo", "W_ho", "b_o", "W_xc", "W_hc", "b_c"]


def _named(inputs, state, params):
    return dict(inputs=inputs, state=state, **dict(zip(NAMES, params)))


def _h_without_tanh(inputs, state, params):
    W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c = params
    zeros = torch.zeros(inputs.shape[1], W_hi.shape[0], dtype=inputs.dtype)
    H, C = state if state is not None else (zeros, zeros)
    outs = []
    for X in inputs:
        I = torch.sigmoid(X @ W_xi + H @ W_hi + b_i)
        F = torch.sigmoid(X @ W_xf + H @ W_hf + b_f)
        O = torch.sigmoid(X @ W_xo + H @ W_ho + b_o)
        C = F * C + I * torch.tanh(X @ W_xc + H @ W_hc + b_c)
        H = O * C
        outs.append(H)
    return torch.stack(outs)


def _check(got, inputs, state, params):
    info = _named(inputs, state, params)
    expected = d2l.lstm(inputs, state, params)
    if isinstance(got, (tuple, list)) and len(got) == 2 and isinstance(got[0], torch.Tensor) \
            and got[0].shape == expected[0].shape and got[0].dtype == expected[0].dtype \
            and not torch.allclose(got[0].detach().cpu(), expected[0].detach().cpu(), rtol=1e-4, atol=1e-5):
        cpu = (inputs.cpu(), None if state is None else tuple(s.cpu() for s in state), [p.cpu() for p in params])
        if torch.allclose(got[0].detach().cpu(), _h_without_tanh(*cpu), rtol=1e-4, atol=1e-5):
            fail(f"{CALL} computed H = O * C; the hidden state squashes the memory cell: H = O * tanh(C)", **info)
    expect_layer(got, expected, CALL, "(H, C)", **info)


@points(2)
@given(problem=layer_problems(4, 2))
def test_matches_reference(student, device, problem):
    """outputs (T, B, h) and (H, C) follow the LSTM equations, float32 and float64, state given or None."""
    inputs, state, params = to_device(problem, device)
    _check(student.lstm(inputs, state, params), inputs, state, params)


@points(1)
@given(problem=layer_problems(4, 2, state=False))
def test_zero_state_on_device(student, device, problem):
    """state=None starts from H = C = 0 made with the inputs' dtype on their device."""
    inputs, state, params = to_device(problem, device)
    _check(student.lstm(inputs, None, params), inputs, None, params)


@points(1)
@given(problem=layer_problems(4, 2, square=True, state=True))
def test_square_shapes(student, problem):
    """With T == B == d == h the gates use the right weights in the right operand order."""
    inputs, state, params = problem
    _check(student.lstm(inputs, state, params), inputs, state, params)


@points(2)
@settings(max_examples=10)
@given(problem=layer_problems(4, 2, dtype=torch.float64, state=True), data=st.data())
def test_gradients(student, problem, data):
    """Autograd through lstm gives the reference gradients of every parameter, H0 and C0 (float64)."""
    inputs, state, params = problem
    weights = data.draw(tensors((inputs.shape[0], inputs.shape[1], params[1].shape[0]), dtype=torch.float64,
                                noncontiguous=False))
    expected = gradients_driver({"lstm": d2l.lstm}, "lstm", inputs, state, params, weights)
    got = student.run(gradients_driver, "lstm", inputs, state, params, weights)
    expect_close_tree(got, expected, "[gradients of " + ", ".join(NAMES) + ", H0, C0]",
                      **_named(inputs, state, params))
