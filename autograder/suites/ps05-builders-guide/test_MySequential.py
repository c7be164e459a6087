"""Hidden suite for MySequential(*modules): modules chained in order, registered as children '0', '1', ...

The child modules cannot cross the worker boundary, so a driver builds them
in the worker (nn.Linear layers with the harness's weights, nn.Tanh,
nn.ReLU), passes them to the student's class and calls it. The harness does
the same with d2lkit.MySequential.
"""
import torch
from hypothesis import given, settings, strategies as st
from torch import nn

import d2lkit as d2l
from _ps05_helpers import expect_names, linear_weights, run_with_hints, to_device
from autograder.strategies import dtypes, tensors
from autograder.suite import expect, expect_close, expect_close_tree, fail, points

CALL = "MySequential(*modules)(X)"
REGISTER = ("register module i with self.add_module(str(i), module) (or self._modules[str(i)] = module); modules "
            "kept in a plain Python list or tuple are invisible to parameters(), state_dict() and .to()")
HINTS = (("same device", "children not moved by .to(): " + REGISTER),
         ("dtype", "children not converted by .to(dtype): " + REGISTER),
         ("must have the same dtype", "children not converted by .to(dtype): " + REGISTER))


def _build(layers, kinds):
    """the modules described by kinds ('linear' takes the next (W, b) of layers)"""
    import torch
    from torch import nn
    modules, weights = [], iter(layers)
    for kind in kinds:
        if kind == "linear":
            W, b = next(weights)
            module = nn.Linear(W.shape[1], W.shape[0], dtype=W.dtype, device=W.device)
            with torch.no_grad():
                module.weight.copy_(W)
                module.bias.copy_(b)
        else:
            module = {"relu": nn.ReLU, "tanh": nn.Tanh}[kind]()
        modules.append(module)
    return modules


def _sequential_run(ns, layers, kinds, X, G, to=None):
    """MySequential(*modules)(X), then its gradients"""
    import torch
    from torch import nn
    modules, weights = [], iter(layers)
    for kind in kinds:
        if kind == "linear":
            W, b = next(weights)
            module = nn.Linear(W.shape[1], W.shape[0], dtype=W.dtype, device=W.device)
            with torch.no_grad():
                module.weight.copy_(W)
                module.bias.copy_(b)
        else:
            module = {"relu": nn.ReLU, "tanh": nn.Tanh}[kind]()
        modules.append(module)
    net = ns["MySequential"](*modules)
    if to is not None:
        device, dtype = to
        net = net.to(device=device, dtype=getattr(torch, dtype))
    Y = net(X)
    result = {"output": Y}
    if isinstance(Y, torch.Tensor) and Y.requires_grad:
        (Y * G).sum().backward()
    result["grads"] = [None if m.weight.grad is None else m.weight.grad.clone()
                       for m in modules if isinstance(m, nn.Linear)]
    return result


def _sequential_state(ns, layers, kinds):
    """what MySequential(*modules) registers"""
    import torch
    from torch import nn
    modules, weights = [], iter(layers)
    for kind in kinds:
        if kind == "linear":
            W, b = next(weights)
            module = nn.Linear(W.shape[1], W.shape[0], dtype=W.dtype)
        else:
            module = {"relu": nn.ReLU, "tanh": nn.Tanh}[kind]()
        modules.append(module)
    net = ns["MySequential"](*modules)
    expected = [p for m in modules for p in m.parameters()]
    got = list(net.parameters())
    return {"count": len(got), "same": len(got) == len(expected) and all(a is b for a, b in zip(got, expected)),
            "state_dict": list(net.state_dict()), "children": len(list(net.children()))}


def reference(layers, kinds, X, G, to=None):
    modules = _build(layers, kinds)
    net = d2l.MySequential(*modules)
    if to is not None:
        net = net.to(device=to[0], dtype=getattr(torch, to[1]))
    Y = net(X)
    (Y * G).sum().backward()
    return {"output": Y.detach(), "grads": [m.weight.grad for m in modules if isinstance(m, nn.Linear)]}


@st.composite
def problems(draw, dtype=None):
    """Square layers (so a wrong order still runs), a nonlinearity between them, inputs and an output gradient."""
    dtype = dtype or draw(dtypes())
    d = draw(st.integers(2, 5))
    n_linear = draw(st.integers(2, 3))
    kinds = []
    for i in range(n_linear):
        kinds.append("linear")
        if i < n_linear - 1:
            kinds.append(draw(st.sampled_from(["tanh", "relu"])))
    layers = draw(linear_weights([d] * (n_linear + 1), dtype))
    n = draw(st.integers(1, 6))
    X = draw(tensors((n, d), dtype=dtype, min_value=-2.0, max_value=2.0))
    G = draw(tensors((n, d), dtype=dtype, min_value=-1.0, max_value=1.0, noncontiguous=False))
    return dict(layers=layers, kinds=kinds, X=X, G=G)


