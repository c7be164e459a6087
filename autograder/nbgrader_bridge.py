"""nbgrader integration: ``nbgrader autograde ID`` grades through the kit's engine.

``nbgrader_config.py`` plugs these pieces into nbgrader's Autograde converter:

- ``KitNotebookExporter`` reads a submitted notebook leniently: invalid JSON,
  bad UTF-8 or a notebook nbformat rejects becomes a copy of the released
  notebook (so the student still gets a row, 0 points and the reason), old
  nbformat 3 is upgraded, outputs are dropped before parsing (huge outputs).
- ``pre_convert_hook`` finds a renamed notebook (the assignment's notebook is
  missing, another one defines its exercises) and copies it under the
  expected name so nbgrader grades it.
- ``KitRepair`` (sanitize stage, before nbgrader's own DeduplicateIds and
  OverwriteCells) puts the released notebook's nbgrader metadata back:
  unknown or duplicated grade_ids are dropped, a solution cell whose metadata
  was stripped is recovered by its function/class definition, deleted or
  retyped locked cells (test cells, set-up) are restored. Each repair is
  recorded and shown to the student.
- ``KitGrade`` replaces nbgrader's ``Execute``: nothing runs in a Jupyter
  kernel. The submitted notebook is graded by the kit's engine (sandboxed
  workers, hidden suites in the trusted grader); each test cell receives the
  exercise's feedback (an HTML display) and its score as an ``execute_result``
  float, clamped to [0, points], which nbgrader's SaveAutoGrades records as
  partial credit. All submissions of the run are graded up front in parallel
  (``--KitGrade.jobs=N``).
- ``KitFlagManual`` (after SaveAutoGrades) sets ``needs_manual_grade`` only
  where the kit's grader itself failed, so a person must look.
"""
from __future__ import annotations

import atexit
import copy
import html
import json
import os
import re
import shutil
from pathlib import Path

import nbformat
from nbconvert.exporters import NotebookExporter
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Integer, Unicode

from autograder.notebook import NotebookError, defined_names, read_notebook

FEEDBACK_MIME = "text/html"
KIT_METADATA = "d2lkit"


# --------------------------------------------------------------------------- course and converter lookup

def _converter(preprocessor):
    """The nbgrader converter running this preprocessor (exporter's parent), if any."""
    exporter = getattr(preprocessor, "parent", None)
    converter = getattr(exporter, "parent", None)
    return converter if hasattr(converter, "coursedir") else None


def _root(converter=None) -> Path:
    if converter is not None and converter.coursedir is not None:
        return Path(converter.coursedir.root)
    return Path.cwd()


_COURSES: dict = {}


def _course(root: Path):
    from autograder.course import find_course, load_course

    # the course.yml of the nbgrader course folder, else the kit's own (a course folder kept apart from the kit)
    path = root / "course.yml" if (root / "course.yml").is_file() else Path(__file__).resolve().parent.parent
    key = str(path)
    if key not in _COURSES:
        _COURSES[key] = load_course(find_course(path) if path.is_dir() else path)
    return _COURSES[key]


def _release_notebook(root: Path, release_directory: str, assignment_id: str, notebook_id: str):
    path = root / release_directory / assignment_id / f"{notebook_id}.ipynb"
    return nbformat.read(str(path), as_version=4)


# --------------------------------------------------------------------------- reading notebooks leniently

def _note(nb, message: str) -> None:
    nb.metadata.setdefault(KIT_METADATA, {}).setdefault("notes", []).append(message)


def _placeholder(reason: str):
    nb = nbformat.v4.new_notebook()
    nb.metadata[KIT_METADATA] = {"notes": [reason], "placeholder": True}
    return nb


