"""Tests of d2lkit.mlp against independent oracles (torch.nn.functional, torch.nn.init, closed forms)."""
import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st

import d2lkit as d2l
from d2lkit_strategies import DEVICES, DTYPES, SETTINGS, TOL, tensors


@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('name', ['relu', 'sigmoid', 'tanh'])
def test_activations_match_torch_values_and_gradients(name, dtype):
    """relu/sigmoid/tanh equal torch's in value and autograd gradient, also at 0 and at |x| = 1000."""
    torch.manual_seed(0)
    x = torch.cat([torch.randn(50, dtype=dtype) * 5,
                   torch.tensor([-1000.0, -100.0, -0.0, 0.0, 100.0, 1000.0], dtype=dtype)])
    ours, theirs = x.clone().requires_grad_(True), x.clone().requires_grad_(True)
    y, z = getattr(d2l, name)(ours), getattr(torch, name)(theirs)
    torch.testing.assert_close(y, z, **TOL[dtype])
    y.sum().backward()
    z.sum().backward()
    assert torch.isfinite(ours.grad).all()
    torch.testing.assert_close(ours.grad, theirs.grad, **TOL[dtype])
    assert y.dtype == dtype


@pytest.mark.parametrize('device', DEVICES)
def test_activations_keep_device(device):
    """The activations return tensors on the input's device."""
    x = torch.linspace(-3, 3, 7, device=device)
    for f in (d2l.relu, d2l.sigmoid, d2l.tanh):
        assert f(x).device.type == device


@SETTINGS
@given(n=st.integers(1, 5), sizes=st.lists(st.integers(1, 6), min_size=2, max_size=4))
def test_mlp_matches_nn_sequential(n, sizes):
    """mlp(X, params) equals nn.Sequential(Flatten, Linear, ReLU, ..., Linear) with the same weights."""
    torch.manual_seed(n)
    layers, params = [torch.nn.Flatten()], []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        linear = torch.nn.Linear(fan_in, fan_out, dtype=torch.float64)
        layers += [linear, torch.nn.ReLU()]
        params += [linear.weight.detach().T, linear.bias.detach()]
    net = torch.nn.Sequential(*layers[:-1])
    X = torch.randn(n, 1, sizes[0], dtype=torch.float64)
    torch.testing.assert_close(d2l.mlp(X, params), net(X))


@pytest.mark.parametrize('device', DEVICES)
@pytest.mark.parametrize('p', [0.0, 0.2, 0.5, 0.9, 1.0])
def test_dropout_layer_statistics(device, p):
    """dropout_layer: p=0 identity, p=1 zeros, else zeros with frequency p and survivors X / (1 - p)."""
    torch.manual_seed(0)
    X = torch.rand(200, 300, dtype=torch.float64, device=device) + 0.5
    Y = d2l.dropout_layer(X, p)
    assert Y.device == X.device and Y.dtype == X.dtype and Y.shape == X.shape
    if device == 'meta':  # no data: only where the result lives
        return
    assert torch.isfinite(Y).all()
    if p == 0:
        assert torch.equal(Y, X)
    elif p == 1:
        assert not Y.any()
    else:
        kept = Y != 0
        torch.testing.assert_close(Y[kept], X[kept] / (1 - p))
        assert abs((~kept).double().mean().item() - p) < 6 * math.sqrt(p * (1 - p) / X.numel())


