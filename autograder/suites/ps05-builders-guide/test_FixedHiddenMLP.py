"""Hidden suite for FixedHiddenMLP(num_hiddens): a fixed buffer, one Linear used twice, a halving loop.

The worker constructs the student's class, loads the reference module's
state_dict (rand_weight, linear.weight, linear.bias), moves it to the device
and dtype, calls it and returns the output and gradients
(autograder.drivers.module_run). Values are float64 so that the loop's
condition is decided the same way for every correct implementation.
"""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from _ps05_helpers import run_with_hints
from autograder.drivers import module_run, module_state, reference_run
from autograder.strategies import tensors
from autograder.suite import expect, expect_close, expect_close_tree, fail, points

CALL = "FixedHiddenMLP(num_hiddens)(X)"
LOAD_HINTS = (
    ("Unexpected key(s) in state_dict: \"rand_weight\"",
     "register the fixed weight as a buffer, self.register_buffer('rand_weight', torch.rand(h, h)), so that "
     "state_dict() and .to() see it"),
    ("Missing key(s) in state_dict", "use ONE nn.Linear(num_hiddens, num_hiddens) stored as self.linear, and call it "
     "twice; keep rand_weight a buffer"),
    ("Unexpected key(s) in state_dict", "use ONE nn.Linear(num_hiddens, num_hiddens) stored as self.linear, and call "
     "it twice"),
    ("same device", "a plain tensor attribute is not moved by .to(device): register rand_weight as a buffer"),
    ("dtype", "a plain tensor attribute is not converted by .to(dtype): register rand_weight as a buffer"),
)


def reference_state(h, seed, scale=1.0):
    generator = torch.Generator().manual_seed(seed)
    module = d2l.FixedHiddenMLP(h)
    state = {"rand_weight": torch.rand(h, h, generator=generator, dtype=torch.float64),
             "linear.weight": scale * (2 * torch.rand(h, h, generator=generator, dtype=torch.float64) - 1)
             / h ** 0.5,
             "linear.bias": scale * (2 * torch.rand(h, generator=generator, dtype=torch.float64) - 1) / h ** 0.5}
    return module, {k: v.float() for k, v in state.items()}


def compare(student, h, seed, X, device, scale=1.0, what=CALL):
    module, state = reference_state(h, seed, scale)
    X = X.to(device)
    G = torch.tensor(1.5, dtype=torch.float64, device=device)
    kwargs = dict(state=state, inputs=(X,), device=device, dtype=torch.float64, output_grad=G)
    expected = reference_run(module, **kwargs)
    got = run_with_hints(student, module_run, "FixedHiddenMLP", args=(h,), **kwargs, hints=LOAD_HINTS,
                         describe_as=f"FixedHiddenMLP({h}) with the reference's state_dict loaded, called on X")
    inputs = dict(num_hiddens=h, X=X, **{k: v for k, v in state.items() if v.numel() <= 16})
    expect_close(got["output"], expected["output"], what, **inputs)
    return got, expected, inputs


@st.composite
def problems(draw):
    h = draw(st.integers(2, 6))
    n = draw(st.integers(1, 5))
    X = draw(tensors((n, h), dtype=torch.float64, min_value=-3.0, max_value=3.0))
    return h, draw(st.integers(0, 2**20)), X


@points(2)
@settings(max_examples=8)
@given(problem=problems())
def test_matches_reference(student, device, problem):
    """With the reference's parameters and buffer loaded, the output and gradients match (float64)."""
    h, seed, X = problem
    got, expected, inputs = compare(student, h, seed, X, device,
                                    what=f"{CALL} (linear, relu(X @ rand_weight + 1), the SAME linear again, halve "
                                         f"while the sum of |X| is > 1, return the sum)")
    expect_close_tree(got["grads"], expected["grads"],
                      "the gradients of the parameters (linear is used twice: both uses contribute)", **inputs)


@points(1)
def test_registers_fixed_weight(student):
    """rand_weight is a buffer drawn from U(0, 1), not a parameter; linear is the only trainable layer."""
    h = 16
    got = run_with_hints(student, module_state, "FixedHiddenMLP", args=(h,), describe_as=f"FixedHiddenMLP({h})")
    names = sorted(got["parameters"])
    expect(names == ["linear.bias", "linear.weight"],
           f"FixedHiddenMLP({h}) has the parameters {names}, expected ['linear.bias', 'linear.weight']: rand_weight "
           f"must not be trained (register it with self.register_buffer, not as an nn.Parameter), and the one "
           f"nn.Linear is self.linear")
    buffer = got["buffers"].get("rand_weight")
    if buffer is None:
        fail(f"FixedHiddenMLP({h}) has the buffers {sorted(got['buffers'])}, expected ['rand_weight']: "
             f"self.register_buffer('rand_weight', torch.rand(num_hiddens, num_hiddens))")
    expect(tuple(buffer.shape) == (h, h) and buffer.dtype == torch.float32,
           f"rand_weight should be a float32 tensor of shape ({h}, {h}), but is {buffer.dtype} of shape "
           f"{tuple(buffer.shape)}")
    mean = float(buffer.mean())
    expect(float(buffer.min()) >= 0 and float(buffer.max()) < 1 and abs(mean - 0.5) < 0.11,
           f"rand_weight should be drawn from U(0, 1) (torch.rand), but its values range from "
           f"{float(buffer.min()):.3g} to {float(buffer.max()):.3g} with mean {mean:.3g}")


@points(1)
@settings(max_examples=6)
@given(problem=problems(), scale=st.sampled_from([4.0, 20.0]))
def test_halves_until_small(student, problem, scale):
    """Large activations are halved as many times as needed (a while loop, not one if)."""
    h, seed, X = problem
    compare(student, h, seed, X * scale, "cpu", scale=scale,
            what=f"{CALL} with large inputs (halve X while X.abs().sum() > 1; a while loop, not a single if)")


@points(1)
@settings(max_examples=6)
@given(problem=problems())
def test_small_output_not_halved(student, problem):
    """When the sum of |X| is already at most 1, X is returned summed without halving."""
    h, seed, X = problem
    compare(student, h, seed, X, "cpu", scale=1e-3,
            what=f"{CALL} with a tiny linear layer (no halving when X.abs().sum() <= 1)")