def parse_submission(text: str, name: str, keep_kit_metadata: bool = False):
    """A v4 notebook node from submitted text; a placeholder (with the reason) when it cannot be read.

    ``keep_kit_metadata`` keeps the kit's own notes (only for notebooks the kit wrote, never for a submission).
    """
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        return _placeholder(f"{name} is not valid notebook JSON ({str(error)[:200]}); it could not be graded")
    if not isinstance(data, dict):
        return _placeholder(f"{name} is not a notebook (its JSON is not an object); it could not be graded")
    notes = []
    cells = data.get("cells")
    if cells is None and isinstance(data.get("worksheets"), list):
        notes.append(f"{name} is in the old nbformat 3; it was converted to nbformat 4")
        cells = [c for sheet in data["worksheets"] if isinstance(sheet, dict) for c in sheet.get("cells") or []]
    if not isinstance(cells, list):
        return _placeholder(f"{name} is not a notebook (it has no cells); it could not be graded")
    # Rebuild every cell from its source and metadata only: outputs (possibly huge), attachments and
    # odd fields go; a cell nbformat cannot accept becomes a raw cell rather than failing the notebook.
    clean = nbformat.v4.new_notebook()
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    kept = ("kernelspec", "language_info", KIT_METADATA) if keep_kit_metadata else ("kernelspec", "language_info")
    clean.metadata = nbformat.from_dict({k: v for k, v in metadata.items() if k in kept})
    dropped = 0
    for cell in cells:
        if not isinstance(cell, dict):
            dropped += 1
            continue
        source = cell.get("source", cell.get("input", ""))
        source = "".join(source) if isinstance(source, list) else source
        if not isinstance(source, str):
            dropped += 1
            continue
        kind = cell.get("cell_type")
        meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        if kind == "code":
            new = nbformat.v4.new_code_cell(source)
        elif kind in ("markdown", "heading"):
            new = nbformat.v4.new_markdown_cell(source)
        else:
            new = nbformat.v4.new_raw_cell(source)
        new.metadata = nbformat.from_dict(copy.deepcopy(meta))
        clean.cells.append(new)
    if dropped:
        notes.append(f"{dropped} malformed cell(s) of {name} were ignored")
    try:
        nbformat.validate(clean)
    except nbformat.ValidationError:
        for cell in clean.cells:  # metadata nbformat rejects (e.g. a non-list tags field)
            cell.metadata = nbformat.from_dict({k: v for k, v in cell.metadata.items() if k in ("nbgrader", "tags")})
            if not isinstance(cell.metadata.get("tags", []), list):
                cell.metadata.pop("tags")
    for message in notes:
        _note(clean, message)
    return clean


class KitNotebookExporter(NotebookExporter):
    """NotebookExporter that never fails on what a student submits (see ``parse_submission``)."""

    def from_file(self, file_stream, resources=None, **kw):
        name = os.path.basename(getattr(file_stream, "name", "notebook.ipynb"))
        try:
            text = file_stream.read()
        except (UnicodeDecodeError, OSError) as error:
            nb = _placeholder(f"{name} cannot be read as UTF-8 text ({error}); it could not be graded")
        else:
            # the sanitize stage reads the student's file; the autograde stage reads what KitRepair wrote
            nb = parse_submission(text, name, keep_kit_metadata=not getattr(self.parent, "_sanitizing", True))
        return self.from_notebook_node(nb, resources, **kw)


# --------------------------------------------------------------------------- renamed and extra notebooks

def resolve_notebooks(folder: Path, expected: list[str]) -> tuple[dict[str, tuple[Path, str]], list[str]]:
    """Which file to grade for each expected notebook name of an assignment, and notes on the rest.

    Returns ``{expected_name: (path, note)}`` (only names that could be resolved) and notes about
    notebooks that are not part of the assignment.
    """
    present = sorted(p for p in folder.glob("*.ipynb") if p.is_file())
    by_name = {p.name: p for p in present}
    others = [p for p in present if p.name not in expected]
    resolved, used = {}, set()
    for name in expected:
        if name in by_name:
            path = by_name[name]
            twin = next((o for o in others if o.read_bytes() == path.read_bytes()), None)
            resolved[name] = (path, f"{twin.name} was graded as {name} (the notebook was renamed)" if twin else "")
            if twin:
                used.add(twin.name)
    missing = [name for name in expected if name not in resolved]
    for name in missing:
        candidates = [o for o in others if o.name not in used]
        if not candidates:
            continue
        if len(candidates) > 1:  # choose the one defining the most exercises
            def count(path):
                try:
                    notebook = read_notebook(path)
                except NotebookError:
                    return 0
                return sum(len(defined_names(cell.source)) for cell in notebook.cells)
            candidates.sort(key=count, reverse=True)
        chosen = candidates[0]
        used.add(chosen.name)
        resolved[name] = (chosen, f"{chosen.name} was graded as {name} (the notebook was renamed)")
    extras = [f"{o.name} is not a notebook of this assignment and was not graded" for o in others
              if o.name not in used]
    return resolved, extras


