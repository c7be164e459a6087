"""Hidden suite for beam_search(next_log_probs, bos, eos, max_len, beam_size, alpha=0.75).

The language model is a small table sent to the worker: the log-probabilities
of the next token depend on the last token and on the length of the prefix.
"""
import itertools

import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.suite import describe, expect, fail, points


def _search(ns, table, steps, bos, eos, max_len, beam_size, alpha, ties):
    """beam_search(next_log_probs, bos, eos, max_len, beam_size, alpha) with a table language model"""
    import torch

    calls = []

    def next_log_probs(prefix):
        prefix = list(prefix)
        calls.append(prefix)
        logits = table[prefix[-1]] + steps[min(len(prefix) - 1, len(steps) - 1)]
        if ties:
            logits = logits.round()
        return torch.log_softmax(logits, dim=0)

    result = ns["beam_search"](next_log_probs, bos, eos, max_len, beam_size, alpha)
    if isinstance(result, tuple) and len(result) == 2:
        tokens, score = result
        if isinstance(tokens, torch.Tensor):
            tokens = tokens.tolist()
        result = (list(tokens) if isinstance(tokens, (list, tuple)) else tokens,
                  float(score) if isinstance(score, (int, float, torch.Tensor)) else score)
    return {"result": result, "calls": len(calls)}


@st.composite
def models(draw, max_vocab=4):
    V = draw(st.integers(2, max_vocab))
    seed = draw(st.integers(0, 2**31 - 1))
    g = torch.Generator().manual_seed(seed)
    table = torch.randn(V + 1, V, generator=g, dtype=torch.float64) * 2  # row V: bos
    steps = torch.randn(4, V, generator=g, dtype=torch.float64)
    eos = draw(st.integers(0, V - 1))
    return table, steps, V, eos


def _run(student, model, max_len, beam_size, alpha=0.75, ties=False):
    table, steps, V, eos = model
    args = (table, steps, V, eos, max_len, beam_size, alpha, ties)
    got = student.run(_search, *args, describe_as=f"beam_search(next_log_probs, {V}, {eos}, {max_len}, "
                                                  f"{beam_size}, {alpha})")["result"]
    expected = _search({"beam_search": d2l.beam_search}, *args)["result"]
    return got, expected


def _expect_same(got, expected, call, **inputs):
    if not (isinstance(got, tuple) and len(got) == 2 and isinstance(got[0], list) and isinstance(got[1], float)):
        fail(f"{call} should return (tokens, score): a list of ints and a float, but returned {describe(got)}",
             **inputs)
    tokens, score = got
    if tokens != expected[0]:
        fail(f"{call} returned the tokens {tokens} (score {score:.6g}), expected {expected[0]} (score "
             f"{expected[1]:.6g}); the score of a candidate is log P / len(tokens) ** alpha, candidates are the "
             f"sequences kept at EVERY step (also the shorter ones and those ending with eos)", **inputs)
    if abs(score - expected[1]) > 1e-9 * max(1.0, abs(expected[1])):
        fail(f"{call} returned the right tokens but the score {score!r}, expected {expected[1]!r} = log P / "
             f"len(tokens) ** alpha, len counting the final eos but not bos", **inputs)


@points(2)
@given(model=models(), max_len=st.integers(1, 4), beam_size=st.integers(1, 4),
       alpha=st.sampled_from([0.0, 0.75, 1.0]))
def test_matches_reference(student, model, max_len, beam_size, alpha):
    """The best candidate and its score match the reference beam search."""
    got, expected = _run(student, model, max_len, beam_size, alpha)
    _expect_same(got, expected, f"beam_search(..., max_len={max_len}, beam_size={beam_size}, alpha={alpha})",
                 table=model[0], eos=model[3])


def _greedy_prefix_best(model, max_len, alpha):
    table, steps, V, eos = model
    seq, logp, best = [], 0.0, None
    for _ in range(max_len):
        prefix = [V] + seq
        lp = torch.log_softmax(table[prefix[-1]] + steps[min(len(prefix) - 1, len(steps) - 1)], dim=0)
        tok = int(lp.argmax())
        seq, logp = seq + [tok], logp + float(lp[tok])
        key = (-logp / len(seq) ** alpha, len(seq))
        if best is None or key < best[0]:
            best = (key, list(seq), logp / len(seq) ** alpha)
        if tok == eos:
            break
    return best[1], best[2]


@points(1)
@given(model=models(), max_len=st.integers(1, 4))
def test_beam_one_is_greedy(student, model, max_len):
    """With beam_size=1 the search follows the greedy path (argmax at every step) and picks its best prefix."""
    got, expected = _run(student, model, max_len, 1)
    greedy = _greedy_prefix_best(model, max_len, 0.75)
    expect(expected[0] == greedy[0], "internal: reference and greedy disagree")
    _expect_same(got, expected, f"beam_search(..., max_len={max_len}, beam_size=1)", table=model[0], eos=model[3])


@points(2)
@settings(max_examples=10)
@given(model=models(max_vocab=3), max_len=st.integers(1, 3), alpha=st.sampled_from([0.0, 0.75]))
def test_large_beam_is_exhaustive(student, model, max_len, alpha):
    """A beam as large as V ** max_len finds the best-scoring sequence over all sequences (exhaustive search)."""
    table, steps, V, eos = model
    best = None
    for length in range(1, max_len + 1):
        for seq in itertools.product(range(V), repeat=length):
            if eos in seq[:-1]:
                continue
            logp, prefix = 0.0, [V]
            for tok in seq:
                lp = torch.log_softmax(table[prefix[-1]] + steps[min(len(prefix) - 1, len(steps) - 1)], dim=0)
                logp += float(lp[tok])
                prefix.append(tok)
            key = (-logp / length ** alpha, length, list(seq))
            if best is None or key < best:
                best = key
    got, expected = _run(student, model, max_len, V ** max_len, alpha)
    expect(expected[0] == best[2], "internal: reference is not exhaustive")
    _expect_same(got, expected, f"beam_search(..., max_len={max_len}, beam_size={V ** max_len}, alpha={alpha})",
                 table=table, eos=eos)


@points(1)
@given(model=models(), max_len=st.integers(2, 4), beam_size=st.integers(1, 3))
def test_ties_broken_by_tokens(student, model, max_len, beam_size):
    """Equal log-probabilities are ranked by the token list (smaller first), so the result is deterministic."""
    got, expected = _run(student, model, max_len, beam_size, ties=True)
    _expect_same(got, expected, f"beam_search(..., max_len={max_len}, beam_size={beam_size}) with tied "
                                f"probabilities", table=model[0], eos=model[3])
