"""Hidden suite for numerical_grad(f, x, h=1e-5): central differences (f(x + h e_i) - f(x - h e_i)) / (2 h).

f cannot cross the worker boundary, so a driver defines the test functions
in the worker by name and calls the student's numerical_grad there; the
harness runs the same driver with the reference.
"""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.strategies import tensors
from autograder.suite import expect, expect_close, fail, points

FUNCTIONS = ["cubic", "sin_product", "exp_quadratic", "coupled", "weighted_quadratic"]
CALL = "numerical_grad(f, x)"


def _numerical_grad(ns, name, x, h=None):
    """numerical_grad(f, x[, h]) for one of the grader's test functions f"""
    import torch

    def weights(v):
        return torch.arange(1, v.numel() + 1, dtype=v.dtype, device=v.device).reshape(v.shape)

    functions = {
        "cubic": lambda v: (v ** 3).sum(),
        "sin_product": lambda v: (torch.sin(v) * v).sum(),
        "exp_quadratic": lambda v: torch.exp(0.5 * v).sum() + 0.3 * (v * v).sum(),
        "coupled": lambda v: v.sum() ** 2 + (weights(v) * v).sum(),
        "weighted_quadratic": lambda v: (weights(v) * v * v).sum() + v.sum(),
    }
    before = x.clone()
    grad = ns["numerical_grad"](functions[name], x) if h is None else ns["numerical_grad"](functions[name], x, h)
    same = isinstance(x, torch.Tensor) and x.shape == before.shape and x.dtype == before.dtype
    unchanged = same and bool(torch.allclose(x, before, rtol=1e-12, atol=1e-12))
    return {"grad": grad, "x_unchanged": unchanged}


def _reference(name, x, h=None):
    return _numerical_grad({"numerical_grad": d2l.numerical_grad}, name, x, h)["grad"]


@st.composite
def _points(draw, dtype=torch.float64, min_value=-2.0, max_value=2.0):
    shape = draw(st.sampled_from([(1,), (2,), (3,), (5,), (2, 2), (2, 3), (3, 2)]))
    # contiguous: this exercise is about differences, not memory layout (x.view(-1) is a fair way to index x)
    return draw(tensors(shape, dtype=dtype, min_value=min_value, max_value=max_value, noncontiguous=False))


def _check(student, name, x, h=None, rtol=1e-6, atol=1e-7):
    call = CALL if h is None else f"numerical_grad(f, x, h={h})"
    reply = student.run(_numerical_grad, name, x, h, describe_as=f"{call} with f = the grader's '{name}' function")
    if not isinstance(reply, dict):
        fail(f"{call} did not return a result the grader can read")
    got, expected = reply["grad"], _reference(name, x, h)
    inputs = {"f": name, "x": x} if h is None else {"f": name, "x": x, "h": h}
    if isinstance(got, torch.Tensor) and got.shape == expected.shape and got.dtype == expected.dtype \
            and got.device == expected.device and not torch.allclose(got, expected, rtol=rtol, atol=atol):
        step = 1e-5 if h is None else h
        if torch.allclose(got, 2 * expected, rtol=1e-3, atol=1e-5):
            fail(f"{call} is twice the gradient: the two evaluations are 2 h apart, so divide by 2 * h", **inputs)
        if torch.allclose(got, expected / 2, rtol=1e-3, atol=1e-5):
            fail(f"{call} is half the gradient: divide the difference f(x + h e_i) - f(x - h e_i) by 2 * h, "
                 f"not by 4 * h", **inputs)
        if h is not None and torch.allclose(got, _reference(name, x), rtol=1e-9, atol=1e-10):
            fail(f"{call} ignored the step h it was given (the result is the one for h = 1e-5): use h in both "
                 f"the perturbation and the divisor 2 * h", **inputs)
        forward = _one_sided(name, x, step)
        if torch.allclose(got, forward, rtol=1e-6, atol=1e-8):
            fail(f"{call} used the one-sided quotient (f(x + h e_i) - f(x)) / h: use the central difference "
                 f"(f(x + h e_i) - f(x - h e_i)) / (2 h), whose error is much smaller", **inputs)
    expect_close(got, expected, call, rtol=rtol, atol=atol, **inputs)
    return reply


def _one_sided(name, x, h):
    """(f(x + h e_i) - f(x)) / h, computed with the driver's functions in the harness."""
    captured = {}

    def capture(f, point, step=1e-5):
        captured["f"] = f
        return point

    _numerical_grad({"numerical_grad": capture}, name, x, h)
    f, flat = captured["f"], x.reshape(-1)
    grad = torch.zeros_like(flat)
    for i in range(flat.numel()):
        step = torch.zeros_like(flat)
        step[i] = h
        grad[i] = (f((flat + step).reshape(x.shape)) - f(x)) / h
    return grad.reshape(x.shape)


@points(3)
@given(x=_points(), name=st.sampled_from(FUNCTIONS))
def test_matches_central_differences(student, device, x, name):
    """numerical_grad(f, x) with the default h equals the central differences (float64, 1-D and 2-D x)."""
    _check(student, name, x.to(device))


@points(1)
@settings(max_examples=10)
@given(x=_points(), h=st.sampled_from([0.1, 0.05, 0.02]))
def test_uses_step_h(student, x, h):
    """numerical_grad(f, x, h) uses the given step h (for f = sum(x ** 3) the result is 3 x ** 2 + h ** 2)."""
    _check(student, "cubic", x, h, rtol=1e-9, atol=1e-9)


@points(1)
@settings(max_examples=10)
@given(x=_points(dtype=torch.float32), name=st.sampled_from(["weighted_quadratic", "coupled"]))
def test_float32(student, x, name):
    """In float32 with h = 0.01 the result keeps float32 and is close to the central differences."""
    _check(student, name, x, 0.01, rtol=1e-3, atol=2e-2)


@points(1)
@settings(max_examples=10)
@given(x=_points(), name=st.sampled_from(FUNCTIONS))
def test_does_not_modify_x(student, x, name):
    """numerical_grad(f, x) is correct and leaves x as it was."""
    reply = student.run(_numerical_grad, name, x, None, describe_as=f"{CALL} with f = the grader's '{name}' function")
    expect(isinstance(reply, dict) and reply["x_unchanged"],
           f"{CALL} changed x: perturb a copy (x.clone()), or restore x[i] after both evaluations", f=name,
           x=x)
    _check(student, name, x)