def pre_convert_hook(assignment=None, student=None, notebooks=None, **_):
    """nbgrader ``pre_convert_hook``: copy a renamed notebook under its expected name so nbgrader grades it."""
    if not notebooks:
        return
    folder = Path(notebooks[0]).parent
    try:
        course = _course(Path.cwd())
        expected = list(course.assignment(folder.name).notebooks)
    except Exception:
        return
    resolved, _ = resolve_notebooks(folder, expected)
    for name, (path, _note_text) in resolved.items():
        target = folder / name
        if not target.exists():
            shutil.copyfile(path, target)
            notebooks.append(str(target))


# --------------------------------------------------------------------------- grading through the engine

class _Engine:
    """One fork server and a cache of results for the nbgrader process."""

    def __init__(self):
        self.zygote = None
        self.results: dict[tuple[str, str], dict] = {}  # (submission folder, notebook name) -> result
        self.checked = set()

    def close(self):
        if self.zygote is not None:
            self.zygote.close()
            self.zygote = None

    def grade(self, course, requests, jobs: int, sandbox: str, hidden=()) -> None:
        """Grade ``(folder, expected_name, path, assignment_id, display)`` requests not graded yet.

        ``hidden``: more folders workers must not see (nbgrader's course folder: gradebook, submissions).
        """
        from autograder.grading import Job, grade_all
        from autograder.session import Zygote
        from autograder.suites_check import check_suites

        todo = [r for r in requests if (str(r[0]), r[1]) not in self.results]
        if not todo:
            return
        used = sorted({r[3] for r in todo} - self.checked)
        if self.zygote is None:
            self.zygote = Zygote(hidden=(*course.hidden_paths, *map(Path, hidden)), sandbox=sandbox)
            atexit.register(self.close)
        if used:
            check_suites(course, used)
            self.checked |= set(used)
        self.zygote.wait_ready()
        batch, keys = [], []
        for folder, name, path, assignment_id, display in todo:
            assignment = course.assignment(assignment_id)
            exercise_ids = [e.id for e in assignment.exercises if e.notebook == name]
            batch.append((Job(Path(path), assignment_id, display), exercise_ids))
            keys.append((str(folder), name))
        # grade_all takes one exercise selection; group the jobs by it
        groups: dict[tuple, list[int]] = {}
        for index, (_, exercise_ids) in enumerate(batch):
            groups.setdefault(tuple(exercise_ids), []).append(index)
        for exercise_ids, indices in groups.items():
            results = grade_all([batch[i][0] for i in indices], course, self.zygote, max_parallel=jobs,
                                exercise_ids=list(exercise_ids))
            for i, result in zip(indices, results):
                self.results[keys[i]] = result


ENGINE = _Engine()


def _clamp(score: float, points: float) -> float:
    return round(min(max(float(score), 0.0), float(points)), 4)


def feedback_html(exercise_id: str, exercise: dict | None, points: float, score: float, notes: list[str]) -> str:
    """The feedback shown under an exercise's test cell: score, each failed property in words, counterexample."""
    esc = html.escape
    parts = [f'<div class="d2lkit-feedback"><p><b>{esc(exercise_id)}</b>: {score:g} / {points:g} points</p>']
    for note in notes:
        parts.append(f"<p><i>{esc(note)}</i></p>")
    if exercise is not None:
        tests = exercise.get("tests", [])
        failed = [t for t in tests if not t["passed"] and t["status"] != "skipped"]
        if tests and not failed:
            parts.append("<p>All checks passed.</p>")
        parts.append("<ul>")
        for test in tests:
            if test["status"] == "skipped":
                mark = "skipped"
            else:
                mark = "passed" if test["passed"] else "FAILED"
            device = f" [{test['device']}]" if test.get("device") else ""
            parts.append(f"<li><b>{mark}</b> ({test['score']:.3g}/{test['max_score']:.3g}){esc(device)}: "
                         f"{esc(test.get('description') or test['name'])}")
            if test.get("message") and not test["passed"]:
                parts.append(f"<pre>{esc(test['message'])}</pre>")
            parts.append("</li>")
        parts.append("</ul>")
    parts.append("</div>")
    return "".join(parts)


def feedback_text(exercise_id: str, exercise: dict | None, points: float, score: float, notes: list[str]) -> str:
    lines = [f"{exercise_id}: {score:g} / {points:g} points", *notes]
    for test in (exercise or {}).get("tests", []):
        state = "skipped" if test["status"] == "skipped" else ("passed" if test["passed"] else "FAILED")
        lines.append(f"- {state}: {test.get('description') or test['name']}")
        if test.get("message") and not test["passed"]:
            lines.append("    " + test["message"].replace("\n", "\n    "))
    return "\n".join(lines)


