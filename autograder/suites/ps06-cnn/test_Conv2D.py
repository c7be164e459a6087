"""Hidden suite for Conv2D(kernel_size): parameters weight (kh, kw) ~ U[0, 1) and bias (1,) = 0;
forward(x) = corr2d(x, weight) + bias.

The module runs in the worker with a correct corr2d swapped in (a bug in
corr2d is graded by its own suite) and with the harness's parameter values.
"""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.drivers import module_state
from autograder.suite import describe, expect, fail, points

from _ps06_helpers import expect_values, image_and_kernel, images

CALL = "Conv2D(kernel_size)"


def _forward(ns, kernel_size, state, X, G, device, dtype):
    """Conv2D(kernel_size) with the harness's weight and bias, called on x, with backward"""
    import torch

    def corr2d(X, K):
        kh, kw = K.shape
        return (X.unfold(0, kh, 1).unfold(1, kw, 1) * K).sum(dim=(-2, -1))

    with ns.replaced(corr2d=corr2d):
        module = ns["Conv2D"](kernel_size).to(device=device, dtype=dtype)
        module.load_state_dict(state)
        X = X.detach().clone().requires_grad_(True)
        Y = module(X)
        result = {"output": Y.detach() if isinstance(Y, torch.Tensor) else Y}
        if isinstance(Y, torch.Tensor) and Y.requires_grad:
            (Y * G).sum().backward()
            result["grads"] = {key: None if p.grad is None else p.grad for key, p in module.named_parameters()}
            result["input_grad"] = X.grad
    return result


def _reference(kernel_size, state, X, G):
    module = d2l.Conv2D(kernel_size).to(device=X.device, dtype=X.dtype)
    module.load_state_dict(state)
    X = X.clone().requires_grad_(True)
    Y = module(X)
    (Y * G).sum().backward()
    return {"output": Y.detach(), "grads": {k: p.grad for k, p in module.named_parameters()}, "input_grad": X.grad}


@st.composite
def problems(draw, dtype=None, square_kernel=None):
    X, K = draw(image_and_kernel(dtype=dtype, square_kernel=square_kernel))
    bias = draw(images((1,), dtype=X.dtype))
    G = draw(images((X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1), dtype=X.dtype,
                    noncontiguous=False))
    return X, {"weight": K.contiguous(), "bias": bias}, G


def run_forward(student, X, state, G):
    kernel_size = tuple(state["weight"].shape)
    result = student.run(_forward, kernel_size, state, X, G, str(X.device), X.dtype,
                         describe_as=f"Conv2D({kernel_size})(x)")
    return result, _reference(kernel_size, state, X, G)


def expect_registered(state, kernel_size):
    params = state["parameters"]
    call = f"Conv2D({kernel_size})"
    if set(params) != {"weight", "bias"}:
        missing = "" if params else " (did you assign plain tensors instead of nn.Parameter(...)?)"
        fail(f"{call} registers the parameters {sorted(params)}{missing}; register exactly two: "
             f"self.weight = nn.Parameter(...) of shape {kernel_size} and self.bias = nn.Parameter(...) of "
             f"shape (1,)")
    for name, shape in (("weight", kernel_size), ("bias", (1,))):
        value = params[name]
        expect(tuple(value.shape) == shape,
               f"{call}.{name} has shape {tuple(value.shape)}, expected {shape}")
        expect(value.dtype == torch.float32, f"{call}.{name} has dtype {value.dtype}; create it as float32 "
                                             f"(torch.rand / torch.zeros without a dtype)")


@points(1)
@given(kernel_size=st.tuples(st.integers(1, 4), st.integers(1, 4)))
def test_registers_parameters(student, kernel_size):
    """Conv2D registers weight (kh, kw) initialised in [0, 1) and bias (1,) initialised to 0, as parameters."""
    state = student.run(module_state, "Conv2D", (kernel_size,), describe_as=f"Conv2D({kernel_size})")
    expect_registered(state, kernel_size)
    weight, bias = state["parameters"]["weight"], state["parameters"]["bias"]
    expect(bool(((weight >= 0) & (weight < 1)).all()) and (weight.numel() < 4 or bool(weight.std() > 0)),
           f"Conv2D({kernel_size}).weight should start uniform on [0, 1) (torch.rand(kernel_size)), but is "
           f"{describe(weight)}")
    expect(bool((bias == 0).all()), f"Conv2D({kernel_size}).bias should start at zero (torch.zeros(1)), but is "
                                    f"{describe(bias)}")


@points(2)
@settings(max_examples=12)
@given(problem=problems())
def test_forward_matches_reference(student, device, problem):
    """forward(x) = corr2d(x, weight) + bias with the harness's parameters, on float32/float64 and any device."""
    X, state, G = problem
    X, G = X.to(device), G.to(device)
    state = {k: v.to(device) for k, v in state.items()}
    got, expected = run_forward(student, X, state, G)
    inputs = dict(x=X, weight=state["weight"], bias=state["bias"])
    out = got["output"]
    if (isinstance(out, torch.Tensor) and out.shape == expected["output"].shape
            and torch.allclose(out, expected["output"] - state["bias"], rtol=1e-4, atol=1e-4)
            and abs(float(state["bias"])) > 1e-3):
        fail("Conv2D(kernel_size)(x) returned corr2d(x, weight) without the bias: add self.bias", **inputs)
    expect_values(out, expected["output"], f"Conv2D({tuple(state['weight'].shape)})(x)",
                  terms=state["weight"].numel(), **inputs)


@points(1)
@settings(max_examples=8)
@given(problem=problems(dtype=torch.float64, square_kernel=False))
def test_gradients(student, problem):
    """Backward through forward gives the reference gradients for weight, bias and x (non-square kernels)."""
    X, state, G = problem
    got, expected = run_forward(student, X, state, G)
    inputs = dict(x=X, weight=state["weight"], bias=state["bias"], G=G)
    call = f"Conv2D({tuple(state['weight'].shape)})(x)"
    expect_values(got["output"], expected["output"], call, terms=X.numel(), **inputs)
    if "grads" not in got:
        fail(f"{call} returned a result that autograd cannot differentiate: compute it from self.weight and "
             f"self.bias with tensor operations", **inputs)
    for name in ("weight", "bias"):
        grad = got["grads"].get(name)
        if grad is None:
            fail(f"no gradient reached {name} through {call}: use self.{name} (an nn.Parameter) in forward",
                 **inputs)
        expect_values(grad, expected["grads"][name], f"the gradient of ({call} * G).sum() with respect to {name}",
                      terms=X.numel(), **inputs)
    expect_values(got["input_grad"], expected["input_grad"], f"the gradient of ({call} * G).sum() with respect "
                  f"to x", terms=X.numel(), **inputs)


@points(1)
@settings(max_examples=8)
@given(problem=problems(square_kernel=False))
def test_non_square_kernel(student, problem):
    """Non-square kernel sizes (kh != kw) give the right parameters and output."""
    X, state, G = problem
    kernel_size = tuple(state["weight"].shape)
    expect_registered(student.run(module_state, "Conv2D", (kernel_size,), describe_as=f"Conv2D({kernel_size})"),
                      kernel_size)
    got, expected = run_forward(student, X, state, G)
    expect_values(got["output"], expected["output"], f"Conv2D({kernel_size})(x)", terms=X.numel(),
                  x=X, weight=state["weight"], bias=state["bias"])
