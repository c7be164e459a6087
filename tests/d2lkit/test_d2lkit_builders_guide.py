"""Tests of d2lkit.builders_guide against independent oracles (torch.nn's own modules and functions)."""
import copy

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st
from torch import nn

import d2lkit as d2l
from d2lkit_strategies import DTYPES, TOL, matrices

SETTINGS = settings(max_examples=10, deadline=None)

CUDA = ['cuda'] if torch.cuda.is_available() else []


# ---------------------------------------------------------------- MySequential
@pytest.mark.parametrize('dtype', DTYPES)
def test_my_sequential_equals_nn_sequential(dtype):
    """Same state_dict keys, same parameters (objects) and same output as nn.Sequential."""
    torch.manual_seed(0)
    layers = [nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2)]
    net, oracle = d2l.MySequential(*layers).to(dtype), nn.Sequential(*layers).to(dtype)
    assert list(net.state_dict()) == list(oracle.state_dict())
    assert all(a is b for a, b in zip(net.parameters(), oracle.parameters()))
    X = torch.randn(5, 3, dtype=dtype)
    torch.testing.assert_close(net(X), oracle(X), **TOL[dtype])
    assert torch.equal(d2l.MySequential()(X), X)


def test_my_sequential_runs_a_repeated_module_twice():
    torch.manual_seed(0)
    layer = nn.Linear(3, 3)
    X = torch.randn(2, 3)
    torch.testing.assert_close(d2l.MySequential(layer, nn.Tanh(), layer)(X), nn.Sequential(layer, nn.Tanh(), layer)(X))


# ---------------------------------------------------------------- FixedHiddenMLP
def _fixed_hidden_oracle(net, X):
    """The same computation written with F.linear and a counted number of halvings."""
    W, b, R = net.linear.weight, net.linear.bias, net.rand_weight
    H = F.linear(torch.clamp(F.linear(X, W, b) @ R + 1, min=0), W, b)
    k = 0
    while float(H.detach().abs().sum()) / 2 ** k > 1:
        k += 1
    return (H / 2 ** k).sum()


@SETTINGS
@given(h=st.integers(1, 6), scale=st.sampled_from([1e-3, 1.0, 30.0]), seed=st.integers(0, 1000))
def test_fixed_hidden_mlp(h, scale, seed):
    """rand_weight is a buffer in [0, 1); the output and gradients match an oracle; |output| <= 1."""
    torch.manual_seed(seed)
    net = d2l.FixedHiddenMLP(h).double()
    assert [k for k, _ in net.named_parameters()] == ['linear.weight', 'linear.bias']
    assert [k for k, _ in net.named_buffers()] == ['rand_weight']
    assert 0 <= float(net.rand_weight.min()) and float(net.rand_weight.max()) < 1
    X = scale * torch.randn(3, h, dtype=torch.float64)
    out = net(X)
    torch.testing.assert_close(out, _fixed_hidden_oracle(net, X), **TOL[torch.float64])
    assert out.dim() == 0 and float(out.detach().abs()) <= 1
    out.backward()
    other = copy.deepcopy(net)
    other.linear.weight.grad = None
    _fixed_hidden_oracle(other, X).backward()
    torch.testing.assert_close(net.linear.weight.grad, other.linear.weight.grad, **TOL[torch.float64])


# ---------------------------------------------------------------- CenteredLayer
@pytest.mark.parametrize('dtype', DTYPES)
@SETTINGS
@given(data=st.data())
def test_centered_layer(dtype, data):
    """X - mean over all elements (oracle: numpy-free sum / numel), pure, no parameters."""
    X = data.draw(matrices(dtype, square=data.draw(st.booleans())))
    before = X.clone()
    Y = d2l.CenteredLayer()(X)
    torch.testing.assert_close(Y, X - X.sum() / X.numel(), **TOL[dtype])
    assert torch.equal(X, before) and list(d2l.CenteredLayer().state_dict()) == []