def _grade_cell_ids(cell) -> tuple[str | None, bool, bool]:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta.get("grade_id"), meta.get("grade") is True, meta.get("solution") is True


class KitRepair(Preprocessor):
    """Sanitize stage: restore the released notebook's nbgrader metadata and locked cells, noting each repair."""

    enabled = Bool(True).tag(config=True)

    release_directory = Unicode("", help="release folder (default: CourseDirectory.release_directory)").tag(
        config=True)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        converter = _converter(self)
        root = _root(converter)
        release = self.release_directory or (converter.coursedir.release_directory if converter else "release")
        try:
            canonical = _release_notebook(root, release, info["assignment"], info["notebook"])
        except Exception as error:  # no released notebook: leave the repairs to nbgrader
            self.log.warning("KitRepair: no released notebook (%s)", error)
            return nb, resources
        placeholder = nb.metadata.get(KIT_METADATA, {}).get("placeholder")
        if placeholder:
            nb.cells = copy.deepcopy(canonical.cells)
            return nb, resources
        canon = {}
        order = []
        for cell in canonical.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id:
                canon[grade_id] = cell
                order.append(grade_id)
        # 1. metadata naming an unknown grade_id, or not of the kind the released cell has: drop it
        for number, cell in enumerate(nb.cells, start=1):
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id") if isinstance(
                cell.metadata.get("nbgrader"), dict) else None
            if "nbgrader" in cell.metadata and grade_id not in canon:
                del cell.metadata["nbgrader"]
                if grade_id:
                    _note(nb, f"cell {number} had an unknown grade_id '{grade_id}'; it was treated as a plain cell")
        # 2. solution cells: the last cell tagged with the id (as the engine grades), else the last definition
        for grade_id, reference in canon.items():
            meta = reference.metadata["nbgrader"]
            tagged = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
            if meta.get("solution"):
                tagged = [c for c in tagged if c.cell_type == "code"]
                if not tagged:
                    defining = [c for c in nb.cells if c.cell_type == "code" and grade_id in defined_names(c.source)]
                    if defining:
                        tagged = [defining[-1]]
                        _note(nb, f"the solution cell of '{grade_id}' had lost its nbgrader metadata; it was "
                                  "recovered from its definition")
                for extra in tagged[:-1]:
                    extra.metadata.pop("nbgrader", None)
                for cell in tagged[-1:]:
                    cell.metadata["nbgrader"] = copy.deepcopy(meta)
            else:
                for extra in tagged[1:]:
                    extra.metadata.pop("nbgrader", None)
                for cell in tagged[:1]:
                    if cell.cell_type != reference.cell_type:
                        _note(nb, f"the locked cell '{grade_id}' had been changed to a {cell.cell_type} cell; "
                                  "it was restored")
                    cell.cell_type = reference.cell_type
                    cell.metadata["nbgrader"] = copy.deepcopy(meta)
                    if cell.cell_type == "code":
                        cell.setdefault("outputs", [])
                        cell.setdefault("execution_count", None)
                    else:
                        cell.pop("outputs", None)
                        cell.pop("execution_count", None)
        # 3. locked cells that are gone: put the released cell back after the previous released cell present
        position = {}
        for index, cell in enumerate(nb.cells):
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id:
                position[grade_id] = index
        previous = None
        for grade_id in order:
            if grade_id not in position:
                meta = canon[grade_id].metadata["nbgrader"]
                if meta.get("locked") or meta.get("grade"):
                    index = position[previous] + 1 if previous in position else 0
                    nb.cells.insert(index, copy.deepcopy(canon[grade_id]))
                    for key, value in position.items():
                        if value >= index:
                            position[key] = value + 1
                    position[grade_id] = index
                    if not meta.get("solution") and meta.get("grade"):
                        _note(nb, f"the test cell '{grade_id}' was missing; it was restored")
            previous = grade_id
        return nb, resources


