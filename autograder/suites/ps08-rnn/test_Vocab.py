"""Hidden suite for the class Vocab(tokens, min_freq=0, reserved_tokens=None).

Index 0 is '<unk>', then the reserved tokens, then the tokens by descending
count (ties by first appearance) whose count is at least min_freq.
"""
import collections

from hypothesis import given, strategies as st

import d2lkit as d2l
from autograder.suite import describe, expect, fail, points

WORDS = ["a", "b", "c", "the", "time", "x", "y"]
RESERVED = ["<pad>", "<bos>", "<eos>"]


@st.composite
def corpora(draw, min_freq=None, nested=None):
    tokens = draw(st.lists(st.sampled_from(WORDS), max_size=25))
    if nested is None:
        nested = draw(st.booleans())
    if nested:  # a list of lines of tokens
        cut = sorted(draw(st.lists(st.integers(0, len(tokens)), max_size=3)))
        bounds = [0] + cut + [len(tokens)]
        tokens = [tokens[a:b] for a, b in zip(bounds, bounds[1:])]
    if min_freq is None:
        min_freq = draw(st.sampled_from([0, 1, 2, 3]))
    reserved = draw(st.one_of(st.none(), st.lists(st.sampled_from(RESERVED), unique=True, max_size=3)))
    return tokens, min_freq, reserved


def _probe(ns, tokens, min_freq, reserved, queries):
    """Vocab(tokens, min_freq, reserved_tokens), then len, idx_to_token, lookups and to_tokens"""
    vocab = ns["Vocab"](tokens, min_freq=min_freq, reserved_tokens=reserved)
    n = len(vocab)
    idx_to_token = list(vocab.idx_to_token)
    return {
        "len": n,
        "idx_to_token": idx_to_token,
        "single": [vocab[q] for q in queries],
        "as_list": vocab[list(queries)],
        "as_tuple": vocab[tuple(queries)],
        "to_tokens_list": vocab.to_tokens(list(range(n))),
        "to_tokens_int": [vocab.to_tokens(i) for i in range(n)],
    }


def _run(student, tokens, min_freq, reserved, queries=()):
    return student.run(_probe, tokens, min_freq, reserved, list(queries),
                       describe_as=f"Vocab(tokens, min_freq={min_freq}, reserved_tokens={reserved!r})")


def _flat(tokens):
    return [t for line in tokens for t in line] if tokens and isinstance(tokens[0], list) else list(tokens)


def _expect_order(got, tokens, min_freq, reserved):
    expected = d2l.Vocab(tokens, min_freq=min_freq, reserved_tokens=reserved).idx_to_token
    inputs = dict(tokens=tokens, min_freq=min_freq, reserved_tokens=reserved)
    call = f"Vocab(tokens, min_freq={min_freq}, reserved_tokens={reserved!r}).idx_to_token"
    if got == expected:
        return
    if not isinstance(got, list) or not got:
        fail(f"{call} is {describe(got)}, expected the list {expected}", **inputs)
    if got[0] != "<unk>":
        fail(f"{call} is {got}, expected {expected}: index 0 must be '<unk>' (unknown tokens map to 0)", **inputs)
    if sorted(got) == sorted(expected) and got[1:] == sorted(got[1:]):
        fail(f"{call} is {got}, sorted alphabetically; expected {expected}: after '<unk>' and the reserved "
             f"tokens, order the tokens by descending count", **inputs)
    if set(got) == set(expected):
        counts = collections.Counter(_flat(tokens))
        fail(f"{call} is {got}, expected {expected}: '<unk>', then the reserved tokens in their order, then by "
             f"descending count, ties in order of first appearance (a stable sort of Counter.items() by count); "
             f"counts: {dict(counts)}", **inputs)
    if set(expected) < set(got):
        fail(f"{call} is {got}, expected {expected}: keep only tokens whose count is at least min_freq, "
             f"and no token twice", **inputs)
    if set(got) < set(expected):
        missing = sorted(set(expected) - set(got))
        fail(f"{call} is {got}, expected {expected}: tokens {missing} are missing (a token whose count equals "
             f"min_freq is kept; a list of lines of tokens is flattened first)", **inputs)
    fail(f"{call} is {got}, expected {expected}", **inputs)


