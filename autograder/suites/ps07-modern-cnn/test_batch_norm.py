"""Hidden suite for batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum) (DESIGN section 5)."""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from _ps07_helpers import dtypes, inputs
from autograder.suite import describe, expect, expect_close, expect_close_tree, fail, points

CALL = "batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum)"


@st.composite
def problems(draw, dims=None, square=False, dtype=None):
    """X (2-D or 4-D), its gamma/beta/moving statistics of shape (1, d) or (1, c, 1, 1), eps and momentum."""
    dims = dims or draw(st.sampled_from([2, 4]))
    dtype = dtype or draw(dtypes())
    n = draw(st.integers(3 if square else 2, 5))
    c = n if square else draw(st.integers(1, 4))
    shape = (n, c) if dims == 2 else (n, c, draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stat = (1, c) if dims == 2 else (1, c, 1, 1)
    seed = draw(st.integers(0, 10_000))
    X = inputs(shape, dtype, seed, -3.0, 5.0)
    if dims == 4 and draw(st.booleans()):
        X = X.permute(0, 1, 3, 2).contiguous().permute(0, 1, 3, 2)  # a non-contiguous (channels-swapped) layout
    return dict(X=X, gamma=inputs(stat, dtype, seed + 1, 0.5, 1.5), beta=inputs(stat, dtype, seed + 2, -1.0, 1.0),
                moving_mean=inputs(stat, dtype, seed + 3, -1.0, 1.0),
                moving_var=inputs(stat, dtype, seed + 4, 0.5, 2.0),
                eps=draw(st.sampled_from([1e-5, 1e-3, 0.1])), momentum=draw(st.sampled_from([0.1, 0.5, 0.9])))


def args(p):
    return (p["X"], p["gamma"], p["beta"], p["moving_mean"], p["moving_var"], p["eps"], p["momentum"])


def on(p, device):
    return {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in p.items()}


def triple(got, p):
    if not (isinstance(got, (tuple, list)) and len(got) == 3):
        fail(f"{CALL} should return a triple (Y, moving_mean, moving_var), but returned {describe(got)}", **p)
    return got


def hint_for_moving(got_mean, got_var, p):
    """What is wrong with the returned moving statistics, when it is a known bug."""
    X, momentum = p["X"], p["momentum"]
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    mean = X.mean(dim=dims, keepdim=True)
    biased = X.var(dim=dims, unbiased=False, keepdim=True)
    unbiased = X.var(dim=dims, unbiased=True, keepdim=True) if X.numel() // X.shape[1] > 1 else None

    def close(a, b):
        return isinstance(a, torch.Tensor) and a.shape == b.shape and torch.allclose(a, b, rtol=1e-4, atol=1e-5)
    if close(got_mean, (1 - momentum) * p["moving_mean"] + momentum * mean) and momentum != 0.5:
        return ("momentum is the weight of the OLD moving value: moving = momentum * moving + (1 - momentum) * "
                "batch statistic")
    if unbiased is not None and close(got_var, momentum * p["moving_var"] + (1 - momentum) * unbiased):
        return "use the biased variance (divide by the number of values, unbiased=False) for the moving variance"
    return ("moving = momentum * moving + (1 - momentum) * batch statistic, with the batch mean and biased "
            "variance over the normalised dims, shaped like moving_mean")


def looks_like(got, wrong, right):
    """got is the result of a known bug (and that bug's result is not also the right one)."""
    def close(a, b):
        return isinstance(a, torch.Tensor) and a.shape == b.shape and torch.allclose(a, b, rtol=1e-4, atol=1e-5)
    return close(got, wrong) and not close(wrong, right)


def check_training(student, p):
    expected = d2l.batch_norm(*args(p))
    Y, got_mean, got_var = triple(student.batch_norm(*args(p)), p)
    expect_close(Y, expected[0], f"Y of {CALL} in training mode", **p)
    for name, got, exp in (("moving_mean", got_mean, expected[1]), ("moving_var", got_var, expected[2])):
        if not (isinstance(got, torch.Tensor) and got.shape == exp.shape and got.dtype == exp.dtype
                and torch.allclose(got.detach(), exp, rtol=1e-4, atol=1e-6)):
            expect_close(got, exp, f"the new {name} of {CALL} ({hint_for_moving(got_mean, got_var, p)})", **p)


@points(2)
@settings(max_examples=4)
@given(p=problems())
def test_training_matches_reference(student, device, p):
    """Training mode: Y and the new moving statistics equal the reference's (2-D and 4-D, float32/64)."""
    check_training(student, on(p, device))


@points(1)
@settings(max_examples=4)
@given(p=problems(dims=2, square=True))
def test_fully_connected_over_dim0(student, p):
    """2-D input (n, d), n == d: each feature (column) is normalised over the batch (dim 0)."""
    expected = d2l.batch_norm(*args(p))
    Y = triple(student.batch_norm(*args(p)), p)[0]
    X = p["X"]
    wrong = (X - X.mean(1, keepdim=True)) / torch.sqrt(X.var(1, unbiased=False, keepdim=True) + p["eps"])
    if looks_like(Y, p["gamma"] * wrong + p["beta"], expected[0]):
        fail(f"{CALL} normalised each example (row, dim 1) instead of each feature: for 2-D X take the mean "
             f"and variance over dim 0", **p)
    expect_close(Y, expected[0], f"Y of {CALL} for a square 2-D X", **p)


@points(1)
@settings(max_examples=4)
@given(p=problems(dims=4))
def test_convolutional_over_channels(student, p):
    """4-D input (n, c, h, w): one mean and variance per channel, over dims (0, 2, 3)."""
    expected = d2l.batch_norm(*args(p))
    Y = triple(student.batch_norm(*args(p)), p)[0]
    X = p["X"]
    per_pixel = (X - X.mean(0, keepdim=True)) / torch.sqrt(X.var(0, unbiased=False, keepdim=True) + p["eps"])
    if looks_like(Y, p["gamma"] * per_pixel + p["beta"], expected[0]):
        fail(f"{CALL} normalised every pixel separately (over dim 0 only); for 4-D X the statistics are per "
             f"channel, over dims (0, 2, 3) with keepdim=True", **p)
    expect_close(Y, expected[0], f"Y of {CALL} for a 4-D X", **p)


@points(1)
@settings(max_examples=4)
@given(p=problems(dtype=torch.float64))
def test_moving_statistics(student, p):
    """The new moving statistics weight the old value by momentum and use the biased variance."""
    check_training(student, p)


def _predict(ns, X, gamma, beta, moving_mean, moving_var, eps, momentum):
    """batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum) under torch.no_grad()"""
    import torch
    with torch.no_grad():
        return ns["batch_norm"](X, gamma, beta, moving_mean, moving_var, eps, momentum)


@points(1)
@settings(max_examples=4)
@given(p=problems())
def test_prediction_mode(student, device, p):
    """Under torch.no_grad() the moving statistics normalise X and come back unchanged."""
    p = on(p, device)
    with torch.no_grad():
        expected = d2l.batch_norm(*args(p))
    got = triple(student.run(_predict, *args(p), describe_as=f"{CALL} under torch.no_grad()"), p)
    batch = d2l.batch_norm(*args(p))[0]
    if isinstance(got[0], torch.Tensor) and got[0].shape == batch.shape and torch.allclose(
            got[0], batch, rtol=1e-4, atol=1e-5) and not torch.allclose(batch, expected[0], rtol=1e-3, atol=1e-4):
        fail(f"{CALL} used the batch statistics under torch.no_grad(); in prediction mode "
             f"(not torch.is_grad_enabled()) normalise with moving_mean and moving_var", **p)
    expect_close_tree(tuple(got), expected, f"{CALL} in prediction mode (under torch.no_grad())", **p)


def _gradients(ns, X, gamma, beta, moving_mean, moving_var, eps, momentum, G):
    """the gradients of (Y * G).sum() with respect to X, gamma and beta in training mode"""
    X, gamma, beta = (t.clone().requires_grad_(True) for t in (X, gamma, beta))
    Y = ns["batch_norm"](X, gamma, beta, moving_mean, moving_var, eps, momentum)[0]
    (Y * G).sum().backward()
    return [X.grad, gamma.grad, beta.grad]


@points(1)
@settings(max_examples=4)
@given(p=problems(dtype=torch.float64))
def test_gradients(student, p):
    """Autograd through Y gives the reference gradients for X, gamma and beta (float64)."""
    G = inputs(tuple(p["X"].shape), torch.float64, 7)
    leaves = [t.clone().requires_grad_(True) for t in (p["X"], p["gamma"], p["beta"])]
    Y = d2l.batch_norm(leaves[0], leaves[1], leaves[2], *args(p)[3:])[0]
    (Y * G).sum().backward()
    got = student.run(_gradients, *args(p), G)
    expect_close_tree(got, [t.grad for t in leaves], "the gradients [dX, dgamma, dbeta] of (Y * G).sum()", G=G,
                      **p)


@points(1)
@settings(max_examples=4)
@given(p=problems())
def test_does_not_modify_inputs(student, p):
    """The result is correct and no argument is changed in place (the moving statistics are returned)."""
    before = {k: v.clone() if isinstance(v, torch.Tensor) else v for k, v in p.items()}
    result = student.call("batch_norm", *args(p), return_args=True)
    expected = d2l.batch_norm(*args(before))
    expect_close_tree(tuple(triple(result.value, before)), expected, CALL, **before)
    for name, got in zip(("X", "gamma", "beta", "moving_mean", "moving_var"), result.args):
        expect(torch.equal(got, before[name]), f"{CALL} modified {name} in place; return the new moving "
               f"statistics as new tensors instead", **before)