# ---------------------------------------------------------------- MyLinear
@pytest.mark.parametrize('dtype', DTYPES)
def test_my_linear_equals_relu_of_nn_linear(dtype):
    """MyLinear with weight W equals relu(nn.Linear with weight W.T); gradients flow to both parameters."""
    torch.manual_seed(0)
    layer = d2l.MyLinear(5, 3).to(dtype)
    assert {k: tuple(v.shape) for k, v in layer.named_parameters()} == {'weight': (5, 3), 'bias': (3,)}
    oracle = nn.Linear(5, 3).to(dtype)
    with torch.no_grad():
        oracle.weight.copy_(layer.weight.T)
        oracle.bias.copy_(layer.bias)
    X = torch.randn(4, 5, dtype=dtype)
    Y = layer(X)
    torch.testing.assert_close(Y, F.relu(oracle(X)), **TOL[dtype])
    Y.sum().backward()
    assert layer.weight.grad is not None and layer.bias.grad is not None


def test_my_linear_init_is_standard_normal():
    torch.manual_seed(0)
    W = d2l.MyLinear(200, 300).weight.detach()
    assert abs(float(W.mean())) < 0.03 and abs(float(W.std()) - 1) < 0.02


# ---------------------------------------------------------------- tied_mlp
def test_tied_mlp_shares_and_adds_gradients():
    """net[2] is net[4]; the shared gradient equals the sum of the gradients of two untied copies."""
    torch.manual_seed(0)
    net = d2l.tied_mlp(3, 4, 2)
    assert net[2] is net[4] and len(list(net.parameters())) == 6
    untied = copy.deepcopy(net)
    untied[4] = copy.deepcopy(untied[2])
    X = torch.randn(5, 3)
    torch.testing.assert_close(net(X), untied(X))
    net(X).sum().backward()
    untied(X).sum().backward()
    torch.testing.assert_close(net[2].weight.grad, untied[2].weight.grad + untied[4].weight.grad)


# ---------------------------------------------------------------- my_init
@pytest.mark.parametrize('device', ['cpu'] + CUDA)  # not 'meta': in-place init there loads decompositions (s)
def test_my_init_keeps_parameter_dtype_and_device(device):
    net = nn.Sequential(nn.Linear(4, 5), nn.LayerNorm(5), nn.Linear(5, 2)).to(device=device, dtype=torch.float64)
    weight = net[0].weight
    net.apply(d2l.my_init)
    assert net[0].weight is weight and weight.dtype == torch.float64 and weight.device.type == device


def test_my_init_distribution():
    """About half zeros, the rest uniform over 5 <= |w| <= 10; biases and LayerNorm untouched."""
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(100, 100), nn.LayerNorm(100), nn.Linear(100, 50))
    bias, norm = net[0].bias.detach().clone(), net[1].weight.detach().clone()
    net.apply(d2l.my_init)
    W = torch.cat([net[0].weight.detach().flatten(), net[2].weight.detach().flatten()])
    nonzero = W[W != 0]
    assert ((nonzero.abs() >= 5) & (nonzero.abs() <= 10)).all()
    assert abs(float((W == 0).double().mean()) - 0.5) < 0.03
    assert abs(float(nonzero.abs().mean()) - 7.5) < 0.1
    assert torch.equal(net[0].bias.detach(), bias) and torch.equal(net[1].weight.detach(), norm)


# ---------------------------------------------------------------- save_and_reload
def test_save_and_reload_round_trip(tmp_path):
    torch.manual_seed(0)

    def make_net():
        return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 2))

    net = make_net()
    path = tmp_path / 'mlp.params'
    clone = d2l.save_and_reload(net, make_net, str(path))
    assert clone is not net and not clone.training and net.training
    saved = torch.load(path, weights_only=True)
    assert list(saved) == list(net.state_dict())
    X = torch.randn(3, 4)
    assert torch.equal(clone(X), net.eval()(X))


# ---------------------------------------------------------------- run_on_device
@pytest.mark.parametrize('device', ['cpu'] + CUDA)
def test_run_on_device(device):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 3), nn.Dropout(0.5))
    X = torch.randn(2, 4)
    Y = d2l.run_on_device(net, X, device)
    assert Y.device == X.device and not Y.requires_grad and not net.training
    assert next(net.parameters()).device.type == device
    with torch.no_grad():
        torch.testing.assert_close(Y, net.cpu()(X))
