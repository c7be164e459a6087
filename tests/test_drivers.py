"""The shared module drivers: the worker builds the student's module, the harness compares with the reference."""
import inspect
import textwrap

import pytest
import torch
from torch import nn

from autograder import drivers
from autograder.session import Limits, WorkerSession
from autograder.suite import Failure, expect_close_tree

CELLS = [("cell 1", textwrap.dedent('''
    import torch
    from torch import nn

    class MyLinear(nn.Module):
        def __init__(self, in_units, units):
            super().__init__()
            self.weight = nn.Parameter(torch.randn(units, in_units))
            self.bias = nn.Parameter(torch.randn(units))
        def forward(self, X):
            return X @ self.weight.T + self.bias

    class Forgetful(nn.Module):  # forgets to register its weight
        def __init__(self, in_units, units):
            super().__init__()
            self.weight = torch.randn(units, in_units)
        def forward(self, X):
            return X @ self.weight.T
'''))]


@pytest.fixture(scope="module")
def session(zygote, tmp_path_factory):
    worker = WorkerSession(zygote, CELLS, str(tmp_path_factory.mktemp("drivers")), Limits(timeout=10))
    yield worker
    worker.close()


def run(session, driver, *args, **kwargs):
    reply = session.driver(textwrap.dedent(inspect.getsource(driver)), driver.__name__, args, kwargs)
    assert reply.ok, reply.error
    return reply.value


def test_module_run_matches_the_reference_with_the_harness_parameters(session):
    """Outputs, parameter gradients and input gradients of the student's module equal the reference's."""
    torch.manual_seed(1)
    reference = nn.Linear(3, 2).double()
    X, G = torch.randn(4, 3, dtype=torch.float64), torch.randn(4, 2, dtype=torch.float64)
    options = dict(state=reference.state_dict(), inputs=[X], output_grad=G, input_grads=True, dtype=torch.float64)
    got = run(session, drivers.module_run, "MyLinear", (3, 2), **options)
    expected = drivers.reference_run(reference, **options)
    expect_close_tree(got, expected, "MyLinear(3, 2)")
    assert got["training"] is False and set(got["grads"]) == {"weight", "bias"}


def test_a_wrong_gradient_is_named_by_its_position(session):
    """expect_close_tree says which leaf differs."""
    reference = nn.Linear(3, 2)
    X, G = torch.randn(4, 3), torch.randn(4, 2)
    got = run(session, drivers.module_run, "MyLinear", (3, 2), state=reference.state_dict(), inputs=[X],
              output_grad=G)
    got["grads"]["bias"] = got["grads"]["bias"] + 1
    expected = drivers.reference_run(reference, state=reference.state_dict(), inputs=[X], output_grad=G)
    with pytest.raises(Failure, match=r"\['grads'\]\['bias'\]"):
        expect_close_tree(got, expected, "MyLinear(3, 2)")


def test_module_state_shows_unregistered_parameters(session):
    """A tensor attribute that is not an nn.Parameter is missing from the reported parameters."""
    assert set(run(session, drivers.module_state, "MyLinear", (3, 2))["parameters"]) == {"weight", "bias"}
    assert run(session, drivers.module_state, "Forgetful", (3, 2))["parameters"] == {}


def test_loading_into_a_module_without_the_parameters_fails_with_the_missing_keys(session):
    """load_state_dict is strict: a student module lacking a parameter gets torch's message naming it."""
    reply = session.driver(textwrap.dedent(inspect.getsource(drivers.module_run)), "module_run",
                           ("Forgetful", (3, 2)), {"state": nn.Linear(3, 2).state_dict(), "inputs": [torch.ones(1, 3)]})
    assert not reply.ok and "Unexpected key(s)" in reply.error["message"]
