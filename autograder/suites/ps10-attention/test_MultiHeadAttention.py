"""Hidden suite for MultiHeadAttention: heads split, attended in one batch, merged, W_o.

The student's module gets the reference's parameters and runs in eval mode;
DotProductAttention, masked_softmax, transpose_qkv and transpose_output are
replaced by correct ones while it runs.
"""
import torch
from hypothesis import given, settings, strategies as st

from autograder.strategies import dtypes
from _ps10_helpers import compare, expect_parameters, reference, reference_state, run, seeded, valid_lens
from autograder.suite import fail, points

NAME = "MultiHeadAttention"
HELPERS = ("masked_softmax", "DotProductAttention", "transpose_qkv", "transpose_output")


@st.composite
def problems(draw, kind=None, dtype=None, bias=False, min_B=1):
    B, Q, K = draw(st.integers(min_B, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 5))
    H, d = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    sizes = [draw(st.integers(1, 5)) for _ in range(3)]
    args = (*sizes, H * d, H, 0.5, bias)
    return dict(B=B, Q=Q, K=K, args=args, seed=draw(st.integers(0, 10**6)), dtype=dtype or draw(dtypes()),
                lens=draw(valid_lens(B, Q, K, kind=kind)))


def options(p, device="cpu", grads=False):
    key_size, query_size, value_size, hiddens = p["args"][:4]
    dtype, seed = p["dtype"], p["seed"]
    inputs = [seeded((p["B"], p["Q"], query_size), seed, dtype).to(device),
              seeded((p["B"], p["K"], key_size), seed + 1, dtype).to(device),
              seeded((p["B"], p["K"], value_size), seed + 2, dtype).to(device),
              None if p["lens"] is None else p["lens"].to(device)]
    result = dict(args=p["args"], state=reference_state(NAME, p["args"], dtype, device, seed), inputs=inputs,
                  device=device, dtype=dtype)
    if grads:
        result.update(output_grad=seeded((p["B"], p["Q"], hiddens), seed + 3, dtype).to(device), input_grads=True)
    return result


@points(1)
def test_parameters(student):
    """W_q, W_k, W_v map queries, keys and values to num_hiddens features; W_o mixes the heads (no bias)."""
    expect_parameters(student, NAME, (3, 4, 5, 6, 2, 0.1))


@points(2)
@settings(max_examples=8)
@given(p=problems())
def test_matches_reference(student, device, p):
    """The output equals the reference's (no mask or any valid_lens, float32/float64, CPU/GPU)."""
    compare(student, NAME, helpers=HELPERS, **options(p, device))


@points(2)
@settings(max_examples=8)
@given(p=problems(kind=None, min_B=2).filter(lambda p: p["lens"] is not None and p["args"][4] > 1),
       data=st.data())
def test_repeats_valid_lens_per_head(student, p, data):
    """valid_lens follow the heads into the batch axis: repeat_interleave(num_heads, dim=0), not repeat."""
    opts = options(p)
    got = run(student, NAME, HELPERS, **opts)
    expected = reference(NAME, **opts)
    if isinstance(got.get("output"), torch.Tensor) and got["output"].shape == expected["output"].shape \
            and not torch.allclose(got["output"], expected["output"], rtol=1e-4, atol=1e-5):
        lens = p["lens"]
        tiled = opts | dict(inputs=opts["inputs"][:3] + [None])
        if torch.allclose(got["output"], reference(NAME, **tiled)["output"], rtol=1e-4, atol=1e-5):
            fail(f"{NAME} ignored valid_lens: pass them (repeated num_heads times) to the attention",
                 valid_lens=lens)
        fail(f"{NAME} gave a wrong output with valid_lens {lens.tolist()} and num_heads {p['args'][4]}: after "
             f"transpose_qkv, rows b*H .. b*H+H-1 belong to sequence b, so repeat the lengths with "
             f"torch.repeat_interleave(valid_lens, num_heads, dim=0) (valid_lens.repeat(...) interleaves them "
             f"the wrong way)", valid_lens=lens)
    compare(student, NAME, helpers=HELPERS, **opts)


@points(1)
@settings(max_examples=5)
@given(p=problems(dtype=torch.float64))
def test_gradients(student, p):
    """The gradients of the four projections and of the inputs equal the reference's (float64)."""
    compare(student, NAME, keys=("output", "grads", "input_grads"), helpers=HELPERS, **options(p, grads=True))


@points(1)
@settings(max_examples=5)
@given(p=problems(bias=True))
def test_with_bias(student, p):
    """bias=True gives the four projections biases (W_q.bias, ...), used in the output."""
    expect_parameters(student, NAME, p["args"])
    compare(student, NAME, helpers=HELPERS, **options(p))
