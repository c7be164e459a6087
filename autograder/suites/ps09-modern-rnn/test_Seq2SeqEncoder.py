"""Hidden suite for Seq2SeqEncoder: embedding + nn.GRU, time-major outputs (T, B, H) and state (L, B, H).

The student's encoder gets the reference's parameters (loaded by name) and
runs in eval mode on drawn token batches; outputs, state and gradients are
compared with d2lkit's.
"""
import torch
from hypothesis import given, settings, strategies as st

from autograder.strategies import dtypes
from autograder.suite import expect_close_tree, fail, points

from _ps09_seq2seq import expect_parameters, reference, reference_state, run, seeded, sizes, tokens

NAME = "Seq2SeqEncoder"


def _options(problem, dtype, device, seed, grads=False):
    V, E, H, L, B, T = problem
    args = (V, E, H, L)
    X = tokens((B, T), V, seed, device)
    opts = dict(args=args, state=reference_state(NAME, args, dtype, device, seed), X=X,
                valid_len=torch.full((B,), T, device=device), device=device, dtype=dtype)
    if grads:
        opts["output_grad"] = seeded((T, B, H), seed + 1, dtype, device)
    return opts


def _check(student, opts, key="output"):
    V, E, H, L = opts["args"]
    B, T = opts["X"].shape
    call = f"{NAME}{opts['args']}(X) with X of shape {(B, T)}"
    got = run(student, NAME, **opts)
    expected = reference(NAME, **opts)
    out = got.get("output") if isinstance(got, dict) else None
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        fail(f"{call} should return (outputs, state), the two results of the GRU, but returned {type(out).__name__}")
    outputs, state = out
    if isinstance(outputs, torch.Tensor) and outputs.shape == (B, T, H) and B != T:
        fail(f"{call} returned outputs of shape {tuple(outputs.shape)}; return them time-major (T, B, H) = "
             f"{(T, B, H)}: permute the embeddings to (T, B, E) before the GRU and return its outputs as they are")
    if isinstance(state, torch.Tensor) and state.shape == (B, H):
        fail(f"{call} returned a state of shape {tuple(state.shape)}; return every layer's final state, "
             f"(num_layers, B, H) = {(L, B, H)}, as nn.GRU gives it")
    exp_outputs = expected["output"][0]
    if isinstance(outputs, torch.Tensor) and outputs.shape == (T, B, H) and outputs.dtype == exp_outputs.dtype:
        wrong = reference(NAME, **(opts | dict(X=opts["X"].reshape(T, B).T.contiguous())))["output"][0]
        if not torch.allclose(wrong, expected["output"][0]) and torch.allclose(outputs.cpu(), wrong.cpu(),
                                                                               rtol=1e-4, atol=1e-5):
            how = ("read the batch-major embeddings (B, T, E) as if they were time-major" if B == T else
                   "read the embeddings reshaped, not permuted")
            fail(f"{call}: the outputs are those of a GRU that {how}: use permute(1, 0, 2) (or .transpose(0, 1)) "
                 f"to turn (B, T, E) into (T, B, E)")
    expect_close_tree(got[key], expected[key], f"{call}: {key}", X=opts["X"])


@points(1)
def test_parameters(student):
    """embedding and rnn (nn.GRU) with the docstring's sizes and nothing else."""
    expect_parameters(student, NAME, (7, 3, 5, 2))


@points(2)
@given(problem=sizes(), dtype=dtypes(), seed=st.integers(0, 10**6))
def test_matches_reference(student, device, problem, dtype, seed):
    """outputs (T, B, H) and state (L, B, H) equal the reference's."""
    _check(student, _options(problem, dtype, device, seed))


@points(1)
@settings(max_examples=10)
@given(problem=sizes(square=True), seed=st.integers(0, 10**6))
def test_square_batches(student, problem, seed):
    """With B == T the time and batch axes cannot be confused by shape alone (float64)."""
    _check(student, _options(problem, torch.float64, "cpu", seed))


