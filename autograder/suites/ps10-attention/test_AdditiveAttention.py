"""Hidden suite for AdditiveAttention: w_v . tanh(W_q q + W_k k) scores, masked softmax, weighted values.

The student's module gets the reference's parameters (load_state_dict) and
runs in eval mode; masked_softmax is replaced by a correct one while it runs.
"""
import torch
from hypothesis import given, settings, strategies as st

from autograder.strategies import dtypes
from _ps10_helpers import compare, expect_parameters, reference_state, seeded, valid_lens
from autograder.suite import points

NAME = "AdditiveAttention"
HELPERS = ("masked_softmax",)


@st.composite
def problems(draw, kind=None, dtype=None):
    B, Q, K = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 5))
    key_size, query_size = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    hiddens, v = draw(st.integers(1, 6)), draw(st.integers(1, 4))
    seed = draw(st.integers(0, 10**6))
    return dict(B=B, Q=Q, K=K, args=(key_size, query_size, hiddens, 0.5), v=v, seed=seed,
                dtype=dtype or draw(dtypes()), lens=draw(valid_lens(B, Q, K, kind=kind)))


def options(p, device="cpu", grads=False):
    key_size, query_size = p["args"][0], p["args"][1]
    dtype, seed = p["dtype"], p["seed"]
    inputs = [seeded((p["B"], p["Q"], query_size), seed, dtype).to(device),
              seeded((p["B"], p["K"], key_size), seed + 1, dtype).to(device),
              seeded((p["B"], p["K"], p["v"]), seed + 2, dtype).to(device),
              None if p["lens"] is None else p["lens"].to(device)]
    result = dict(args=p["args"], state=reference_state(NAME, p["args"], dtype, device, seed), inputs=inputs,
                  device=device, dtype=dtype)
    if grads:
        result.update(output_grad=seeded((p["B"], p["Q"], p["v"]), seed + 3, dtype).to(device), input_grads=True)
    return result


@points(1)
def test_parameters(student):
    """W_k, W_q (no bias) map keys and queries to num_hiddens features; w_v maps them to one score."""
    expect_parameters(student, NAME, (3, 4, 5, 0.1))


@points(2)
@settings(max_examples=8)
@given(p=problems())
def test_matches_reference(student, device, p):
    """The output equals the reference's with the same parameters (any valid_lens, float32/float64)."""
    compare(student, NAME, helpers=HELPERS, **options(p, device))


@points(1)
@settings(max_examples=5)
@given(p=problems(kind="2d"))
def test_masks_each_query(student, p):
    """With a valid length per query (B, Q), keys past each query's length get no weight."""
    compare(student, NAME, helpers=HELPERS, **options(p))


@points(1)
@settings(max_examples=5)
@given(p=problems(dtype=torch.float64))
def test_gradients(student, p):
    """The gradients of the parameters and of queries, keys and values equal the reference's (float64)."""
    compare(student, NAME, keys=("output", "grads", "input_grads"), helpers=HELPERS, **options(p, grads=True))


@points(1)
@settings(max_examples=5)
@given(p=problems())
def test_attention_weights(student, p):
    """forward stores the (B, Q, K) weights in self.attention_weights."""
    compare(student, NAME, keys=("output", "attention_weights"), helpers=HELPERS, **options(p))
