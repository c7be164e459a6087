"""Hidden suite for learn_kernel(X, Y, kernel_shape, lr, num_epochs): gradient descent from K = 0 on the
summed squared error of corr2d(X, K) against Y; returns (K detached, per-epoch losses before each update).

Runs in the worker with a correct corr2d swapped in.
"""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.suite import describe, expect, expect_close, fail, points

from _ps06_helpers import image_and_kernel, images, run

STEP = ("each epoch: loss = ((corr2d(X, K) - Y) ** 2).sum(); loss.backward(); K -= lr * K.grad under "
        "torch.no_grad(); K.grad.zero_()")


def edge_image(dtype=torch.float32, vertical=False):
    X = torch.ones(6, 8, dtype=dtype)
    X[:, 2:6] = 0
    K = torch.tensor([[1.0, -1.0]], dtype=dtype)
    if vertical:
        X, K = X.T.contiguous(), K.T.contiguous()
    return X, K


@st.composite
def problems(draw, dtype=None):
    """(X, Y, kernel_shape, lr, num_epochs): Y from a random true kernel plus noise; a small stable lr."""
    X, K = draw(image_and_kernel(dtype=dtype, max_side=6))
    noise = draw(images((X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1), dtype=X.dtype,
                        noncontiguous=False))
    Y = d2l.corr2d(X, K) + 0.1 * noise
    lr = draw(st.sampled_from([0.001, 0.003, 0.01]))
    return X, Y, tuple(K.shape), lr, draw(st.integers(1, 4))


BUGS = {
    "mean": "the loss is the SUM of the squared errors over the output, ((corr2d(X, K) - Y) ** 2).sum(), not their mean",
    "no_zero_grad": "the gradient of the previous epoch was still in K.grad (gradients add up): zero it after each "
                    "update (K.grad.zero_())",
    "after_update": "record each epoch's loss as computed BEFORE that epoch's update (the loss you back-propagate)",
}


def simulate(X, Y, kernel_shape, lr, num_epochs, bug):
    """The losses of learn_kernel with one typical bug (harness side, float64)."""
    X, Y = X.detach().cpu().double(), Y.detach().cpu().double()
    K = torch.zeros(kernel_shape, dtype=torch.float64, requires_grad=True)
    losses = []
    for _ in range(num_epochs):
        loss = (d2l.corr2d(X, K) - Y) ** 2
        loss = loss.mean() if bug == "mean" else loss.sum()
        loss.backward()
        with torch.no_grad():
            K -= lr * K.grad
            if bug != "no_zero_grad":
                K.grad.zero_()
            after = float(((d2l.corr2d(X, K) - Y) ** 2).sum())
        losses.append(after if bug == "after_update" else float(loss))
    return K.detach(), losses


def learn(student, X, Y, kernel_shape, lr, num_epochs):
    call = f"learn_kernel(X, Y, {kernel_shape}, {lr}, {num_epochs})"
    result = run(student, "learn_kernel", X, Y, kernel_shape, lr, num_epochs, replace=("corr2d",), call=call)
    value = result["value"]
    inputs = dict(X=X, Y=Y)
    if not (isinstance(value, (tuple, list)) and len(value) == 2):
        fail(f"{call} should return a pair (K, losses), but returned {describe(value)}", **inputs)
    return value, call, inputs


