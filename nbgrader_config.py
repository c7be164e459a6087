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
