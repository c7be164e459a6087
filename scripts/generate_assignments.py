"""Regenerate the student notebooks in assignments/ from the solution notebooks in solutions/.

Runs ``nbgrader generate_assignment ID --force`` for every assignment of
course.yml (or the ids given) inside a temporary copy of the course root, with a
temporary gradebook, and copies the released folder back. Nothing else in the
repository is touched (no gradebook.db is left behind).

    python scripts/generate_assignments.py              # rewrite assignments/
    python scripts/generate_assignments.py --check      # exit 1 if assignments/ is out of date
    python scripts/generate_assignments.py ps03-softmax-regression --out /tmp/release
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
SOURCE = "solutions"
RELEASE = "assignments"


def assignment_ids() -> list[str]:
    """The assignment ids declared in course.yml, in order."""
    course = yaml.safe_load((REPO / "course.yml").read_text())
    return [assignment["id"] for assignment in course["assignments"]]


def generate(assignment_id: str, out_dir: str | Path) -> list[Path]:
    """Generate the student version of one assignment into ``out_dir/<assignment_id>/``.

    ``out_dir`` plays the part of nbgrader's release folder; an existing
    ``out_dir/<assignment_id>`` is replaced. Returns the files written, sorted.
    """
    source = REPO / SOURCE / assignment_id
    if not source.is_dir():
        raise FileNotFoundError(f"no solution folder {source}")
    out = Path(out_dir) / assignment_id
    with tempfile.TemporaryDirectory(prefix="d2lkit-release-") as tmp:
        root = Path(tmp)
        shutil.copy2(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
        shutil.copy2(REPO / "course.yml", root / "course.yml")
        shutil.copytree(source, root / SOURCE / assignment_id,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        command = [sys.executable, "-m", "nbgrader", "generate_assignment", assignment_id, "--force",
                   f"--CourseDirectory.root={root}", f"--CourseDirectory.db_url=sqlite:///{root / 'gradebook.db'}",
                   "--log-level=WARN"]
        # nbgrader runs the `alembic` command by name: the interpreter's own bin folder must come first on PATH.
        env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")]))}
        result = subprocess.run(command, cwd=root, capture_output=True, text=True, env=env)
        released = root / RELEASE / assignment_id
        if result.returncode != 0 or not released.is_dir():
            raise RuntimeError(f"nbgrader generate_assignment {assignment_id} failed "
                               f"(exit {result.returncode}):\n{result.stdout}{result.stderr}")
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(released, out)
    return sorted(path for path in out.rglob("*") if path.is_file())


def _same(a: Path, b: Path) -> bool:
    if a.suffix == ".ipynb":
        return json.loads(a.read_text()) == json.loads(b.read_text())
    return a.read_bytes() == b.read_bytes()


def drift(assignment_id: str, release_dir: str | Path = REPO / RELEASE) -> list[str]:
    """What differs between ``release_dir/<id>`` and a fresh generation (empty if up to date)."""
    with tempfile.TemporaryDirectory(prefix="d2lkit-check-") as tmp:
        generate(assignment_id, tmp)
        fresh, current = Path(tmp) / assignment_id, Path(release_dir) / assignment_id
        names = {p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file()}
        if current.is_dir():
            names |= {p.relative_to(current) for p in current.rglob("*") if p.is_file()}
        problems = []
        for name in sorted(names):
            if not (fresh / name).exists():
                problems.append(f"{current / name} is not generated from {SOURCE}/")
            elif not (current / name).exists():
                problems.append(f"{current / name} is missing")
            elif not _same(fresh / name, current / name):
                problems.append(f"{current / name} differs from what {SOURCE}/ generates")
        return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", help="assignment ids (default: every assignment of course.yml)")
    parser.add_argument("--out", default=str(REPO / RELEASE), help="release folder (default: assignments/)")
    parser.add_argument("--check", action="store_true", help="only report drift; exit 1 if any")
    args = parser.parse_args(argv)
    ids = args.ids or assignment_ids()
    unknown = sorted(set(ids) - set(assignment_ids()))
    if unknown:
        parser.error(f"not in course.yml: {', '.join(unknown)}")
    status = 0
    for assignment_id in ids:
        if args.check:
            problems = drift(assignment_id, args.out)
            for problem in problems:
                print(problem)
            status |= bool(problems)
            print(f"{assignment_id}: {'out of date' if problems else 'up to date'}")
        else:
            for path in generate(assignment_id, args.out):
                print(f"wrote {path}")
    if status:
        print("run: python scripts/generate_assignments.py")
    return status


if __name__ == "__main__":
    sys.exit(main())
