"""Hidden suite for train_epoch(net, train_iter, loss, updater): one pass of minibatch SGD.

Every test runs a driver in the worker: it builds a linear softmax-regression
net (an ``nn.Module`` on logits with ``nn.CrossEntropyLoss``, or a plain
function of leaf tensors W, b giving probabilities with a from-scratch
cross-entropy; both losses return the batch mean), a minimal SGD updater that
only has ``zero_grad()`` and ``step()`` (the contract; ``torch.optim`` is not
used because its first use imports ``torch._dynamo``, seconds per worker), a
``DataLoader`` with an uneven last batch; it records the order of zero_grad /
backward / step, replaces the student's ``accuracy`` by a correct one, and
returns the result, the final parameters and the records. The harness runs
``d2lkit.train_epoch`` on the same inputs.
"""
import torch
from hypothesis import given, settings, strategies as st
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import d2lkit as d2l
from autograder.strategies import labels, tensors
from autograder.suite import describe, expect, expect_close, fail, points

CALL = "train_epoch(net, train_iter, loss, updater)"
STEP_ORDER = "for each batch: y_hat = net(X), l = loss(y_hat, y), updater.zero_grad(), l.backward(), updater.step()"


@st.composite
def problems(draw):
    """A float64 linear classifier, its data split into batches with a smaller last one, and a learning rate."""
    batch_size = draw(st.integers(2, 5))
    n = batch_size * draw(st.integers(1, 3)) + draw(st.integers(1, batch_size - 1))
    d, q = draw(st.integers(1, 4)), draw(st.integers(2, 4))
    dtype = torch.float64
    W = draw(tensors((d, q), dtype=dtype, min_value=-1.0, max_value=1.0, noncontiguous=False))
    b = draw(tensors((q,), dtype=dtype, min_value=-0.5, max_value=0.5))
    X = draw(tensors((n, d), dtype=dtype, min_value=-2.0, max_value=2.0, noncontiguous=False))
    hits = torch.tensor(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    y = torch.where(hits, (X @ W + b).argmax(dim=1), draw(labels(n, q)))
    lr = draw(st.sampled_from([0.1, 0.5, 1.0]))
    return dict(W=W, b=b, X=X, y=y, batch_size=batch_size, lr=lr)


def _train(ns, kind, W, b, X, y, batch_size, lr):
    """train_epoch(net, train_iter, loss, updater) for one epoch of a softmax-regression net"""
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    def accuracy(y_hat, y):  # a correct accuracy, so that only train_epoch is graded here
        if y_hat.dim() > 1 and y_hat.shape[1] > 1:
            y_hat = y_hat.argmax(dim=1)
        return float((y_hat.reshape(y.shape).to(y.dtype) == y).sum())

    events, modes = [], []
    if kind == "module":
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.linear = nn.Linear(W.shape[0], W.shape[1], dtype=W.dtype, device=W.device)

            def forward(self, X):
                modes.append(self.training)
                return self.linear(X)

        net = Net()
        with torch.no_grad():
            net.linear.weight.copy_(W.T)
            net.linear.bias.copy_(b)
        net.eval()  # train_epoch must switch it to training mode
        params = [net.linear.weight, net.linear.bias]
        loss = nn.CrossEntropyLoss()  # the batch mean
    else:
        W, b = W.clone().requires_grad_(True), b.clone().requires_grad_(True)
        params = [W, b]

        def net(X):
            Z = X.reshape(-1, W.shape[0]) @ W + b
            Z = (Z - Z.max(dim=1, keepdim=True).values).exp()
            return Z / Z.sum(dim=1, keepdim=True)

        def loss(y_hat, y):  # the batch mean
            return -y_hat[torch.arange(len(y_hat), device=y_hat.device), y].log().mean()

    class Updater:
        def zero_grad(self):
            events.append("zero_grad")
            for p in params:
                if p.grad is not None:
                    p.grad.zero_()

        def step(self):
            events.append("step")
            with torch.no_grad():
                for p in params:
                    if p.grad is not None:
                        p -= lr * p.grad

    updater = Updater()
    params[0].register_hook(lambda grad: events.append("backward"))
    train_iter = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=False)
    with ns.replaced(accuracy=accuracy):
        result = ns["train_epoch"](net, train_iter, loss, updater)
    return {"result": result, "params": [p.detach().clone() for p in params], "events": events, "modes": modes}


