import pytest

from autograder.session import Zygote


@pytest.fixture(scope="session")
def zygote():
    """One fork server for the whole test session."""
    with Zygote() as server:
        yield server
