"""Hidden suite for Seq2SeqDecoder: init_state, the context, output (B, T, V) and the state it passes on.

The student's decoder gets the reference's parameters and drawn encoder
results (enc_outputs (T_src, B, H) and a state (L, B, H) whose last layer is
enc_outputs[-1], as an encoder gives them). It runs in eval mode from
init_state on a whole target batch, or one step at a time carrying its own
state, and is compared with d2lkit's.
"""
import torch
from hypothesis import given, settings, strategies as st

from autograder.strategies import dtypes
from autograder.suite import expect_close_tree, fail, points

from _ps09_seq2seq import expect_parameters, reference, reference_state, run, seeded, sizes, tokens

NAME = "Seq2SeqDecoder"


@st.composite
def problems(draw, square=False):
    V, E, H, L, B, T = draw(sizes(square=square))
    return V, E, H, L, B, T, draw(st.integers(1, 4))


def _options(problem, dtype, device, seed, steps=False, grads=False):
    V, E, H, L, B, T, S = problem
    args = (V, E, H, L)
    enc_outputs = seeded((S, B, H), seed + 1, dtype, device).tanh()
    hidden = seeded((L, B, H), seed + 2, dtype, device).tanh()
    hidden[-1] = enc_outputs[-1]
    opts = dict(args=args, state=reference_state(NAME, args, dtype, device, seed), X=tokens((B, T), V, seed, device),
                enc=(enc_outputs, hidden), valid_len=torch.full((B,), S, device=device), steps=steps,
                device=device, dtype=dtype)
    if grads:
        opts["output_grad"] = seeded((B, T, V), seed + 3, dtype, device)
    return opts


def _check(student, opts, keys=("output",)):
    V, E, H, L = opts["args"]
    B, T = opts["X"].shape
    how = "fed one step at a time, carrying its state," if opts["steps"] else "on the whole target"
    call = f"{NAME}{opts['args']} from init_state((enc_outputs, state)) {how} with X of shape {(B, T)}"
    got = run(student, NAME, **opts)
    expected = reference(NAME, **opts)
    out = got.get("output") if isinstance(got, dict) else None
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        fail(f"{call}: forward should return (output, state), but returned {type(out).__name__}")
    output, state = out
    if isinstance(output, torch.Tensor) and output.shape == (T, B, V) and B != T:
        fail(f"{call} returned logits of shape {tuple(output.shape)}; return them batch-major (B, T, V) = "
             f"{(B, T, V)}: permute the dense layer's output with permute(1, 0, 2)")
    if isinstance(state, torch.Tensor):
        fail(f"{call} passed on a bare tensor as the state; init_state and forward pass on the pair "
             f"(enc_outputs, hidden state), so that every step reads the same context enc_outputs[-1]")
    old_hidden = opts["enc"][1]
    if (isinstance(state, (tuple, list)) and len(state) == 2 and isinstance(state[1], torch.Tensor)
            and state[1].shape == old_hidden.shape and state[1].dtype == old_hidden.dtype
            and torch.equal(state[1].cpu(), old_hidden.cpu())
            and not torch.allclose(expected["output"][1][1].cpu(), old_hidden.cpu())):
        fail(f"{call} passed on the hidden state it was given; return (enc_outputs, the GRU's new hidden state) "
             f"so that the next call continues from it")
    if opts["steps"] and isinstance(output, torch.Tensor) and output.shape == (B, T, V):
        full = reference(NAME, **(opts | dict(steps=False)))["output"][0]
        if T > 1 and not torch.allclose(output.cpu(), full.cpu(), rtol=1e-4, atol=1e-5):
            if torch.allclose(output[:, :1].cpu(), full[:, :1].cpu(), rtol=1e-4, atol=1e-5):
                fail(f"{call}: the first step is right but later ones differ from decoding the whole target at once; "
                     f"the context must stay enc_outputs[-1] (the encoder's), not the decoder's latest state, and "
                     f"forward must return the GRU's new hidden state in the state it passes on")
    for key in keys:
        expect_close_tree(got[key], expected[key], f"{call}: {key}", X=opts["X"], enc_outputs=opts["enc"][0],
                          state=opts["enc"][1])


@points(1)
def test_parameters(student):
    """embedding, rnn (nn.GRU of input size embed_size + num_hiddens) and dense, with the docstring's sizes."""
    expect_parameters(student, NAME, (7, 3, 5, 2))


@points(2)
@given(problem=problems(), dtype=dtypes(), seed=st.integers(0, 10**6))
def test_matches_reference(student, device, problem, dtype, seed):
    """Logits (B, T, V) and the state (enc_outputs, hidden) after a whole target equal the reference's."""
    _check(student, _options(problem, dtype, device, seed))


@points(2)
@settings(max_examples=15)
@given(problem=problems(), seed=st.integers(0, 10**6))
def test_step_by_step(student, problem, seed):
    """Fed one step at a time, carrying its state, the decoder gives the reference's logits and state (float64)."""
    _check(student, _options(problem, torch.float64, "cpu", seed, steps=True))


@points(1)
@settings(max_examples=10)
@given(problem=problems(square=True), seed=st.integers(0, 10**6))
def test_gradients(student, problem, seed):
    """With B == T, the gradients of every parameter equal the reference's (float64)."""
    _check(student, _options(problem, torch.float64, "cpu", seed, grads=True), keys=("output", "grads"))
