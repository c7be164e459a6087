"""Hidden suite for xavier_uniform_(tensor, gain=1.0): fill in place with U(-a, a),
a = gain * sqrt(6 / (fan_in + fan_out)); fans include the receptive field of conv weights.

Draws are random: the tests check that every value lies in [-a, a], that the
largest |value| comes within 30 / N (relative) of a for N values (a correct
fill misses that with probability below e^-30), and the mean, variance and
central mass of the uniform distribution within six standard errors.
"""
import math

import torch
from hypothesis import given, settings, strategies as st

from autograder.strategies import dtypes
from autograder.suite import describe, expect, fail, points


def _fill(ns, shape, dtype, device, gain=None, parameter=True):
    """xavier_uniform_(tensor, gain) on a zero tensor (an nn.Parameter that requires gradients)"""
    import torch
    tensor = torch.zeros(shape, dtype=dtype, device=device)
    if parameter:
        tensor = torch.nn.Parameter(tensor)
    before = tensor.data_ptr()
    returned = ns["xavier_uniform_"](tensor) if gain is None else ns["xavier_uniform_"](tensor, gain)
    return {"values": tensor.detach().clone(), "returned_same": returned is tensor,
            "returned": returned.detach().clone() if isinstance(returned, torch.Tensor) else repr(returned)[:200],
            "same_storage": tensor.data_ptr() == before,
            "requires_grad": bool(tensor.requires_grad), "is_leaf": bool(tensor.is_leaf)}


def bound(shape, gain=1.0):
    receptive = math.prod(shape[2:])
    return gain * math.sqrt(6.0 / (shape[0] * receptive + shape[1] * receptive))


def wrong_bounds(shape, gain):
    fan_in, fan_out = shape[1] * math.prod(shape[2:]), shape[0] * math.prod(shape[2:])
    return [(math.sqrt(6.0 / (shape[0] + shape[1])) * gain,
             "ignores the receptive field: for a conv weight (out, in, kh, kw) both fans are multiplied by kh * kw"),
            (math.sqrt(2.0 / (fan_in + fan_out)) * gain,
             "uses sqrt(2 / (fan_in + fan_out)), the STANDARD DEVIATION of Xavier's normal version; the uniform "
             "bound is sqrt(6 / (fan_in + fan_out))"),
            (math.sqrt(6.0 / (fan_in + fan_out)), "ignores gain: multiply the bound by gain"),
            (math.sqrt(6.0 / fan_in) * gain, "uses only fan_in; the bound is gain * sqrt(6 / (fan_in + fan_out))"),
            (math.sqrt(3.0 / (fan_in + fan_out)) * gain, "uses sqrt(3 / (fan_in + fan_out)); the bound is "
                                                         "sqrt(6 / (fan_in + fan_out))"),
            (math.sqrt(6.0 / (fan_in + fan_out)) * gain ** 2, "multiplies by gain squared; multiply by gain")]


