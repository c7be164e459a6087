"""Hypothesis strategies shared by the hidden suites."""
from __future__ import annotations

import hypothesis.strategies as st
import torch

FLOAT_DTYPES = (torch.float32, torch.float64)


def dtypes():
    return st.sampled_from(FLOAT_DTYPES)


@st.composite
def tensors(draw, shape, dtype=None, min_value=-10.0, max_value=10.0, noncontiguous=None):
    """A float tensor of ``shape`` with values in [min_value, max_value].

    Values are drawn from a seeded generator (fast for big tensors, and
    shrinks to small seeds). ``noncontiguous`` (drawn when None) returns a
    transposed view of a tensor with the axes reversed.
    """
    dtype = dtype or draw(dtypes())
    seed = draw(st.integers(0, 2**31 - 1))
    generator = torch.Generator().manual_seed(seed)
    if noncontiguous is None:
        noncontiguous = len(shape) >= 2 and draw(st.booleans())
    storage_shape = tuple(reversed(shape)) if noncontiguous else tuple(shape)
    values = torch.rand(storage_shape, generator=generator, dtype=torch.float64)
    values = (min_value + (max_value - min_value) * values).to(dtype)
    if noncontiguous:
        values = values.permute(*reversed(range(len(shape))))
    return values


def shapes_2d(min_rows=1, max_rows=8, min_cols=1, max_cols=8, square=None):
    """(rows, cols); square shapes are drawn often, to catch wrong-axis bugs."""
    square_shapes = st.integers(max(min_rows, min_cols), min(max_rows, max_cols)).map(lambda n: (n, n))
    any_shapes = st.tuples(st.integers(min_rows, max_rows), st.integers(min_cols, max_cols))
    if square is True:
        return square_shapes
    if square is False:
        return any_shapes.filter(lambda s: s[0] != s[1])
    return st.one_of(square_shapes, any_shapes)


@st.composite
def matrices(draw, min_rows=1, max_rows=8, min_cols=1, max_cols=8, square=None, **kwargs):
    return draw(tensors(draw(shapes_2d(min_rows, max_rows, min_cols, max_cols, square)), **kwargs))


@st.composite
def labels(draw, n, num_classes):
    """int64 labels in [0, num_classes) of shape (n,)."""
    seed = draw(st.integers(0, 2**31 - 1))
    return torch.randint(0, num_classes, (n,), generator=torch.Generator().manual_seed(seed))


@st.composite
def probabilities(draw, n, num_classes, dtype=None):
    """Rows of a (n, num_classes) matrix of strictly positive probabilities."""
    logits = draw(tensors((n, num_classes), dtype=dtype, min_value=-4.0, max_value=4.0, noncontiguous=False))
    return torch.softmax(logits, dim=1)


@st.composite
def scores(draw, n, num_classes, dtype=None):
    """(n, num_classes) class scores without ties in any row, so each row has one clear argmax.

    The values of a row are a shuffled 0, 1, ..., num_classes - 1 plus noise
    in [0, 0.5), scaled and shifted: a correct solution gets the same
    prediction whether it uses ``argmax`` or ``max``, in any dtype.
    """
    dtype = dtype or draw(dtypes())
    seed = draw(st.integers(0, 2**31 - 1))
    generator = torch.Generator().manual_seed(seed)
    ranks = torch.rand((n, num_classes), generator=generator).argsort(dim=1).to(torch.float64)
    noise = 0.5 * torch.rand((n, num_classes), generator=generator, dtype=torch.float64)
    scale = draw(st.sampled_from([0.5, 1.0, 3.0]))
    return ((ranks + noise - num_classes / 2) * scale).to(dtype)
