"""Hidden suite for DotProductAttention: softmax(Q K^T / sqrt(d)) V with masking.

Runs in eval mode; masked_softmax is replaced by a correct one while it runs.
"""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.strategies import dtypes
from _ps10_helpers import compare, reference, run, seeded, valid_lens
from autograder.suite import fail, points

NAME = "DotProductAttention"
HELPERS = ("masked_softmax",)


@st.composite
def problems(draw, kind=None, dtype=None, min_d=1):
    B, Q, K = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 5))
    d, v = draw(st.integers(min_d, 8)), draw(st.integers(1, 4))
    return dict(B=B, Q=Q, K=K, d=d, v=v, seed=draw(st.integers(0, 10**6)), dtype=dtype or draw(dtypes()),
                lens=draw(valid_lens(B, Q, K, kind=kind)))


def options(p, device="cpu", grads=False):
    dtype, seed = p["dtype"], p["seed"]
    inputs = [seeded((p["B"], p["Q"], p["d"]), seed, dtype).to(device),
              seeded((p["B"], p["K"], p["d"]), seed + 1, dtype).to(device),
              seeded((p["B"], p["K"], p["v"]), seed + 2, dtype).to(device),
              None if p["lens"] is None else p["lens"].to(device)]
    result = dict(args=(0.5,), inputs=inputs, device=device, dtype=dtype)
    if grads:
        result.update(output_grad=seeded((p["B"], p["Q"], p["v"]), seed + 3, dtype).to(device), input_grads=True)
    return result


@points(2)
@settings(max_examples=8)
@given(p=problems())
def test_matches_reference(student, device, p):
    """The output equals the reference's (any valid_lens, float32/float64, CPU/GPU)."""
    compare(student, NAME, helpers=HELPERS, **options(p, device))


@points(1)
@settings(max_examples=5)
@given(p=problems(kind="none", dtype=torch.float64, min_d=2))
def test_scaled_by_sqrt_d(student, p):
    """The scores are divided by sqrt(d), d the size of the queries and keys."""
    opts = options(p)
    got = run(student, NAME, HELPERS, **opts)["attention_weights"]
    q, k = opts["inputs"][0], opts["inputs"][1]
    expected = reference(NAME, **opts)["attention_weights"]
    if isinstance(got, torch.Tensor) and got.shape == expected.shape and not torch.allclose(got, expected):
        raw = q @ k.transpose(1, 2)
        for scale, hint in ((1.0, "the scores were not scaled"), (p["d"], "the scores were divided by d")):
            if torch.allclose(got, d2l.masked_softmax(raw / scale, None)):
                fail(f"{NAME}: {hint}; divide queries @ keys^T by math.sqrt(d), d = queries.shape[-1]",
                     queries=q, keys=k)
    compare(student, NAME, helpers=HELPERS, **opts)


@points(1)
@settings(max_examples=5)
@given(p=problems(kind="2d"))
def test_masks_each_query(student, p):
    """valid_lens of shape (B, Q) are passed to masked_softmax: keys past each length get no weight."""
    compare(student, NAME, helpers=HELPERS, **options(p))


@points(1)
@settings(max_examples=5)
@given(p=problems(dtype=torch.float64))
def test_gradients(student, p):
    """The gradients with respect to queries, keys and values equal the reference's (float64)."""
    compare(student, NAME, keys=("output", "input_grads"), helpers=HELPERS, **options(p, grads=True))


@points(1)
@settings(max_examples=5)
@given(p=problems())
def test_attention_weights(student, p):
    """forward stores the (B, Q, K) weights in self.attention_weights."""
    compare(student, NAME, keys=("output", "attention_weights"), helpers=HELPERS, **options(p))
