"""Writing results: native JSON (DESIGN §4), Gradescope results.json, a CSV summary, a terminal table."""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

FORMATS = ("json", "gradescope", "csv", "markdown")


def _number(value: float) -> str:
    return f"{value:.4g}" if value != int(value) else str(int(value))


def file_stem(display: str) -> str:
    stem = re.sub(r"\.ipynb$", "", display)
    return re.sub(r"[^A-Za-z0-9._-]+", "__", stem).strip("_") or "submission"


def gradescope(result: dict) -> dict:
    """The Gradescope autograder ``results.json`` for one submission."""
    tests = []
    for exercise_id, exercise in result.get("exercises", {}).items():
        for test in exercise["tests"]:
            device = f" [{test['device']}]" if test.get("device") and test["device"] != "cpu" else ""
            output = test["message"] or test.get("description") or ""
            tests.append({"name": f"{exercise_id}: {test['name']}{device}", "score": round(test["score"], 4),
                          "max_score": round(test["max_score"], 4),
                          "status": "passed" if test["passed"] else "failed",
                          "output": output, "visibility": "visible"})
    notes = list(result.get("notes", []))
    for exercise in result.get("exercises", {}).values():
        notes += exercise.get("notes", [])
    return {"score": round(result["score"], 4), "output": "\n".join(notes), "visibility": "visible",
            "stdout_visibility": "hidden", "tests": tests}


def write_outputs(results: list[dict], out_dir: Path, formats) -> list[Path]:
    """One JSON (and/or Gradescope) file per submission, one CSV for all; returns what was written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    used = set()
    for result in results:
        folder = out_dir / (result.get("assignment") or "unknown-assignment")
        folder.mkdir(parents=True, exist_ok=True)
        stem = file_stem(result["submission"])
        while stem in used:
            stem += "_"
        used.add(stem)
        if "json" in formats:
            path = folder / f"{stem}.json"
            path.write_text(json.dumps(result, indent=2))
            written.append(path)
        if "gradescope" in formats:
            path = folder / f"{stem}.results.json"
            path.write_text(json.dumps(gradescope(result), indent=2))
            written.append(path)
    if "csv" in formats:
        path = out_dir / "summary.csv"
        path.write_text(summary_csv(results))
        written.append(path)
    if "markdown" in formats:
        path = out_dir / "summary.md"
        path.write_text(summary_markdown(results))
        written.append(path)
    return written


def _by_assignment(results: list[dict]):
    """(assignment id, its results, the exercise ids they show), in order of first appearance."""
    grouped: dict[str, list[dict]] = {}
    for result in results:
        grouped.setdefault(result.get("assignment") or "(unknown assignment)", []).append(result)
    for assignment_id, rows in grouped.items():
        yield assignment_id, rows, list(dict.fromkeys(e for r in rows for e in r.get("exercises", {})))


def summary_markdown(results: list[dict]) -> str:
    """Score tables in Markdown (a CI job summary): one per assignment, then where grading ran."""
    lines = []
    for assignment_id, rows, exercise_ids in _by_assignment(results):
        lines += [f"### {assignment_id}", "", "| submission | " + " | ".join(f"`{e}`" for e in exercise_ids)
                  + " | total |", "|---|" + "---:|" * (len(exercise_ids) + 1)]
        for result in rows:
            exercises = result.get("exercises", {})
            cells = [f"{_number(exercises[e]['score'])}/{_number(exercises[e]['max_score'])}" if e in exercises
                     else "-" for e in exercise_ids]
            total = f"**{_number(result['score'])}/{_number(result['max_score'])}**"
            flag = " (grading failed: internal error)" if result.get("internal_error") else ""
            name = result["submission"].replace("|", "\\|")
            lines.append(f"| {name}{flag} | " + " | ".join(cells) + f" | {total} |")
        lines.append("")
    if results:
        info, first = results[0].get("environment", {}), results[0]
        devices = ", ".join(first.get("devices", []))
        gpus = ", ".join(info.get("cuda_devices", [])) or "none"
        sandbox = first.get("sandbox", {}).get("level", "unknown")
        lines.append(f"Graded {len(results)} submission(s) on {devices or 'cpu'}; GPUs: {gpus}; "
                     f"torch {info.get('torch', '?')}, CUDA {info.get('cuda') or 'none'}; sandbox: {sandbox}.")
    return "\n".join(lines) + "\n"


def summary_csv(results: list[dict]) -> str:
    exercise_ids = []
    for result in results:
        for exercise_id in result.get("exercises", {}):
            if exercise_id not in exercise_ids:
                exercise_ids.append(exercise_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["assignment", "submission", "score", "max_score", *exercise_ids, "notes"])
    for result in results:
        exercises = result.get("exercises", {})
        writer.writerow([result.get("assignment") or "", result["submission"], _number(result["score"]),
                         _number(result["max_score"]),
                         *[_number(exercises[e]["score"]) if e in exercises else "" for e in exercise_ids],
                         " | ".join(result.get("notes", []))])
    return buffer.getvalue()


def table(results: list[dict]) -> str:
    """A score table per assignment: one row per submission, one column per exercise."""
    lines = []
    for assignment_id, rows, exercise_ids in _by_assignment(results):
        header = ["submission", *exercise_ids, "total"]
        body = []
        for result in rows:
            exercises = result.get("exercises", {})
            cells = [result["submission"]]
            for exercise_id in exercise_ids:
                exercise = exercises.get(exercise_id)
                cells.append(f"{_number(exercise['score'])}/{_number(exercise['max_score'])}" if exercise else "-")
            cells.append(f"{_number(result['score'])}/{_number(result['max_score'])}")
            body.append(cells)
        widths = [max(len(str(row[i])) for row in [header, *body]) for i in range(len(header))]
        lines.append(assignment_id)
        lines.append("  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths))))
        for row, result in zip(body, rows):
            lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
            if result.get("internal_error"):
                lines.append("    ! grading failed (internal error): see the JSON result")
            elif result["score"] == 0 and result.get("notes"):
                lines.append(f"    {result['notes'][0]}")
        lines.append("")
    return "\n".join(lines)
