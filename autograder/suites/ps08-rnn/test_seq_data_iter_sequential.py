"""Hidden suite for seq_data_iter_sequential(corpus, batch_size, num_steps): rows continue across batches."""
from hypothesis import given, settings

from _ps08_helpers import expect_shifted, positions, problems, run_batches
from autograder.suite import expect, fail, points

NAME = "seq_data_iter_sequential"


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
def test_rows_continue_across_batches(student, problem):
    """Row b of each batch continues row b of the previous one; rows split the tokens after the offset evenly."""
    corpus, batch_size, num_steps = problem
    call = f"{NAME}(corpus, {batch_size}, {num_steps})"
    inputs = dict(corpus=corpus, batch_size=batch_size, num_steps=num_steps)
    (batches,) = run_batches(student, NAME, corpus, batch_size, num_steps)
    expect_shifted(batches, corpus, call, **inputs)
    n = len(corpus)
    if not batches:
        expect(any((n - offset - 1) // batch_size < num_steps for offset in range(num_steps + 1)),
               f"{call} yielded no batch, but a corpus of {n} tokens holds at least one: each row holds L = "
               f"(len(corpus) - offset - 1) // batch_size tokens, so L // num_steps full blocks of num_steps "
               f"columns", **inputs)
        return
    rows = [[p for X, _ in batches for p in positions(X, corpus)[b]] for b in range(batch_size)]
    for b, row in enumerate(rows):
        if row != list(range(row[0], row[0] + len(row))):
            fail(f"{call}: row {b} of consecutive batches covers corpus positions {row}, which do not continue "
                 f"each other: lay the tokens out as batch_size rows (reshape(batch_size, -1)) and yield the "
                 f"column blocks [i, i + num_steps) one after the other", **inputs)
    offset = rows[0][0]
    length = (n - offset - 1) // batch_size
    expected_starts = [offset + b * length for b in range(batch_size)]
    if offset > num_steps or [row[0] for row in rows] != expected_starts:
        fail(f"{call}: the rows start at corpus positions {[row[0] for row in rows]}, expected offset + b * L with "
             f"offset in [0, num_steps] and L = (len(corpus) - offset - 1) // batch_size tokens per row "
             f"({expected_starts} for offset {offset})", **inputs)
    expect(len(batches) == length // num_steps,
           f"{call} yielded {len(batches)} batches, expected {length // num_steps}: each row holds L = "
           f"{length} tokens, so L // num_steps full blocks of num_steps columns", **inputs)


@points(1)
@settings(max_examples=8)
@given(problem=problems(min_len=40, max_len=90))
def test_random_offset(student, problem):
    """The offset (the number of leading tokens dropped) changes from call to call."""
    corpus, _, num_steps = problem
    num_steps, batch_size = max(num_steps, 3), 1
    calls = run_batches(student, NAME, corpus, batch_size, num_steps, calls=12)
    firsts = {positions(batches[0][0], corpus)[0][0] for batches in calls if batches}
    expect(len(firsts) > 1,
           f"{NAME}(corpus, {batch_size}, {num_steps}) started at the same corpus position in 12 calls: drop a "
           f"random number of leading tokens, random.randint(0, num_steps), at each call",
           corpus=corpus, batch_size=batch_size, num_steps=num_steps)
