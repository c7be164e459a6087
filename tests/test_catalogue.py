"""Every catalogued mutant loses points with the right message; every variant gets full marks.

All of them are graded through the real engine (forked graders, untrusted
workers), one exercise at a time, in one batch per session.
"""
import pytest
import torch

from kit import Mutant, failed_tests, grade, load_catalogue, notebook_with

CATALOGUE = load_catalogue()
CUDA = torch.cuda.is_available()
DEVICES = ("cpu", "cuda") if CUDA else ("cpu",)


def _id(item):
    assignment_id, entry = item
    kind = "mutant" if isinstance(entry, Mutant) else "variant"
    return f"{assignment_id}:{entry.exercise}:{kind}:{entry.name}"


@pytest.fixture(scope="session")
def graded(zygote, tmp_path_factory):
    """result(assignment_id, entry): the entry's grading result; each exercise's entries are graded in one batch.

    Batches are graded on first use, so ``-k ps06`` grades only what it selects.
    """
    folder = tmp_path_factory.mktemp("catalogue")
    batches = {}

    def result(assignment_id, entry):
        key = (assignment_id, entry.exercise)
        if key not in batches:
            items = [e for a, e in CATALOGUE if (a, e.exercise) == key]
            paths = [notebook_with(folder, assignment_id, _id((assignment_id, e)).replace(":", "--"),
                                   {e.exercise: e.source, **e.extra}) for e in items]
            results = grade(zygote, paths, assignment_id, exercises=[entry.exercise], devices=DEVICES)
            batches[key] = {(type(e).__name__, e.name): r for e, r in zip(items, results)}
        return batches[key][(type(entry).__name__, entry.name)]

    return result


def _exercise_result(graded, assignment_id, entry):
    result = graded(assignment_id, entry)
    assert "internal_error" not in result, result.get("internal_error")
    return result, result["exercises"][entry.exercise]


@pytest.mark.slow
@pytest.mark.parametrize("item", [pytest.param(c, marks=[pytest.mark.gpu] if c[1].device == "cuda" else [], id=_id(c))
                                  for c in CATALOGUE if isinstance(c[1], Mutant)])
def test_mutant_loses_points_with_the_right_message(graded, item):
    """A buggy implementation fails the tests that target its bug, with their message."""
    assignment_id, mutant = item
    result, exercise = _exercise_result(graded, assignment_id, mutant)
    assert exercise["score"] < exercise["max_score"]
    failed = failed_tests(result, mutant.exercise, device=mutant.device)
    for name in mutant.fails:
        assert name in failed, f"{name} passed; failed were {sorted(failed)}"
    assert mutant.message.lower() in failed[mutant.fails[0]].lower(), failed[mutant.fails[0]]


@pytest.mark.slow
@pytest.mark.parametrize("item", [c for c in CATALOGUE if not isinstance(c[1], Mutant)], ids=_id)
def test_variant_gets_full_marks(graded, item):
    """A correct implementation in another style gets every point."""
    assignment_id, variant = item
    result, exercise = _exercise_result(graded, assignment_id, variant)
    assert exercise["score"] == exercise["max_score"] > 0, failed_tests(result, variant.exercise)
