"""The reference solutions get full marks on every suite; the untouched student notebooks get 0."""
import pytest

from kit import COURSE, grade, solution_notebook, student_notebook

ASSIGNMENTS = [a.id for a in COURSE.assignments]


@pytest.fixture(scope="module")
def results(zygote):
    """results(kind, assignment_id): the solution ("solution") or released ("student") notebook, graded once."""
    graded = {}

    def result(kind, assignment_id):
        if (kind, assignment_id) not in graded:
            path = (solution_notebook if kind == "solution" else student_notebook)(assignment_id)
            graded[(kind, assignment_id)] = grade(zygote, [path], assignment_id)[0]
        return graded[(kind, assignment_id)]

    return result


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_reference_gets_full_marks(results, assignment_id):
    """Every hidden test passes for the solution notebook, on every exercise."""
    result = results("solution", assignment_id)
    assert "internal_error" not in result, result.get("internal_error")
    failed = {e: [(t["name"], t["message"][:200]) for t in ex["tests"] if not t["passed"] and t["status"] != "skipped"]
              for e, ex in result["exercises"].items()}
    assert result["score"] == result["max_score"] == COURSE.assignment(assignment_id).points, failed


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_untouched_student_notebook_scores_zero_with_not_implemented(results, assignment_id):
    """The released notebook scores 0, and every exercise says it is not implemented yet."""
    result = results("student", assignment_id)
    assert result["score"] == 0
    for exercise_id, exercise in result["exercises"].items():
        assert any("not implemented yet" in t["message"] for t in exercise["tests"]), exercise_id
