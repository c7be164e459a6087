"""Hidden suite for bleu(pred_seq, label_seq, k): the book's BLEU variant."""
import math

from hypothesis import given, strategies as st

import d2lkit as d2l
from autograder.suite import describe, fail, points

TOKENS = st.sampled_from(["a", "b", "c", "ab", "bc", "x"])
SEQS = st.lists(TOKENS, min_size=1, max_size=7).map(" ".join)


def _as_number(ns, name, *args):
    """NAME(*args); a numpy scalar or float subclass comes back as a Python number"""
    result = ns[name](*args)
    if type(result).__module__ == "numpy" and hasattr(result, "item"):
        return result.item()
    if isinstance(result, float) and type(result) is not float:
        return float(result)
    return result


def _bleu(student, pred, label, k):
    return student.run(_as_number, "bleu", pred, label, k, describe_as=f"bleu({pred!r}, {label!r}, {k})")


def _check(got, pred, label, k):
    call = f"bleu({pred!r}, {label!r}, {k})"
    expected = d2l.bleu(pred, label, k)
    if not isinstance(got, (int, float)) or isinstance(got, bool):
        fail(f"{call} returned {describe(got)}; return a Python float", pred_seq=pred, label_seq=label, k=k)
    if math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12):
        return
    fail(f"{call} returned {got!r}, expected {expected!r} (brevity penalty exp(min(0, 1 - len_label / len_pred)), "
         f"clipped n-gram precisions p_n for n = 1 .. min(k, len_pred), weighted p_n ** (0.5 ** n), n-grams "
         f"compared as tuples of tokens)", pred_seq=pred, label_seq=label, k=k)


@points(2)
@given(pred=SEQS, label=SEQS, k=st.integers(1, 4))
def test_matches_reference(student, pred, label, k):
    """bleu equals the reference on random token sequences (space-separated)."""
    _check(_bleu(student, pred, label, k), pred, label, k)


@points(1)
@given(seq=SEQS, k=st.integers(1, 4), other=st.lists(st.sampled_from(["y", "z"]), min_size=1, max_size=5))
def test_perfect_and_disjoint(student, seq, k, other):
    """A perfect match scores 1, a prediction without a common token scores 0."""
    _check(_bleu(student, seq, seq, k), seq, seq, k)
    disjoint = " ".join(other)
    _check(_bleu(student, disjoint, seq, k), disjoint, seq, k)


@points(1)
@given(pred=st.lists(TOKENS, min_size=1, max_size=2).map(" ".join), label=SEQS, k=st.integers(3, 4))
def test_short_prediction(student, pred, label, k):
    """Predictions shorter than k use n up to len(pred) (no ZeroDivisionError)."""
    _check(_bleu(student, pred, label, k), pred, label, k)


@points(1)
def test_ngrams_are_token_tuples(student):
    """n-grams are compared token by token: 'a bc' never matches 'ab c', and counts are clipped."""
    for pred, label, k in [("a bc ab x", "ab c a x", 2), ("a a a a", "a b", 1), ("ab c", "a bc", 2)]:
        _check(_bleu(student, pred, label, k), pred, label, k)
