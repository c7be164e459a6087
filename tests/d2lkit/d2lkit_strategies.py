"""Hypothesis strategies and helpers shared by the d2lkit tests."""
import numpy as np
import torch
from hypothesis import settings, strategies as st
from hypothesis.extra import numpy as hnp

SETTINGS = settings(max_examples=30, deadline=None)
DTYPES = [torch.float32, torch.float64]
# Devices every reference must preserve; "meta" tensors carry no data, so any
# tensor a function builds on the CPU by mistake makes it fail there.
DEVICES = ['cpu', 'meta'] + (['cuda'] if torch.cuda.is_available() else [])
TOL = {torch.float32: dict(rtol=1e-5, atol=1e-6), torch.float64: dict(rtol=1e-12, atol=1e-14)}


def tensors(dtype, shape, bound=30.0):
    """Tensors of `dtype` and `shape` with finite entries in [-bound, bound]."""
    np_dtype, width = (np.float32, 32) if dtype == torch.float32 else (np.float64, 64)
    elems = st.floats(-bound, bound, width=width, allow_nan=False, allow_infinity=False)
    return hnp.arrays(np_dtype, shape, elements=elems).map(torch.from_numpy)


@st.composite
def matrices(draw, dtype=torch.float32, min_side=1, max_side=8, bound=30.0, square=False):
    """2-D tensors of `dtype` (square ones if asked) with entries in [-bound, bound]."""
    rows = draw(st.integers(min_side, max_side))
    cols = rows if square else draw(st.integers(min_side, max_side))
    return draw(tensors(dtype, (rows, cols), bound))


@st.composite
def logits_and_labels(draw, dtype=torch.float32, min_classes=1):
    """(logits (n, q), int64 labels (n,) in [0, q)) with q >= min_classes."""
    Z = draw(matrices(dtype, bound=20.0).filter(lambda Z: Z.shape[1] >= min_classes))
    labels = draw(st.lists(st.integers(0, Z.shape[1] - 1), min_size=Z.shape[0], max_size=Z.shape[0]))
    return Z, torch.tensor(labels, dtype=torch.int64)