def reference(kind, problem):
    """d2lkit's (result, final parameters, [(batch mean loss, correct, size)]) on the driver's setup."""
    W, b, lr = problem["W"], problem["b"], problem["lr"]
    batches = []
    if kind == "module":
        net = nn.Linear(W.shape[0], W.shape[1], dtype=W.dtype, device=W.device)
        with torch.no_grad():
            net.weight.copy_(W.T)
            net.bias.copy_(b)
        params, base_loss = [net.weight, net.bias], nn.CrossEntropyLoss()
    else:
        W, b = W.clone().requires_grad_(True), b.clone().requires_grad_(True)
        params, base_loss = [W, b], d2l.cross_entropy

        def net(X):
            return d2l.softmax_regression(X, W, b)

    updater = d2l.SGD(params, lr)  # no torch.optim: its first use imports torch._dynamo (seconds)

    def loss(y_hat, y):
        value = base_loss(y_hat, y)
        batches.append((value.item(), d2l.accuracy(y_hat.detach(), y), len(y)))
        return value

    loader = DataLoader(TensorDataset(problem["X"], problem["y"]), batch_size=problem["batch_size"])
    result = d2l.train_epoch(net, loader, loss, updater)
    return result, [p.detach() for p in params], batches


def run_train(student, kind, problem):
    """The driver's record, with a hint for the errors of nets and updaters used the wrong way."""
    try:
        record = student.run(_train, kind, problem["W"], problem["b"], problem["X"], problem["y"],
                             problem["batch_size"], problem["lr"])
    except AssertionError as error:
        text = str(error)
        if "has no attribute 'train'" in text:
            fail(f"{text}\n(net may be a plain function: call net.train() only when "
                 f"isinstance(net, torch.nn.Module))")
        if "object is not callable" in text and "Updater" in text:
            fail(f"{text}\n(updater is any object with zero_grad() and step(); call those, not updater(...))")
        raise
    expect(isinstance(record, dict), f"{CALL} could not be run")
    return record


def order_hint(events, batches) -> str:
    """What the recorded zero_grad / backward / step calls do wrong, or a reminder of the order."""
    steps, backwards = events.count("step"), events.count("backward")
    if steps != batches:
        return f"updater.step() ran {steps} times for {batches} batches; call it once per batch"
    if backwards != batches:
        return f"the loss was back-propagated {backwards} times for {batches} batches; call l.backward() once per batch"
    pending, dirty = False, False
    for event in events:
        if event == "backward":
            if dirty:
                return ("the gradients of the previous batch were still there at l.backward() (they add up): "
                        "call updater.zero_grad() in every batch, before l.backward()")
            pending = dirty = True
        elif event == "step":
            if not pending:
                return ("updater.step() ran before l.backward() of its batch, so it used no or stale gradients; "
                        + STEP_ORDER)
            pending = False
        elif event == "zero_grad":
            dirty = False
    return STEP_ORDER


def expect_parameters(record, expected_params, kind, problem):
    names = ("net.weight", "net.bias") if kind == "module" else ("W", "b")
    inputs = dict(W=problem["W"], b=problem["b"], lr=problem["lr"], batch_sizes=batch_sizes(problem))
    got = record["params"]
    for name, got_param, expected_param in zip(names, got, expected_params):
        if not (isinstance(got_param, torch.Tensor) and got_param.shape == expected_param.shape
                and torch.allclose(got_param, expected_param, rtol=1e-7, atol=1e-9)):
            hint = order_hint(record["events"], len(batch_sizes(problem)))
            expect_close(got_param, expected_param,
                         f"{name} after {CALL} (one SGD step per batch on that batch's mean loss: {hint})",
                         rtol=1e-7, atol=1e-9, **inputs)


def batch_sizes(problem):
    n, size = len(problem["y"]), problem["batch_size"]
    return [min(size, n - i) for i in range(0, n, size)]


