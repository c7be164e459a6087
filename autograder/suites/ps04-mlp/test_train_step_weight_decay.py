"""Hidden suite for train_step_weight_decay(X, y, w, b, lambd, lr): one in-place gradient step on
mean squared loss / 2 + lambd * ||w||^2 / 2 (bias not penalised); returns the objective before the step.

The step changes its arguments, so drivers run it in the worker and send
back w, b and their gradients after each step.
"""
import torch
from hypothesis import given, settings, strategies as st

from autograder.strategies import dtypes, tensors
from autograder.suite import describe, expect, expect_close, fail, points

CALL = "train_step_weight_decay(X, y, w, b, lambd, lr)"


def _steps(ns, X, y, w, b, lambd, lr, steps=1):
    """train_step_weight_decay(X, y, w, b, lambd, lr) on leaf tensors w and b that require gradients"""
    w, b = w.clone().requires_grad_(True), b.clone().requires_grad_(True)
    out = []
    for _ in range(steps):
        value = ns["train_step_weight_decay"](X, y, w, b, lambd, lr)
        out.append({"value": value if isinstance(value, (float, int, type(None))) else
                    (value.detach() if hasattr(value, "detach") else repr(value)),
                    "w": w.detach().clone(), "b": b.detach().clone(),
                    "grads": [None if p.grad is None else p.grad.detach().clone() for p in (w, b)],
                    "leaves": [bool(p.is_leaf and p.requires_grad) for p in (w, b)]})
    return out


def reference(X, y, w, b, lambd, lr, steps=1, bias_penalty=False, factor=0.5, reduce="mean"):
    """[(objective, w, b)] after each step of the reference update, or of a typical mistake."""
    w, b = w.clone().requires_grad_(True), b.clone().requires_grad_(True)
    out = []
    for _ in range(steps):
        errors = (X @ w + b - y) ** 2 / 2
        loss = (errors.mean() if reduce == "mean" else errors.sum()) + lambd * factor * (w ** 2).sum()
        if bias_penalty:
            loss = loss + lambd * factor * (b ** 2).sum()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
            w.grad, b.grad = None, None
        out.append((float(loss), w.detach().clone(), b.detach().clone()))
    return out


@st.composite
def problems(draw, dtype=None, lambd=None):
    dtype = dtype or draw(dtypes())
    n, d = draw(st.integers(2, 8)), draw(st.integers(1, 4))
    X = draw(tensors((n, d), dtype=dtype, min_value=-1.0, max_value=1.0))
    y = draw(tensors((n, 1), dtype=dtype, min_value=-2.0, max_value=2.0, noncontiguous=False))
    w = draw(tensors((d, 1), dtype=dtype, min_value=0.5, max_value=2.0, noncontiguous=False))
    b = draw(tensors((1,), dtype=dtype, min_value=0.5, max_value=2.0))
    lambd = draw(st.sampled_from([0.5, 1.0, 3.0])) if lambd is None else lambd
    lr = draw(st.sampled_from([0.05, 0.1, 0.2]))
    return dict(X=X, y=y, w=w, b=b, lambd=lambd, lr=lr)


def _close(got, expected):
    return (isinstance(got, torch.Tensor) and got.shape == expected.shape and got.dtype == expected.dtype
            and torch.allclose(got.cpu(), expected.cpu(), rtol=1e-4, atol=1e-5))


