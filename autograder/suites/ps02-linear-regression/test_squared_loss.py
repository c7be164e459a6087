"""Hidden suite for squared_loss(y_hat, y): (y_hat - y.reshape(y_hat.shape)) ** 2 / 2 per example, no reduction."""
import torch
from hypothesis import given, strategies as st

import d2lkit as d2l
from autograder.strategies import dtypes, tensors
from autograder.suite import expect, expect_close, expect_tensor_like, fail, points


@st.composite
def _column(draw, n, dtype, noncontiguous=None):
    """A (n, 1) tensor; when non-contiguous, a column of a (n, 2) matrix."""
    if noncontiguous is None:
        noncontiguous = draw(st.booleans())
    if noncontiguous:
        return draw(tensors((n, 2), dtype=dtype, noncontiguous=False))[:, 1:]
    return draw(tensors((n, 1), dtype=dtype, noncontiguous=False))


@st.composite
def _shaped(draw, shape, dtype):
    """A tensor of ``shape``; a (n, 1) one is sometimes a (non-contiguous) column of a wider matrix."""
    if len(shape) == 2 and shape[1] == 1:
        return draw(_column(shape[0], dtype))
    return draw(tensors(shape, dtype=dtype))


@st.composite
def _pairs(draw, min_n=1, max_n=12, dtype=None, prediction_shapes=("column", "column", "flat", "square"),
           label_shapes=("same", "flat", "column")):
    """(y_hat, y): y_hat of shape (n, 1), (n,) or (k, k); y with as many elements, shaped like y_hat, flat or a column."""
    dtype = dtype or draw(dtypes())
    kind = draw(st.sampled_from(prediction_shapes))
    if kind == "square":
        k = draw(st.integers(max(1, min_n), 4))
        shape = (k, k)
    else:
        n = draw(st.integers(min_n, max_n))
        shape = (n, 1) if kind == "column" else (n,)
    numel = shape[0] * (shape[1] if len(shape) == 2 else 1)
    label_shape = {"same": shape, "flat": (numel,), "column": (numel, 1)}[draw(st.sampled_from(label_shapes))]
    return draw(_shaped(shape, dtype)), draw(_shaped(label_shape, dtype))


def _expect_loss(got, y_hat, y):
    call = "squared_loss(y_hat, y)"
    expected = d2l.squared_loss(y_hat, y)
    if isinstance(got, torch.Tensor) and got.shape != expected.shape:
        shapes = f"y_hat of shape {tuple(y_hat.shape)} and y of shape {tuple(y.shape)}"
        try:
            broadcast = tuple(torch.broadcast_shapes(y_hat.shape, y.shape))
        except RuntimeError:
            broadcast = None
        if got.dim() == 0 or (expected.numel() > 1 and got.numel() == 1):
            fail(f"{call} returned a single number (shape {tuple(got.shape)}), expected one loss per example, "
                 f"shape {tuple(expected.shape)}: do not take the mean or the sum", y_hat=y_hat, y=y)
        if tuple(got.shape) == broadcast:
            fail(f"{call} returned shape {broadcast}, expected {tuple(expected.shape)}: {shapes} broadcast to "
                 f"{broadcast} when subtracted; reshape y like y_hat first (y.reshape(y_hat.shape))",
                 y_hat=y_hat, y=y)
        if got.shape == y.shape:
            fail(f"{call} returned shape {tuple(got.shape)} (y's shape), expected {tuple(expected.shape)}: the "
                 f"loss has y_hat's shape, so reshape y like y_hat (y.reshape(y_hat.shape)), not y_hat like y",
                 y_hat=y_hat, y=y)
    expect_tensor_like(got, expected, call, y_hat=y_hat, y=y)
    rtol, atol = (1e-4, 1e-5) if expected.dtype == torch.float32 else (1e-7, 1e-7)
    if not torch.allclose(got, expected, rtol=rtol, atol=atol) and torch.allclose(got, 2 * expected, rtol=rtol,
                                                                                  atol=atol):
        fail(f"{call} is twice the expected loss: the book's squared loss is (y_hat - y) ** 2 / 2", y_hat=y_hat, y=y)
    expect_close(got, expected, call, y_hat=y_hat, y=y)


@points(2)
@given(pair=_pairs())
def test_matches_reference(student, device, pair):
    """squared_loss(y_hat, y) equals (y_hat - y.reshape(y_hat.shape)) ** 2 / 2, unreduced, for y_hat (n, 1), (n,) or (k, k)."""
    y_hat, y = (t.to(device) for t in pair)
    _expect_loss(student.squared_loss(y_hat, y), y_hat, y)


@points(1)
@given(pair=_pairs(min_n=2, prediction_shapes=("column",), label_shapes=("flat",)))
def test_flat_labels_keep_shape(student, pair):
    """With y of shape (n,) and y_hat of shape (n, 1) the loss has shape (n, 1), not (n, n)."""
    y_hat, y = pair
    _expect_loss(student.squared_loss(y_hat, y), y_hat, y)


def _squared_loss_gradient(ns, y_hat, y, G):
    """the gradient of (squared_loss(y_hat, y) * G).sum() with respect to y_hat"""
    y_hat = y_hat.clone().requires_grad_(True)
    total = (ns["squared_loss"](y_hat, y) * G).sum()
    if not total.requires_grad:
        return None
    total.backward()
    return y_hat.grad


@points(1)
@given(pair=_pairs(dtype=torch.float64), data=st.data())
def test_gradient(student, pair, data):
    """Autograd through squared_loss(y_hat, y) gives the correct gradient for y_hat (float64)."""
    y_hat, y = pair
    G = data.draw(tensors(tuple(y_hat.shape), dtype=torch.float64, noncontiguous=False))
    expected = y_hat.clone().requires_grad_(True)
    (d2l.squared_loss(expected, y) * G).sum().backward()
    got = student.run(_squared_loss_gradient, y_hat, y, G)
    if got is None:
        fail("no gradient reached y_hat through squared_loss(y_hat, y): compute the loss from y_hat with tensor "
             "operations (no .detach(), .item(), .tolist(), torch.tensor(...) or torch.no_grad())", y_hat=y_hat, y=y)
    expect_close(got, expected.grad, "the gradient of (squared_loss(y_hat, y) * G).sum() with respect to y_hat",
                 y_hat=y_hat, y=y, G=G)


@points(1)
@given(pair=_pairs())
def test_does_not_modify_inputs(student, pair):
    """squared_loss(y_hat, y) is correct and leaves y_hat and y unchanged."""
    y_hat, y = pair
    result = student.call("squared_loss", y_hat, y, return_args=True)
    _expect_loss(result.value, y_hat, y)
    for name, before, after in zip(("y_hat", "y"), (y_hat, y), result.args):
        expect(isinstance(after, torch.Tensor) and after.shape == before.shape and torch.equal(after, before),
               f"squared_loss(y_hat, y) modified its input {name} in place; compute the loss in a new tensor "
               f"(y_hat - y, not y_hat -= y)", y_hat=y_hat, y=y)