@points(2)
@settings(max_examples=8)
@given(problem=problems())
def test_matches_reference(student, device, problem):
    """The modules run in the order given (each one's output feeds the next); gradients reach every layer."""
    problem = to_device(problem, device)
    expected = reference(**problem)
    got = run_with_hints(student, _sequential_run, **problem, hints=HINTS)
    inputs = dict(modules=problem["kinds"], X=problem["X"])
    expect(isinstance(got, dict), f"{CALL} could not be run")
    expect_close(got["output"], expected["output"],
                 f"{CALL} (call the modules one after the other, in the order they were given, X = module(X), "
                 f"and return the last output)", **inputs)
    expect_close_tree(got["grads"], expected["grads"], "the gradients of the Linear layers' weights (call the modules "
                      "in the order they were given, each output feeding the next)", **inputs)


@points(1)
def test_registers_parameters(student):
    """parameters() yields the children's own parameters, in order (so optimizers and .to() see them)."""
    layers = [(torch.zeros(4, 3), torch.zeros(4)), (torch.zeros(2, 4), torch.zeros(2))]
    kinds = ["linear", "relu", "linear"]
    got = run_with_hints(student, _sequential_state, layers, kinds)
    expect(got["count"] == 4,
           f"MySequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).parameters() yielded {got['count']} tensors, "
           f"expected 4: {REGISTER}")
    expect(got["same"], "MySequential(...).parameters() should yield the modules' own parameters (the same tensor "
                        f"objects, in order), not copies: {REGISTER}")


@points(1)
def test_state_dict_names(student):
    """state_dict() keys are nn.Sequential's: '0.weight', '0.bias', '2.weight', '2.bias'."""
    layers = [(torch.zeros(4, 3), torch.zeros(4)), (torch.zeros(2, 4), torch.zeros(2))]
    kinds = ["linear", "relu", "linear"]
    got = run_with_hints(student, _sequential_state, layers, kinds)
    expected = list(nn.Sequential(*_build(layers, kinds)).state_dict())
    expect_names(got["state_dict"], expected, "the state_dict keys of MySequential(nn.Linear(3, 4), nn.ReLU(), "
                 "nn.Linear(4, 2))", "register module i under the name str(i), with self.add_module(str(i), module); "
                 "a ModuleList attribute adds its own name in front")
    expect(got["children"] == 3, f"MySequential of 3 modules has {got['children']} children: {REGISTER}")


@points(1)
@settings(max_examples=6)
@given(problem=problems(dtype=torch.float32))
def test_moves_with_to(student, device, problem):
    """net.to(device, torch.float64) converts and moves every child; the output follows."""
    to = (device, "float64")
    problem64 = to_device({k: v.double() if isinstance(v, torch.Tensor) else v for k, v in problem.items()}, device)
    expected = reference(problem["layers"], problem["kinds"], problem64["X"], problem64["G"], to=to)
    got = run_with_hints(student, _sequential_run, problem["layers"], problem["kinds"], problem64["X"],
                         problem64["G"], to=to, hints=HINTS)
    expect_close(got["output"], expected["output"], f"{CALL} after net.to({device!r}, torch.float64)",
                 modules=problem["kinds"], X=problem64["X"])


def _sequential_shared(ns, W, b, X):
    """MySequential(layer, nn.Tanh(), layer)(X) with one layer given twice"""
    import torch
    from torch import nn
    layer = nn.Linear(W.shape[1], W.shape[0], dtype=W.dtype)
    with torch.no_grad():
        layer.weight.copy_(W)
        layer.bias.copy_(b)
    net = ns["MySequential"](layer, nn.Tanh(), layer)
    return {"output": net(X).detach(), "parameters": len(list(net.parameters()))}


@points(1)
@settings(max_examples=4)
@given(problem=problems(dtype=torch.float64))
def test_module_given_twice(student, problem):
    """A module given twice runs twice: MySequential(layer, act, layer)(X) = layer(act(layer(X)))."""
    (W, b), X = problem["layers"][0], problem["X"]
    layer = nn.Linear(W.shape[1], W.shape[0], dtype=W.dtype)
    with torch.no_grad():
        layer.weight.copy_(W)
        layer.bias.copy_(b)
        expected = d2l.MySequential(layer, nn.Tanh(), layer)(X)
    got = run_with_hints(student, _sequential_shared, W, b, X)
    expect_close(got["output"], expected,
                 "MySequential(layer, nn.Tanh(), layer)(X) (the layer should run twice; self.children() lists a "
                 "module given twice only once, iterate over self._modules.values())", W=W, b=b, X=X)
