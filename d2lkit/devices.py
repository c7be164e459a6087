"""Devices (book part: "Builders' guide", GPUs)."""
import torch

__all__ = ['cpu', 'gpu', 'num_gpus', 'try_gpu', 'try_all_gpus']


def cpu():
    """The CPU as a ``torch.device``."""
    return torch.device('cpu')


def gpu(i=0):
    """The ``i``-th CUDA GPU as a ``torch.device`` (it need not exist)."""
    return torch.device(f'cuda:{i}')


def num_gpus():
    """Number of visible CUDA GPUs (0 when CUDA is unavailable)."""
    return torch.cuda.device_count()


def try_gpu(i=0):
    """``gpu(i)`` if that GPU exists, otherwise ``cpu()``."""
    return gpu(i) if num_gpus() > i else cpu()


def try_all_gpus():
    """All visible GPUs, or ``[cpu()]`` when there are none."""
    return [gpu(i) for i in range(num_gpus())] or [cpu()]