def test_l2_penalty_and_weight_decay_step_against_closed_form():
    """l2_penalty is ||w||^2 / 2; one step equals w - lr (X^T r / n + lambd w), b - lr mean(r)."""
    torch.manual_seed(1)
    X, y = torch.randn(7, 3, dtype=torch.float64), torch.randn(7, 1, dtype=torch.float64)
    w0, b0 = torch.randn(3, 1, dtype=torch.float64), torch.randn(1, dtype=torch.float64)
    assert math.isclose(d2l.l2_penalty(w0).item(), w0.norm().item() ** 2 / 2)
    w, b = w0.clone().requires_grad_(True), b0.clone().requires_grad_(True)
    J = d2l.train_step_weight_decay(X, y, w, b, 0.7, 0.1)
    r = X @ w0 + b0 - y
    assert isinstance(J, float) and math.isclose(J, (r ** 2).mean().item() / 2 + 0.35 * (w0 ** 2).sum().item())
    torch.testing.assert_close(w.detach(), w0 - 0.1 * (X.T @ r / 7 + 0.7 * w0))
    torch.testing.assert_close(b.detach(), b0 - 0.1 * r.mean(0))
    assert not w.grad.any() and not b.grad.any()


@SETTINGS
@given(k=st.integers(2, 6), extra=st.integers(0, 8))
def test_get_k_fold_data_partitions_rows(k, extra):
    """Validation folds partition the rows in order; sizes n // k, the last one takes the remainder."""
    n = k + extra
    X, y = torch.arange(n).reshape(n, 1).repeat(1, 2), torch.arange(n) * 10
    valid_rows = []
    for i in range(k):
        X_train, y_train, X_valid, y_valid = d2l.get_k_fold_data(k, i, X, y)
        assert len(X_valid) == (n // k if i < k - 1 else n - (k - 1) * (n // k))
        assert torch.equal(y_valid, X_valid[:, 0] * 10) and torch.equal(y_train, X_train[:, 0] * 10)
        assert sorted(X_train[:, 0].tolist() + X_valid[:, 0].tolist()) == list(range(n))
        assert X_train[:, 0].tolist() == sorted(X_train[:, 0].tolist())
        valid_rows += X_valid[:, 0].tolist()
    assert valid_rows == list(range(n))


@pytest.mark.parametrize('shape', [(300, 200), (64, 32, 3, 3), (20, 10, 7)])
def test_xavier_uniform_bound_matches_torch_init(shape):
    """xavier_uniform_ fills in place within torch.nn.init's xavier bound and reaches it."""
    torch.manual_seed(0)
    param = torch.nn.Parameter(torch.zeros(shape))
    assert d2l.xavier_uniform_(param, gain=2.0) is param and param.requires_grad
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(param)
    bound = 2.0 * math.sqrt(6.0 / (fan_in + fan_out))
    reference = torch.nn.init.xavier_uniform_(torch.empty(shape), gain=2.0)
    assert param.abs().max() <= bound and reference.abs().max() <= bound
    assert param.abs().max() > bound * (1 - 30 / param.numel())
    assert abs(param.detach().var().item() - bound ** 2 / 3) < 0.1 * bound ** 2 / 3


def test_log_rmse_clamps_predictions_at_one():
    """log_rmse clamps predictions below 1, not labels, and returns a float."""
    preds = torch.tensor([[-3.0], [0.0], [0.5], [200.0]])
    labels = torch.tensor([[10.0], [10.0], [10.0], [100.0]])
    expected = math.sqrt((3 * math.log(10) ** 2 + math.log(2) ** 2) / 4)
    got = d2l.log_rmse(preds, labels)
    assert isinstance(got, float) and math.isclose(got, expected, rel_tol=1e-6)


def test_house_prices_tiny_files_load_offline(tmp_path, monkeypatch):
    """make_tiny_house_prices registers files that load_data_house_prices preprocesses like the book."""
    monkeypatch.setenv('D2LKIT_DATA', str(tmp_path))
    d2l.make_tiny_house_prices(tmp_path, n_train=30, n_test=10)
    train, test, labels, ids = d2l.load_data_house_prices()
    assert train.shape[0] == 30 and test.shape[0] == 10 and train.shape[1] == test.shape[1]
    assert labels.shape == (30, 1) and (labels > 0).all() and ids == list(range(31, 41))
    assert train.dtype == torch.float32 and torch.isfinite(train).all() and torch.isfinite(test).all()
    assert 'kaggle_house_pred_train.csv' in d2l.DATA_HUB
