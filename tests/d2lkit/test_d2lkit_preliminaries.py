"""Tests of d2lkit.preliminaries against independent oracles (torch.linalg, torch.cdist, autograd, hand-made tables)."""
import math

import pandas as pd
import pytest
import torch
from hypothesis import given, strategies as st

import d2lkit as d2l
from d2lkit_strategies import DEVICES, DTYPES, SETTINGS, TOL, matrices, tensors


@SETTINGS
@given(X=matrices(torch.float64, bound=10.0).map(lambda X: X.abs() + 0.1))
def test_normalize_rows_rows_sum_to_one(X):
    """normalize_rows divides each row by its own sum (rows sum to 1, ratios within a row kept)."""
    Y = d2l.normalize_rows(X)
    assert torch.allclose(Y.sum(dim=1), torch.ones(len(X), dtype=X.dtype), **TOL[X.dtype])
    assert torch.allclose(Y * X[:, :1], X * Y[:, :1], **TOL[X.dtype])


def test_normalize_rows_square_uses_row_sums():
    """On a square matrix each row is divided by its row sum, not by the sum of the row with the column's index."""
    X = torch.tensor([[1.0, 3.0], [2.0, 2.0]])
    assert torch.equal(d2l.normalize_rows(X), torch.tensor([[0.25, 0.75], [0.5, 0.5]]))


@pytest.mark.parametrize('dtype', DTYPES)
@SETTINGS
@given(data=st.data())
def test_pairwise_sq_dists_matches_cdist(dtype, data):
    """pairwise_sq_dists equals torch.cdist(X, Y) ** 2 and is never negative."""
    n, m, d = (data.draw(st.integers(1, 6)) for _ in range(3))
    X = data.draw(tensors(dtype, (n, d), bound=5.0))
    Y = data.draw(tensors(dtype, (m, d), bound=5.0))
    D = d2l.pairwise_sq_dists(X, Y)
    assert D.shape == (n, m) and D.dtype == dtype and (D >= 0).all()
    oracle = torch.cdist(X.double(), Y.double()) ** 2
    assert torch.allclose(D.double(), oracle, rtol=1e-5, atol=1e-4 if dtype == torch.float32 else 1e-10)


@pytest.mark.parametrize('dtype', DTYPES)
@SETTINGS
@given(data=st.data())
def test_matrix_norms_match_linalg(dtype, data):
    """matrix_norms gives the row L1 and L2 norms and the Frobenius norm of torch.linalg."""
    X = data.draw(matrices(dtype, bound=10.0))
    l1, l2, fro = d2l.matrix_norms(X)
    assert fro.shape == () and l1.shape == l2.shape == (X.shape[0],)
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == torch.float32 else TOL[dtype]
    assert torch.allclose(l1, torch.linalg.vector_norm(X, ord=1, dim=1), **tol)
    assert torch.allclose(l2, torch.linalg.vector_norm(X, ord=2, dim=1), **tol)
    assert torch.allclose(fro, torch.linalg.matrix_norm(X, ord='fro'), **tol)


@pytest.mark.parametrize('shape', [(1,), (4,), (2, 3)])
def test_numerical_grad_agrees_with_autograd(shape):
    """Central differences agree with autograd to about h**2 in float64, and x is left unchanged."""
    torch.manual_seed(0)
    x = torch.randn(shape, dtype=torch.float64)
    before = x.clone()
    f = lambda v: (torch.sin(v) * v ** 2).sum()  # noqa: E731
    expected = torch.autograd.functional.jacobian(f, x)
    assert torch.allclose(d2l.numerical_grad(f, x), expected, rtol=1e-8, atol=1e-8)
    assert torch.equal(x, before)


