"""Stock nbgrader (hidden tests as in-kernel assert cells) against the kit's engine, same submissions, one run.

    PYTHONPATH=$PWD python benchmarks/nbgrader_vs_kit.py --n 50 --jobs 2 [--sandbox auto|off]

Builds two temporary nbgrader course folders for ps02-linear-regression with the same N
submissions (a cycle of correct notebooks and single-bug notebooks, each bug breaking one
exercise completely):
- stock: the source notebook's test cells hold assert-based tests (run in the student's kernel
  by nbgrader's Execute preprocessor, one kernel per notebook, serially);
- kit: the kit's nbgrader_config.py (KitGrade, hidden suites in sandboxed workers, --KitGrade.jobs).
Prints the wall time of each `nbgrader autograde` and whether every student's total agrees,
and writes benchmarks/results.json.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENT = "ps02-linear-regression"
NOTEBOOK = "linear-regression"

# In-kernel tests, as a stock nbgrader course would write them (pass: full points, assert fails: 0).
STOCK_TESTS = {
    "synthetic_data": """w = torch.tensor([2.0, -3.4]); X, y = synthetic_data(w, 4.2, 2000)
assert X.shape == (2000, 2) and y.shape == (2000, 1)
noise = y - (X @ w.reshape(-1, 1) + 4.2)
assert abs(noise.mean()) < 0.002 and abs(noise.std() - 0.01) < 0.002
assert abs(X.mean()) < 0.1 and abs(X.var() - 1) < 0.1""",
    "data_iter": """X = torch.arange(20.).reshape(10, 2); y = torch.arange(10.).reshape(10, 1)
batches = list(data_iter(3, X, y))
assert [len(b[0]) for b in batches] == [3, 3, 3, 1]
seen = torch.cat([b[1] for b in batches]).flatten()
assert sorted(seen.tolist()) == list(range(10))
assert all(torch.equal(bx[:, 0] / 2, by.flatten()) for bx, by in batches)""",
    "linreg": """X = torch.randn(5, 3, dtype=torch.float64); w = torch.randn(3, 1, dtype=torch.float64); b = torch.randn(1, dtype=torch.float64)
assert torch.allclose(linreg(X, w, b), X @ w + b)""",
    "squared_loss": """y_hat = torch.randn(4, 1); y = torch.randn(4)
assert torch.allclose(squared_loss(y_hat, y), (y_hat - y.reshape(4, 1)) ** 2 / 2)""",
    "sgd": """w = torch.randn(3, 1, requires_grad=True); w.grad = torch.ones(3, 1); before = w.detach().clone()
