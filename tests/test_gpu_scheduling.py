"""GPU-aware grading: which GPU slots graders may hold (the CUDA runs themselves need a GPU: marker gpu)."""
import os
import subprocess
import sys

import pytest
import torch

from autograder.grading import gpu_pool
from kit import REPO


@pytest.fixture
def two_gpus(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)


def test_one_slot_per_gpu_by_default(two_gpus):
    """--device all on two GPUs: two graders at a time, one per GPU."""
    assert gpu_pool(("cpu", "cuda")) == ["0", "1"]
    assert gpu_pool(("cpu", "cuda"), slots=2) == ["0", "0", "1", "1"]


def test_visible_devices_are_respected(two_gpus, monkeypatch):
    """CUDA_VISIBLE_DEVICES set by the runner restricts the GPUs graders get, by its own ids."""
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3, 5")
    assert gpu_pool(("cuda",)) == ["3", "5"]


def test_no_slots_without_cuda_runs_or_without_a_gpu(two_gpus, monkeypatch):
    """CPU-only grading is not limited by GPUs; without CUDA the cuda runs are skipped, not scheduled."""
    assert gpu_pool(("cpu",)) == []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert gpu_pool(("cpu", "cuda")) == []


def test_cuda_checks_do_not_initialise_cuda_before_forking():
    """The engine asks NVML whether CUDA is there, so forked graders and workers can still start CUDA."""
    code = "import autograder, os; print(os.environ['PYTORCH_NVML_BASED_CUDA_CHECK'])"
    env = {k: v for k, v in os.environ.items() if k != "PYTORCH_NVML_BASED_CUDA_CHECK"}
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1"


@pytest.mark.gpu
def test_a_cuda_tensor_in_a_forked_child_after_the_engine_checked_cuda():
    """After torch.cuda.is_available() in the parent, a forked child can still use CUDA (fork safety)."""
    code = ("import autograder, os, torch\n"
            "assert torch.cuda.is_available()\n"
            "pid = os.fork()\n"
            "if pid == 0:\n"
            "    os._exit(0 if torch.ones(2, device='cuda').sum().item() == 2 else 1)\n"
            "_, status = os.waitpid(pid, 0)\n"
            "raise SystemExit(os.waitstatus_to_exitcode(status))\n")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=120)
