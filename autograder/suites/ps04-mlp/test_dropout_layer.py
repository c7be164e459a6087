"""Hidden suite for dropout_layer(X, dropout): inverted dropout.

The function is random: values are not compared with the reference one for
one. Each element of the result must be 0 or X / (1 - dropout); the fraction
of zeros must be within six standard errors of ``dropout`` (binomial), also
within each quarter of the tensor; the mask must differ between rows and
between columns. Calls are seeded, so the score is deterministic.
"""
import math

import torch
from hypothesis import given, settings, strategies as st

from autograder.strategies import dtypes, tensors
from autograder.suite import describe, expect, expect_close, expect_tensor_like, fail, points

INVERTED = "scale the kept elements by 1 / (1 - dropout) (inverted dropout), so the expected output equals X"


@st.composite
def nonzero_inputs(draw, shape=None, dtype=None, noncontiguous=None):
    """X with every |value| in [0.5, 2], so a zero in the output means a dropped element."""
    shape = shape or draw(st.one_of(st.tuples(st.integers(1, 8), st.integers(1, 8)),
                                    st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 5))))
    dtype = dtype or draw(dtypes())
    size = draw(tensors(shape, dtype=dtype, min_value=0.5, max_value=2.0, noncontiguous=noncontiguous))
    sign = draw(tensors(shape, dtype=dtype, min_value=-1.0, max_value=1.0, noncontiguous=False))
    return size * torch.where(sign < 0, -1.0, 1.0).to(dtype)


def call_text(dropout):
    return f"dropout_layer(X, {dropout!r})"


def expect_structure(got, X, dropout):
    """Every element of ``got`` is 0 or X / (1 - dropout); returns the mask of zeros."""
    call = call_text(dropout)
    expect_tensor_like(got, X, call, X=X)
    got = got.detach()
    if torch.isnan(got).any():
        fail(f"{call} returned NaN", X=X)
    dropped = got == 0
    kept = ~dropped
    scaled = X / (1 - dropout)
    rtol, atol = (1e-7, 1e-7) if X.dtype == torch.float64 else (1e-5, 1e-6)
    if torch.allclose(got[kept], scaled[kept], rtol=rtol, atol=atol):
        return dropped
    if torch.allclose(got[kept], X[kept], rtol=rtol, atol=atol):
        fail(f"{call} keeps elements unscaled: {INVERTED}", X=X)
    if torch.allclose(got[kept], X[kept] / dropout, rtol=rtol, atol=atol):
        fail(f"{call} divides the kept elements by dropout; divide by the keep probability 1 - dropout", X=X)
    if torch.allclose(got[kept], X[kept] * (1 - dropout), rtol=rtol, atol=atol):
        fail(f"{call} multiplies the kept elements by 1 - dropout; divide by it instead", X=X)
    fail(f"every element of {call} must be 0 or X / (1 - dropout) at the same position, but it returned "
         f"{describe(got)}", X=X)


@points(1)
@settings(max_examples=12)
@given(X=nonzero_inputs())
def test_identity_at_zero(student, device, X):
    """With dropout = 0 the result equals X (same shape, dtype, device and values)."""
    X = X.to(device)
    expect_close(student.dropout_layer(X, 0.0), X, call_text(0.0), X=X)


@points(1)
@settings(max_examples=12)
@given(X=nonzero_inputs())
def test_zeros_at_one(student, device, X):
    """With dropout = 1 every element is 0, with no NaN from dividing by 1 - dropout = 0."""
    X = X.to(device)
    got = student.dropout_layer(X, 1.0)
    if isinstance(got, torch.Tensor) and got.shape == X.shape and torch.isnan(got).any():
        fail(f"{call_text(1.0)} returned NaN: with dropout == 1 return zeros (torch.zeros_like(X)) before "
             f"dividing by 1 - dropout = 0", X=X)
    expect_close(got, torch.zeros_like(X), call_text(1.0), X=X)


@points(1)
@given(X=nonzero_inputs(), dropout=st.sampled_from([0.1, 0.3, 0.5, 0.75]))
def test_survivors_scaled(student, device, X, dropout):
    """Each element is either 0 or X / (1 - dropout), keeping X's shape, dtype and device."""
    X = X.to(device)
    expect_structure(student.dropout_layer(X, dropout), X, dropout)


@points(3)
@settings(max_examples=6)
@given(dropout=st.sampled_from([0.2, 0.5, 0.7]), dtype=dtypes())
def test_zero_fraction(student, device, dropout, dtype):
    """On a (100, 200) input the fraction of zeros is dropout within six standard errors, in every quarter,
    and the mask differs between rows and between columns."""
    X = torch.linspace(0.5, 2.0, 20000, dtype=dtype).reshape(100, 200).to(device)
    call = call_text(dropout)
    dropped = expect_structure(student.dropout_layer(X, dropout), X, dropout).cpu()
    inputs = dict(X="torch.linspace(0.5, 2.0, 20000).reshape(100, 200)")
    expect(len({tuple(row.tolist()) for row in dropped}) > 1 and len({tuple(col.tolist()) for col in dropped.T}) > 1,
           f"{call} drops the same elements in every row (or column): draw the mask with X's full shape "
           f"(torch.rand(X.shape, device=X.device))", **inputs)
    fraction = dropped.double().mean().item()
    bound = 6 * math.sqrt(dropout * (1 - dropout) / dropped.numel())
    if abs(fraction - (1 - dropout)) <= bound and abs(dropout - 0.5) > bound:
        fail(f"{call} zeroed {100 * fraction:.3g}% of the elements, about 1 - dropout: drop each element with "
             f"probability dropout, i.e. keep it where torch.rand(...) > dropout", **inputs)
    expect(abs(fraction - dropout) <= bound,
           f"{call} zeroed {100 * fraction:.3g}% of the elements, expected {100 * dropout:g}% (within "
           f"{100 * bound:.2g}%): zero each element independently with probability dropout", **inputs)
    quarters = dropped.reshape(-1).chunk(4)
    for k, quarter in enumerate(quarters):
        part = quarter.double().mean().item()
        part_bound = 6 * math.sqrt(dropout * (1 - dropout) / quarter.numel())
        expect(abs(part - dropout) <= part_bound,
               f"{call} zeroed {100 * part:.3g}% of quarter {k} of the elements (in memory order), expected "
               f"{100 * dropout:g}%: draw one independent random number per element", **inputs)


@points(1)
@settings(max_examples=12)
@given(X=nonzero_inputs(shape=(6, 5)), dropout=st.sampled_from([0.3, 0.5]))
def test_does_not_modify_input(student, X, dropout):
    """dropout_layer keeps the structure above and leaves X unchanged."""
    before = X.clone()
    result = student.call("dropout_layer", X, dropout, return_args=True)
    expect_structure(result.value, before, dropout)
    after = result.args[0]
    expect(isinstance(after, torch.Tensor) and torch.equal(after, before),
           f"{call_text(dropout)} modified X in place (it is now {describe(after)}); return a new tensor "
           f"(mask * X / (1 - dropout), not X.mul_(...) or X[mask] = 0)", X=before)
