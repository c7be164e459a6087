"""Hidden suite for TransformerDecoderBlock: causal self-attention in training, cached keys in prediction.

The student's block gets the reference's parameters; MultiHeadAttention (with
its helpers), AddNorm and PositionWiseFFN are replaced by correct ones while
it runs. Training mode is tested with dropout 0, prediction in eval mode one
step at a time (the state carried from call to call).
"""
import torch
from hypothesis import given, settings, strategies as st

from autograder.strategies import dtypes
from _ps10_helpers import compare, expect_parameters, reference, reference_state, run, seeded, valid_lens
from autograder.suite import expect, expect_close_tree, fail, points

NAME = "TransformerDecoderBlock"
HELPERS = ("masked_softmax", "DotProductAttention", "transpose_qkv", "transpose_output", "MultiHeadAttention",
           "AddNorm", "PositionWiseFFN")


@st.composite
def problems(draw, dtype=None, kind=None, min_T=1, index=None, short=False):
    B, T, S = draw(st.integers(1, 3)), draw(st.integers(min_T, 5)), draw(st.integers(2 if short else 1, 4))
    H, d = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    i = draw(st.integers(0, 2)) if index is None else index
    args = (H * d, draw(st.integers(1, 8)), H, 0.0, i)
    return dict(B=B, T=T, S=S, args=args, seed=draw(st.integers(0, 10**6)), dtype=dtype or draw(dtypes()),
                cache=i + 1 + draw(st.integers(0, 1)),
                lens=draw(valid_lens(B, T, S, kind=kind or draw(st.sampled_from(["none", "1d"])), min_len=1,
                                     max_len=S - 1 if short else None)))


def tensors_of(p, device):
    dtype, seed, h = p["dtype"], p["seed"], p["args"][0]
    X = seeded((p["B"], p["T"], h), seed, dtype).to(device)
    enc = seeded((p["B"], p["S"], h), seed + 1, dtype).to(device)
    return X, enc, None if p["lens"] is None else p["lens"].to(device)


def training_options(p, device="cpu", grads=False):
    X, enc, lens = tensors_of(p, device)
    result = dict(args=p["args"], state=reference_state(NAME, p["args"], p["dtype"], device, p["seed"]),
                  device=device, dtype=p["dtype"], train=True, inputs=[X, [enc, lens, [None] * p["cache"]]])
    if grads:
        result.update(output_grad=seeded(X.shape, p["seed"] + 2, p["dtype"]).to(device), input_grads=True)
    return result


def step_options(p, device="cpu"):
    X, enc, lens = tensors_of(p, device)
    return dict(args=p["args"], state=reference_state(NAME, p["args"], p["dtype"], device, p["seed"]),
                device=device, dtype=p["dtype"], train=False, decoder_steps=True, inputs=[X, enc, lens, p["cache"]])


def returns_pair(student, opts):
    got = run(student, NAME, HELPERS, **opts)
    output = got.get("output") if isinstance(got, dict) else None
    if not (isinstance(output, (tuple, list)) and len(output) == 2):
        fail(f"{NAME}.forward(X, state) should return a pair (output, state), but returned "
             f"{type(output).__name__}")
    return got


@points(1)
def test_parameters(student):
    """attention1, addnorm1, attention2, addnorm2, ffn, addnorm3 with the docstring's sizes."""
    expect_parameters(student, NAME, (8, 12, 2, 0.1, 0))


@points(2)
@settings(max_examples=5)
@given(p=problems(min_T=2))
def test_causal_mask_in_training(student, device, p):
    """In training mode query t attends to keys 0..t only (valid lengths 1..T); the state holds X."""
    opts = training_options(p, device)
    got = returns_pair(student, opts)
    expected = reference(NAME, **opts)
    out, want = got["output"][0], expected["output"][0]
    if isinstance(out, torch.Tensor) and out.shape == want.shape and out.dtype == want.dtype \
            and not torch.allclose(out, want, rtol=1e-4, atol=1e-5):
        unmasked = reference(NAME, **(opts | dict(train=False)))["output"][0]
        if torch.allclose(out, unmasked, rtol=1e-4, atol=1e-5):
            fail(f"{NAME} in training mode let every position attend to later ones: when self.training, pass "
                 f"dec_valid_lens = torch.arange(1, T + 1, device=X.device).repeat(B, 1) to attention1")
    compare(student, NAME, call=f"{NAME}{p['args']}(X, state) in training mode", helpers=HELPERS, **opts)


@points(2)
@settings(max_examples=5)
@given(p=problems(min_T=2))
def test_cached_keys_in_prediction(student, device, p):
    """In eval mode, fed one step at a time, the block appends each step to state[2][i] and attends to all."""
    opts = step_options(p, device)
    got = run(student, NAME, HELPERS, **opts)
    expected = reference(NAME, **opts)
    cache = got.get("cache") if isinstance(got, dict) else None
    if isinstance(cache, list) and len(cache) > p["args"][4]:
        entry = cache[p["args"][4]]
        if isinstance(entry, torch.Tensor) and entry.shape[1:2] == (1,) and p["T"] > 1:
            fail(f"{NAME}: after {p['T']} steps state[2][i] holds only the last step; store "
                 f"torch.cat((state[2][i], X), dim=1) so that the keys of every earlier step stay cached")
    compare(student, NAME, keys=("output", "cache"), call=f"{NAME}{p['args']} fed one step at a time in eval mode",
            helpers=HELPERS, **opts)


@points(1)
@settings(max_examples=5)
@given(p=problems(index=1))
def test_uses_its_own_cache_entry(student, p):
    """Block i reads and writes state[2][i] only (block 1 here; entry 0 stays None)."""
    compare(student, NAME, keys=("output", "cache"), call=f"{NAME}{p['args']} (i = 1) fed one step at a time",
            helpers=HELPERS, **step_options(p))


@points(1)
@settings(max_examples=5)
@given(p=problems(kind="1d", short=True))
def test_encoder_valid_lens(student, p):
    """attention2 attends to the encoder outputs masked with enc_valid_lens (state[1])."""
    compare(student, NAME, call=f"{NAME}{p['args']}(X, state) in training mode", helpers=HELPERS,
            **training_options(p))


@points(2)
@settings(max_examples=5)
@given(p=problems(dtype=torch.float64))
def test_gradients(student, p):
    """In training mode every parameter's gradient and the gradient of X equal the reference's (float64)."""
    opts = training_options(p, grads=True)
    got = returns_pair(student, opts)
    expected = reference(NAME, **opts)
    for key in ("grads", "input_grads"):
        expect(key in got, f"{NAME}: no gradients came back")
        expect_close_tree(got[key][0] if key == "input_grads" else got[key],
                          expected[key][0] if key == "input_grads" else expected[key], f"{NAME}: {key}")
