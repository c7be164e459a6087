"""Hidden suite for accuracy(y_hat, y): the number of correct predictions as a Python float."""
import torch
from hypothesis import assume, given, strategies as st

import d2lkit as d2l
from autograder.strategies import labels, scores, shapes_2d
from autograder.suite import describe, expect, fail, points

CALL = "accuracy(y_hat, y)"


@st.composite
def predictions(draw, square=None, min_n=1):
    """(y_hat, y): class scores (n, q) without ties, q >= 2, and labels (n,) that are right about half the time."""
    n, q = draw(shapes_2d(min_rows=min_n, max_rows=10, min_cols=2, max_cols=10, square=square))
    y_hat = draw(scores(n, q))
    if draw(st.booleans()):
        y_hat = y_hat.t().contiguous().t()  # same values, column-major storage
    hits = torch.tensor(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    y = torch.where(hits, y_hat.argmax(dim=1), draw(labels(n, q)))
    return y_hat, y


def number(value):
    """A returned count as a Python float, or None when it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.dtype.is_complex:
        return float(value.detach().cpu().reshape(()).item())
    return None


def expect_count(got, y_hat, y):
    """``got`` is the reference's number of correct predictions (a 0-dim tensor is accepted here)."""
    expected = d2l.accuracy(y_hat, y)
    value = number(got)
    inputs = dict(y_hat=y_hat, y=y)
    if value is None:
        fail(f"{CALL} should return the number of correct predictions as a Python float, but returned "
             f"{describe(got)}", **inputs)
    if value == expected:
        return
    n = len(y)
    if n > 1 and abs(value - expected / n) < 1e-6:
        fail(f"{CALL} returned {value:g}, the fraction of correct predictions; return their NUMBER "
             f"({expected:g}): evaluate_accuracy divides by the number of examples itself", **inputs)
    if y_hat.dim() == 2 and y_hat.shape[0] == y_hat.shape[1] and n > 1:
        by_column = float((y_hat.argmax(dim=0).cpu() == y.cpu()).sum())
        if value == by_column:
            fail(f"{CALL} returned {value:g}, expected {expected:g}: take the argmax over dim 1 (each row holds "
                 f"one example's class scores), not over dim 0", **inputs)
    fail(f"{CALL} returned {value:g}, expected {expected:g} correct predictions (the predicted class of row i "
         f"is y_hat[i].argmax())", **inputs)


@points(2)
@given(batch=predictions())
def test_counts_correct_predictions(student, device, batch):
    """accuracy(y_hat, y) counts the rows whose argmax equals the label, as the reference does."""
    y_hat, y = (t.to(device) for t in batch)
    expect_count(student.accuracy(y_hat, y), y_hat, y)


@points(1)
@given(batch=predictions())
def test_returns_python_float(student, batch):
    """accuracy returns a Python float (not a tensor or an int), so counts add up across batches."""
    y_hat, y = batch
    got = student.accuracy(y_hat, y)
    expect(type(got) is float,
           f"{CALL} returned {describe(got)}; return a Python float, e.g. float(correct.sum())",
           y_hat=y_hat, y=y)
    expect_count(got, y_hat, y)


@points(1)
@given(batch=predictions(square=True, min_n=2))
def test_argmax_over_rows(student, batch):
    """On square y_hat the prediction is the argmax of each row (dim 1), not of each column."""
    y_hat, y = batch
    assume(float((y_hat.argmax(dim=0) == y).sum()) != d2l.accuracy(y_hat, y))
    expect_count(student.accuracy(y_hat, y), y_hat, y)


@points(1)
@given(batch=predictions(), label_dtype=st.sampled_from([torch.int64, torch.int32, torch.float32]))
def test_accepts_predicted_labels(student, batch, label_dtype):
    """A 1-D y_hat holds predicted labels already: accuracy counts where it equals y."""
    scores_, y = batch
    y_hat = scores_.argmax(dim=1).to(label_dtype)
    expect_count(student.accuracy(y_hat, y), y_hat, y)
