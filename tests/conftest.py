import pytest
import torch

from autograder.session import Zygote
from kit import COURSE


@pytest.fixture(scope="session")
def zygote():
    """One fork server for the whole test session, isolating workers as grading does."""
    with Zygote(hidden=COURSE.hidden_paths) as server:
        yield server


def pytest_collection_modifyitems(config, items):
    """Tests marked gpu are skipped, visibly, where CUDA is absent."""
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA device (marker gpu); none is available here")
    for item in items:
        if item.get_closest_marker("gpu"):
            item.add_marker(skip)
