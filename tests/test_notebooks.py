"""The notebooks run in a real Jupyter kernel.

* Solution notebooks run end to end, training cells included, in fast mode
  (``D2LKIT_FAST=1``) on tiny offline data sets made by every
  ``d2l.make_tiny_*`` function.
* Student notebooks (assignments/) load: the setup cell and every solution
  stub run without error and define their function; a sanity-check cell may
  only fail with the stubs' ``NotImplementedError``.

The kernel is the interpreter running the tests (a temporary kernelspec), so
the venv needs ipykernel but no installed kernelspec.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import nbformat
import pytest
import yaml

nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from jupyter_client.manager import AsyncKernelManager  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
COURSE = yaml.safe_load((REPO / "course.yml").read_text())
NOTEBOOKS = [(a["id"], nb) for a in COURSE["assignments"] for nb in a["notebooks"]]
EXERCISES = {a["id"]: [e["id"] for e in a["exercises"]] for a in COURSE["assignments"]}
NOTEBOOK_TIMEOUT = 300  # seconds for a whole notebook


@pytest.fixture(scope="session")
def kernels(tmp_path_factory):
    """A kernelspec folder whose ``python3`` is this interpreter."""
    folder = tmp_path_factory.mktemp("kernels")
    spec = folder / "python3"
    spec.mkdir()
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (d2lkit tests)", "language": "python"}))
    return folder


@pytest.fixture(scope="session")
def kernel_env(tmp_path_factory):
    """Fast mode, headless plots, the repo on the path, and tiny offline data."""
    import d2lkit as d2l

    data = tmp_path_factory.mktemp("d2lkit-data")
    for name in d2l.__all__:  # every part of the book brings its tiny offline data set
        if name.startswith("make_tiny_"):
            getattr(d2l, name)(str(data))
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "D2LKIT_FAST": "1", "MPLBACKEND": "Agg", "D2LKIT_DATA": str(data), "PYTHONPATH": path,
            "OMP_NUM_THREADS": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}


def execute(notebook, kernels, env, cwd, allow_errors=False):
    """Run every cell of ``notebook`` (in place) within NOTEBOOK_TIMEOUT seconds in all."""
    deadline = time.monotonic() + NOTEBOOK_TIMEOUT
    km = AsyncKernelManager(kernel_name="python3", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))
    client = nbclient.NotebookClient(
        notebook, km=km, allow_errors=allow_errors, resources={"metadata": {"path": str(cwd)}},
        timeout_func=lambda cell: max(1, int(deadline - time.monotonic())))
    start = time.monotonic()
    client.execute(env=env, cwd=str(cwd))
    elapsed = time.monotonic() - start
    assert elapsed < NOTEBOOK_TIMEOUT, f"the notebook took {elapsed:.0f} s (limit {NOTEBOOK_TIMEOUT} s)"
    return notebook


def nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id, name", NOTEBOOKS)
def test_solution_notebook_runs_end_to_end(kernels, kernel_env, tmp_path, assignment_id, name):
    """Every cell of the solution notebook, training included, runs without error in fast mode."""
    notebook = nbformat.read(REPO / "solutions" / assignment_id / name, as_version=4)
    assert any("training" in c.metadata.get("tags", []) for c in notebook.cells), "no training cells to run"
    execute(notebook, kernels, kernel_env, tmp_path)  # raises CellExecutionError on the first failing cell
    errors = [c.id for c in notebook.cells if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    assert not errors


@pytest.mark.parametrize("assignment_id, name", NOTEBOOKS)
def test_student_notebook_loads(kernels, kernel_env, tmp_path, assignment_id, name):
    """The released notebook's setup and stubs run; only sanity checks fail, with NotImplementedError."""
    notebook = nbformat.read(REPO / "assignments" / assignment_id / name, as_version=4)
    notebook.cells = [c for c in notebook.cells if "training" not in c.metadata.get("tags", [])]
    names = EXERCISES[assignment_id]
    notebook.cells.append(nbformat.v4.new_code_cell(
        f"assert all(callable(globals().get(name)) for name in {names!r}), 'a stub did not define its function'"))
    execute(notebook, kernels, kernel_env, tmp_path, allow_errors=True)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        meta = nbgrader(cell)
        label = meta.get("grade_id") or cell.get("id") or cell.source[:40]
        if meta or cell is notebook.cells[-1]:  # setup, solution stubs, test cells, the final check
            assert not errors, f"{label} raised {errors[0].ename}: {errors[0].evalue}"
        else:  # a sanity check calling a stub
            assert all(o.ename == "NotImplementedError" for o in errors), \
                f"sanity check {label} failed with {[o.ename for o in errors]}, not NotImplementedError"
