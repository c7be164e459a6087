"""Hidden suite for CenteredLayer()(X) = X - X.mean(): the mean over all elements, no parameters, pure."""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from _ps05_helpers import run_with_hints
from autograder.drivers import module_run, module_state, reference_run
from autograder.strategies import dtypes, matrices, tensors
from autograder.suite import expect, expect_close, fail, points

CALL = "CenteredLayer()(X)"


@st.composite
def inputs(draw):
    dtype = draw(dtypes())
    shape = tuple(draw(st.lists(st.integers(1, 5), min_size=1, max_size=3)))
    return draw(tensors(shape, dtype=dtype, min_value=-5.0, max_value=20.0))


def run(student, X, device="cpu"):
    got = run_with_hints(student, module_run, "CenteredLayer", inputs=(X,), device=device,
                         describe_as="CenteredLayer()(X)")
    return got["output"]


@points(1)
@settings(max_examples=10)
@given(X=inputs())
def test_matches_reference(student, device, X):
    """X - X.mean() on float32/float64 inputs of 1 to 3 dimensions, on the input's device."""
    X = X.to(device)
    expected = reference_run(d2l.CenteredLayer(), inputs=(X,), device=device)["output"]
    expect_close(run(student, X, device), expected, f"{CALL} (subtract the mean of ALL elements)", X=X)


@points(1)
@settings(max_examples=10)
@given(X=matrices(min_rows=2, min_cols=2, square=True, min_value=-5.0, max_value=20.0))
def test_centres_all_elements(student, X):
    """On square matrices the mean over all elements is subtracted (not a row's or a column's mean)."""
    expected = X - X.mean()
    got = run(student, X)
    if isinstance(got, torch.Tensor) and got.shape == X.shape and got.dtype == X.dtype:
        for dim in (0, 1):
            if torch.allclose(got, X - X.mean(dim=dim, keepdim=True)) and not torch.allclose(got, expected):
                fail(f"{CALL} subtracted the mean over dim {dim}; subtract the mean of all elements, X.mean()", X=X)
    expect_close(got, expected, CALL, X=X)
    expect(abs(float(got.sum())) <= 1e-3 * X.numel() * (1 + float(X.abs().max())),
           f"the elements of {CALL} should sum to 0", X=X)


def _centered_purity(ns, X):
    """CenteredLayer()(X): the output, X afterwards and what the layer registers"""
    layer = ns["CenteredLayer"]()
    before = X.clone()
    Y = layer(X)
    return {"output": Y, "unchanged": bool(torch.equal(X, before)),
            "state_dict": list(layer.state_dict()), "parameters": len(list(layer.parameters()))}


@points(1)
@settings(max_examples=6)
@given(X=inputs())
def test_no_parameters_and_pure(student, X):
    """The layer has no parameters or buffers and leaves its input unchanged (and is correct)."""
    got = run_with_hints(student, _centered_purity, X)
    expect(got["parameters"] == 0 and got["state_dict"] == [],
           f"CenteredLayer() registers {got['state_dict']}; it has no parameters or buffers")
    expect(got["unchanged"], f"{CALL} modified X in place; return X - X.mean() as a new tensor", X=X)
    expect_close(got["output"], X - X.mean(), CALL, X=X)
