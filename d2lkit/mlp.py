"""Multilayer perceptrons and regularization (book part: "Multilayer perceptrons").

Activation functions written from ``exp``, an MLP forward pass from a list of
parameters, inverted dropout, the L2 penalty and a training step with weight
decay, K-fold splits, Xavier initialization, and the log RMSE of the Kaggle
house-price prediction with its data set (``kaggle_house_pred_*.csv``).
"""
import io
import math

import numpy as np
import torch

from .data import DATA_HUB, download, register_local_file

__all__ = ['relu', 'sigmoid', 'tanh', 'mlp', 'dropout_layer', 'l2_penalty', 'train_step_weight_decay',
           'get_k_fold_data', 'xavier_uniform_', 'log_rmse', 'load_data_house_prices',
           'make_tiny_house_prices']

_D2L_DATA_URL = 'http://d2l-data.s3-accelerate.amazonaws.com/'
DATA_HUB['kaggle_house_pred_train.csv'] = (_D2L_DATA_URL + 'kaggle_house_pred_train.csv',
                                           'sha1:585e9cc93e70b39160e7921475f9bcd7d31219ce')
DATA_HUB['kaggle_house_pred_test.csv'] = (_D2L_DATA_URL + 'kaggle_house_pred_test.csv',
                                          'sha1:fa19780a7b011d9b009e8bff8e99922a8ee2eb90')


def relu(X):
    """Elementwise ``max(X, 0)``, same shape, dtype and device as X.

    The gradient is 1 where X > 0 and 0 where X <= 0 (at exactly 0 it is 0,
    as for ``torch.relu``), which ``torch.where`` on ``X > 0`` gives.
    """
    return torch.where(X > 0, X, torch.zeros_like(X))


def sigmoid(X):
    """Elementwise ``1 / (1 + exp(-X))``, finite with finite gradients for any |X|.

    Each branch exponentiates a non-positive number only: ``1 / (1 + exp(-x))``
    for x >= 0 and ``exp(x) / (1 + exp(x))`` for x < 0. The branches see the
    input masked to their own side, so the branch that is not taken produces
    no inf (whose zero gradient would otherwise become NaN).
    """
    positive = X >= 0
    pos = torch.where(positive, X, torch.zeros_like(X))
    neg = torch.where(positive, torch.zeros_like(X), X)
    e_neg = torch.exp(neg)
    return torch.where(positive, 1 / (1 + torch.exp(-pos)), e_neg / (1 + e_neg))


def tanh(X):
    """Elementwise ``(1 - exp(-2X)) / (1 + exp(-2X))``, finite with finite gradients for any |X|.

    Same two-branch trick as :func:`sigmoid`: for x < 0 use the odd symmetry
    ``tanh(x) = -tanh(-x)``, so only ``exp`` of non-positive numbers is taken.
    """
    positive = X >= 0
    pos = torch.where(positive, X, torch.zeros_like(X))
    neg = torch.where(positive, torch.zeros_like(X), X)
    e_pos, e_neg = torch.exp(-2 * pos), torch.exp(2 * neg)
    return torch.where(positive, (1 - e_pos) / (1 + e_pos), (e_neg - 1) / (e_neg + 1))


def mlp(X, params):
    """Forward pass of an MLP given its parameters ``[W1, b1, W2, b2, ..., Wk, bk]``.

    X is reshaped to (-1, W1.shape[0]) (images flatten); each hidden layer
    computes ``H = relu(H @ W + b)``; the last layer is affine without an
    activation. Returns (n, Wk.shape[1]).
    """
    H = X.reshape(-1, params[0].shape[0])
    layers = len(params) // 2
    for k in range(layers):
        H = H @ params[2 * k] + params[2 * k + 1]
        if k < layers - 1:
            H = relu(H)
    return H


def dropout_layer(X, dropout):
    """Inverted dropout: zero each element with probability ``dropout``, scale survivors by 1 / (1 - dropout).

    ``dropout == 0`` returns X's values unchanged, ``dropout == 1`` returns
    zeros (no division by zero). The mask is drawn on X's device; the
    result keeps X's shape and dtype; X is not modified.
    """
    assert 0 <= dropout <= 1
    if dropout == 1:
        return torch.zeros_like(X)
    if dropout == 0:
        return X.clone()
    mask = (torch.rand(X.shape, device=X.device) > dropout).to(X.dtype)
    return mask * X / (1.0 - dropout)


def l2_penalty(w):
    """Half the sum of the squares of w's entries, as a 0-dim tensor: ``(w ** 2).sum() / 2``."""
    return (w ** 2).sum() / 2


def train_step_weight_decay(X, y, w, b, lambd, lr):
    """One gradient-descent step on a linear regression with weight decay, in place.

    Objective: ``mean_i (X[i] @ w + b - y[i]) ** 2 / 2 + lambd * (w ** 2).sum() / 2``
    (the bias is not penalised). X (n, d), y (n, 1), w (d, 1), b (1,), with w and
    b leaf tensors that require gradients. Updates ``w -= lr * grad_w`` and
    ``b -= lr * grad_b`` in place under ``torch.no_grad()``, then clears their
    gradients. Returns the objective before the update as a Python float.
    """
    loss = ((X @ w + b - y.reshape(-1, 1)) ** 2 / 2).mean() + lambd * l2_penalty(w)
    if w.grad is not None:
        w.grad.zero_()
    if b.grad is not None:
        b.grad.zero_()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
    return float(loss.detach())


