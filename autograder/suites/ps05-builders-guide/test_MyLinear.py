"""Hidden suite for MyLinear(in_units, units): relu(X @ weight + bias) with registered parameters.

Outputs and gradients are compared with d2lkit.MyLinear after loading the
same state_dict into both (autograder.drivers.module_run).
"""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from _ps05_helpers import run_with_hints
from autograder.drivers import module_run, module_state, reference_run
from autograder.strategies import dtypes, tensors
from autograder.suite import expect, expect_close, expect_close_tree, fail, points

CALL = "MyLinear(in_units, units)(X)"
PARAMS = ("self.weight = nn.Parameter(torch.randn(in_units, units)) and self.bias = "
          "nn.Parameter(torch.randn(units))")
HINTS = (("Missing key(s) in state_dict", "register the parameters as nn.Parameter attributes: " + PARAMS),
         ("Unexpected key(s) in state_dict", "register exactly two parameters: " + PARAMS),
         ("size mismatch", "weight has shape (in_units, units) (the transpose of nn.Linear's) and bias (units,)"),
         ("does not require grad", "the output is cut off from the parameters: use self.weight and self.bias "
          "themselves in forward, not self.weight.data or .detach()"))


@st.composite
def problems(draw, dtype=None):
    dtype = dtype or draw(dtypes())
    d, q, n = draw(st.integers(1, 5)), draw(st.integers(1, 5)), draw(st.integers(1, 6))
    state = {"weight": draw(tensors((d, q), dtype=torch.float32, min_value=-1.0, max_value=1.0)).contiguous(),
             "bias": draw(tensors((q,), dtype=torch.float32, min_value=-1.0, max_value=1.0))}
    X = draw(tensors((n, d), dtype=dtype, min_value=-2.0, max_value=2.0))
    G = draw(tensors((n, q), dtype=dtype, min_value=-1.0, max_value=1.0, noncontiguous=False))
    return d, q, state, X, G


def compare(student, problem, device, grads=False):
    d, q, state, X, G = problem
    X, G = X.to(device), G.to(device)
    kwargs = dict(state=state, inputs=(X,), device=device, dtype=X.dtype, output_grad=G if grads else None)
    expected = reference_run(d2l.MyLinear(d, q), **kwargs)
    got = run_with_hints(student, module_run, "MyLinear", args=(d, q), **kwargs, hints=HINTS,
                         describe_as=f"MyLinear({d}, {q}) with the reference's state_dict loaded, called on X")
    inputs = dict(in_units=d, units=q, weight=state["weight"], bias=state["bias"], X=X)
    expect_close(got["output"], expected["output"], f"{CALL} (relu(X @ weight + bias))", **inputs)
    return got, expected, inputs


@points(2)
@settings(max_examples=8)
@given(problem=problems())
def test_matches_reference(student, device, problem):
    """With the same parameters loaded, the output is relu(X @ weight + bias), after .to(device, dtype)."""
    compare(student, problem, device)


@points(1)
@settings(max_examples=8)
@given(problem=problems(dtype=torch.float64))
def test_gradients(student, problem):
    """Gradients reach weight and bias (no .data or .detach() in forward) and match the reference."""
    got, expected, inputs = compare(student, problem, "cpu", grads=True)
    for name in ("weight", "bias"):
        if got["grads"].get(name, 0) is None:
            fail(f"after backward, {name}.grad is None: the forward pass cut {name} out of the autograd graph "
                 f"(use self.{name} itself, not self.{name}.data or .detach())", **inputs)
    expect_close_tree(got["grads"], expected["grads"], "the parameters' gradients", **inputs)


@points(1)
def test_parameters_registered(student):
    """Exactly two parameters, weight (in_units, units) and bias (units,), float32 on the CPU."""
    got = run_with_hints(student, module_state, "MyLinear", args=(5, 3), describe_as="MyLinear(5, 3)")
    shapes = {k: tuple(v.shape) for k, v in got["parameters"].items()}
    expect(shapes == {"weight": (5, 3), "bias": (3,)},
           f"MyLinear(5, 3) registers the parameters {shapes}, expected {{'weight': (5, 3), 'bias': (3,)}}: "
           f"{PARAMS} (plain tensors, even with requires_grad=True, are not parameters: optimizers, state_dict() "
           f"and .to() do not see them)")
    expect(got["state_dict"] == ["weight", "bias"] or sorted(got["state_dict"]) == ["bias", "weight"],
           f"MyLinear(5, 3).state_dict() has the keys {got['state_dict']}, expected ['weight', 'bias'] (no buffers)")
    dtypes_ = {k: v.dtype for k, v in got["parameters"].items()}
    expect(all(v == torch.float32 for v in dtypes_.values()),
           f"the parameters of MyLinear(5, 3) have dtypes {dtypes_}; create them as float32, like torch.randn")


@points(1)
def test_init_standard_normal(student):
    """weight and bias are drawn from N(0, 1) (torch.randn)."""
    got = run_with_hints(student, module_state, "MyLinear", args=(100, 200), describe_as="MyLinear(100, 200)")
    weight = got["parameters"].get("weight")
    expect(isinstance(weight, torch.Tensor) and tuple(weight.shape) == (100, 200),
           f"MyLinear(100, 200) should register weight of shape (100, 200): {PARAMS}")
    mean, std = float(weight.mean()), float(weight.std())
    # 20000 draws: the mean's standard error is 0.007, the standard deviation's 0.005
    expect(abs(mean) < 0.045 and abs(std - 1) < 0.035,
           f"MyLinear(100, 200).weight has mean {mean:.3g} and standard deviation {std:.3g}; draw it from "
           f"N(0, 1) with torch.randn(in_units, units)")
    bias = got["parameters"]["bias"]
    mean, std = float(bias.mean()), float(bias.std())
    expect(abs(mean) < 0.45 and abs(std - 1) < 0.35,
           f"MyLinear(100, 200).bias has mean {mean:.3g} and standard deviation {std:.3g}; draw it from "
           f"N(0, 1) with torch.randn(units)")
