"""Hidden suite for cross_entropy(y_hat, y): the batch mean of -log y_hat[i, y[i]] as a 0-dim tensor."""
import torch
from hypothesis import given, strategies as st

import d2lkit as d2l
from autograder.strategies import labels, probabilities, shapes_2d
from autograder.suite import describe, expect, expect_close, fail, points, tolerances

CALL = "cross_entropy(y_hat, y)"
PICK_ONE_PER_ROW = ("pick one entry per row, y_hat[i, y[i]], with y_hat[range(n), y] or "
                    "y_hat.gather(1, y.reshape(-1, 1))")


@st.composite
def batches(draw, min_n=1, square=None, dtype=None, distinct_labels=False):
    """(y_hat, y): probabilities (n, q), q >= 2, possibly a non-contiguous view, and int64 labels (n,)."""
    n, q = draw(shapes_2d(min_rows=min_n, max_rows=8, min_cols=2, max_cols=8, square=square))
    y_hat = draw(probabilities(n, q, dtype=dtype))
    if draw(st.booleans()):
        y_hat = y_hat.t().contiguous().t()  # same values, column-major storage
    y = draw(labels(n, q))
    if distinct_labels and n >= 2:  # the first two rows have different labels
        y[1] = (y[0] + draw(st.integers(1, q - 1))) % q
    return y_hat, y


def _close(got, expected) -> bool:
    if not isinstance(got, torch.Tensor) or got.shape != expected.shape or got.dtype != expected.dtype:
        return False
    rtol, atol = tolerances(expected.dtype)
    return torch.allclose(got.detach().cpu(), expected.detach().cpu(), rtol=rtol, atol=atol)


def expect_batch_mean(got, y_hat, y, call=CALL):
    """``got`` is the reference's mean loss; common mistakes get their own message."""
    expected = d2l.cross_entropy(y_hat, y)
    n = len(y)
    cpu_hat, cpu_y = y_hat.detach().cpu(), y.cpu()
    per_example = -cpu_hat[torch.arange(n), cpu_y].log()
    trap = -cpu_hat[:, cpu_y].log()
    inputs = dict(y_hat=y_hat, y=y)
    if isinstance(got, torch.Tensor) and n > 1:
        if got.shape == (n, n) and _close(got, trap):
            fail(f"{call} returned shape {tuple(got.shape)}: y_hat[:, y] takes every label's column for every "
                 f"row; {PICK_ONE_PER_ROW}, then average", **inputs)
        if _close(got, per_example):
            fail(f"{call} returned one loss per example (shape {tuple(got.shape)}); return their mean over the "
                 f"batch as a 0-dim tensor", **inputs)
        if _close(got, per_example.sum()) and not _close(expected.cpu(), per_example.sum()):
            fail(f"{call} returned the sum of the losses over the batch ({got.item():.6g}); return the mean "
                 f"({expected.item():.6g}), e.g. with .mean()", **inputs)
        if _close(got, trap.mean()) and not _close(expected.cpu(), trap.mean()):
            fail(f"{call} averages y_hat[:, y], which takes every label's column for every row (n * n "
                 f"entries); {PICK_ONE_PER_ROW}", **inputs)
    expect_close(got, expected, call, **inputs)


@points(2)
@given(batch=batches())
def test_matches_reference(student, device, batch):
    """cross_entropy(y_hat, y) equals the reference on float32/float64 inputs, as a 0-dim tensor."""
    y_hat, y = (t.to(device) for t in batch)
    expect_batch_mean(student.cross_entropy(y_hat, y), y_hat, y)


@points(1)
@given(batch=batches(min_n=2))
def test_returns_batch_mean(student, batch):
    """The result is the mean over the batch as a 0-dim tensor (not the sum, not one loss per example)."""
    y_hat, y = batch
    got = student.cross_entropy(y_hat, y)
    if isinstance(got, torch.Tensor) and got.dim() != 0:
        expect_batch_mean(got, y_hat, y)  # a more precise message when it recognises the mistake
        fail(f"{CALL} returned shape {tuple(got.shape)}; return the mean loss as a 0-dim tensor "
             f"(shape ())", y_hat=y_hat, y=y)
    expect_batch_mean(got, y_hat, y)


@points(1)
@given(batch=batches(min_n=2, distinct_labels=True))
def test_picks_each_rows_label(student, batch):
    """Row i contributes -log y_hat[i, y[i]] only (the y_hat[:, y] trap), also for square y_hat."""
    y_hat, y = batch
    expect_batch_mean(student.cross_entropy(y_hat, y), y_hat, y)


def _cross_entropy_gradient(ns, y_hat, y):
    """the gradient of cross_entropy(y_hat, y) with respect to y_hat (autograd)"""
    y_hat = y_hat.clone().requires_grad_(True)
    loss = ns["cross_entropy"](y_hat, y)
    if not isinstance(loss, torch.Tensor):
        return f"returned {type(loss).__name__}, not a tensor"
    if not loss.requires_grad:
        return "returned a tensor that is not connected to y_hat"
    if loss.dim() != 0:
        return f"returned shape {tuple(loss.shape)}, not a 0-dim tensor"
    loss.backward()
    if y_hat.grad is None:
        return "gave no gradient for y_hat"
    return y_hat.grad


@points(1)
@given(batch=batches(dtype=torch.float64))
def test_gradient(student, batch):
    """Autograd through cross_entropy gives the reference gradient with respect to y_hat (float64)."""
    y_hat, y = batch
    expected_hat = y_hat.clone().requires_grad_(True)
    d2l.cross_entropy(expected_hat, y).backward()
    got = student.run(_cross_entropy_gradient, y_hat, y)
    if isinstance(got, str):
        fail(f"no gradient can flow through {CALL}: it {got}; compute the loss from y_hat with tensor "
             f"operations (no .item(), .detach(), .numpy() or torch.tensor(...) on the way)", y_hat=y_hat, y=y)
    expect_close(got, expected_hat.grad, f"the gradient of {CALL} with respect to y_hat", y_hat=y_hat, y=y)


@points(1)
@given(batch=batches())
def test_does_not_modify_inputs(student, batch):
    """cross_entropy(y_hat, y) is correct and leaves y_hat and y unchanged."""
    y_hat, y = batch
    before_hat, before_y = y_hat.clone(), y.clone()
    result = student.call("cross_entropy", y_hat, y, return_args=True)
    expect_batch_mean(result.value, before_hat, before_y)
    after_hat, after_y = result.args
    expect(isinstance(after_hat, torch.Tensor) and torch.equal(after_hat, before_hat),
           f"{CALL} modified y_hat in place (it is now {describe(after_hat)}); compute on new tensors "
           f"(torch.log(...), not .log_())", y_hat=before_hat, y=before_y)
    expect(isinstance(after_y, torch.Tensor) and torch.equal(after_y, before_y),
           f"{CALL} modified y in place; compute on new tensors", y_hat=before_hat, y=before_y)
