"""Hidden suite for predict(net, X, text_labels): the text label of each row's argmax, as a list of str.

Nets live in the worker: a driver builds one (an ``nn.Linear``, a plain
function of W and b, or the identity on class scores) and calls predict.
"""
import torch
from hypothesis import assume, given, strategies as st

import d2lkit as d2l
from autograder.strategies import dtypes, scores, shapes_2d, tensors
from autograder.suite import describe, expect, fail, points

CALL = "predict(net, X, text_labels)"
NAMES = ("cat", "dog", "bird", "fish", "horse", "frog", "deer", "truck", "ship", "plane", "car", "bus")


@st.composite
def text_labels(draw, q):
    """q distinct class names (not Fashion-MNIST's, so that text_labels must be used)."""
    return list(draw(st.permutations(NAMES))[:q])


@st.composite
def linear_problems(draw):
    dtype = draw(dtypes())
    n, d, q = draw(st.integers(1, 8)), draw(st.integers(1, 4)), draw(st.integers(2, 6))
    W = draw(tensors((d, q), dtype=dtype, min_value=-2.0, max_value=2.0, noncontiguous=False))
    b = draw(tensors((q,), dtype=dtype, min_value=-1.0, max_value=1.0))
    X = draw(tensors((n, d), dtype=dtype, min_value=-3.0, max_value=3.0))
    return dict(W=W, b=b, X=X, text_labels=draw(text_labels(q)))


def _predict(ns, kind, W, b, X, text_labels):
    """predict(net, X, text_labels) with a linear net"""
    from torch import nn

    if kind == "module":
        net = nn.Linear(W.shape[0], W.shape[1], dtype=W.dtype, device=W.device)
        with torch.no_grad():
            net.weight.copy_(W.T)
            net.bias.copy_(b)
    else:
        def net(X):
            return X @ W + b
    return ns["predict"](net, X, text_labels)


def _predict_scores(ns, scores, text_labels):
    """predict(net, X, text_labels) with a net that returns its input X (class scores) unchanged"""
    def net(X):
        return X

    return ns["predict"](net, scores, text_labels)


def run_predict(student, kind, W, b, X, labels):
    try:
        return student.run(_predict, kind, W, b, X, labels)
    except AssertionError as error:
        if kind == "function" and "has no attribute 'eval'" in str(error):
            fail(f"{error}\n(net may be a plain function: call net.eval() only when "
                 f"isinstance(net, torch.nn.Module))")
        raise


def reference_net(kind, W, b):
    if kind == "module":
        net = torch.nn.Linear(W.shape[0], W.shape[1], dtype=W.dtype, device=W.device)
        with torch.no_grad():
            net.weight.copy_(W.T)
            net.bias.copy_(b)
        return net
    return lambda X: X @ W + b


def expect_labels(got, expected, outputs, labels, **inputs):
    """``got`` holds the ``expected`` strings (a tuple is accepted here); common mistakes get their own message."""
    if isinstance(got, torch.Tensor) or (isinstance(got, (list, tuple)) and got
                                         and all(isinstance(v, (int, torch.Tensor)) for v in got)):
        fail(f"{CALL} returned {describe(got)}, class indices; return the text labels, "
             f"[text_labels[i] for i in predicted indices]\n  expected = {expected!r}", **inputs)
    if not isinstance(got, (list, tuple)):
        fail(f"{CALL} should return a list of strings, one per row of X, but returned {describe(got)}", **inputs)
    if len(got) != len(expected):
        fail(f"{CALL} returned {len(got)} labels for {len(expected)} rows of X; return one label per row "
             f"(argmax over dim 1 of net(X))\n  expected = {expected!r}\n  got = {describe(got)}", **inputs)
    if list(got) == expected:
        return
    if outputs.dim() == 2 and outputs.shape[0] == outputs.shape[1]:
        by_column = [labels[i] for i in outputs.argmax(dim=0).tolist()]
        if list(got) == by_column:
            fail(f"{CALL} returned {list(got)!r}, expected {expected!r}: take the argmax over dim 1 (each row of "
                 f"net(X) holds one example's class scores), not over dim 0", **inputs)
    fail(f"{CALL} returned {describe(got)}, expected {expected!r} (text_labels[i] for the argmax i of each row "
         f"of net(X))", **inputs)


@points(2)
@given(problem=linear_problems(), kind=st.sampled_from(["module", "function"]))
def test_matches_reference(student, device, problem, kind):
    """predict gives the reference labels for nn.Module and plain-function nets."""
    W, b, X = (problem[k].to(device) for k in ("W", "b", "X"))
    labels = problem["text_labels"]
    net = reference_net(kind, W, b)
    expected = d2l.predict(net, X, labels)
    with torch.no_grad():
        outputs = net(X)
    got = run_predict(student, kind, W, b, X, labels)
    expect_labels(got, expected, outputs, labels, net="X @ W + b", W=W, b=b, X=X, text_labels=labels)


@points(1)
@given(problem=linear_problems())
def test_returns_list_of_str(student, problem):
    """predict returns a list of Python strings (the right ones), one per row of X."""
    labels = problem["text_labels"]
    got = run_predict(student, "function", problem["W"], problem["b"], problem["X"], labels)
    expect(type(got) is list and all(type(v) is str for v in got),
           f"{CALL} returned {describe(got)}; return a list of str, e.g. [text_labels[int(i)] for i in preds]",
           net="X @ W + b", W=problem["W"], b=problem["b"], X=problem["X"], text_labels=labels)
    net = reference_net("function", problem["W"], problem["b"])
    expect_labels(got, d2l.predict(net, problem["X"], labels), net(problem["X"]), labels,
                  net="X @ W + b", W=problem["W"], b=problem["b"], X=problem["X"], text_labels=labels)


@st.composite
def square_scores(draw):
    n = draw(shapes_2d(min_rows=2, max_rows=8, square=True))[0]
    return draw(scores(n, n)), draw(text_labels(n))


@points(1)
@given(problem=square_scores())
def test_argmax_over_rows(student, problem):
    """With square outputs net(X) the prediction is each row's argmax (dim 1), not each column's."""
    outputs, labels = problem
    assume(not torch.equal(outputs.argmax(dim=0), outputs.argmax(dim=1)))
    expected = d2l.predict(lambda X: X, outputs, labels)
    got = student.run(_predict_scores, outputs, labels)
    expect_labels(got, expected, outputs, labels, net_X=outputs, text_labels=labels)
