"""Command line: ``python -m autograder grade|check|doctor``."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from autograder.course import Course, CourseError, find_course, load_course
from autograder.report import FORMATS, table, write_outputs

EXIT_USAGE = 2


def _discover(paths) -> list[Path]:
    found = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        elif path.exists():
            found.append(path)
        else:
            raise CourseError(f"no such file or folder: {path}")
    return found


def infer_assignment(path: Path, course: Course) -> str | None:
    ids = {a.id for a in course.assignments}
    for part in reversed(path.resolve().parts[:-1]):
        if part in ids:
            return part
    matches = [a.id for a in course.assignments if path.name in a.notebooks]
    return matches[0] if len(matches) == 1 else None


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _formats(values) -> tuple[str, ...]:
    chosen = []
    for value in values or ["json,csv"]:
        for item in value.split(","):
            if item not in FORMATS:
                raise CourseError(f"unknown format '{item}' (choose from {', '.join(FORMATS)})")
            chosen.append(item)
    return tuple(dict.fromkeys(chosen))


def command_grade(args) -> int:
    from autograder.grading import Job, environment, grade_all
    from autograder.session import Zygote
    from autograder.suites_check import check_suites

    course = load_course(args.course or find_course(Path.cwd()))
    formats = _formats(args.format)
    if args.assignment:
        course.assignment(args.assignment)
    submissions = _discover(args.submissions)
    if not submissions:
        raise CourseError("no notebooks found in " + ", ".join(args.submissions))
    jobs = [Job(p, args.assignment or infer_assignment(p, course), _display(p)) for p in submissions]
    used = sorted({job.assignment_id for job in jobs if job.assignment_id})
    started = time.monotonic()
    zygote = Zygote(hidden=course.hidden_paths, sandbox=args.sandbox)  # starts while the suites are checked
    try:
        check_suites(course, used)
    except BaseException:
        zygote.close()
        raise
    devices = ("cpu", "cuda") if args.device == "all" else (args.device,)
    done = [0]
    progress = sys.stderr.isatty() and not args.quiet

    def on_result(result):
        done[0] += 1
        if progress:
            width = 30
            filled = width * done[0] // len(jobs)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done[0]}/{len(jobs)} {result['submission'][-40:]:40}")
            sys.stderr.flush()

    with zygote:
        try:
            isolation = zygote.wait_ready()
        except RuntimeError as error:
            raise CourseError(str(error)) from None
        results = grade_all(jobs, course, zygote, devices=devices, max_parallel=args.jobs, on_result=on_result,
                            gpu_slots=args.gpu_slots)
    elapsed = time.monotonic() - started
    if progress:
        sys.stderr.write("\n")
    info = environment()
    for result in results:
        result["environment"] = info
        result["devices"] = list(devices)
        result["sandbox"] = isolation.as_dict()
    written = write_outputs(results, Path(args.out), formats)
    if not args.quiet:
        print(table(results))
        if isolation.level != "namespaces":
            print("warning: workers ran without namespaces (" + "; ".join(isolation.problems)
                  + "): run python -m autograder doctor")
        print(f"graded {len(results)} submission(s) in {elapsed:.1f} s on {', '.join(devices)}; "
              f"results in {args.out}/ ({len(written)} files)")
    for result in results:
        if result.get("internal_error"):
            sys.stderr.write(f"internal grading error for {result['submission']}:\n{result['internal_error']}\n")
    return 0


def command_check(args) -> int:
    from autograder.suites_check import check_suites

    course = load_course(args.course or find_course(Path.cwd()))
    check_suites(course, [a.id for a in course.assignments])
    total = sum(a.points for a in course.assignments)
    print(f"{course.path}: {len(course.assignments)} assignments, "
          f"{sum(len(a.exercises) for a in course.assignments)} exercises, {total:g} points: OK")
    return 0


def command_doctor(args) -> int:
    from autograder.doctor import report

    course = load_course(args.course or find_course(Path.cwd()))
    try:
        text, complete = report(course, args.sandbox)
    except RuntimeError as error:
        raise CourseError(str(error)) from None
    print(text)
    return 0 if complete or not args.strict else 1


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m autograder", description="Grade d2l notebooks with hidden suites.")
    main.add_argument("--course", help="path to course.yml (default: found from the current folder)")
    commands = main.add_subparsers(dest="command", required=True)
    grade = commands.add_parser("grade", help="grade notebooks (files or folders of .ipynb)")
    grade.add_argument("submissions", nargs="+", metavar="SUBMISSION")
    grade.add_argument("--assignment", help="assignment id (default: told from each notebook's path)")
    grade.add_argument("--device", choices=("cpu", "cuda", "all"), default="cpu",
                       help="devices for device-marked tests (all: cpu and cuda; cuda runs are skipped, "
                            "visibly, where CUDA is absent)")
    grade.add_argument("--jobs", type=int, default=1, help="submissions graded in parallel")
    grade.add_argument("--gpu-slots", type=int, default=1,
                       help="submissions sharing one GPU at a time when cuda runs (default 1: a GPU per grader)")
    grade.add_argument("--out", default="out", help="folder for the results (default: out)")
    grade.add_argument("--format", action="append", metavar="json|gradescope|csv|markdown",
                       help="output formats, repeatable or comma-separated (default: json,csv)")
    grade.add_argument("--quiet", action="store_true", help="print nothing but errors")
    grade.add_argument("--sandbox", choices=("auto", "strict", "off"), default="auto",
                       help="worker isolation: auto (the strongest that works here), strict (refuse to grade "
                            "without namespaces), off (resource limits only)")
    grade.set_defaults(run=command_grade)
    check = commands.add_parser("check", help="validate course.yml and the hidden suites")
    check.set_defaults(run=command_check)
    doctor = commands.add_parser("doctor", help="show which protections are active, checked by a real worker")
    doctor.add_argument("--sandbox", choices=("auto", "strict", "off"), default="auto")
    doctor.add_argument("--strict", action="store_true", help="exit 1 unless every protection is active")
    doctor.set_defaults(run=command_doctor)
    return main


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except CourseError as error:
        sys.stderr.write(f"error: {error}\n")
        return EXIT_USAGE
