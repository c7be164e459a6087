"""nbgrader configuration of the course kit (read by every ``nbgrader`` command run from here).

Layout: instructor notebooks live in ``solutions/<assignment>/`` (nbgrader's
source folder) and the generated student notebooks in ``assignments/<assignment>/``
(nbgrader's release folder). Regenerate the student notebooks with
``python scripts/generate_assignments.py`` (it uses a throw-away gradebook), or
one by one with ``nbgrader generate_assignment ps02-linear-regression --force``.

The gradebook defaults to ``gradebook.db`` beside this file (ignored by git);
set ``D2LKIT_GRADEBOOK_URL`` (an SQLAlchemy URL such as
``sqlite:////tmp/gradebook.db``) to use another one.

Assignments are declared once, in ``course.yml``. nbgrader 0.9 has no
configuration option listing them (``CourseDirectory.db_assignments`` was
removed): ``generate_assignment`` adds an assignment to the gradebook when it
is first generated (``GenerateAssignment.create_assignment``, on by default),
and ``nbgrader db assignment add ID --duedate=...`` sets a due date.
``COURSE_ASSIGNMENTS`` below is the list of ids read from course.yml, for
scripts and for checking.
"""
import os

import yaml

ROOT = os.path.dirname(os.path.abspath(__file__))

with open(os.path.join(ROOT, "course.yml")) as _f:
    COURSE_ASSIGNMENTS = [a["id"] for a in yaml.safe_load(_f)["assignments"]]

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.root = ROOT
c.CourseDirectory.course_id = "d2l-pytorch"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.db_url = os.environ.get(
    "D2LKIT_GRADEBOOK_URL", "sqlite:///" + os.path.join(ROOT, "gradebook.db"))

# Student notebooks: a solution region becomes this stub.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.enforce_metadata = True

# ---------------------------------------------------------------------------
# Autograding through the kit's engine (autograder/nbgrader_bridge.py).
# No test and no grading logic runs in the student's kernel: KitGrade replaces
# nbgrader's Execute preprocessor; the hidden suites run in the trusted grader
# against sandboxed workers, and each test cell receives the exercise's score
# (an execute_result float, clamped to its points) and its feedback.
# Parallel grading: nbgrader autograde ID --KitGrade.jobs=4 (default: CPUs, at most 8).
import sys  # noqa: E402

if ROOT not in sys.path:  # the `nbgrader` console script does not put the course root on sys.path
    sys.path.insert(0, ROOT)

from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties, CheckCellMetadata, ClearOutput, DeduplicateIds, IgnorePattern, LimitOutput,
    OverwriteCells, OverwriteKernelspec, SaveAutoGrades)

from autograder.nbgrader_bridge import KitFlagManual, KitGrade, KitRepair  # noqa: E402

c.Autograde.exporter_class = "autograder.nbgrader_bridge.KitNotebookExporter"
c.Autograde.pre_convert_hook = "autograder.nbgrader_bridge.pre_convert_hook"
c.Autograde.sanitize_preprocessors = [
    ClearOutput, KitRepair, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata]
c.Autograde.autograde_preprocessors = [
    KitGrade, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades, KitFlagManual,
    AssignLatePenalties, CheckCellMetadata]

# zip_collect: downloaded/<assignment>/archive/*.zip holding files named <student>_<notebook>.ipynb
# (student ids without "_"); adapt this to your LMS's file names.
c.FileNameCollectorPlugin.named_regexp = r".*/(?P<student_id>[^/_]+)_(?P<file_id>[^/]+)$"