def number(value):
    """A returned value as a Python float, or None when it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.dtype.is_complex:
        return float(value.detach().cpu().reshape(()).item())
    return None


def pair(result, problem):
    """(mean loss, accuracy) from the returned value, as numbers."""
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        fail(f"{CALL} should return a pair (mean loss per example, training accuracy), but returned "
             f"{describe(result)}", batch_sizes=batch_sizes(problem))
    values = [number(v) for v in result]
    if None in values:
        fail(f"{CALL} should return two numbers (mean loss per example, training accuracy), but returned "
             f"{describe(result)}", batch_sizes=batch_sizes(problem))
    return values


def close(a, b) -> bool:
    return abs(a - b) <= 1e-9 + 1e-7 * abs(b)


@points(2)
@settings(max_examples=12)
@given(problem=problems())
def test_updates_parameters(student, device, problem):
    """One SGD step per batch: zero_grad(), backward and step() leave the reference parameters."""
    problem = {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in problem.items()}
    _, expected_params, _ = reference("module", problem)
    record = run_train(student, "module", problem)
    expect_parameters(record, expected_params, "module", problem)


@points(1)
@settings(max_examples=10)
@given(problem=problems())
def test_returns_mean_loss(student, problem):
    """The first value is the mean loss per example (uneven batches weigh per example)."""
    (expected, _), _, batches = reference("module", problem)
    loss, _ = pair(run_train(student, "module", problem)["result"], problem)
    if close(loss, expected):
        return
    sizes = [s for _, _, s in batches]
    means = [m for m, _, _ in batches]
    inputs = dict(batch_sizes=sizes, batch_mean_losses=[round(m, 6) for m in means])
    if close(loss, sum(means) / len(means)):
        fail(f"{CALL} returned a mean loss of {loss:.6g}, the mean of the batches' mean losses, expected "
             f"{expected:.6g}: the batches have sizes {sizes}, so weigh each batch's mean loss by its size "
             f"(add float(l) * len(y)) and divide by the number of examples", **inputs)
    if close(loss, sum(means) / sum(sizes)):
        fail(f"{CALL} returned a mean loss of {loss:.6g}, expected {expected:.6g}: loss(y_hat, y) returns "
             f"the batch MEAN, so multiply it by the batch size before adding it up", **inputs)
    if close(loss, sum(m * s for m, _, s in batches)):
        fail(f"{CALL} returned {loss:.6g}, the total loss; divide it by the number of examples "
             f"({sum(sizes)}) to return the mean loss per example ({expected:.6g})", **inputs)
    fail(f"{CALL} returned a mean loss of {loss:.6g}, expected {expected:.6g} (the loss of each batch "
         f"before its update, weighted by the batch size, over the number of examples)", **inputs)


@points(1)
@settings(max_examples=10)
@given(problem=problems())
def test_returns_accuracy(student, problem):
    """The second value is the accuracy over all examples, before each update (correct accuracy swapped in)."""
    (_, expected), _, batches = reference("module", problem)
    _, accuracy = pair(run_train(student, "module", problem)["result"], problem)
    if close(accuracy, expected):
        return
    sizes = [s for _, _, s in batches]
    correct = [c for _, c, _ in batches]
    inputs = dict(batch_sizes=sizes, correct_per_batch=correct)
    if close(accuracy, sum(c / s for c, s in zip(correct, sizes)) / len(sizes)):
        fail(f"{CALL} returned an accuracy of {accuracy:.6g}, the mean of the batches' accuracies, expected "
             f"{expected:.6g}: the batches have sizes {sizes}, so add up the correct predictions and divide by "
             f"the number of examples", **inputs)
    if close(accuracy, sum(correct)) and sum(correct) != expected:
        fail(f"{CALL} returned {accuracy:g}, the number of correct predictions; return the fraction "
             f"({expected:.6g})", **inputs)
    fail(f"{CALL} returned an accuracy of {accuracy:.6g}, expected {expected:.6g} (correct predictions of each "
         f"batch's y_hat, computed before the update, over the number of examples)", **inputs)


def train_mode_problem():
    generator = torch.Generator().manual_seed(5)
    W = torch.randn(3, 4, generator=generator, dtype=torch.float64)
    b = torch.randn(4, generator=generator, dtype=torch.float64)
    X = torch.randn(7, 3, generator=generator, dtype=torch.float64)
    y = torch.randint(0, 4, (7,), generator=generator)
    return dict(W=W, b=b, X=X, y=y, batch_size=3, lr=0.1)


@points(1)
def test_train_mode(student):
    """An nn.Module net is switched to training mode (net.train()) before its forward passes."""
    problem = train_mode_problem()
    record = run_train(student, "module", problem)
    expect(bool(record["modes"]), f"{CALL} never called net(X); compute y_hat with the net it is given")
    expect(all(record["modes"]),
           f"{CALL} ran an nn.Module that was in evaluation mode without switching it to training mode; call "
           f"net.train() first when isinstance(net, torch.nn.Module) (evaluate_accuracy leaves it in eval mode)")


@points(1)
@settings(max_examples=8)
@given(problem=problems())
def test_plain_function_net(student, problem):
    """A plain-function net (not an nn.Module) of leaf tensors W, b is trained correctly too."""
    _, expected_params, _ = reference("function", problem)
    expect_parameters(run_train(student, "function", problem), expected_params, "function", problem)


@points(1)
def test_returns_python_floats(student):
    """The mean loss and the accuracy come back as Python floats, not tensors holding autograd graphs."""
    problem = train_mode_problem()
    record = run_train(student, "module", problem)
    expect("step" in record["events"], f"{CALL} never called updater.step(); {STEP_ORDER}")
    result = record["result"]
    pair(result, problem)
    expect(all(type(v) is float for v in result),
           f"{CALL} returned {describe(result)}; return two Python floats, e.g. accumulate float(l) * len(y) "
           f"(a tensor loss keeps every batch's autograd graph alive)")
