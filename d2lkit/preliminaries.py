"""Preliminaries (book part: "Preliminaries"): broadcasting, norms, gradients, data preprocessing."""
import torch

__all__ = ['normalize_rows', 'standardize_columns', 'pairwise_sq_dists', 'matrix_norms', 'numerical_grad',
           'autograd_grad', 'impute_and_encode', 'scaled_add_']


def normalize_rows(X):
    """Divide each row of a 2-D tensor X by its sum: ``X / X.sum(dim=1, keepdim=True)``.

    Every row of the result sums to 1. Shape, dtype and device are X's; X is not modified.
    """
    return X / X.sum(dim=1, keepdim=True)


def standardize_columns(X):
    """Standardise each column of X (n, d), n >= 2: ``(X - mean) / std`` over dim 0, unbiased std (n - 1).

    Like the book's ``(x - x.mean()) / x.std()`` per feature column (pandas' std divides by n - 1).
    Every column of the result has mean 0 and unbiased standard deviation 1; X is not modified.
    """
    return (X - X.mean(dim=0, keepdim=True)) / X.std(dim=0, keepdim=True)


def pairwise_sq_dists(X, Y):
    """Squared Euclidean distances ``D[i, j] = sum_k (X[i, k] - Y[j, k]) ** 2`` for X (n, d), Y (m, d) -> (n, m).

    Computed by broadcasting (n, 1, d) against (1, m, d): exact up to rounding, and never negative.
    """
    diff = X.unsqueeze(1) - Y.unsqueeze(0)
    return (diff * diff).sum(dim=2)


def matrix_norms(X):
    """``(l1, l2, fro)`` of a 2-D tensor X (n, d) from elementary operations.

    l1: shape (n,), the L1 norm of each row, ``|X|.sum(dim=1)``;
    l2: shape (n,), the L2 norm of each row, ``sqrt((X ** 2).sum(dim=1))``;
    fro: 0-dim, the Frobenius norm ``sqrt((X ** 2).sum())``.
    """
    squares = X * X
    return X.abs().sum(dim=1), squares.sum(dim=1).sqrt(), squares.sum().sqrt()


def numerical_grad(f, x, h=1e-5):
    """Central-difference gradient of a scalar function f at x.

    ``g[i] = (f(x + h e_i) - f(x - h e_i)) / (2 h)`` for every element i of x
    (e_i the unit tensor of x's shape), returned with x's shape, dtype and
    device. ``f`` maps a tensor shaped like x to a 0-dim tensor (or a
    number). x itself is not modified (f sees perturbed copies).
    """
    base = x.detach()
    grad = torch.zeros(x.numel(), dtype=x.dtype, device=x.device)
    for i in range(x.numel()):
        step = torch.zeros(x.numel(), dtype=x.dtype, device=x.device)
        step[i] = h
        step = step.reshape(x.shape)
        plus, minus = f(base + step), f(base - step)
        grad[i] = (torch.as_tensor(plus, dtype=x.dtype) - torch.as_tensor(minus, dtype=x.dtype)) / (2 * h)
    return grad.reshape(x.shape)


def autograd_grad(f, x):
    """The gradient of a scalar function f at x, computed with autograd.

    f may use Python control flow (loops, ifs) that depends on x's values.
    Returns a tensor of x's shape, dtype and device that does not require
    grad. The caller's x is left as it was (values, ``requires_grad`` and
    ``.grad``), and repeated calls give the same result.
    """
    x = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(x), x)
    return grad


def impute_and_encode(df):
    """Fill missing numbers with their column's mean and one-hot encode the other columns (pandas).

    Numeric columns: NaN replaced by the mean of the column's present values.
    Other (string) columns: replaced by one 0/1 column per value, named
    ``<column>_<value>``, plus ``<column>_nan`` marking missing values
    (``pd.get_dummies(..., dummy_na=True)``). Returns a new DataFrame
    (numeric columns first, then the indicator columns, as get_dummies orders
    them); ``df`` is not modified.
    """
    import pandas as pd

    df = df.copy()
    numeric = df.select_dtypes(include='number').columns
    df[numeric] = df[numeric].fillna(df[numeric].mean())
    return pd.get_dummies(df, dummy_na=True, dtype=float)


def scaled_add_(Y, X, alpha):
    """In place: ``Y += alpha * X`` (X broadcast to Y's shape); returns Y itself, with its storage unchanged."""
    Y.add_(X, alpha=alpha)
    return Y
