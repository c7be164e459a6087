"""Hidden suite for evaluate_accuracy(net, data_iter): the fraction of correct predictions over every example.

The nets and the data iterators live in the worker, so every test runs a
driver there: it builds the net (an ``nn.Linear`` or a plain function of W and
b) and a ``DataLoader`` over (X, y) with an uneven last batch, replaces the
student's ``accuracy`` by a correct one (a bug there costs points only in its
own suite), and returns plain data.
"""
import torch
from hypothesis import assume, given, settings, strategies as st
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import d2lkit as d2l
from autograder.strategies import dtypes, labels, tensors
from autograder.suite import describe, expect, fail, points

CALL = "evaluate_accuracy(net, data_iter)"


@st.composite
def problems(draw, dtype=None):
    """A linear classifier and a data set split into batches of ``batch_size`` with a smaller last batch."""
    dtype = dtype or draw(dtypes())
    batch_size = draw(st.integers(2, 6))
    n = batch_size * draw(st.integers(1, 3)) + draw(st.integers(1, batch_size - 1))
    d, q = draw(st.integers(1, 4)), draw(st.integers(2, 5))
    W = draw(tensors((d, q), dtype=dtype, min_value=-2.0, max_value=2.0, noncontiguous=False))
    b = draw(tensors((q,), dtype=dtype, min_value=-1.0, max_value=1.0))
    X = draw(tensors((n, d), dtype=dtype, min_value=-3.0, max_value=3.0, noncontiguous=False))
    hits = torch.tensor(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    y = torch.where(hits, (X @ W + b).argmax(dim=1), draw(labels(n, q)))
    return dict(W=W, b=b, X=X, y=y, batch_size=batch_size)


def _evaluate(ns, kind, W, b, X, y, batch_size):
    """evaluate_accuracy(net, data_iter) with a linear net and a DataLoader whose last batch is smaller"""
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    def accuracy(y_hat, y):  # a correct accuracy, so that only evaluate_accuracy is graded here
        if y_hat.dim() > 1 and y_hat.shape[1] > 1:
            y_hat = y_hat.argmax(dim=1)
        return float((y_hat.reshape(y.shape).to(y.dtype) == y).sum())

    if kind == "module":
        net = nn.Linear(W.shape[0], W.shape[1], dtype=W.dtype, device=W.device)
        with torch.no_grad():
            net.weight.copy_(W.T)
            net.bias.copy_(b)
    else:
        def net(X):
            return X @ W + b
    data_iter = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=False)
    with ns.replaced(accuracy=accuracy):
        return ns["evaluate_accuracy"](net, data_iter)


def _evaluate_recording(ns, W, b, X, y, batch_size):
    """evaluate_accuracy(net, data_iter) with an nn.Module (in training mode) that records how it is called"""
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    def accuracy(y_hat, y):  # a correct accuracy, so that only evaluate_accuracy is graded here
        if y_hat.dim() > 1 and y_hat.shape[1] > 1:
            y_hat = y_hat.argmax(dim=1)
        return float((y_hat.reshape(y.shape).to(y.dtype) == y).sum())

    seen = []

    class Recorder(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(W.shape[0], W.shape[1], dtype=W.dtype, device=W.device)

        def forward(self, X):
            seen.append((self.training, torch.is_grad_enabled()))
            return self.linear(X)

    net = Recorder()
    with torch.no_grad():
        net.linear.weight.copy_(W.T)
        net.linear.bias.copy_(b)
    net.train()
    data_iter = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=False)
    with ns.replaced(accuracy=accuracy):
        value = ns["evaluate_accuracy"](net, data_iter)
    return {"value": value, "training": [t for t, _ in seen], "grad_enabled": [g for _, g in seen]}


def reference_net(kind, W, b):
    if kind == "module":
        net = nn.Linear(W.shape[0], W.shape[1], dtype=W.dtype, device=W.device)
        with torch.no_grad():
            net.weight.copy_(W.T)
            net.bias.copy_(b)
        return net
    return lambda X: X @ W + b


def batch_accuracies(problem):
    """(correct predictions, size) of each batch, with the reference predictions."""
    net = reference_net("function", problem["W"], problem["b"])
    X, y, size = problem["X"], problem["y"], problem["batch_size"]
    with torch.no_grad():
        return [(d2l.accuracy(net(X[i:i + size]), y[i:i + size]), len(y[i:i + size])) for i in range(0, len(y), size)]


