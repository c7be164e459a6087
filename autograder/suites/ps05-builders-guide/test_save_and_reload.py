"""Hidden suite for save_and_reload(net, make_net, path): a state_dict round trip through a file.

A driver builds net = nn.Sequential(Linear(d, h), ReLU(), Dropout(0.5),
Linear(h, q)) with the harness's weights on the device, and make_net
building the same architecture on the CPU with fresh random weights; it calls
the student's function with a path in a fresh temporary folder and reports
what came back and what the file holds. The harness runs d2lkit the same way.
"""
import torch
from hypothesis import given, settings, strategies as st
from torch import nn

import d2lkit as d2l
from _ps05_helpers import linear_weights, run_with_hints, to_device
from autograder.strategies import dtypes, tensors
from autograder.suite import expect, expect_close, fail, points

CALL = "save_and_reload(net, make_net, path)"


def _round_trip(ns, layers, X):
    """save_and_reload(net, make_net, path) for a small MLP with dropout"""
    import os
    import tempfile

    import torch
    from torch import nn

    (W1, b1), (W2, b2) = layers

    def make_net():
        return nn.Sequential(nn.Linear(W1.shape[1], W1.shape[0]), nn.ReLU(), nn.Dropout(0.5),
                             nn.Linear(W2.shape[1], W2.shape[0])).to(W1.dtype)

    net = make_net().to(W1.device)
    with torch.no_grad():
        for module, (W, b) in ((net[0], (W1, b1)), (net[3], (W2, b2))):
            module.weight.copy_(W)
            module.bias.copy_(b)
    before = {k: v.detach().clone() for k, v in net.state_dict().items()}
    path = os.path.join(tempfile.mkdtemp(), "mlp.params")
    clone = ns["save_and_reload"](net, make_net, path)
    result = {"is_module": isinstance(clone, nn.Module), "file": os.path.exists(path),
              "net_unchanged": all(torch.equal(v, net.state_dict()[k]) for k, v in before.items())}
    if result["file"]:
        try:
            saved = torch.load(path, weights_only=True)
            result["saved"] = {k: v for k, v in saved.items()} if isinstance(saved, dict) else repr(type(saved))
        except Exception as error:  # a whole pickled module is refused by weights_only
            result["saved"] = f"{type(error).__name__}: {str(error)[:200]}"
    if result["is_module"]:
        result["same_object"] = clone is net
        net_ptrs = {p.data_ptr() for p in net.parameters()}
        result["shares_storage"] = any(p.data_ptr() in net_ptrs for p in clone.parameters())
        result["training"] = bool(clone.training)
        result["devices"] = sorted({str(p.device) for p in clone.parameters()})
        try:
            with torch.no_grad():
                result["output"] = clone(X)
        except Exception as error:
            result["output"] = f"clone(X) raised {type(error).__name__}: {str(error)[:200]}"
    return result


def reference(layers, X):
    (W1, b1), (W2, b2) = layers
    net = nn.Sequential(nn.Linear(W1.shape[1], W1.shape[0]), nn.ReLU(), nn.Dropout(0.5),
                        nn.Linear(W2.shape[1], W2.shape[0])).to(W1.dtype)
    with torch.no_grad():
        for module, (W, b) in ((net[0], (W1, b1)), (net[3], (W2, b2))):
            module.weight.copy_(W)
            module.bias.copy_(b)
    net = net.to(X.device).eval()
    with torch.no_grad():
        return net(X), {k: v.clone() for k, v in net.state_dict().items()}


@st.composite
def problems(draw):
    dtype = draw(dtypes())
    d, h, q, n = draw(st.integers(1, 4)), draw(st.integers(2, 6)), draw(st.integers(1, 3)), draw(st.integers(1, 5))
    layers = draw(linear_weights([d, h, q], dtype))
    X = draw(tensors((n, d), dtype=dtype, min_value=-2.0, max_value=2.0))
    return layers, X


def run(student, layers, X):
    got = run_with_hints(student, _round_trip, layers, X)
    expect(isinstance(got, dict) and got["is_module"],
           f"{CALL} should return the new module built by make_net() with the saved parameters loaded")
    return got


@points(2)
@settings(max_examples=6)
@given(problem=problems())
def test_clone_matches(student, device, problem):
    """The returned clone is a new module on net's device that computes exactly what net computes (in eval mode)."""
    layers, X = to_device(problem, device)
    expected, _ = reference(layers, X)
    got = run(student, layers, X)
    expect(not got["same_object"] and not got["shares_storage"],
           f"{CALL} returned net itself (or a module sharing its tensors); build clone = make_net() and load the "
           f"saved state_dict into it")
    expect(got["net_unchanged"], f"{CALL} changed net's parameters; it should only read them")
    expect(got["devices"] == [str(X.device)],
           f"the clone's parameters are on {got['devices']} but net's are on {X.device}; move the clone to the "
           f"device of net's parameters (clone.to(device))")
    expect_close(got["output"], expected, f"clone(X) in eval mode for clone = {CALL} (load_state_dict(torch.load("
                 f"path)) and clone.eval())", X=X, W1=layers[0][0], W2=layers[1][0])


@points(1)
@settings(max_examples=4)
@given(problem=problems())
def test_file_holds_state_dict(student, problem):
    """The file at path holds net.state_dict() (loadable with torch.load(path, weights_only=True))."""
    layers, X = problem
    got = run(student, layers, X)
    expect(got["file"], f"{CALL} wrote no file at path; save with torch.save(net.state_dict(), path)")
    _, state = reference(layers, X)
    saved = got["saved"]
    if not isinstance(saved, dict):
        fail(f"the file written by {CALL} is not a state_dict (torch.load(path, weights_only=True) gave {saved}); "
             f"save net.state_dict(), a dict of tensors, not the module itself")
    expect(sorted(saved) == sorted(state), f"the file written by {CALL} holds the keys {sorted(saved)}, expected "
                                           f"net.state_dict()'s {sorted(state)}")
    for key, value in state.items():
        expect_close(saved[key], value, f"the saved {key!r}", rtol=0, atol=0)


@points(1)
@settings(max_examples=4)
@given(problem=problems())
def test_clone_in_eval_mode(student, problem):
    """The clone is returned in eval mode (dropout off), so it predicts deterministically."""
    layers, X = problem
    expected, _ = reference(layers, X)
    got = run(student, layers, X)
    expect(not got["training"], f"{CALL} returned a module in training mode, where dropout is active; call "
                                f"clone.eval() before returning it")
    expect_close(got["output"], expected, f"clone(X) for clone = {CALL}", X=X)
