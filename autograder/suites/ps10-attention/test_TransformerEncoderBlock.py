"""Hidden suite for TransformerEncoderBlock: addnorm1(X, MHA(X, X, X)), then addnorm2(Y, ffn(Y)).

The student's block gets the reference's parameters and runs in eval mode;
MultiHeadAttention (with its helpers), AddNorm and PositionWiseFFN are
replaced by correct ones while it runs.
"""
import torch
from hypothesis import given, settings, strategies as st

from autograder.strategies import dtypes
from _ps10_helpers import compare, expect_parameters, reference_state, seeded, valid_lens
from autograder.suite import points

NAME = "TransformerEncoderBlock"
HELPERS = ("masked_softmax", "DotProductAttention", "transpose_qkv", "transpose_output", "MultiHeadAttention",
           "AddNorm", "PositionWiseFFN")


@st.composite
def problems(draw, kind=None, dtype=None, bias=False):
    B, T, H, d = draw(st.integers(1, 3)), draw(st.integers(1, 5)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    args = (H * d, draw(st.integers(1, 8)), H, 0.5) + ((True,) if bias else ())
    return dict(B=B, T=T, args=args, seed=draw(st.integers(0, 10**6)), dtype=dtype or draw(dtypes()),
                lens=draw(valid_lens(B, T, T, kind=kind or draw(st.sampled_from(["none", "1d"])))))


def options(p, device="cpu", grads=False):
    dtype, seed, h = p["dtype"], p["seed"], p["args"][0]
    result = dict(args=p["args"], state=reference_state(NAME, p["args"], dtype, device, seed), device=device,
                  dtype=dtype, inputs=[seeded((p["B"], p["T"], h), seed, dtype).to(device),
                                       None if p["lens"] is None else p["lens"].to(device)])
    if grads:
        result.update(output_grad=seeded((p["B"], p["T"], h), seed + 1, dtype).to(device), input_grads=True)
    return result


@points(1)
def test_parameters(student):
    """attention (MultiHeadAttention), addnorm1, ffn, addnorm2 with the docstring's sizes."""
    expect_parameters(student, NAME, (8, 12, 2, 0.1))


@points(2)
@settings(max_examples=5)
@given(p=problems())
def test_matches_reference(student, device, p):
    """The output equals the reference's (float32/float64, CPU/GPU)."""
    compare(student, NAME, helpers=HELPERS, **options(p, device))


@points(1)
@settings(max_examples=5)
@given(p=problems(kind="1d"))
def test_valid_lens(student, p):
    """valid_lens (B,) mask the padding keys of the self-attention."""
    compare(student, NAME, helpers=HELPERS, **options(p))


@points(1)
@settings(max_examples=5)
@given(p=problems(dtype=torch.float64))
def test_gradients(student, p):
    """Every parameter's gradient and the input's gradient equal the reference's (float64)."""
    compare(student, NAME, keys=("output", "grads", "input_grads"), helpers=HELPERS, **options(p, grads=True))


@points(1)
@settings(max_examples=4)
@given(p=problems(bias=True))
def test_use_bias(student, p):
    """use_bias=True is passed on to the attention's projections."""
    expect_parameters(student, NAME, p["args"])
    compare(student, NAME, helpers=HELPERS, **options(p))