def number(value):
    """A returned value as a Python float, or None when it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.dtype.is_complex:
        return float(value.detach().cpu().reshape(()).item())
    return None


def expect_fraction(got, expected, problem):
    """``got`` is the fraction ``expected``; common mistakes get their own message."""
    batches = batch_accuracies(problem)
    sizes = [size for _, size in batches]
    inputs = dict(net="X @ W + b", batch_sizes=sizes, W=problem["W"], b=problem["b"], X=problem["X"],
                  y=problem["y"])
    value = number(got)
    if value is None:
        fail(f"{CALL} should return the fraction of correct predictions as a Python float, but returned "
             f"{describe(got)}", **inputs)
    if abs(value - expected) <= 1e-9:
        return
    correct = sum(c for c, _ in batches)
    per_batch = sum(c / s for c, s in batches) / len(batches)
    if abs(value - per_batch) <= 1e-9:
        fail(f"{CALL} returned {value:.6g}, the mean of the batches' accuracies, expected {expected:.6g}: the "
             f"batches have sizes {sizes}, so weigh each example once: add up the correct predictions and divide "
             f"by the total number of examples", **inputs)
    if abs(value - correct) <= 1e-9 and correct != expected:
        fail(f"{CALL} returned {value:g}, the number of correct predictions; return the fraction "
             f"({expected:.6g}): divide by the number of examples", **inputs)
    if abs(value - correct / (len(batches) * problem["batch_size"])) <= 1e-9:
        fail(f"{CALL} returned {value:.6g}, expected {expected:.6g}: it divides by (number of batches) * "
             f"(batch size), but the last batch is smaller (sizes {sizes}); count the examples as you go "
             f"(y.numel())", **inputs)
    fail(f"{CALL} returned {value:.6g}, expected {expected:.6g} (the fraction of all examples that the net "
         f"classifies correctly)", **inputs)


def run_evaluate(student, kind, problem):
    try:
        return student.run(_evaluate, kind, problem["W"], problem["b"], problem["X"], problem["y"],
                           problem["batch_size"])
    except AssertionError as error:
        if kind == "function" and "has no attribute 'eval'" in str(error):
            fail(f"{error}\n(net may be a plain function: call net.eval() only when "
                 f"isinstance(net, torch.nn.Module))")
        raise


@points(2)
@settings(max_examples=15)
@given(problem=problems(), kind=st.sampled_from(["module", "function"]))
def test_matches_reference(student, device, problem, kind):
    """The fraction correct over all batches is right for nn.Module and function nets (correct accuracy swapped in)."""
    problem = {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in problem.items()}
    loader = DataLoader(TensorDataset(problem["X"], problem["y"]), batch_size=problem["batch_size"])
    expected = d2l.evaluate_accuracy(reference_net(kind, problem["W"], problem["b"]), loader)
    expect_fraction(run_evaluate(student, kind, problem), expected, problem)


@points(1)
@settings(max_examples=10)
@given(problem=problems())
def test_weighs_every_example_once(student, problem):
    """Every example weighs the same when the last batch is smaller (correct accuracy swapped in)."""
    batches = batch_accuracies(problem)
    correct = sum(c for c, _ in batches)
    expected = correct / len(problem["y"])
    per_batch = sum(c / s for c, s in batches) / len(batches)
    full_batches = correct / (len(batches) * problem["batch_size"])
    # inputs on which averaging per batch, or dividing by (batches * batch size), is visibly wrong
    assume(correct > 0 and abs(per_batch - expected) > 1e-3 and abs(per_batch - full_batches) > 1e-3)
    expect_fraction(run_evaluate(student, "module", problem), expected, problem)


def recording_problem():
    generator = torch.Generator().manual_seed(3)
    W, b = torch.randn(3, 4, generator=generator), torch.randn(4, generator=generator)
    X = torch.randn(11, 3, generator=generator)
    y = torch.randint(0, 4, (11,), generator=generator)
    return dict(W=W, b=b, X=X, y=y, batch_size=4)


def run_recording(student):
    """The recording driver's result; the value is graded by the other tests, not here."""
    problem = recording_problem()
    record = student.run(_evaluate_recording, problem["W"], problem["b"], problem["X"], problem["y"],
                         problem["batch_size"])
    expect(isinstance(record, dict) and record["training"],
           f"{CALL} never called net(X); compute the predictions with the net it is given")
    return record


@points(1)
def test_eval_mode(student):
    """An nn.Module net is switched to evaluation mode (net.eval()) before its forward passes."""
    record = run_recording(student)
    expect(not any(record["training"]),
           f"{CALL} ran an nn.Module in training mode; call net.eval() first when isinstance(net, "
           f"torch.nn.Module) (dropout and batch norm behave differently when evaluating)")


@points(1)
def test_no_grad(student):
    """The forward passes run under torch.no_grad(), so no autograd graph is built while evaluating."""
    record = run_recording(student)
    expect(not any(record["grad_enabled"]),
           f"{CALL} ran the net with autograd enabled; put the loop under `with torch.no_grad():` (evaluation "
           f"needs no gradients, and building graphs wastes memory)")