def test_numerical_grad_is_the_central_quotient():
    """For a cubic the central quotient is exactly 3 x ** 2 + h ** 2, also for a non-contiguous x."""
    x = torch.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=torch.float64).T
    g = d2l.numerical_grad(lambda v: (v ** 3).sum(), x, 0.1)
    assert torch.allclose(g, 3 * x ** 2 + 0.01, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize('device', [d for d in DEVICES if d != 'meta'])
def test_numerical_and_autograd_grad_keep_device_and_dtype(device):
    """Both gradient functions return x's dtype and device."""
    x = torch.linspace(-1, 1, 5, dtype=torch.float64, device=device)
    f = lambda v: (v ** 3).sum()  # noqa: E731
    for g in (d2l.numerical_grad(f, x), d2l.autograd_grad(f, x)):
        assert g.device.type == device and g.dtype == torch.float64 and g.shape == x.shape


def test_autograd_grad_through_control_flow_leaves_x_alone():
    """The book's f (a while loop and an if) has gradient k * ones, with k a power of 2 or 100 times one."""
    def f(a):
        b = a * 2
        while torch.sqrt((b * b).sum()) < 1000:
            b = b * 2
        c = b if b.sum() > 0 else 100 * b
        return c.sum()

    for sign in (1.0, -1.0):
        x = torch.tensor([0.3, 0.2, 0.1], dtype=torch.float64, requires_grad=True) * sign
        x = x.detach().requires_grad_(True)
        g = d2l.autograd_grad(f, x)
        k = g[0].item() / (1 if sign > 0 else 100)
        assert torch.equal(g, torch.full_like(g, g[0].item())) and math.log2(k) == int(math.log2(k))
        assert x.grad is None and x.requires_grad and not g.requires_grad
        assert torch.equal(g, d2l.autograd_grad(f, x))


def test_impute_and_encode_book_table():
    """The book's house table: NumRooms mean-filled, RoofType one-hot with RoofType_nan; the input unchanged."""
    df = pd.DataFrame({'NumRooms': [None, 2.0, 4.0, None], 'RoofType': [None, None, 'Slate', None],
                       'Price': [127500, 106000, 178100, 140000]})
    before = df.copy()
    out = d2l.impute_and_encode(df)
    assert list(out.columns) == ['NumRooms', 'Price', 'RoofType_Slate', 'RoofType_nan']
    assert out['NumRooms'].tolist() == [3.0, 2.0, 4.0, 3.0]
    assert out['RoofType_Slate'].tolist() == [0, 0, 1, 0] and out['RoofType_nan'].tolist() == [1, 1, 0, 1]
    assert df.equals(before)
    values = torch.tensor(out.to_numpy(dtype=float))
    assert values.shape == (4, 4) and not values.isnan().any()


def test_impute_and_encode_indicator_without_missing_text():
    """A text column without missing values still gets its all-zero _nan column; categories are one-hot."""
    df = pd.DataFrame({'Alley': ['Pave', 'Grvl', 'Pave'], 'Area': [1.0, None, 5.0]})
    out = d2l.impute_and_encode(df)
    assert sorted(out.columns) == ['Alley_Grvl', 'Alley_Pave', 'Alley_nan', 'Area']
    assert out['Alley_nan'].tolist() == [0, 0, 0] and out['Area'].tolist() == [1.0, 3.0, 5.0]
    assert (out[['Alley_Grvl', 'Alley_Pave', 'Alley_nan']].sum(axis=1) == 1).all()


@pytest.mark.parametrize('device', DEVICES)
def test_scaled_add_keeps_storage(device):
    """scaled_add_ updates Y in its own memory (also a transposed view) with a broadcast X and returns Y."""
    Y = torch.zeros(3, 2, dtype=torch.float64, device=device).T
    X = torch.ones(3, dtype=torch.float64, device=device)
    address, strides = Y.data_ptr(), Y.stride()
    out = d2l.scaled_add_(Y, X, 0.5)
    assert out is Y and Y.data_ptr() == address and Y.stride() == strides
    if device != 'meta':
        assert torch.equal(Y, torch.full((2, 3), 0.5, dtype=torch.float64, device=device))


@pytest.mark.parametrize('dtype', DTYPES)
@SETTINGS
@given(data=st.data())
def test_standardize_columns_matches_pandas(dtype, data):
    """standardize_columns equals pandas' (x - x.mean()) / x.std() per column (unbiased std)."""
    X = data.draw(matrices(dtype, min_side=2, bound=10.0).filter(lambda X: bool((X.double().std(0) > 0.5).all())))
    df = pd.DataFrame(X.double().numpy())
    oracle = torch.tensor(((df - df.mean()) / df.std()).to_numpy())
    Z = d2l.standardize_columns(X)
    assert Z.dtype == dtype and Z.shape == X.shape
    assert torch.allclose(Z.double(), oracle, rtol=1e-4 if dtype == torch.float32 else 1e-10, atol=1e-5)
