"""Every catalogued mutant loses points with the right message; every variant gets full marks.

All of them are graded through the real engine (forked graders, untrusted
workers), one exercise at a time, in one batch per session.
"""
import pytest

from kit import Mutant, failed_tests, grade, load_catalogue, notebook_with

CATALOGUE = load_catalogue()


def _id(item):
    assignment_id, entry = item
    kind = "mutant" if isinstance(entry, Mutant) else "variant"
    return f"{assignment_id}:{entry.exercise}:{kind}:{entry.name}"


@pytest.fixture(scope="session")
def graded(zygote, tmp_path_factory):
    folder = tmp_path_factory.mktemp("catalogue")
    results = {}
    by_assignment = {}
    for assignment_id, entry in CATALOGUE:
        replacements = {entry.exercise: entry.source, **getattr(entry, "extra", {})}
        path = notebook_with(folder, assignment_id, _id((assignment_id, entry)).replace(":", "--"), replacements)
        by_assignment.setdefault((assignment_id, entry.exercise), []).append((entry, path))
    for (assignment_id, exercise), items in by_assignment.items():
        paths = [p for _, p in items]
        for (entry, _), result in zip(items, grade(zygote, paths, assignment_id, exercises=[exercise])):
            results[(assignment_id, entry.exercise, entry.name, type(entry).__name__)] = result
    return results


def _exercise_result(graded, assignment_id, entry):
    result = graded[(assignment_id, entry.exercise, entry.name, type(entry).__name__)]
    assert "internal_error" not in result, result.get("internal_error")
    return result, result["exercises"][entry.exercise]


@pytest.mark.slow
@pytest.mark.parametrize("item", [c for c in CATALOGUE if isinstance(c[1], Mutant)], ids=_id)
def test_mutant_loses_points_with_the_right_message(graded, item):
    """A buggy implementation fails the tests that target its bug, with their message."""
    assignment_id, mutant = item
    result, exercise = _exercise_result(graded, assignment_id, mutant)
    assert exercise["score"] < exercise["max_score"]
    failed = failed_tests(result, mutant.exercise)
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
