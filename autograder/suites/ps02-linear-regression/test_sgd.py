"""Hidden suite for sgd(params, lr, batch_size): in place, p -= lr * p.grad / batch_size, then p.grad zeroed.

sgd changes its arguments, so it is run by drivers in the worker, which
send back the parameters and gradients after the step. Its return value
is not graded.
"""
import torch
from hypothesis import given, strategies as st

import d2lkit as d2l
from autograder.strategies import dtypes, tensors
from autograder.suite import describe, expect, expect_close, fail, points

_IN_PLACE = ("update each tensor in params in place, under torch.no_grad(): p -= lr * p.grad / batch_size "
             "(or p.sub_(...)); p = p - ... only rebinds a local name and params[i] = ... replaces the list "
             "entry, so the caller's tensors (w and b) never change")


def _sgd_step(ns, values, grads, lr, batch_size, container="list"):
    """sgd(params, lr, batch_size) on leaf tensors params with .grad set"""
    params = [value.clone().requires_grad_(True) for value in values]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    originals = list(params)
    if container == "tuple":
        ns["sgd"](tuple(params), lr, batch_size)
    elif container == "generator":
        ns["sgd"]((p for p in params), lr, batch_size)
    else:
        ns["sgd"](params, lr, batch_size)
    return {
        "values": [p.detach().clone() for p in originals],
        "grads": [None if p.grad is None else p.grad.detach().clone() for p in originals],
        "replaced": [a is not b for a, b in zip(params, originals)] + [len(params) != len(originals)],
        "leaves": [bool(p.is_leaf and p.requires_grad) for p in originals],
    }


def _two_steps(ns, X, y, w, b, lr, batch_size):
    """two training steps, each loss = ((X @ w + b - y) ** 2 / 2).sum(); loss.backward(); sgd([w, b], lr, batch_size)"""
    w, b = w.clone().requires_grad_(True), b.clone().requires_grad_(True)
    steps = []
    for _ in range(2):
        loss = ((X @ w + b - y) ** 2 / 2).sum()
        loss.backward()
        ns["sgd"]([w, b], lr, batch_size)
        steps.append([w.detach().clone(), b.detach().clone()])
    return steps


@st.composite
def _step_inputs(draw, dtype=None):
    """Parameter values, gradients bounded away from 0, lr and batch_size."""
    dtype = dtype or draw(dtypes())
    shapes = draw(st.lists(st.one_of(st.tuples(st.integers(1, 6), st.just(1)), st.just((1,)),
                                     st.tuples(st.integers(1, 4), st.integers(1, 4))), min_size=1, max_size=3))
    values = [draw(tensors(shape, dtype=dtype, min_value=-5.0, max_value=5.0, noncontiguous=False)) for shape in shapes]
    grads = []
    for shape in shapes:
        size = draw(tensors(shape, dtype=dtype, min_value=0.5, max_value=5.0, noncontiguous=False))
        sign = draw(tensors(shape, dtype=dtype, min_value=-1.0, max_value=1.0, noncontiguous=False)).sign()
        grads.append(size * torch.where(sign == 0, 1.0, sign).to(dtype))
    lr = draw(st.sampled_from([0.01, 0.03, 0.1, 0.5, 1.0]))
    batch_size = draw(st.integers(2, 64))
    return values, grads, lr, batch_size


def _run_step(student, values, grads, lr, batch_size, container="list"):
    call = f"sgd(params, {lr}, {batch_size})"
    given = "" if container == "list" else f" with params given as a {container}"
    reply = student.run(_sgd_step, values, grads, lr, batch_size, container, describe_as=call + given)
    inputs = {}
    for k, (value, grad) in enumerate(zip(values, grads)):
        inputs[f"params[{k}]"], inputs[f"params[{k}].grad"] = value, grad
    for k, (before, after, grad) in enumerate(zip(values, reply["values"], reply["grads"])):
        if after.shape == before.shape and after.dtype == before.dtype and torch.equal(after, before):
            how = " (it replaced entries of the list params)" if any(reply["replaced"]) else ""
            after_use = "" if how or (grad is not None and grad.any()) else "; reset p.grad only after the update"
            fail(f"{call}{given} left params[{k}] unchanged{how}: {_IN_PLACE}{after_use}", **inputs)
    return reply, inputs, call


def _reference_step(values, grads, lr, batch_size):
    params = [value.clone().requires_grad_(True) for value in values]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    d2l.sgd(params, lr, batch_size)
    return [p.detach() for p in params]


