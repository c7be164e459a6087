"""Shared strategies and checks of the ps09 suites: recurrent layers from parameters."""
import torch
from hypothesis import strategies as st

from autograder.strategies import dtypes, tensors
from autograder.suite import describe, expect_close_tree, fail


@st.composite
def layer_problems(draw, num_params_groups, with_state_tensors, square=False, dtype=None, state=None):
    """(inputs (T, B, d), state or None, params): groups of [W_x* (d, h), W_h* (h, h), b_* (h,)]."""
    dtype = dtype or draw(dtypes())
    if square:
        T = B = d = h = draw(st.integers(2, 4))
    else:
        T, B, d, h = (draw(st.integers(1, 4)) for _ in range(4))
    inputs = draw(tensors((T, B, d), dtype=dtype, min_value=-1.0, max_value=1.0))
    params = []
    for _ in range(num_params_groups):
        params += [draw(tensors(shape, dtype=dtype, min_value=-1.0, max_value=1.0))
                   for shape in ((d, h), (h, h), (h,))]
    if state is None:
        state = draw(st.booleans())
    value = (tuple(draw(tensors((B, h), dtype=dtype, min_value=-1.0, max_value=1.0))
                   for _ in range(with_state_tensors)) if state else None)
    return inputs, value, params


def to_device(problem, device):
    inputs, state, params = problem
    return (inputs.to(device), None if state is None else tuple(s.to(device) for s in state),
            [p.to(device) for p in params])


def expect_layer(got, expected, call, state_names, **inputs):
    """got == expected == (outputs, state tuple), with the common mistakes named."""
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        fail(f"{call} should return (outputs, {state_names}), but returned {describe(got)}", **inputs)
    outputs, state = got
    if isinstance(state, torch.Tensor):
        fail(f"{call} returned the state as a bare tensor; return the tuple {state_names}", **inputs)
    exp_outputs, exp_state = expected
    if isinstance(outputs, torch.Tensor) and outputs.shape == (exp_outputs.shape[0] * exp_outputs.shape[1],
                                                                exp_outputs.shape[2]):
        fail(f"{call} returned outputs of shape {tuple(outputs.shape)}; stack the states of every step into "
             f"(T, B, h) with torch.stack", **inputs)
    if (len(exp_state) == 2 and isinstance(state, (tuple, list)) and len(state) == 2
            and all(isinstance(s, torch.Tensor) for s in state)
            and state[0].shape == exp_state[1].shape and state[0].dtype == exp_state[1].dtype
            and torch.allclose(state[0].detach().cpu(), exp_state[1].detach().cpu(), atol=1e-5)
            and not torch.allclose(exp_state[0].detach().cpu(), exp_state[1].detach().cpu(), atol=1e-5)):
        fail(f"{call} returned the state as (C, H); return (H, C), hidden state first", **inputs)
    expect_close_tree(got, expected, call, **inputs)


def gradients_driver(ns, name, inputs, state, params, weights):
    """the gradients of (NAME(inputs, state, params)[0] * weights).sum() with respect to params and state"""
    params = [p.clone().requires_grad_(True) for p in params]
    state = tuple(s.clone().requires_grad_(True) for s in state)
    outputs, _ = ns[name](inputs, state, params)
    (outputs * weights).sum().backward()
    return [p.grad for p in params] + [s.grad for s in state]
