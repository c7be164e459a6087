"""Hidden suite for grad_clipping(params, theta): one global gradient norm, rescaled in place when above theta."""
import torch
from hypothesis import given, strategies as st

import d2lkit as d2l
from autograder.strategies import dtypes, tensors
from autograder.suite import describe, expect, expect_close, fail, points


def _clip(ns, values, grads, theta, container):
    """grad_clipping(params, theta) on tensors whose .grad is set (None where the gradient is None)"""
    import torch

    params = [v.clone().requires_grad_(True) for v in values]
    for p, g in zip(params, grads):
        p.grad = None if g is None else g.clone()
    if container == "generator":
        ns["grad_clipping"]((p for p in params), theta)
    elif container == "module":
        module = torch.nn.Module()
        for i, p in enumerate(params):
            module.register_parameter(f"p{i}", torch.nn.Parameter(p.detach(), requires_grad=True))
            module.get_parameter(f"p{i}").grad = p.grad
        ns["grad_clipping"](module.parameters(), theta)
        params = [module.get_parameter(f"p{i}") for i in range(len(params))]
    else:
        ns["grad_clipping"](params, theta)
    return {"grads": [None if p.grad is None else p.grad.detach().clone() for p in params],
            "values": [p.detach().clone() for p in params]}


@st.composite
def problems(draw, scale=None, with_none=False):
    dtype = draw(dtypes())
    shapes = draw(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 4)), min_size=1, max_size=4))
    values = [draw(tensors(s, dtype=dtype, noncontiguous=False)) for s in shapes]
    grads = [draw(tensors(s, dtype=dtype, min_value=-3.0, max_value=3.0, noncontiguous=False)) for s in shapes]
    if with_none:
        k = draw(st.integers(0, len(grads)))
        grads = grads[:k] + [None] + grads[k:]
        values = values[:k] + [draw(tensors((2, 3), dtype=dtype, noncontiguous=False))] + values[k:]
    norm = float(torch.sqrt(sum((g.double() ** 2).sum() for g in grads if g is not None)))
    if scale == "above":
        theta = norm * draw(st.sampled_from([0.1, 0.3, 0.5, 0.9]))
    elif scale == "below":
        theta = norm * draw(st.sampled_from([1.1, 2.0, 10.0])) + 1e-3
    else:
        theta = norm * draw(st.sampled_from([0.1, 0.5, 2.0])) + 1e-3
    theta = max(round(theta, 3), 1e-3)
    return values, grads, theta


def _reference(values, grads, theta):
    params = [v.clone().requires_grad_(True) for v in values]
    for p, g in zip(params, grads):
        p.grad = None if g is None else g.clone()
    d2l.grad_clipping(params, theta)
    return [None if p.grad is None else p.grad for p in params]


def _check(student, values, grads, theta, container="list"):
    call = f"grad_clipping(params, {theta})" + ("" if container == "list" else f" with params a {container}")
    inputs = {f"params[{k}].grad": g for k, g in enumerate(grads)}
    reply = student.run(_clip, values, grads, theta, container, describe_as=call)
    expected = _reference(values, grads, theta)
    for k, (got, want, before) in enumerate(zip(reply["grads"], expected, grads)):
        if want is None:
            expect(got is None, f"after {call}, params[{k}].grad is {describe(got)}; it was None and must stay None "
                                f"(skip parameters without a gradient)", **inputs)
            continue
        if not isinstance(got, torch.Tensor):
            fail(f"after {call}, params[{k}].grad is {describe(got)}", **inputs)
        if got.shape == want.shape and not torch.allclose(got, want, rtol=1e-4, atol=1e-6):
            norm_k = float(torch.linalg.vector_norm(before.double()))
            if torch.allclose(got, before * min(1.0, theta / norm_k), rtol=1e-4, atol=1e-6):
                fail(f"{call} clipped each gradient by its own norm; use ONE norm over all parameters, "
                     f"sqrt(sum of (p.grad ** 2).sum() over every p), and scale every gradient by theta / norm",
                     **inputs)
            if torch.allclose(got, before) and not torch.allclose(want, before):
                fail(f"{call} left params[{k}].grad unchanged although the global norm exceeds theta: scale the "
                     f"gradients in place (p.grad[:] *= theta / norm, or p.grad.mul_(...))", **inputs)
            if torch.allclose(want, before):
                fail(f"{call} changed params[{k}].grad although the global norm is below theta: rescale only when "
                     f"norm > theta", **inputs)
        expect_close(got, want, f"params[{k}].grad after {call}", **inputs)
    for k, (got, value) in enumerate(zip(reply["values"], values)):
        expect(torch.equal(got, value), f"{call} changed the value of params[{k}]; change only the gradients",
               **inputs)


@points(2)
@given(problem=problems(scale="above"))
def test_clips_to_theta(student, device, problem):
    """When the global norm exceeds theta every gradient is scaled by theta / norm (one norm for all)."""
    values, grads, theta = problem
    _check(student, [v.to(device) for v in values], [g.to(device) for g in grads], theta)


@points(1)
@given(problem=problems(scale="below"))
def test_small_gradients_unchanged(student, device, problem):
    """When the global norm is at most theta the gradients are left as they are."""
    values, grads, theta = problem
    _check(student, [v.to(device) for v in values], [g.to(device) for g in grads], theta)


@points(1)
@given(problem=problems(with_none=True))
def test_skips_missing_gradients(student, problem):
    """Parameters whose .grad is None are skipped (no error, they stay None)."""
    values, grads, theta = problem
    _check(student, values, grads, theta)


@points(1)
@given(problem=problems(), container=st.sampled_from(["generator", "module"]))
def test_parameters_generator(student, problem, container):
    """params may be a one-shot generator such as net.parameters(): it is read only once."""
    values, grads, theta = problem
    _check(student, values, grads, theta, container)