@points(2)
@given(step=_step_inputs(), container=st.sampled_from(["list", "list", "tuple", "generator"]))
def test_updates_in_place(student, device, step, container):
    """sgd changes the tensors in params (a list, tuple or generator); they stay leaves that require gradients."""
    values, grads, lr, batch_size = step
    values, grads = [v.to(device) for v in values], [g.to(device) for g in grads]
    reply, inputs, call = _run_step(student, values, grads, lr, batch_size, container)
    for k, leaf in enumerate(reply["leaves"]):
        expect(leaf, f"after {call}, params[{k}] is no longer a leaf tensor that requires gradients: update it in "
                     f"place under torch.no_grad() instead of detaching or rebuilding it", **inputs)


@points(2)
@given(step=_step_inputs())
def test_step_matches_reference(student, device, step):
    """One step sets each p to p - lr * p.grad / batch_size, keeping its dtype and device."""
    values, grads, lr, batch_size = step
    values, grads = [v.to(device) for v in values], [g.to(device) for g in grads]
    reply, inputs, call = _run_step(student, values, grads, lr, batch_size)
    expected = _reference_step(values, grads, lr, batch_size)
    for k, (got, want) in enumerate(zip(reply["values"], expected)):
        if (got.shape == want.shape and got.dtype == want.dtype and got.device == want.device
                and torch.allclose(got, values[k] - lr * grads[k], rtol=1e-5, atol=1e-6)):
            fail(f"{call} subtracted lr * p.grad without dividing by batch_size: the gradient is the sum over "
                 f"the batch, so the step is p -= lr * p.grad / batch_size", **inputs)
        expect_close(got, want, f"params[{k}] after {call}", **inputs)


@points(1)
@given(step=_step_inputs())
def test_zeroes_gradients(student, device, step):
    """After the step each p.grad is zero (or None), so the next backward() starts afresh."""
    values, grads, lr, batch_size = step
    values, grads = [v.to(device) for v in values], [g.to(device) for g in grads]
    reply, inputs, call = _run_step(student, values, grads, lr, batch_size)
    for k, grad in enumerate(reply["grads"]):
        expect(grad is None or (isinstance(grad, torch.Tensor) and not grad.any()),
               f"after {call}, params[{k}].grad still holds the gradient: reset it after the update "
               f"(p.grad.zero_()), or the next backward() adds the new gradient to the old one", **inputs)


@points(2)
@given(n=st.integers(2, 10), d=st.integers(1, 4), dtype=dtypes(), lr=st.sampled_from([0.01, 0.03, 0.1]),
       data=st.data())
def test_two_training_steps(student, device, n, d, dtype, lr, data):
    """Two training steps in a row (backward, sgd, backward, sgd) match the reference: no gradient accumulation."""
    X = data.draw(tensors((n, d), dtype=dtype, min_value=-1.0, max_value=1.0, noncontiguous=False)).to(device)
    y = data.draw(tensors((n, 1), dtype=dtype, min_value=-3.0, max_value=3.0, noncontiguous=False)).to(device)
    w = data.draw(tensors((d, 1), dtype=dtype, min_value=-1.0, max_value=1.0, noncontiguous=False)).to(device)
    b = data.draw(tensors((1,), dtype=dtype, min_value=-1.0, max_value=1.0, noncontiguous=False)).to(device)
    got = student.run(_two_steps, X, y, w, b, lr, n)
    ew, eb = w.clone().requires_grad_(True), b.clone().requires_grad_(True)
    inputs = {"X": X, "y": y, "w": w, "b": b, "lr": lr, "batch_size": n}
    for step in range(2):
        ((X @ ew + eb - y) ** 2 / 2).sum().backward()
        d2l.sgd([ew, eb], lr, n)
        for name, value, expected in zip("wb", got[step], (ew.detach(), eb.detach())):
            if step == 1 and isinstance(value, torch.Tensor) and value.shape == expected.shape \
                    and value.dtype == expected.dtype and value.device == expected.device \
                    and not torch.allclose(value, expected, rtol=1e-4, atol=1e-5):
                fail(f"the first sgd step is right but the second is not ({name} after two steps is wrong): reset "
                     f"p.grad after each update (p.grad.zero_() or p.grad = None); otherwise the second backward() "
                     f"adds its gradient to the first one"
                     f"\n  expected {name} = {describe(expected)}\n  got {name} = {describe(value)}", **inputs)
            expect_close(value, expected, f"{name} after {step + 1} training step(s) with sgd", **inputs)
