"""The GitHub workflows lint clean and do what the README and docs say.

Linting: the workflow JSON schema (check-jsonschema's vendored copy, no
network) plus the checks a schema cannot make: reusable workflows exist and
get exactly their declared inputs, `needs` name real jobs, every `run:`
script parses as bash, actions are pinned, and untrusted inputs reach scripts
through environment variables only.
"""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def steps(workflow: dict):
    for job_id, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, step


def check_schema(paths) -> subprocess.CompletedProcess:
    tool = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or "check-jsonschema"
    return subprocess.run([tool, "--builtin-schema", "vendor.github-workflows", *map(str, paths)],
                          capture_output=True, text=True, timeout=120)


def test_workflows_exist():
    """A CPU test workflow, a grading workflow and its reusable part."""
    assert {p.name for p in WORKFLOWS} >= {"tests.yml", "grade.yml", "grade-on.yml"}


def test_workflows_match_the_schema():
    """Every workflow validates against the GitHub workflow schema."""
    process = check_schema(WORKFLOWS)
    assert process.returncode == 0, process.stdout + process.stderr


def test_the_schema_check_catches_a_broken_workflow(tmp_path):
    """The schema check fails on a job without runs-on and a step with both uses and run."""
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n        run: echo\n")
    assert check_schema([broken]).returncode != 0


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_run_scripts_parse_as_bash(path):
    """Each run: block is valid bash once its ${{ }} expressions are substituted."""
    for job_id, step in steps(load(path)):
        if "run" in step:
            script = EXPRESSION.sub("EXPR", step["run"])
            process = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True)
            assert process.returncode == 0, f"{path.name} job {job_id} step {step.get('name')}: {process.stderr}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_jobs_refer_to_what_exists(path):
    """needs: names jobs of the workflow; uses: ./ names a reusable workflow, given exactly its inputs."""
    workflow = load(path)
    for job_id, job in workflow["jobs"].items():
        needs = job.get("needs", [])
        for need in [needs] if isinstance(needs, str) else needs:
            assert need in workflow["jobs"], f"{job_id} needs unknown job {need}"
        uses = job.get("uses", "")
        if uses.startswith("./"):
            called = load(REPO / uses)
            declared = called["on"]["workflow_call"]["inputs"]
            given = set(job.get("with", {}))
            assert given <= set(declared), f"{job_id} passes undeclared inputs {given - set(declared)}"
            required = {name for name, spec in declared.items() if spec.get("required")}
            assert required <= given, f"{job_id} misses required inputs {required - given}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_and_inputs_stay_out_of_scripts(path):
    """Third-party actions carry a version; inputs and event data never expand inside a script."""
    for job_id, step in steps(load(path)):
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@v?\d[\w.]*", step["uses"]), step["uses"]
        for expression in EXPRESSION.findall(step.get("run", "")):
            assert not re.search(r"\b(inputs|github\.event)\b", expression), (
                f"{path.name} job {job_id}: pass {expression.strip()} through env:, not into the script")


def test_ci_runs_the_readme_test_command():
    """The push workflow runs the README's test command, which .ci/run runs too."""
    readme = (REPO / "README.md").read_text()
    command = re.search(r"^make test\b", readme, re.M)
    assert command, "the README's test command moved"
    scripts = [step.get("run", "") for _, step in steps(load(REPO / ".github/workflows/tests.yml"))]
    assert any(s.strip() == "make test" for s in scripts)
    assert "make test" in (REPO / ".ci" / "run").read_text()


def test_grading_runs_on_a_gpu_runner_with_a_cpu_fallback():
    """GPU job on self-hosted gpu labels with --device all and a strict sandbox; a CPU job otherwise."""
    jobs = load(REPO / ".github/workflows/grade.yml")["jobs"]
    gpu, cpu = jobs["gpu"], jobs["cpu-fallback"]
    assert yaml.safe_load(gpu["with"]["runs-on"]) == ["self-hosted", "linux", "gpu"]
    assert gpu["with"]["device"] == "all" and gpu["with"]["sandbox"] == "strict"
    assert cpu["with"]["device"] == "cpu"
    assert gpu["if"] == "vars.GPU_RUNNER == 'true'" and cpu["if"] == "vars.GPU_RUNNER != 'true'"
    reusable = load(REPO / ".github/workflows/grade-on.yml")
    scripts = "\n".join(step.get("run", "") for _, step in steps(reusable))
    assert "-m autograder doctor" in scripts and "-m autograder grade" in scripts
    assert "--format json,gradescope,csv,markdown" in scripts and "GITHUB_STEP_SUMMARY" in scripts
    uploads = [step for _, step in steps(reusable) if step.get("uses", "").startswith("actions/upload-artifact")]
    assert uploads and "out/" in uploads[0]["with"]["path"]