def expect_fill(student, shape, dtype, device, gain=None, distribution=False):
    call = f"xavier_uniform_(torch.zeros{tuple(shape)}" + ("" if gain is None else f", gain={gain:g}") + ")"
    got = student.run(_fill, shape, dtype, device, gain, describe_as=call)
    values = got["values"]
    a = bound(shape, 1.0 if gain is None else gain)
    if not torch.equal(values, values) or not isinstance(values, torch.Tensor):
        fail(f"{call} filled NaN values")
    expect(values.dtype == dtype and str(values.device).split(":")[0] == str(device).split(":")[0],
           f"after {call} the tensor has dtype {values.dtype} on {values.device}; keep its dtype and device")
    if not values.any():
        fail(f"{call} left the tensor unchanged (all zeros): fill the tensor itself in place, e.g. under "
             f"torch.no_grad(): tensor.uniform_(-a, a) (tensor = ... only rebinds a local name)")
    values = values.double().cpu()
    n, largest = values.numel(), values.abs().max().item()
    near = lambda c: c * (1 - 30.0 / n) <= largest <= c * (1 + 1e-6)
    if not near(a):
        for wrong, hint in wrong_bounds(shape, 1.0 if gain is None else gain):
            if abs(wrong - a) > 1e-9 * a and near(wrong):
                fail(f"{call} {hint} (expected the values to fill [-{a:.6g}, {a:.6g}], but the largest |value| "
                     f"is {largest:.6g})")
        if largest > a * (1 + 1e-6):
            fail(f"{call} gave |value| up to {largest:.6g}, beyond the bound a = gain * sqrt(6 / (fan_in + fan_out))"
                 f" = {a:.6g} (fan_in = size(1) * receptive field, fan_out = size(0) * receptive field): draw "
                 f"uniformly from [-a, a]")
        fail(f"{call}: the largest |value| among {n} draws is {largest:.6g}, well below the bound a = {a:.6g}: "
             f"draw uniformly from the whole interval [-a, a]")
    if distribution:
        mean, var = values.mean().item(), values.var().item()
        # U(-a, a): variance a^2 / 3, and x^2 has variance 4 a^4 / 45
        expect(abs(mean) <= 6 * a / math.sqrt(3 * n),
               f"{call} gave values with mean {mean:.4g}, expected 0: draw from [-a, a], symmetric around 0")
        expect(abs(var - a * a / 3) <= 6 * math.sqrt(4 * a ** 4 / 45 / n),
               f"{call} gave values with variance {var:.4g}, expected a^2 / 3 = {a * a / 3:.4g} for a uniform "
               f"distribution on [-a, a]")
        central = (values.abs() <= a / 2).double().mean().item()
        expect(abs(central - 0.5) <= 6 * math.sqrt(0.25 / n),
               f"{call}: {100 * central:.3g}% of the values lie in [-a/2, a/2], expected 50% for a UNIFORM "
               f"distribution (a normal distribution puts more mass near 0)")
    return got


@points(2)
@settings(max_examples=6)
@given(shape=st.sampled_from([(200, 300), (64, 512), (300, 100)]), gain=st.sampled_from([None, 1.0, 2 ** 0.5, 5 / 3]),
       dtype=dtypes())
def test_linear_weight_bound(student, device, shape, gain, dtype):
    """A linear weight (out, in) is filled in [-a, a], a = gain * sqrt(6 / (in + out)), reaching close to a."""
    expect_fill(student, shape, dtype, device, gain)


@points(1)
@settings(max_examples=4)
@given(shape=st.sampled_from([(32, 16, 3, 3), (16, 8, 5, 5), (24, 6, 3, 5), (20, 10, 7)]), dtype=dtypes())
def test_conv_weight_fans(student, shape, dtype):
    """A conv weight (out, in, *kernel) uses fan_in = in * prod(kernel), fan_out = out * prod(kernel)."""
    expect_fill(student, shape, dtype, "cpu")


@points(1)
@settings(max_examples=3)
@given(shape=st.sampled_from([(200, 300), (64, 32, 3, 3)]), dtype=dtypes())
def test_uniform_distribution(student, shape, dtype):
    """The values look like U(-a, a): mean 0, variance a^2 / 3, half of them in [-a/2, a/2]."""
    expect_fill(student, shape, dtype, "cpu", distribution=True)


@points(1)
@settings(max_examples=3)
@given(dtype=dtypes(), gain=st.sampled_from([None, 1.0]))
def test_in_place_on_parameter(student, dtype, gain):
    """An nn.Parameter is filled in place (same storage), returned, and stays a leaf that requires gradients."""
    got = expect_fill(student, (40, 60), dtype, "cpu", gain)
    expect(got["same_storage"] and got["requires_grad"] and got["is_leaf"],
           "after xavier_uniform_(param) the parameter must keep its storage and stay a leaf that requires "
           "gradients: fill it in place under torch.no_grad() (param.uniform_(-a, a) or param.copy_(...))")
    expect(got["returned_same"], f"xavier_uniform_(param) returned {describe(got['returned'])}; return the "
                                 f"tensor it was given (the one it filled), as torch.nn.init does")
