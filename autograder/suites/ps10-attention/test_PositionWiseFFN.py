"""Hidden suite for PositionWiseFFN: dense2(relu(dense1(X))) on the last axis, any leading axes."""
import torch
from hypothesis import given, settings, strategies as st

from autograder.strategies import dtypes
from _ps10_helpers import compare, expect_parameters, reference_state, seeded
from autograder.suite import points

NAME = "PositionWiseFFN"


@st.composite
def problems(draw, dtype=None):
    lead = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))
    args = (draw(st.integers(1, 5)), draw(st.integers(1, 6)), draw(st.integers(1, 5)))
    return dict(lead=lead, args=args, seed=draw(st.integers(0, 10**6)), dtype=dtype or draw(dtypes()))


def options(p, device="cpu", grads=False):
    dtype, seed = p["dtype"], p["seed"]
    result = dict(args=p["args"], state=reference_state(NAME, p["args"], dtype, device, seed), device=device,
                  dtype=dtype, inputs=[seeded(p["lead"] + (p["args"][0],), seed, dtype).to(device)])
    if grads:
        result.update(output_grad=seeded(p["lead"] + (p["args"][2],), seed + 1, dtype).to(device), input_grads=True)
    return result


@points(1)
def test_parameters(student):
    """dense1 (ffn_num_input -> ffn_num_hiddens) and dense2 (-> ffn_num_outputs), both with bias."""
    expect_parameters(student, NAME, (3, 5, 4))


@points(2)
@settings(max_examples=8)
@given(p=problems())
def test_matches_reference(student, device, p):
    """The output equals the reference's for inputs of 2 to 4 axes (float32/float64, CPU/GPU)."""
    compare(student, NAME, **options(p, device))


@points(1)
@settings(max_examples=5)
@given(p=problems(dtype=torch.float64))
def test_gradients(student, p):
    """The parameter and input gradients equal the reference's (float64)."""
    compare(student, NAME, keys=("output", "grads", "input_grads"), **options(p, grads=True))
