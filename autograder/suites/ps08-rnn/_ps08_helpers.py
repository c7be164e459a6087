"""Shared checks of the ps08 suites: the language-model samplers."""
import torch
from hypothesis import strategies as st

from autograder.suite import describe, fail


def batches_driver(ns, name, corpus, batch_size, num_steps, calls):
    """list(NAME(corpus, batch_size, num_steps)), once per call"""
    import torch

    before = list(corpus)
    result = []
    limit = len(corpus) + 2
    for _ in range(calls):
        one = []
        for batch in ns[name](corpus, batch_size, num_steps):
            one.append(tuple(batch) if isinstance(batch, (list, tuple)) else batch)
            if len(one) >= limit:
                break
        ok = one and all(type(b) is tuple and len(b) == 2 and all(type(t) is torch.Tensor for t in b) for b in one)
        if ok:  # one tensor per call travels much faster than many small ones
            try:
                one = {"X": torch.stack([b[0] for b in one]), "Y": torch.stack([b[1] for b in one])}
            except RuntimeError:
                pass
        result.append(one)
    return {"calls": result, "unchanged": list(corpus) == before}


@st.composite
def problems(draw, min_len=2, max_len=90):
    """(corpus, batch_size, num_steps): a corpus of distinct token ids (each value names its position)."""
    n = draw(st.integers(min_len, max_len))
    corpus = draw(st.permutations(list(range(n))))
    return list(corpus), draw(st.integers(1, 5)), draw(st.integers(1, 7))


def run_batches(student, name, corpus, batch_size, num_steps, calls=1):
    """Per call, the list of (X, Y) int64 CPU tensor pairs of shape (batch_size, num_steps); checks the types."""
    call = f"{name}(corpus, {batch_size}, {num_steps})"
    inputs = dict(corpus=corpus, batch_size=batch_size, num_steps=num_steps)
    reply = student.run(batches_driver, name, corpus, batch_size, num_steps, calls, describe_as=call)
    if not reply["unchanged"]:
        fail(f"{call} modified corpus; read it without changing it (slices make copies)", **inputs)
    result = []
    for one in reply["calls"]:
        if isinstance(one, dict):
            one = list(zip(one["X"], one["Y"]))
        for k, batch in enumerate(one):
            if not (isinstance(batch, tuple) and len(batch) == 2):
                fail(f"{call} should yield pairs (X, Y), but batch {k} is {describe(batch)}", **inputs)
            for what, t in zip("XY", batch):
                if not isinstance(t, torch.Tensor):
                    fail(f"{call} should yield pairs of tensors, but {what} of batch {k} is {describe(t)}: "
                         f"build them with torch.tensor(...)", **inputs)
                if t.shape != (batch_size, num_steps):
                    fail(f"{call} yielded {what} of shape {tuple(t.shape)} in batch {k}, expected "
                         f"(batch_size, num_steps) = ({batch_size}, {num_steps})", **inputs)
                if t.dtype != torch.int64:
                    fail(f"{call} yielded {what} with dtype {t.dtype}; token indices are int64 "
                         f"(torch.tensor of a list of ints)", **inputs)
        result.append(one)
    return result


def positions(X, corpus):
    """The corpus position of every entry of X (the corpus holds distinct values), -1 for values not in it."""
    where = {v: i for i, v in enumerate(corpus)}
    return [[where.get(int(v), -1) for v in row] for row in X.tolist()]


def expect_shifted(batches, corpus_, call, **inputs):
    """Every row of X is a run of consecutive corpus tokens and Y is the same run one token later."""
    for k, (X, Y) in enumerate(batches):
        for row_x, row_y in zip(positions(X, corpus_), positions(Y, corpus_)):
            start = row_x[0]
            if start < 0 or row_x != list(range(start, start + len(row_x))):
                fail(f"{call} yielded in batch {k} a row of X that is not a run of consecutive corpus tokens "
                     f"(their positions in corpus are {row_x}): take slices corpus[i:i + num_steps]", **inputs)
            if row_y != [p + 1 for p in row_x]:
                hint = (" (Y equals X: the target of each token is the NEXT token, corpus[i + 1:i + 1 + num_steps])"
                        if row_y == row_x else ": Y must be the slice one token later, corpus[i + 1:i + 1 + num_steps]")
                fail(f"{call} yielded in batch {k} a row of X at corpus positions {row_x} with Y at positions "
                     f"{row_y}{hint}", **inputs)
