"""Hidden suite for tied_mlp(num_inputs, num_hiddens, num_outputs): one Linear module at positions 2 and 4.

The worker builds the student's net; a driver inspects its layers and
storage, and autograder.drivers.module_run loads the reference's state_dict
(positions 2 and 4 hold the same tensors) and returns outputs and gradients.
"""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from _ps05_helpers import run_with_hints
from autograder.drivers import module_run, reference_run
from autograder.strategies import dtypes, tensors
from autograder.suite import expect, expect_close, expect_close_tree, fail, points

CALL = "tied_mlp(num_inputs, num_hiddens, num_outputs)"
TIE = ("create shared = nn.Linear(num_hiddens, num_hiddens) once and put that same object at positions 2 and 4; "
       "two layers (or a copy) start equal but are trained apart")
HINTS = (("Unexpected key(s) in state_dict", "the net should be nn.Sequential(Linear, ReLU, shared, ReLU, shared, "
          "ReLU, Linear) with keys '0.weight' ... '6.bias'"),
         ("Missing key(s) in state_dict", "the net should be nn.Sequential(Linear, ReLU, shared, ReLU, shared, "
          "ReLU, Linear) with keys '0.weight' ... '6.bias'"))


def _tied_structure(ns, num_inputs, num_hiddens, num_outputs):
    """tied_mlp(...): its layers, parameter shapes and what positions 2 and 4 share"""
    import torch
    net = ns["tied_mlp"](num_inputs, num_hiddens, num_outputs)
    layers = list(net._modules.values())  # children() lists a shared module once
    info = {"kinds": [type(m).__name__ for m in layers],
            "state_dict": {k: list(v.shape) for k, v in net.state_dict().items()},
            "distinct_parameters": len(list(net.parameters())), "same_module": None, "same_storage": None,
            "sees_change": None}
    if len(layers) == 7:
        a, b = layers[2], layers[4]
        info["same_module"] = a is b
        pairs = [(getattr(a, n, None), getattr(b, n, None)) for n in ("weight", "bias")]
        info["same_storage"] = all(isinstance(p, torch.Tensor) and isinstance(q, torch.Tensor)
                                   and p.data_ptr() == q.data_ptr() for p, q in pairs)
        if isinstance(pairs[0][0], torch.Tensor):
            with torch.no_grad():
                pairs[0][0][0, 0] = 123.0
            info["sees_change"] = bool(pairs[0][1][0, 0] == 123.0)
    return info


@st.composite
def sizes(draw):
    return draw(st.integers(1, 4)), draw(st.integers(2, 5)), draw(st.integers(1, 3))


def structure(student, size):
    return run_with_hints(student, _tied_structure, *size)


SIZES = [(3, 5, 2), (2, 4, 3), (1, 2, 1)]


@points(1)
def test_architecture(student):
    """Linear, ReLU, shared, ReLU, shared, ReLU, Linear, with the reference's parameter shapes."""
    for size in SIZES[:2]:
        got = structure(student, size)
        net = d2l.tied_mlp(*size)
        expected_kinds = [type(m).__name__ for m in net._modules.values()]
        expect(got["kinds"] == expected_kinds,
               f"{CALL} has the layers {got['kinds']}, expected {expected_kinds}",
               num_inputs=size[0], num_hiddens=size[1], num_outputs=size[2])
        expected_shapes = {k: list(v.shape) for k, v in net.state_dict().items()}
        expect(got["state_dict"] == expected_shapes,
               f"the state_dict of {CALL} maps names to shapes {got['state_dict']}, expected {expected_shapes}",
               num_inputs=size[0], num_hiddens=size[1], num_outputs=size[2])


@points(1)
def test_shares_storage(student):
    """net[2] is net[4]: one set of parameters, so a change to one position shows at the other."""
    for size in SIZES[1:]:
        got = structure(student, size)
        expect(got["same_module"] is not None, f"{CALL} should have 7 layers, but has {got['kinds']}")
        expect(got["same_storage"] and got["sees_change"],
               f"positions 2 and 4 of {CALL} do not share their parameters' storage: {TIE}",
               num_inputs=size[0], num_hiddens=size[1], num_outputs=size[2])
        expected = len(list(d2l.tied_mlp(*size).parameters()))
        expect(got["distinct_parameters"] == expected,
               f"{CALL}.parameters() yields {got['distinct_parameters']} tensors, expected {expected} (the shared "
               f"layer's weight and bias once): {TIE}")


@st.composite
def problems(draw, dtype=None):
    size = draw(sizes())
    dtype = dtype or draw(dtypes())
    n = draw(st.integers(1, 5))
    reference = d2l.tied_mlp(*size)
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**20)))
    with torch.no_grad():
        for p in reference.parameters():
            p.copy_(torch.rand(p.shape, generator=generator) * 2 - 1)
    X = draw(tensors((n, size[0]), dtype=dtype, min_value=-2.0, max_value=2.0))
    G = draw(tensors((n, size[2]), dtype=dtype, min_value=-1.0, max_value=1.0, noncontiguous=False))
    return size, reference, X, G


def compare(student, problem, device):
    size, reference, X, G = problem
    X, G = X.to(device), G.to(device)
    state = {k: v.detach().clone() for k, v in reference.state_dict().items()}
    kwargs = dict(state=state, inputs=(X,), device=device, dtype=X.dtype, output_grad=G)
    expected = reference_run(reference, **kwargs)
    got = run_with_hints(student, module_run, "tied_mlp", args=size, **kwargs, hints=HINTS,
                         describe_as=f"net(X) for net = tied_mlp{size} with the reference's state_dict loaded")
    inputs = dict(num_inputs=size[0], num_hiddens=size[1], num_outputs=size[2], X=X)
    expect_close(got["output"], expected["output"], f"net(X) for net = {CALL}", **inputs)
    return got, expected, inputs


@points(1)
@settings(max_examples=6)
@given(problem=problems())
def test_matches_reference(student, device, problem):
    """With the reference's parameters loaded, net(X) matches on float32/float64, on the device."""
    compare(student, problem, device)


@points(1)
@settings(max_examples=6)
@given(problem=problems(dtype=torch.float64))
def test_gradients_add_up(student, problem):
    """The shared layer's gradient is the sum of the gradients of both positions (float64)."""
    got, expected, inputs = compare(student, problem, "cpu")
    grads = got["grads"]
    if set(grads) != set(expected["grads"]):
        fail(f"the parameters of {CALL} are {sorted(grads)}, expected {sorted(expected['grads'])}: {TIE}", **inputs)
    expect_close_tree(grads, expected["grads"],
                      f"the gradients of {CALL}'s parameters (both positions of the shared layer contribute)",
                      **inputs)
