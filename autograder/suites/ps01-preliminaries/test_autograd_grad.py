"""Hidden suite for autograd_grad(f, x): df/dx by autograd, for f with Python control flow; x left untouched.

A driver defines the test functions in the worker by name, prepares x
(requiring grad or not), calls the student's autograd_grad one or more
times and reports the results and the state of x afterwards. The harness
runs the same driver with the reference.
"""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.strategies import dtypes, tensors
from autograder.suite import Failure, expect, expect_close, fail, points

SMOOTH = ["sin_product", "exp_sum", "power_loop", "branch_on_mean", "leaky_loop"]
CALL = "autograd_grad(f, x)"


def _autograd_grad(ns, name, x, requires_grad=False, calls=1):
    """autograd_grad(f, x) for one of the grader's test functions f"""
    import torch

    def book_f(a):  # the book's function with a while loop and an if, summed to a scalar
        b = a * 2
        while torch.sqrt((b * b).sum()) < 1000:
            b = b * 2
        c = b if b.sum() > 0 else 100 * b
        return c.sum()

    def power_loop(v):  # v * v * ... with a number of factors that depends on v
        y = v
        for _ in range(int(abs(float(v.sum()))) % 3 + 1):
            y = y * v
        return y.sum()

    def branch_on_mean(v):
        if v.mean() > 0:
            return (torch.sin(v) * v).sum()
        return (v ** 2).sum() / 2

    def leaky_loop(v):
        for _ in range(3):
            v = torch.where(v > 0, v, 0.1 * v) * 1.5
        return v.sum()

    functions = {
        "book_f": book_f,
        "sin_product": lambda v: (torch.sin(v) * v).sum(),
        "exp_sum": lambda v: torch.exp(v / 2).sum(),
        "power_loop": power_loop,
        "branch_on_mean": branch_on_mean,
        "leaky_loop": leaky_loop,
    }
    x = x.clone()
    if requires_grad:
        x.requires_grad_(True)
    before = x.detach().clone()
    results = []
    for _ in range(calls):
        grad = ns["autograd_grad"](functions[name], x)
        if isinstance(grad, torch.Tensor):
            results.append({"grad": grad.detach().clone(), "requires_grad": bool(grad.requires_grad)})
        else:
            results.append({"grad": grad, "requires_grad": False})
    return {"results": results, "x_requires_grad": bool(x.requires_grad), "x_grad": x.grad,
            "x_unchanged": bool(torch.equal(x.detach(), before))}


def _expected(name, x):
    return _autograd_grad({"autograd_grad": d2l.autograd_grad}, name, x)["results"][0]["grad"]


def _run(student, name, x, requires_grad=False, calls=1):
    text = f"{CALL} with f = the grader's '{name}' function" + (" (x requires grad)" if requires_grad else "")
    try:
        reply = student.run(_autograd_grad, name, x, requires_grad, calls, describe_as=text)
    except Failure as failure:
        if "does not require grad" in str(failure):
            fail(f"{failure}\nbackward() needs a tensor that requires grad: differentiate a copy, "
                 f"x_copy = x.detach().clone().requires_grad_(True), and return x_copy.grad")
        raise
    if not isinstance(reply, dict):
        fail(f"{CALL} did not return a result the grader can read")
    return reply


def _expect_grad(result, expected, name, x, call=CALL):
    got = result["grad"]
    if got is None:
        fail(f"{call} returned None: after backward() the gradient is in the .grad of the tensor you "
             f"differentiated with respect to (a copy of x that requires grad)", f=name, x=x)
    expect_close(got, expected, call, f=name, x=x)
    expect(not result["requires_grad"], f"{call} returned a tensor that requires grad: return a detached "
                                        f"gradient (x_copy.grad, or .detach())", f=name, x=x)


@st.composite
def _points(draw, dtype=None):
    shape = draw(st.sampled_from([(1,), (3,), (4,), (2, 2), (2, 3)]))
    return draw(tensors(shape, dtype=dtype or draw(dtypes()), min_value=-2.0, max_value=2.0))


@points(2)
@given(x=_points(), name=st.sampled_from(SMOOTH))
def test_matches_autograd(student, device, x, name):
    """autograd_grad(f, x) equals the gradient of f at x, with x's shape, dtype and device, detached."""
    x = x.to(device)
    reply = _run(student, name, x)
    _expect_grad(reply["results"][0], _expected(name, x), name, x)


@points(1)
@settings(max_examples=12)
@given(x=_points(dtype=torch.float64), sign=st.sampled_from([1.0, -1.0]))
def test_control_flow(student, x, sign):
    """The gradient of the book's f (a while loop on the norm, an if on the sum) for both branches of the if."""
    x = x.abs() * sign + 0.01 * sign
    reply = _run(student, "book_f", x)
    _expect_grad(reply["results"][0], _expected("book_f", x), "book_f", x)


@points(1)
@settings(max_examples=12)
@given(x=_points(), name=st.sampled_from(SMOOTH), requires_grad=st.booleans())
def test_leaves_x_unchanged(student, x, name, requires_grad):
    """After autograd_grad(f, x), x has the same values and requires_grad, and x.grad is still None."""
    reply = _run(student, name, x, requires_grad)
    _expect_grad(reply["results"][0], _expected(name, x), name, x)
    expect(reply["x_unchanged"], f"{CALL} changed the values of x: differentiate a copy", f=name, x=x)
    expect(reply["x_requires_grad"] == requires_grad,
           f"{CALL} set requires_grad on the caller's x: work on x.detach().clone().requires_grad_(True) instead",
           f=name, x=x)
    expect(reply["x_grad"] is None,
           f"{CALL} wrote a gradient into the caller's x.grad: differentiate a detached copy of x, so that x "
           f"stays as it was", f=name, x=x, **{"x.grad after the call": reply["x_grad"]})


@points(1)
@settings(max_examples=12)
@given(x=_points(), name=st.sampled_from(SMOOTH))
def test_repeated_calls(student, x, name):
    """Three calls on the same x (which requires grad) give the same, correct gradient each time."""
    reply = _run(student, name, x, requires_grad=True, calls=3)
    expected = _expected(name, x)
    for k, result in enumerate(reply["results"]):
        got = result["grad"]
        if k and isinstance(got, torch.Tensor) and got.shape == expected.shape and got.device == expected.device \
                and torch.allclose(got, (k + 1) * expected, rtol=1e-4, atol=1e-5) \
                and not torch.allclose(got, expected, rtol=1e-4, atol=1e-5):
            fail(f"call {k + 1} of {CALL} returned {k + 1} times the gradient: gradients accumulate in .grad "
                 f"across backward() calls; differentiate a fresh copy of x each time", f=name, x=x)
        _expect_grad(result, expected, name, x, call=f"call {k + 1} of {CALL}")