def expect_trajectory(got, call, inputs, X, Y, kernel_shape, lr, num_epochs):
    K, losses = got
    expected_K, expected_losses = d2l.learn_kernel(X, Y, kernel_shape, lr, num_epochs)
    if not (isinstance(losses, (list, tuple)) and len(losses) == num_epochs):
        fail(f"{call} returned losses {describe(losses)}; return a list with one loss per epoch "
             f"({num_epochs})", **inputs)
    try:
        got_losses = torch.tensor([float(v) for v in losses], dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        fail(f"{call} returned losses {describe(losses)}; return Python floats (loss.item())", **inputs)
    want = torch.tensor(expected_losses, dtype=torch.float64)
    if not torch.allclose(got_losses, want, rtol=1e-4, atol=1e-6):
        for bug, message in BUGS.items():
            other = torch.tensor(simulate(X, Y, kernel_shape, lr, num_epochs, bug)[1], dtype=torch.float64)
            if not torch.allclose(other, want, rtol=1e-4, atol=1e-6) and \
                    torch.allclose(got_losses, other, rtol=1e-4, atol=1e-6):
                fail(f"{call} returned losses {got_losses.tolist()}, expected {want.tolist()}: {message}", **inputs)
        fail(f"{call} returned losses {got_losses.tolist()}, expected {want.tolist()}: start from K = 0 and "
             f"{STEP}", **inputs)
    if isinstance(K, torch.Tensor) and K.shape == expected_K.shape and not torch.allclose(
            K.detach().cpu().double(), expected_K.cpu().double(), rtol=1e-4, atol=1e-6):
        for bug, message in BUGS.items():
            other = simulate(X, Y, kernel_shape, lr, num_epochs, bug)[0]
            if not torch.allclose(other, expected_K.cpu().double(), rtol=1e-4, atol=1e-6) and \
                    torch.allclose(K.detach().cpu().double(), other, rtol=1e-4, atol=1e-6):
                fail(f"{call} returned K = {describe(K)}, expected {describe(expected_K)}: {message}", **inputs)
    expect_close(K, expected_K.to(X.device), f"the kernel K returned by {call}", rtol=1e-4, atol=1e-6, **inputs)


@points(2)
@settings(max_examples=10)
@given(problem=problems())
def test_matches_reference(student, device, problem):
    """K and the losses follow the reference's gradient descent from K = 0, on float32/float64 and any device."""
    X, Y, kernel_shape, lr, num_epochs = problem
    X, Y = X.to(device), Y.to(device)
    got, call, inputs = learn(student, X, Y, kernel_shape, lr, num_epochs)
    expect_trajectory(got, call, inputs, X, Y, kernel_shape, lr, num_epochs)


@points(2)
@given(vertical=st.booleans(), dtype=st.sampled_from([torch.float32, torch.float64]))
def test_recovers_edge_detector(student, vertical, dtype):
    """From the 6x8 edge image and its edges, 30 epochs at lr 0.03 recover [[1, -1]] (or its transpose) within 1e-3."""
    X, K_true = edge_image(dtype, vertical)
    Y = d2l.corr2d(X, K_true)
    shape = tuple(K_true.shape)
    (K, losses), call, inputs = learn(student, X, Y, shape, 3e-2, 30)
    expect(isinstance(K, torch.Tensor) and tuple(K.shape) == shape,
           f"{call} returned K = {describe(K)}; return the learned kernel of shape {shape}", **inputs)
    if not torch.allclose(K.to(dtype), K_true, atol=1e-3, rtol=0):
        fail(f"{call} returned K = {describe(K)}, but gradient descent converges to {K_true.tolist()}: {STEP}",
             **inputs)
    expect_trajectory((K, losses), call, inputs, X, Y, shape, 3e-2, 30)


@points(1)
@settings(max_examples=6)
@given(problem=problems())
def test_returns_detached_kernel_and_floats(student, problem):
    """K comes back detached (no gradient), with X's dtype; the losses are Python floats, one per epoch."""
    X, Y, kernel_shape, lr, num_epochs = problem
    (K, losses), call, inputs = learn(student, X, Y, kernel_shape, lr, num_epochs)
    expect(isinstance(K, torch.Tensor) and not K.requires_grad,
           f"{call} returned K = {describe(K)} that still requires gradients; return K.detach()", **inputs)
    expect(isinstance(losses, list) and all(type(v) is float for v in losses),
           f"{call} returned losses {describe(losses)}; return a list of Python floats (loss.item())", **inputs)
    expect_trajectory((K, losses), call, inputs, X, Y, kernel_shape, lr, num_epochs)