def _expect_same_tokens(got, tokens, min_freq, reserved):
    """The student's idx_to_token holds the right tokens once each, '<unk>' first (its order is graded apart)."""
    expected = d2l.Vocab(tokens, min_freq=min_freq, reserved_tokens=reserved).idx_to_token
    if not (isinstance(got, list) and got and got[0] == "<unk>" and sorted(got) == sorted(expected)):
        _expect_order(got, tokens, min_freq, reserved)  # names what is wrong
    return got


@points(2)
@given(corpus=corpora())
def test_token_order(student, corpus):
    """idx_to_token: '<unk>', the reserved tokens, then by descending count with ties by first appearance."""
    tokens, min_freq, reserved = corpus
    _expect_order(_run(student, tokens, min_freq, reserved)["idx_to_token"], tokens, min_freq, reserved)


@points(1)
@given(corpus=corpora(min_freq=2, nested=False), min_freq=st.integers(2, 4))
def test_min_freq(student, corpus, min_freq):
    """Tokens counted fewer than min_freq times are left out; len(vocab) counts the kept ones."""
    tokens, _, reserved = corpus
    reply = _run(student, tokens, min_freq, reserved)
    _expect_order(reply["idx_to_token"], tokens, min_freq, reserved)
    expected = len(d2l.Vocab(tokens, min_freq=min_freq, reserved_tokens=reserved))
    expect(reply["len"] == expected, f"len(vocab) is {reply['len']}, expected {expected} (the number of tokens in "
                                     f"idx_to_token)", tokens=tokens, min_freq=min_freq, reserved_tokens=reserved)


@points(2)
@given(corpus=corpora(), queries=st.lists(st.sampled_from(WORDS + RESERVED + ["<unk>", "zzz", "A"]), min_size=1,
                                           max_size=6))
def test_lookup(student, corpus, queries):
    """vocab[token] is the token's index in idx_to_token (0 if unknown); vocab[list or tuple] a list of indices."""
    tokens, min_freq, reserved = corpus
    reply = _run(student, tokens, min_freq, reserved, queries)
    table = _expect_same_tokens(reply["idx_to_token"], tokens, min_freq, reserved)
    expected = [table.index(q) if q in table else 0 for q in queries]
    inputs = dict(tokens=tokens, min_freq=min_freq, reserved_tokens=reserved, queries=queries)
    for q, got, want in zip(queries, reply["single"], expected):
        if type(got) is not int or got != want:
            hint = " (unknown tokens map to index 0, '<unk>': use token_to_idx.get(token, 0))" if want == 0 else ""
            fail(f"vocab[{q!r}] is {describe(got)}, expected {want}{hint}", **inputs)
    for kind in ("list", "tuple"):
        expect(reply[f"as_{kind}"] == expected,
               f"vocab[{kind} of tokens] is {describe(reply[f'as_{kind}'])}, expected the list {expected}: look up "
               f"each token of a list or tuple", **inputs)


@points(1)
@given(corpus=corpora())
def test_to_tokens(student, corpus):
    """to_tokens(int) gives idx_to_token[int], to_tokens(list of ints) the list of tokens."""
    tokens, min_freq, reserved = corpus
    reply = _run(student, tokens, min_freq, reserved)
    expected = _expect_same_tokens(reply["idx_to_token"], tokens, min_freq, reserved)
    inputs = dict(tokens=tokens, min_freq=min_freq, reserved_tokens=reserved)
    expect(reply["to_tokens_int"] == expected,
           f"[vocab.to_tokens(i) for i in range(len(vocab))] is {describe(reply['to_tokens_int'])}, expected "
           f"{expected}: to_tokens of an int returns that index's token (a str)", **inputs)
    expect(reply["to_tokens_list"] == expected,
           f"vocab.to_tokens(list(range(len(vocab)))) is {describe(reply['to_tokens_list'])}, expected {expected}: "
           f"to_tokens of a list returns the list of tokens", **inputs)
