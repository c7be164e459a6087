"""Tests of d2lkit.linear_regression against independent oracles."""
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st

import d2lkit as d2l
from d2lkit_strategies import DEVICES, DTYPES, SETTINGS, TOL, matrices, tensors


@pytest.mark.parametrize('dtype', DTYPES)
def test_synthetic_data_shapes_and_noise(dtype):
    """synthetic_data gives X (n, d) ~ N(0, 1) and y = Xw + b + noise of std 0.01."""
    torch.manual_seed(0)
    w = torch.tensor([2.0, -3.4, 0.5], dtype=dtype)
    X, y = d2l.synthetic_data(w, 4.2, 4000)
    assert X.shape == (4000, 3) and y.shape == (4000, 1)
    assert X.dtype == y.dtype == dtype
    assert abs(float(X.mean())) < 0.05 and abs(float(X.std()) - 1) < 0.05
    noise = y.reshape(-1) - (X @ w + 4.2)
    assert abs(float(noise.std()) - 0.01) < 0.001
    assert abs(float(noise.mean())) < 0.001


@pytest.mark.parametrize('device', DEVICES)
def test_synthetic_data_keeps_device_and_tensor_bias(device):
    """synthetic_data builds on w's device and accepts a 0-dim tensor b."""
    w = torch.ones(2, dtype=torch.float64, device=device)
    X, y = d2l.synthetic_data(w, torch.tensor(1.0, dtype=torch.float64, device=device), 5)
    assert X.device.type == y.device.type == device
    assert X.dtype == y.dtype == torch.float64 and y.shape == (5, 1)


@SETTINGS
@given(n=st.integers(1, 50), batch_size=st.integers(1, 20))
def test_data_iter_covers_every_example_once(n, batch_size):
    """data_iter yields each example exactly once, full batches then a smaller last one."""
    features = torch.arange(n, dtype=torch.float32).reshape(n, 1).repeat(1, 3)
    labels = torch.arange(n).reshape(n, 1) * 10
    batches = list(d2l.data_iter(batch_size, features, labels))
    sizes = [len(X) for X, _ in batches]
    assert sizes == [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    seen = torch.cat([X[:, 0] for X, _ in batches]).long()
    assert sorted(seen.tolist()) == list(range(n))
    for X, y in batches:  # rows of features and labels stay paired
        assert torch.equal(X[:, 0].long() * 10, y[:, 0])


def test_data_iter_shuffles():
    """data_iter visits the examples in a random order."""
    torch.manual_seed(0)
    features = torch.arange(100.0).reshape(100, 1)
    order = torch.cat([X[:, 0] for X, _ in d2l.data_iter(10, features, features)])
    assert not torch.equal(order, features[:, 0])


@pytest.mark.parametrize('device', DEVICES)
def test_data_iter_keeps_device(device):
    """data_iter's batches stay on the features' device."""
    features, labels = torch.zeros(7, 2, device=device), torch.zeros(7, 1, device=device)
    for X, y in d2l.data_iter(3, features, labels):
        assert X.device.type == y.device.type == device


@pytest.mark.parametrize('dtype', DTYPES)
@SETTINGS
@given(data=st.data())
def test_linreg_matches_addmm(dtype, data):
    """linreg(X, w, b) equals torch.addmm(b, X, w), shape (n, 1), without mutating inputs."""
    X = data.draw(matrices(dtype, square=data.draw(st.booleans())))
    w = data.draw(tensors(dtype, (X.shape[1], 1)))
    b = data.draw(tensors(dtype, (1,)))
    copies = [t.clone() for t in (X, w, b)]
    out = d2l.linreg(X, w, b)
    assert out.shape == (X.shape[0], 1) and out.dtype == dtype
    torch.testing.assert_close(out, torch.addmm(b, X, w), **TOL[dtype])
    assert all(torch.equal(t, c) for t, c in zip((X, w, b), copies))


@pytest.mark.parametrize('dtype', DTYPES)
@SETTINGS
@given(data=st.data())
def test_squared_loss_matches_mse(dtype, data):
    """squared_loss is mse_loss(reduction='none') / 2, with y reshaped like y_hat, inputs untouched."""
    n = data.draw(st.integers(1, 20))
    y_hat, y = data.draw(tensors(dtype, (n, 1))), data.draw(tensors(dtype, (n,)))
    copies = y_hat.clone(), y.clone()
    out = d2l.squared_loss(y_hat, y)
    assert out.shape == y_hat.shape and out.dtype == dtype
    torch.testing.assert_close(out, F.mse_loss(y_hat, y.reshape(-1, 1), reduction='none') / 2,
                               **TOL[dtype])
    assert torch.equal(y_hat, copies[0]) and torch.equal(y, copies[1])


@pytest.mark.parametrize('device', DEVICES)
def test_linreg_and_squared_loss_keep_device(device):
    """linreg and squared_loss return tensors on the inputs' device."""
    X, w, b = torch.ones(4, 3, device=device), torch.ones(3, 1, device=device), torch.zeros(1, device=device)
    y_hat = d2l.linreg(X, w, b)
    assert y_hat.device.type == device
    assert d2l.squared_loss(y_hat, torch.ones(4, device=device)).device.type == device


@pytest.mark.parametrize('dtype', DTYPES)
def test_sgd_updates_in_place_and_zeroes_grads(dtype):
    """sgd does p -= lr * grad / batch_size on the same tensors, zeroes grads, returns None."""
    w = torch.randn(3, 1, dtype=dtype, requires_grad=True)
    b = torch.randn(1, dtype=dtype, requires_grad=True)
    w.grad, b.grad = torch.randn_like(w), torch.randn_like(b)
    expected = [(p - 0.3 * p.grad / 4).detach() for p in (w, b)]
    objects, storage = [id(w), id(b)], [w.data_ptr(), b.data_ptr()]
    params = [w, b]
    assert d2l.sgd(params, 0.3, 4) is None
    assert [id(p) for p in params] == objects and [p.data_ptr() for p in params] == storage
    for p, e in zip(params, expected):
        torch.testing.assert_close(p.detach(), e, **TOL[dtype])
        assert p.requires_grad and p.dtype == dtype and p.is_leaf
        assert torch.count_nonzero(p.grad) == 0


def test_sgd_trains_linear_regression():
    """linreg + squared_loss + sgd over data_iter recovers the true parameters."""
    torch.manual_seed(0)
    true_w = torch.tensor([2.0, -3.4])
    X, y = d2l.synthetic_data(true_w, 4.2, 1000)
    w = torch.zeros(2, 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    for _ in range(3):
        for Xb, yb in d2l.data_iter(10, X, y):
            d2l.squared_loss(d2l.linreg(Xb, w, b), yb).sum().backward()
            d2l.sgd([w, b], 0.03, 10)
    torch.testing.assert_close(w.detach().reshape(-1), true_w, atol=5e-3, rtol=0)
    torch.testing.assert_close(b.detach(), torch.tensor([4.2]), atol=5e-3, rtol=0)