class KitGrade(Preprocessor):
    """Autograde stage, in place of nbgrader's Execute: grade with the kit's engine, write feedback and scores."""

    enabled = Bool(True).tag(config=True)

    jobs = Integer(0, help="submissions graded in parallel (0: the number of CPUs, at most 8)").tag(config=True)
    sandbox = Unicode("auto", help="worker isolation: auto, strict or off").tag(config=True)

    def _jobs(self) -> int:
        return self.jobs if self.jobs > 0 else max(1, min(8, os.cpu_count() or 1))

    def _requests(self, converter, course, current: tuple):
        """Every submission of this run still to be graded (current first), as engine requests."""
        folders = [current[0]]
        if converter is not None:
            for folder in sorted(converter.assignments):
                folder = Path(os.path.abspath(folder))
                if folder == current[0]:
                    continue
                regexp = converter.coursedir.format_path(converter.coursedir.submitted_directory,
                                                         "(?P<student_id>.*)", "(?P<assignment_id>.*)", escape=True)
                match = re.match(regexp, str(folder))
                if match is None:
                    continue
                dest = converter._format_dest(match["assignment_id"], match["student_id"])
                if os.path.exists(dest) and not converter.force:
                    continue
                folders.append(folder)
        requests = []
        for folder in folders:
            try:
                assignment = course.assignment(folder.name)
            except Exception:
                continue
            resolved, _ = resolve_notebooks(folder, list(assignment.notebooks))
            for name, (path, _note_text) in resolved.items():
                requests.append((folder, name, path, assignment.id, f"{folder.parent.name}/{folder.name}/{name}"))
        return requests

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        converter = _converter(self)
        root = _root(converter)
        course = _course(root)
        if converter is not None:
            # the student's own submitted notebook (not the sanitized copy this stage reads)
            coursedir = converter.coursedir
            folder = Path(os.path.abspath(coursedir.format_path(coursedir.submitted_directory, info["student"],
                                                                info["assignment"])))
        else:
            folder = root / "submitted" / info["student"] / info["assignment"]
        name = f"{info['notebook']}.ipynb"
        kit = nb.metadata.pop(KIT_METADATA, {})
        notes = list(kit.get("notes", []))
        manual = resources["nbgrader"].setdefault("kit_manual", [])
        resolved, extras = resolve_notebooks(folder, list(course.assignment(info["assignment"]).notebooks))
        if name in resolved and resolved[name][1]:
            notes.append(resolved[name][1])
        notes += extras
        try:
            ENGINE.grade(course, self._requests(converter, course, (folder, name)), self._jobs(), self.sandbox,
                         hidden=(root,))
            result = ENGINE.results.get((str(folder), name))
        except Exception as error:  # the grader itself failed: a person must look
            self.log.error("the kit's grader failed on %s: %s", folder, error)
            result = {"internal_error": str(error), "exercises": {}, "notes": []}
        if result is None:
            result = {"exercises": {}, "notes": [f"{name} was not found in the submission"]}
        if result.get("internal_error"):
            notes.append("grading failed because of an error in the grader; your instructor will grade this "
                         "notebook by hand")
        for note in result.get("notes", []):
            if note not in notes:
                notes.append(note)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
        for cell in nb.cells:
            grade_id, grade, solution = _grade_cell_ids(cell)
            if not grade or solution or cell.cell_type != "code":
                continue
            points = float(cell.metadata["nbgrader"].get("points", 0))
            exercise_id = grade_id[5:] if grade_id.startswith("test_") else grade_id
            exercise = result.get("exercises", {}).get(exercise_id)
            if exercise is None:
                score = 0.0
                exercise_notes = [result["internal_error"] and "the grader failed; see your instructor"] if \
                    result.get("internal_error") else ["this exercise could not be graded (see the notes at the top)"]
                if result.get("internal_error"):
                    manual.append(grade_id)
            else:
                scale = points / exercise["max_score"] if exercise["max_score"] else 0.0
                score = _clamp(exercise["score"] * scale, points)
                exercise_notes = list(exercise.get("notes", []))
            cell.outputs = [
                nbformat.v4.new_output("display_data", data={
                    FEEDBACK_MIME: feedback_html(exercise_id, exercise, points, score, exercise_notes),
                    "text/plain": feedback_text(exercise_id, exercise, points, score, exercise_notes)}),
                nbformat.v4.new_output("execute_result", data={"text/plain": repr(score)}, execution_count=1),
            ]
        if notes:
            text = "**Grading notes**\n\n" + "\n".join(f"- {note}" for note in notes)
            nb.cells.insert(0, nbformat.v4.new_markdown_cell(text))
        return nb, resources


class KitFlagManual(Preprocessor):
    """After SaveAutoGrades: ``needs_manual_grade`` only for exercises the kit's grader could not grade."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        manual = info.get("kit_manual") or []
        if not manual:
            return nb, resources
        from nbgrader.api import Gradebook

        with Gradebook(info["db_url"]) as gradebook:
            for grade_id in manual:
                grade = gradebook.find_grade(grade_id, info["notebook"], info["assignment"], info["student"])
                grade.needs_manual_grade = True
            gradebook.db.commit()
        return nb, resources
