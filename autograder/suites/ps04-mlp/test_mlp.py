"""Hidden suite for mlp(X, params): an MLP forward pass from [W1, b1, ..., Wk, bk], relu between layers.

Every call runs a driver that swaps in a correct relu for the student's own,
so a bug in relu costs points only in relu's suite.
"""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.strategies import dtypes, tensors
from autograder.suite import expect_close, fail, points

CALL = "mlp(X, params)"


def _forward(ns, X, params, gradients=False):
    """mlp(X, params) (with a correct relu in place of yours)"""
    import torch

    def relu(X):  # a correct relu, so that only mlp is graded here
        return torch.where(X > 0, X, torch.zeros_like(X))

    if gradients:
        params = [p.clone().requires_grad_(True) for p in params]
    with ns.replaced(relu=relu):
        out = ns["mlp"](X, params)
    if not gradients:
        return out
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return f"returned {type(out).__name__}" if not isinstance(out, torch.Tensor) else "returned a detached tensor"
    (out * torch.linspace(-1, 1, out.numel(), dtype=out.dtype).reshape(out.shape)).sum().backward()
    return [out.detach(), [p.grad for p in params]]


@st.composite
def networks(draw, layers=None, image=None, dtype=None):
    """(X, params): inputs (n, d) or images (n, c, h, w) flattening to d, and k affine layers' W (in, out), b (out,)."""
    dtype = dtype or draw(dtypes())
    layers = layers or draw(st.integers(2, 3))
    n = draw(st.integers(1, 6))
    if image is None:
        image = draw(st.booleans())
    if image:
        c, h, w = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
        X = draw(tensors((n, c, h, w), dtype=dtype, min_value=-2.0, max_value=2.0, noncontiguous=False))
        sizes = [c * h * w]
    else:
        X = draw(tensors((n, draw(st.integers(1, 6))), dtype=dtype, min_value=-2.0, max_value=2.0))
        sizes = [X.shape[1]]
    sizes += [draw(st.integers(1, 6)) for _ in range(layers)]
    params = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        params.append(draw(tensors((fan_in, fan_out), dtype=dtype, min_value=-1.0, max_value=1.0)))
        params.append(draw(tensors((fan_out,), dtype=dtype, min_value=-1.0, max_value=1.0)))
    return X, params


def expect_output(got, X, params):
    expected = d2l.mlp(X, params)
    inputs = {"X": X, **{f"params[{k}]": p for k, p in enumerate(params)}}
    if isinstance(got, torch.Tensor) and got.shape == expected.shape and got.dtype == expected.dtype \
            and got.device == expected.device and not torch.allclose(got, expected, rtol=1e-4, atol=1e-5):
        if torch.allclose(got, d2l.relu(expected), rtol=1e-4, atol=1e-5):
            fail(f"{CALL} applies relu after the last layer too; the output layer is affine only (H @ W + b), "
                 f"so the outputs can be negative", **inputs)
        if len(params) > 4:
            two = d2l.mlp(X, params[:4])
            if two.shape == got.shape and torch.allclose(got, two, rtol=1e-4, atol=1e-5):
                fail(f"{CALL} uses only the first two layers; params holds {len(params) // 2} layers "
                     f"[W1, b1, ..., Wk, bk]: loop over them", **inputs)
    expect_close(got, expected, CALL, **inputs)


@points(2)
@settings(max_examples=12)
@given(net=networks(layers=2))
def test_matches_reference(student, device, net):
    """One hidden layer: relu(X @ W1 + b1) @ W2 + b2, for inputs (n, d) and images (n, c, h, w)."""
    X, params = net
    X, params = X.to(device), [p.to(device) for p in params]
    expect_output(student.run(_forward, X, params), X, params)


@points(1)
@settings(max_examples=12)
@given(net=networks(layers=2, image=True))
def test_flattens_images(student, net):
    """Images (n, c, h, w) are flattened to (n, c * h * w), with c * h * w = W1.shape[0] (not a fixed 784)."""
    X, params = net
    expect_output(student.run(_forward, X, params), X, params)


@points(1)
@settings(max_examples=12)
@given(net=networks(layers=3))
def test_any_number_of_layers(student, net):
    """params may hold any number of layers: relu after every layer but the last."""
    X, params = net
    expect_output(student.run(_forward, X, params), X, params)


@points(1)
@settings(max_examples=12)
@given(net=networks(layers=2, dtype=torch.float64))
def test_gradient(student, net):
    """Autograd through mlp reaches every parameter with the reference gradients (float64)."""
    X, params = net
    got = student.run(_forward, X, params, True, describe_as=f"{CALL}.backward()")
    if isinstance(got, str):
        fail(f"no gradient can flow through {CALL}: it {got}; compute with tensor operations on the parameters",
             X=X)
    expect_output(got[0], X, params)
    reference = [p.clone().requires_grad_(True) for p in params]
    out = d2l.mlp(X, reference)
    (out * torch.linspace(-1, 1, out.numel(), dtype=out.dtype).reshape(out.shape)).sum().backward()
    for k, (value, p) in enumerate(zip(got[1], reference)):
        if value is None:
            fail(f"no gradient reached params[{k}] through {CALL}: use every parameter in the forward pass, "
                 f"without .detach()", X=X)
        expect_close(value, p.grad, f"the gradient with respect to params[{k}]", X=X)
