"""Hidden suite for nadaraya_watson(x_train, y_train, x_query, sigma): Gaussian-kernel regression."""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.strategies import dtypes, tensors
from autograder.suite import expect, expect_close, fail, points

CALL = "nadaraya_watson(x_train, y_train, x_query, sigma)"


@st.composite
def problems(draw, distinct=False):
    dtype = draw(dtypes())
    n = draw(st.integers(1, 7))
    m = draw(st.integers(1, 7).filter(lambda m: not distinct or m != n))
    x_train = draw(tensors((n,), dtype=dtype, min_value=0.0, max_value=5.0))
    y_train = draw(tensors((n,), dtype=dtype, min_value=-3.0, max_value=3.0))
    x_query = draw(tensors((m,), dtype=dtype, min_value=0.0, max_value=5.0))
    sigma = draw(st.sampled_from([0.5, 1.0, 2.0]))
    return dict(x_train=x_train, y_train=y_train, x_query=x_query, sigma=sigma)


def pair(result):
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        fail(f"{CALL} should return a pair (y_hat, weights), but returned {type(result).__name__}")
    return result


@points(2)
@settings(max_examples=8)
@given(problem=problems())
def test_matches_reference(student, device, problem):
    """y_hat and the weights equal the reference (float32/float64, CPU/GPU)."""
    problem = {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in problem.items()}
    y_hat, weights = pair(student.nadaraya_watson(**problem))
    expected_y, expected_w = d2l.nadaraya_watson(**problem)
    if isinstance(weights, torch.Tensor) and weights.shape == expected_w.T.shape != expected_w.shape:
        fail(f"{CALL} returned weights of shape {tuple(weights.shape)}, expected {tuple(expected_w.shape)}: "
             f"return one row per query (m, n), not one column per query", **problem)
    expect_close(weights, expected_w, f"the weights of {CALL}", **problem)
    expect_close(y_hat, expected_y, f"y_hat of {CALL}", **problem)


@points(1)
@settings(max_examples=8)
@given(problem=problems(distinct=True))
def test_weights_of_each_query_sum_to_one(student, problem):
    """The weights have one row per query, each summing to 1 over the training points."""
    _, weights = pair(student.nadaraya_watson(**problem))
    _, expected = d2l.nadaraya_watson(**problem)
    if isinstance(weights, torch.Tensor) and weights.shape == expected.shape:
        sums = weights.sum(dim=1)
        expect(bool(torch.allclose(sums, torch.ones_like(sums), atol=1e-5)),
               f"the weights of each query (each row) should sum to 1, but the row sums are {sums.tolist()}: "
               f"normalise over the training points (dim 1)", **problem)
    expect_close(weights, expected, f"the weights of {CALL}", **problem)


@points(1)
@settings(max_examples=5)
@given(problem=problems())
def test_does_not_modify_inputs(student, problem):
    """The result is correct and the inputs are left unchanged."""
    before = {k: v.clone() if isinstance(v, torch.Tensor) else v for k, v in problem.items()}
    result = student.call("nadaraya_watson", problem["x_train"], problem["y_train"], problem["x_query"],
                          problem["sigma"], return_args=True)
    y_hat, _ = pair(result.value)
    expect_close(y_hat, d2l.nadaraya_watson(**before)[0], f"y_hat of {CALL}", **before)
    for name, arg in zip(("x_train", "y_train", "x_query"), result.args):
        expect(torch.equal(arg, before[name]), f"{CALL} modified {name} in place; compute on new tensors",
               **before)
