"""Hidden suite for run_on_device(net, X, device): move net and X, predict without gradients, bring Y back.

A driver builds net = nn.Sequential(Linear(d, h), ReLU(), Dropout(0.5),
Linear(h, q)) on the CPU in training mode with the harness's weights, calls
the student's function and reports the output, where net's parameters ended
up and net's mode. ``device`` crosses the boundary as a string ('cpu',
'cuda'). The reference is d2lkit.run_on_device on the same net.
"""
import torch
from hypothesis import given, settings, strategies as st
from torch import nn

import d2lkit as d2l
from _ps05_helpers import linear_weights, run_with_hints
from autograder.strategies import dtypes, tensors
from autograder.suite import expect, expect_close, fail, points

CALL = "run_on_device(net, X, device)"
HINTS = (("same device", "move both net (net.to(device)) and X (X.to(device)) to device before calling net"),)


def _run_on_device(ns, layers, X, device):
    """run_on_device(net, X, device) for a small MLP with dropout, built on the CPU in training mode"""
    import torch
    from torch import nn

    (W1, b1), (W2, b2) = layers
    net = nn.Sequential(nn.Linear(W1.shape[1], W1.shape[0]), nn.ReLU(), nn.Dropout(0.5),
                        nn.Linear(W2.shape[1], W2.shape[0])).to(W1.dtype)
    with torch.no_grad():
        for module, (W, b) in ((net[0], (W1, b1)), (net[3], (W2, b2))):
            module.weight.copy_(W.cpu())
            module.bias.copy_(b.cpu())
    net.train()
    before = X.clone()
    Y = ns["run_on_device"](net, X, device)
    return {"output": Y.detach() if isinstance(Y, torch.Tensor) else Y,
            "requires_grad": bool(getattr(Y, "requires_grad", False)),
            "net_devices": sorted({str(p.device) for p in net.parameters()}),
            "training": bool(net.training), "X_unchanged": bool(torch.equal(X, before))}


def reference(layers, X, device):
    (W1, b1), (W2, b2) = layers
    net = nn.Sequential(nn.Linear(W1.shape[1], W1.shape[0]), nn.ReLU(), nn.Dropout(0.5),
                        nn.Linear(W2.shape[1], W2.shape[0])).to(W1.dtype)
    with torch.no_grad():
        for module, (W, b) in ((net[0], (W1, b1)), (net[3], (W2, b2))):
            module.weight.copy_(W.cpu())
            module.bias.copy_(b.cpu())
    return d2l.run_on_device(net, X, device)


@st.composite
def problems(draw):
    dtype = draw(dtypes())
    d, h, q, n = draw(st.integers(1, 4)), draw(st.integers(2, 6)), draw(st.integers(1, 3)), draw(st.integers(1, 5))
    return draw(linear_weights([d, h, q], dtype)), draw(tensors((n, d), dtype=dtype, min_value=-2.0, max_value=2.0))


def check(student, layers, X, device):
    expected = reference(layers, X, device)
    got = run_with_hints(student, _run_on_device, layers, X, device, hints=HINTS)
    expect_close(got["output"], expected,
                 f"{CALL} with device={device!r} for X on {X.device} (net(X) in eval mode, returned on X's device)",
                 X=X, W1=layers[0][0], W2=layers[1][0])
    return got


@points(1)
@settings(max_examples=6)
@given(problem=problems())
def test_moves_net(student, device, problem):
    """net ends up on device (moved in place with net.to(device)) and the output is correct, back on X's device."""
    layers, X = problem
    got = check(student, layers, X, device)
    expect(got["net_devices"] == [str(torch.device(device if device != "cuda" else "cuda:0"))],
           f"after {CALL} with device={device!r}, net's parameters are on {got['net_devices']}; move the net "
           f"itself with net.to(device)")


@points(1)
@settings(max_examples=6)
@given(problem=problems())
def test_output_on_inputs_device(student, device, problem):
    """For X on the device and device='cpu' the output comes back on X's device."""
    layers, X = problem
    check(student, layers, X.to(device), "cpu")


@points(1)
@settings(max_examples=6)
@given(problem=problems())
def test_eval_and_no_grad(student, problem):
    """net is switched to eval mode (dropout off) and the output carries no autograd graph; X is unchanged."""
    layers, X = problem
    got = run_with_hints(student, _run_on_device, layers, X, "cpu", hints=HINTS)
    expect(not got["training"], f"after {CALL} net is still in training mode, so dropout is active; call net.eval()")
    expect(not got["requires_grad"], f"{CALL} returned a tensor that requires grad; compute net(X) inside "
                                     f"torch.no_grad()")
    expect(got["X_unchanged"], f"{CALL} modified X in place; X.to(device) returns a new tensor, use that")
    check(student, layers, X, "cpu")