def get_k_fold_data(k, i, X, y):
    """Split (X, y) for fold ``i`` of K-fold cross-validation: ``(X_train, y_train, X_valid, y_valid)``.

    With ``n = X.shape[0]`` and ``fold_size = n // k`` (``2 <= k <= n``), fold j
    holds rows ``j * fold_size`` up to ``(j + 1) * fold_size`` for j < k - 1,
    and the last fold (j = k - 1) holds every remaining row, from
    ``(k - 1) * fold_size`` to n (so it is the largest when k does not divide
    n; no row is dropped). Fold i is the validation set; the other folds,
    concatenated in their original row order, are the training set. y is
    split in the same way; results stay on the inputs' device and dtype.
    """
    n = X.shape[0]
    fold_size = n // k
    start = i * fold_size
    stop = n if i == k - 1 else start + fold_size
    X_train = torch.cat([X[:start], X[stop:]], dim=0)
    y_train = torch.cat([y[:start], y[stop:]], dim=0)
    return X_train, y_train, X[start:stop], y[start:stop]


def xavier_uniform_(tensor, gain=1.0):
    """Fill ``tensor`` in place with draws from U(-a, a), ``a = gain * sqrt(6 / (fan_in + fan_out))``; return it.

    ``tensor`` has at least 2 dims: (fan_out, fan_in) for a linear layer's
    weight ((out_features, in_features)), and (out_channels, in_channels, *kernel)
    for a convolution's, where both fans are multiplied by the receptive field
    size ``prod(kernel)``. Works on parameters that require gradients (the fill
    happens under ``torch.no_grad()``); dtype and device are kept.
    """
    receptive = math.prod(tensor.shape[2:])
    fan_in, fan_out = tensor.shape[1] * receptive, tensor.shape[0] * receptive
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)


def log_rmse(preds, labels):
    """Root mean squared error between ``log(max(preds, 1))`` and ``log(labels)``, as a Python float.

    preds and labels have the same shape (e.g. (n, 1)); labels are positive.
    Predictions below 1 are clamped to 1 before the log (so negative or
    zero predictions give no NaN or inf); labels are not clamped.
    """
    clipped = torch.clamp(preds, min=1)
    return float(torch.sqrt(((torch.log(clipped) - torch.log(labels)) ** 2).mean()))


def load_data_house_prices():
    """The Kaggle house-price data set, preprocessed as in the book.

    Returns ``(train_features, test_features, train_labels, test_ids)``: float32
    tensors (n_train, d) and (n_test, d), float32 labels (n_train, 1) (the
    SalePrice column), and the test set's Id column as a list of ints. Numeric
    features are standardised with the mean and standard deviation over train
    and test together and missing values set to 0; categorical features become
    one-hot indicator columns (with one for missing values).
    """
    import pandas as pd
    train = pd.read_csv(download('kaggle_house_pred_train.csv'))
    test = pd.read_csv(download('kaggle_house_pred_test.csv'))
    features = pd.concat((train.iloc[:, 1:-1], test.iloc[:, 1:]))
    numeric = features.select_dtypes(include='number').columns  # (pandas 3 reads text as 'str', not 'object')
    features[numeric] = features[numeric].apply(lambda x: (x - x.mean()) / x.std())
    features[numeric] = features[numeric].fillna(0)
    features = pd.get_dummies(features, dummy_na=True)
    n_train = train.shape[0]
    values = features.values.astype(np.float32)
    return (torch.tensor(values[:n_train]), torch.tensor(values[n_train:]),
            torch.tensor(train.SalePrice.values.reshape(-1, 1), dtype=torch.float32),
            [int(i) for i in test.Id])


def make_tiny_house_prices(folder, n_train=60, n_test=20, seed=0):
    """Write tiny ``kaggle_house_pred_{train,test}.csv`` files and register them in ``folder/hub.json``.

    Same layout as the real files (Id first, SalePrice last in the training
    file, numeric and categorical columns with missing values), so
    :func:`load_data_house_prices` works offline with ``D2LKIT_DATA=folder``.
    The price grows with the area and quality, so models can learn something.
    Returns ``folder``.
    """
    rng = np.random.default_rng(seed)
    zones = np.array(['RL', 'RM', 'FV', 'RH'])
    for name, n, first_id in (('train', n_train, 1), ('test', n_test, n_train + 1)):
        area = rng.integers(1500, 20000, n).astype(float)
        quality = rng.integers(1, 11, n)
        zone = zones[rng.integers(0, len(zones), n)].astype(object)
        frontage = rng.integers(20, 120, n).astype(float)
        frontage[rng.random(n) < 0.15] = np.nan
        zone[rng.random(n) < 0.1] = None
        rows = {'Id': np.arange(first_id, first_id + n), 'MSZoning': zone, 'LotFrontage': frontage,
                'LotArea': area, 'OverallQual': quality}
        if name == 'train':
            rows['SalePrice'] = np.round(30000 + 8 * area + 15000 * quality + rng.normal(0, 8000, n))
        import pandas as pd
        buffer = io.StringIO()
        pd.DataFrame(rows).to_csv(buffer, index=False)
        register_local_file(folder, f'kaggle_house_pred_{name}.csv', buffer.getvalue().encode())
    return folder