sgd([w], 0.1, 4)
assert torch.allclose(w.detach(), before - 0.1 / 4)
assert w.grad is None or float(w.grad.abs().sum()) == 0""",
}

# One bug each (old, new) in the solution cell: the exercise fails in both graders.
BUGS = [
    ("squared_loss", "diff ** 2 / 2", "diff ** 2"),
    ("sgd", "param -= lr * param.grad / batch_size", "param -= lr * param.grad"),
    ("linreg", "return", "return 2 * b + "),
]


def _nb(path: Path) -> dict:
    return json.loads(path.read_text())


def _answers() -> dict:
    source = _nb(REPO / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb")
    return {c["metadata"]["nbgrader"]["grade_id"]: re.sub(r"\s*### (BEGIN|END) SOLUTION", "", "".join(c["source"]))
            for c in source["cells"] if c["metadata"].get("nbgrader", {}).get("solution")}


def submissions(release: dict, n: int) -> tuple[list[dict], list[str]]:
    answers = _answers()
    notebooks, kinds = [], []
    for i in range(n):
        nb = copy.deepcopy(release)
        bug = BUGS[i % (len(BUGS) + 1) - 1] if i % (len(BUGS) + 1) else None
        for cell in nb["cells"]:
            grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
            if grade_id in answers:
                text = answers[grade_id]
                if bug and bug[0] == grade_id:
                    assert bug[1] in text, bug
                    text = text.replace(bug[1], bug[2], 1)
                cell["source"] = text
        notebooks.append(nb)
        kinds.append(bug[0] if bug else "correct")
    return notebooks, kinds


def _nbgrader(root: Path, *args: str) -> tuple[float, subprocess.CompletedProcess]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, env=env, capture_output=True, text=True)
    return time.monotonic() - started, run


def _course(root: Path, stock: bool) -> None:
    root.mkdir(parents=True)
    config = [f"c = get_config()", f"c.CourseDirectory.root = {str(root)!r}",
              f"c.CourseDirectory.db_url = 'sqlite:///{root / 'gradebook.db'}'"]
    if stock:
        config += ["c.CourseDirectory.source_directory = 'solutions'", "c.CourseDirectory.release_directory = 'assignments'",
                   "c.ClearSolutions.code_stub = {'python': '# YOUR CODE HERE\\nraise NotImplementedError()'}"]
        source = _nb(REPO / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb")
        for cell in source["cells"]:
            meta = cell["metadata"].get("nbgrader", {})
            if meta.get("grade") and not meta.get("solution"):
                cell["source"] = STOCK_TESTS[meta["grade_id"][5:]]
        folder = root / "solutions" / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / f"{NOTEBOOK}.ipynb").write_text(json.dumps(source))
    else:
        config.insert(1, f"load_subconfig({str(REPO / 'nbgrader_config.py')!r})")
        (root / "solutions").symlink_to(REPO / "solutions")
    (root / "nbgrader_config.py").write_text("\n".join(config) + "\n")
    _, run = _nbgrader(root, "generate_assignment", ASSIGNMENT)
    if run.returncode:
        raise SystemExit(run.stdout + run.stderr)


def _scores(root: Path, students: list[str]) -> dict:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        return {s: gb.find_submission(ASSIGNMENT, s).score for s in students}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50, help="submissions (default 50)")
    parser.add_argument("--jobs", type=int, default=2, help="--KitGrade.jobs for the kit")
    parser.add_argument("--sandbox", default="auto", help="--KitGrade.sandbox for the kit")
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "results.json"))
    args = parser.parse_args(argv)
    results = {"n": args.n, "jobs": args.jobs, "sandbox": args.sandbox, "cpus": os.cpu_count(),
               "load_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="d2lkit-bench-") as tmp:
        roots = {"stock": Path(tmp) / "stock", "kit": Path(tmp) / "kit"}
        students = [f"s{i:03d}" for i in range(args.n)]
        for name, root in roots.items():
            _course(root, stock=name == "stock")
            release = _nb(root / "assignments" / ASSIGNMENT / f"{NOTEBOOK}.ipynb")
            notebooks, kinds = submissions(release, args.n)
            for student, nb in zip(students, notebooks):
                folder = root / "submitted" / student / ASSIGNMENT
                folder.mkdir(parents=True)
                (folder / f"{NOTEBOOK}.ipynb").write_text(json.dumps(nb))
        timings = {}
        extra = {"stock": [], "kit": [f"--KitGrade.jobs={args.jobs}", f"--KitGrade.sandbox={args.sandbox}"]}
        for name, root in roots.items():
            seconds, run = _nbgrader(root, "autograde", ASSIGNMENT, *extra[name])
            if run.returncode:
                print(f"{name}: nbgrader autograde exited {run.returncode}\n{run.stderr[-3000:]}")
            timings[name] = seconds
            results[name] = {"seconds": round(seconds, 1), "scores": _scores(root, students)}
            print(f"{name}: {args.n} submissions in {seconds:.1f} s ({seconds / args.n:.2f} s each)", flush=True)
    disagree = {s: (results["stock"]["scores"][s], results["kit"]["scores"][s], k) for s, k in zip(students, kinds)
                if abs(results["stock"]["scores"][s] - results["kit"]["scores"][s]) > 1e-6}
    results["kinds"] = dict(zip(students, kinds))
    results["agree"] = not disagree
    results["disagreements"] = disagree
    Path(args.out).write_text(json.dumps(results, indent=2))
    print(f"scores agree on all {args.n}: {not disagree}" + (f"; differ: {disagree}" if disagree else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