def expect_step(got, problem, step=0):
    """w and b after step ``step`` match the reference; typical mistakes get their own message."""
    expected = reference(**problem, steps=step + 1)[step]
    w, b = got[step]["w"], got[step]["b"]
    if step == 0 and not (_close(w, expected[1]) and _close(b, expected[2])):
        for kwargs, hint in ((dict(bias_penalty=True), "penalises the bias b too; weight decay applies to w only"),
                             (dict(factor=1.0), "uses lambd * (w ** 2).sum() without the 1/2 (gradient "
                                                "2 * lambd * w); the penalty is lambd * (w ** 2).sum() / 2"),
                             (dict(lambd=0.0), "ignores the weight decay: add lambd * l2_penalty(w) to the loss"),
                             (dict(reduce="sum"), "sums the squared losses over the batch; use their MEAN "
                                                  "(or divide the summed gradient by the batch size)")):
            wrong = reference(**{**problem, **kwargs}, steps=1)[0]
            if _close(w, wrong[1]) and _close(b, wrong[2]):
                fail(f"{CALL} {hint}", **problem)
        if _close(w, problem["w"]) and _close(b, problem["b"]):
            fail(f"{CALL} left w and b unchanged: update them in place under torch.no_grad() "
                 f"(w -= lr * w.grad), not w = w - ... (that only rebinds a local name)", **problem)
    if step == 1 and _close(got[0]["w"], reference(**problem)[0][1]) and not _close(w, expected[1]):
        fail(f"the first step of {CALL} is right but the second is not: clear w.grad and b.grad after the "
             f"update (or before backward), otherwise the next backward() adds to the old gradients", **problem)
    expect_close(w, expected[1], f"w after {step + 1} step(s) of {CALL}", **problem)
    expect_close(b, expected[2], f"b after {step + 1} step(s) of {CALL}", **problem)


@points(2)
@settings(max_examples=12)
@given(problem=problems())
def test_one_step(student, device, problem):
    """One step sets w -= lr * (grad of the mean loss + lambd * w) and b -= lr * (grad of the mean loss)."""
    problem = {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in problem.items()}
    expect_step(student.run(_steps, **problem), problem)


@points(1)
@settings(max_examples=12)
@given(problem=problems(lambd=5.0))
def test_bias_not_penalised(student, problem):
    """With strong weight decay (lambd = 5) only w is decayed: b follows the loss gradient alone."""
    expect_step(student.run(_steps, **problem), problem)


@points(1)
@settings(max_examples=12)
@given(problem=problems())
def test_two_steps(student, problem):
    """Two steps in a row match the reference: the gradients of one step do not leak into the next."""
    got = student.run(_steps, **problem, steps=2)
    expect_step(got, problem, 0)
    expect_step(got, problem, 1)


@points(1)
@settings(max_examples=12)
@given(problem=problems())
def test_returns_objective(student, problem):
    """The step returns the penalised objective before the update, as a Python float."""
    got = student.run(_steps, **problem)
    expect_step(got, problem)
    value, expected = got[0]["value"], reference(**problem)[0][0]
    expect(type(value) is float, f"{CALL} returned {describe(value)}; return the objective as a Python float "
                                 f"(float(loss))", **problem)
    without = reference(**{**problem, "lambd": 0.0})[0][0]
    if abs(value - without) <= 1e-5 * max(1.0, abs(without)) and abs(expected - without) > 1e-4:
        fail(f"{CALL} returned {value:.6g}, the loss without the penalty; return the objective that was "
             f"minimised, mean loss + lambd * l2_penalty(w) ({expected:.6g})", **problem)
    expect(abs(value - expected) <= 1e-4 * max(1.0, abs(expected)),
           f"{CALL} returned {value:.6g}, expected the objective before the update, {expected:.6g}", **problem)


@points(1)
@settings(max_examples=12)
@given(problem=problems())
def test_updates_leaves_in_place(student, problem):
    """w and b are updated in place, stay leaves that require gradients, and their gradients are cleared."""
    got = student.run(_steps, **problem)
    expect_step(got, problem)
    for name, leaf, grad in zip("wb", got[0]["leaves"], got[0]["grads"]):
        expect(leaf, f"after {CALL}, {name} is no longer a leaf tensor that requires gradients: update it in "
                     f"place under torch.no_grad()", **problem)
        expect(grad is None or not grad.any(),
               f"after {CALL}, {name}.grad still holds the gradient: zero it after the update "
               f"({name}.grad.zero_() or {name}.grad = None)", **problem)
