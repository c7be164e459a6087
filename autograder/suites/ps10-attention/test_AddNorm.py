"""Hidden suite for AddNorm: ln(dropout(Y) + X)."""
import torch
from hypothesis import given, settings, strategies as st

from autograder.strategies import dtypes
from _ps10_helpers import compare, expect_parameters, reference_state, seeded
from autograder.suite import points

NAME = "AddNorm"


@st.composite
def problems(draw, dtype=None):
    B, T, d = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(2, 6))
    shape = draw(st.sampled_from(["int", "list"]))
    args = (d if shape == "int" else [d], 0.5)
    return dict(shape=(B, T, d), args=args, seed=draw(st.integers(0, 10**6)), dtype=dtype or draw(dtypes()))


def options(p, device="cpu", grads=False, train=False, dropout=None):
    dtype, seed = p["dtype"], p["seed"]
    args = p["args"] if dropout is None else (p["args"][0], dropout)
    state = reference_state(NAME, args, dtype, device, seed)
    result = dict(args=args, state=state, device=device, dtype=dtype, train=train,
                  inputs=[seeded(p["shape"], seed, dtype, 2.0).to(device), seeded(p["shape"], seed + 1, dtype).to(device)])
    if grads:
        result.update(output_grad=seeded(p["shape"], seed + 2, dtype).to(device), input_grads=True)
    return result


@points(1)
def test_parameters(student):
    """ln is an nn.LayerNorm over the last normalized_shape axes (weight and bias)."""
    expect_parameters(student, NAME, (5, 0.1))


@points(2)
@settings(max_examples=8)
@given(p=problems())
def test_matches_reference(student, device, p):
    """The output equals the reference's (eval mode, float32/float64, CPU/GPU)."""
    compare(student, NAME, **options(p, device))


@points(1)
@settings(max_examples=5)
@given(p=problems(dtype=torch.float64))
def test_dropout_on_y_only(student, p):
    """Dropout applies to Y only (dropout 1 in training mode gives ln(X)); gradients equal the reference's."""
    compare(student, NAME, call=f"{NAME}(d, dropout=1.0) in training mode", **options(p, train=True, dropout=1.0))
    compare(student, NAME, keys=("output", "grads", "input_grads"), **options(p, grads=True))
