"""Shared by the ps05-builders-guide suites: running drivers with hints, drawing small MLP weights."""
import torch
from hypothesis import strategies as st

from autograder.strategies import tensors
from autograder.suite import Failure, fail


def run_with_hints(student, driver, *args, hints=(), **kwargs):
    """``student.run(driver, ...)``; an error whose text contains a hint's key gets that hint appended."""
    try:
        return student.run(driver, *args, **kwargs)
    except Failure as error:
        text = str(error)
        for key, hint in hints:
            if key in text:
                raise Failure(f"{text}\n(hint: {hint})") from None
        raise


@st.composite
def linear_weights(draw, sizes, dtype):
    """[(W (out, in), b (out,)), ...] for consecutive sizes, nn.Linear's layout, values in [-1, 1]."""
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        W = draw(tensors((n_out, n_in), dtype=dtype, min_value=-1.0, max_value=1.0, noncontiguous=False))
        b = draw(tensors((n_out,), dtype=dtype, min_value=-0.5, max_value=0.5))
        layers.append((W, b))
    return layers


def to_device(tree, device):
    """Every tensor of a nested list/tuple/dict moved to ``device``."""
    if isinstance(tree, torch.Tensor):
        return tree.to(device)
    if isinstance(tree, dict):
        return {k: to_device(v, device) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(to_device(v, device) for v in tree)
    return tree


def expect_names(got, expected, what, hint, **inputs):
    if list(got) != list(expected):
        fail(f"{what} are {list(got)!r}, expected {list(expected)!r}: {hint}", **inputs)
