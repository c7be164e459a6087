"""Hidden suite for gru(inputs, state, params): a GRU layer from parameters (reset gate before the matmul)."""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.strategies import tensors
from autograder.suite import expect_close_tree, fail, points

from _ps09_helpers import expect_layer, gradients_driver, layer_problems, to_device

CALL = "gru(inputs, state, params)"
NAMES = ["W_xz", "W_hz", "b_z", "W_xr", "W_hr", "b_r", "W_xh", "W_hh", "b_h"]


def _named(inputs, state, params):
    return dict(inputs=inputs, state=state, **dict(zip(NAMES, params)))


def _swapped_gate(inputs, state, params):
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h = params
    H = state[0] if state is not None else torch.zeros(inputs.shape[1], W_hh.shape[0], dtype=inputs.dtype)
    outs = []
    for X in inputs:
        Z = torch.sigmoid(X @ W_xz + H @ W_hz + b_z)
        R = torch.sigmoid(X @ W_xr + H @ W_hr + b_r)
        H = (1 - Z) * H + Z * torch.tanh(X @ W_xh + (R * H) @ W_hh + b_h)
        outs.append(H)
    return torch.stack(outs)


def _reset_after(inputs, state, params):
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h = params
    H = state[0] if state is not None else torch.zeros(inputs.shape[1], W_hh.shape[0], dtype=inputs.dtype)
    outs = []
    for X in inputs:
        Z = torch.sigmoid(X @ W_xz + H @ W_hz + b_z)
        R = torch.sigmoid(X @ W_xr + H @ W_hr + b_r)
        H = Z * H + (1 - Z) * torch.tanh(X @ W_xh + R * (H @ W_hh) + b_h)
        outs.append(H)
    return torch.stack(outs)


def _check(got, inputs, state, params):
    info = _named(inputs, state, params)
    expected = d2l.gru(inputs, state, params)
    if isinstance(got, (tuple, list)) and len(got) == 2 and isinstance(got[0], torch.Tensor) \
            and got[0].shape == expected[0].shape and got[0].dtype == expected[0].dtype \
            and not torch.allclose(got[0].detach().cpu(), expected[0].detach().cpu(), rtol=1e-4, atol=1e-5):
        cpu = (inputs.cpu(), None if state is None else tuple(s.cpu() for s in state), [p.cpu() for p in params])
        out = got[0].detach().cpu()
        if torch.allclose(out, _swapped_gate(*cpu), rtol=1e-4, atol=1e-5):
            fail(f"{CALL} swapped Z and 1 - Z: the update gate keeps the OLD state, H = Z * H + (1 - Z) * H~", **info)
        if torch.allclose(out, _reset_after(*cpu), rtol=1e-4, atol=1e-5):
            fail(f"{CALL} applied the reset gate after the matmul, R * (H @ W_hh) (as nn.GRU does); this course "
                 f"applies it before: (R * H) @ W_hh", **info)
    expect_layer(got, expected, CALL, "(H,)", **info)


@points(2)
@given(problem=layer_problems(3, 1))
def test_matches_reference(student, device, problem):
    """outputs (T, B, h) and (H,) follow the GRU equations, float32 and float64, state given or None."""
    inputs, state, params = to_device(problem, device)
    _check(student.gru(inputs, state, params), inputs, state, params)


@points(1)
@given(problem=layer_problems(3, 1, state=False))
def test_zero_state_on_device(student, device, problem):
    """state=None starts from zeros made with the inputs' dtype on their device."""
    inputs, state, params = to_device(problem, device)
    _check(student.gru(inputs, None, params), inputs, None, params)


@points(1)
@given(problem=layer_problems(3, 1, square=True, state=True))
def test_square_shapes(student, problem):
    """With T == B == d == h the loop runs over time and every product has the right operand order."""
    inputs, state, params = problem
    _check(student.gru(inputs, state, params), inputs, state, params)


@points(2)
@settings(max_examples=10)
@given(problem=layer_problems(3, 1, dtype=torch.float64, state=True), data=st.data())
def test_gradients(student, problem, data):
    """Autograd through gru gives the reference gradients of every parameter and of H0 (float64)."""
    inputs, state, params = problem
    weights = data.draw(tensors((inputs.shape[0], inputs.shape[1], params[1].shape[0]), dtype=torch.float64,
                                noncontiguous=False))
    expected = gradients_driver({"gru": d2l.gru}, "gru", inputs, state, params, weights)
    got = student.run(gradients_driver, "gru", inputs, state, params, weights)
    expect_close_tree(got, expected, "[gradients of " + ", ".join(NAMES) + ", H0]", **_named(inputs, state, params))
