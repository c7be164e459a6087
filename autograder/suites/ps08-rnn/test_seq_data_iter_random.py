"""Hidden suite for seq_data_iter_random(corpus, batch_size, num_steps): random non-overlapping subsequences."""
from hypothesis import given, settings

from _ps08_helpers import expect_shifted, positions, problems, run_batches
from autograder.suite import expect, fail, points

NAME = "seq_data_iter_random"


def _starts(batches, corpus):
    return [row[0] for X, _ in batches for row in positions(X, corpus)]


@points(2)
@given(problem=problems())
def test_targets_shifted_by_one(student, problem):
    """Each batch is (X, Y) int64 (batch_size, num_steps); rows are corpus runs and Y is X one token later."""
    corpus, batch_size, num_steps = problem
    (batches,) = run_batches(student, NAME, corpus, batch_size, num_steps)
    expect_shifted(batches, corpus, f"{NAME}(corpus, {batch_size}, {num_steps})", corpus=corpus,
                   batch_size=batch_size, num_steps=num_steps)


@points(2)
@given(problem=problems())
def test_subsequences_do_not_overlap(student, problem):
    """The subsequences start at offset + j * num_steps (offset < num_steps), none twice, only full batches."""
    corpus, batch_size, num_steps = problem
    call = f"{NAME}(corpus, {batch_size}, {num_steps})"
    inputs = dict(corpus=corpus, batch_size=batch_size, num_steps=num_steps)
    (batches,) = run_batches(student, NAME, corpus, batch_size, num_steps)
    expect_shifted(batches, corpus, call, **inputs)
    starts = _starts(batches, corpus)
    if len(set(starts)) != len(starts):
        fail(f"{call} yielded some subsequence twice (start positions {sorted(starts)}): shuffle the list of "
             f"start positions once and cut it into batches", **inputs)
    residues = {s % num_steps for s in starts}
    if len(residues) > 1:
        fail(f"{call} yielded subsequences starting at positions {sorted(starts)}, which overlap: after dropping "
             f"offset tokens, cut the corpus into consecutive blocks of num_steps tokens (starts offset + j * "
             f"num_steps)", **inputs)
    n = len(corpus)
    # the offset is in [0, num_steps); starts congruent to it; count the subsequences that fit
    allowed = []
    for offset in range(num_steps):
        if residues and offset not in residues:
            continue
        num_subseqs = (n - offset - 1) // num_steps
        allowed.append(batch_size * (num_subseqs // batch_size))
    if len(starts) not in allowed:
        fail(f"{call} yielded {len(starts)} subsequences ({len(batches)} batches) for a corpus of {n} tokens, "
             f"expected {' or '.join(map(str, sorted(set(allowed))))}: after dropping offset tokens there are "
             f"(len(corpus) - offset - 1) // num_steps subsequences (each needs one more token for its target), "
             f"and only full batches are yielded", **inputs)


@points(1)
@settings(max_examples=8)
@given(problem=problems(min_len=60, max_len=90))
def test_random_order_and_offset(student, problem):
    """The subsequences come in a shuffled order and the offset changes from call to call."""
    corpus, _, num_steps = problem
    num_steps = max(num_steps, 3)
    batch_size = 1
    calls = run_batches(student, NAME, corpus, batch_size, num_steps, calls=12)
    call = f"{NAME}(corpus, {batch_size}, {num_steps})"
    inputs = dict(corpus=corpus, batch_size=batch_size, num_steps=num_steps)
    starts = [_starts(batches, corpus) for batches in calls]
    expect(any(s != sorted(s) for s in starts),
           f"{call} yielded the subsequences in corpus order in each of 12 calls: shuffle the start positions "
           f"(random.shuffle)", **inputs)
    offsets = {min(s) % num_steps for s in starts if s}
    expect(len(offsets) > 1,
           f"{call} used the same offset in 12 calls (starts always congruent to {offsets} modulo num_steps): "
           f"drop a random number of leading tokens, random.randint(0, num_steps - 1), at each call", **inputs)
