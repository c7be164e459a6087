"""Tests of d2lkit.modern_cnn against independent oracles (F.batch_norm, nn.BatchNorm, hand-built graphs)."""
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st
from torch import nn

import d2lkit as d2l
from d2lkit_strategies import DEVICES, DTYPES, SETTINGS, TOL

REAL_DEVICES = [d for d in DEVICES if d != 'meta']


def _randn(*shape, dtype=torch.float64, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64).to(dtype)


def _params(dims, c, dtype, seed):
    shape = (1, c) if dims == 2 else (1, c, 1, 1)
    gamma, beta = _randn(*shape, dtype=dtype, seed=seed + 1), _randn(*shape, dtype=dtype, seed=seed + 2)
    mean, var = _randn(*shape, dtype=dtype, seed=seed + 3), _randn(*shape, dtype=dtype, seed=seed + 4).abs() + 0.5
    return gamma, beta, mean, var


# ---------------------------------------------------------------- batch_norm
@pytest.mark.parametrize('dtype', DTYPES)
@SETTINGS
@given(dims=st.sampled_from([2, 4]), n=st.integers(2, 5), c=st.integers(1, 4), hw=st.integers(1, 4),
       momentum=st.sampled_from([0.0, 0.1, 0.9]), seed=st.integers(0, 1000))
def test_batch_norm_training_matches_F_batch_norm(dtype, dims, n, c, hw, momentum, seed):
    """Training: Y equals F.batch_norm(training=True); the moving stats follow momentum weighting the OLD value
    (F.batch_norm's momentum is 1 - ours) with the BIASED variance (F.batch_norm stores the unbiased one)."""
    shape = (n, c) if dims == 2 else (n, c, hw, hw + 1)
    X = _randn(*shape, dtype=dtype, seed=seed)
    gamma, beta, mean, var = _params(dims, c, dtype, seed)
    before = [t.clone() for t in (X, gamma, beta, mean, var)]
    Y, new_mean, new_var = d2l.batch_norm(X, gamma, beta, mean, var, eps=1e-5, momentum=momentum)
    running_mean, running_var = mean.reshape(-1).clone(), var.reshape(-1).clone()
    expected = F.batch_norm(X, running_mean, running_var, gamma.reshape(-1), beta.reshape(-1), training=True,
                            momentum=1 - momentum, eps=1e-5)
    torch.testing.assert_close(Y, expected, **TOL[dtype])
    torch.testing.assert_close(new_mean.reshape(-1), running_mean, **TOL[dtype])
    m = X.numel() // c  # F.batch_norm's running_var uses the unbiased variance: undo the m / (m - 1)
    if m > 1:
        old = var.reshape(-1)
        unbiased_part = (running_var - momentum * old) / (1 - momentum) if momentum < 1 else None
        if unbiased_part is not None:
            expected_var = momentum * old + (1 - momentum) * unbiased_part * (m - 1) / m
            torch.testing.assert_close(new_var.reshape(-1), expected_var, **TOL[dtype])
    assert new_mean.shape == mean.shape and new_var.shape == var.shape
    assert all(torch.equal(a, b) for a, b in zip((X, gamma, beta, mean, var), before))


@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('dims', [2, 4])
def test_batch_norm_prediction_matches_F_batch_norm(dtype, dims):
    """Without grad: the moving stats normalise, and they come back unchanged."""
    X = _randn(*((5, 3) if dims == 2 else (5, 3, 2, 4)), dtype=dtype)
    gamma, beta, mean, var = _params(dims, 3, dtype, 7)
    with torch.no_grad():
        Y, new_mean, new_var = d2l.batch_norm(X, gamma, beta, mean, var, eps=1e-5, momentum=0.9)
    expected = F.batch_norm(X, mean.reshape(-1), var.reshape(-1), gamma.reshape(-1), beta.reshape(-1),
                            training=False, eps=1e-5)
    torch.testing.assert_close(Y, expected, **TOL[dtype])
    assert torch.equal(new_mean, mean) and torch.equal(new_var, var)


@pytest.mark.parametrize('device', REAL_DEVICES + ['meta'])
def test_batch_norm_keeps_device_and_dtype(device):
    """Outputs stay on the input's device and dtype."""
    X = torch.ones(4, 3, 2, 2, device=device, dtype=torch.float64)
    shape = (1, 3, 1, 1)
    Y, m, v = d2l.batch_norm(X, torch.ones(shape, device=device, dtype=torch.float64),
                             torch.zeros(shape, device=device, dtype=torch.float64),
                             torch.zeros(shape, device=device, dtype=torch.float64),
                             torch.ones(shape, device=device, dtype=torch.float64), 1e-5, 0.9)
    assert Y.device.type == m.device.type == v.device.type == torch.device(device).type
    assert Y.dtype == m.dtype == v.dtype == torch.float64


# ---------------------------------------------------------------- BatchNorm
@pytest.mark.parametrize('device', REAL_DEVICES)
@pytest.mark.parametrize('dims', [2, 4])
def test_BatchNorm_module_follows_nn_BatchNorm(device, dims):
    """Train steps then eval: same outputs as nn.BatchNorm with momentum 0.1, moving_var biased."""
    c = 3
    ours = d2l.BatchNorm(c, dims).double().to(device)
    theirs = (nn.BatchNorm1d if dims == 2 else nn.BatchNorm2d)(c, momentum=0.1).double().to(device)
    assert set(dict(ours.named_parameters())) == {'gamma', 'beta'}
    assert set(dict(ours.named_buffers())) == {'moving_mean', 'moving_var'}
    for step in range(3):
        X = _randn(*((6, c) if dims == 2 else (6, c, 3, 2)), seed=step).to(device)
        torch.testing.assert_close(ours(X), theirs(X))
    torch.testing.assert_close(ours.moving_mean.reshape(-1), theirs.running_mean)
    ours.eval(), theirs.eval()
    # nn.BatchNorm keeps the unbiased running variance; use ours in both to compare the eval path
    theirs.running_var.copy_(ours.moving_var.reshape(-1))
    X = _randn(*((6, c) if dims == 2 else (6, c, 3, 2)), seed=9).to(device)
    state = {k: v.clone() for k, v in ours.state_dict().items()}
    torch.testing.assert_close(ours(X), theirs(X))
    assert all(torch.equal(state[k], v) for k, v in ours.state_dict().items())


# ---------------------------------------------------------------- blocks
def test_vgg_block_is_convs_relus_and_a_pool():
    """Layer structure, parameter names and the halved resolution."""
    block = d2l.vgg_block(2, 3, 5)
    assert [type(m) for m in block] == [nn.Conv2d, nn.ReLU, nn.Conv2d, nn.ReLU, nn.MaxPool2d]
    assert list(block.state_dict()) == ['0.weight', '0.bias', '2.weight', '2.bias']
    assert block(torch.randn(2, 3, 7, 6)).shape == (2, 5, 3, 3)


def test_nin_block_matches_the_functional_graph():
    """A NiN block is conv -> relu -> 1x1 -> relu -> 1x1 -> relu."""
    block = d2l.nin_block(3, 4, kernel_size=3, strides=2, padding=1)
    X = torch.randn(2, 3, 9, 9)
    Y = F.relu(F.conv2d(X, block[0].weight, block[0].bias, stride=2, padding=1))
    Y = F.relu(F.conv2d(Y, block[2].weight, block[2].bias))
    Y = F.relu(F.conv2d(Y, block[4].weight, block[4].bias))
    torch.testing.assert_close(block(X), Y)


def test_inception_matches_the_functional_graph():
    """Four paths, concatenated on dim 1 in order."""
    torch.manual_seed(0)
    b = d2l.Inception(4, 2, (3, 5), (1, 2), 3)
    X = torch.randn(2, 4, 6, 5)
    c = lambda m, x, p=0: F.conv2d(x, m.weight, m.bias, padding=p)  # noqa: E731
    p1 = F.relu(c(b.p1_1, X))
    p2 = F.relu(c(b.p2_2, F.relu(c(b.p2_1, X)), 1))
    p3 = F.relu(c(b.p3_2, F.relu(c(b.p3_1, X)), 2))
    p4 = F.relu(c(b.p4_2, F.max_pool2d(X, 3, stride=1, padding=1)))
    torch.testing.assert_close(b(X), torch.cat([p1, p2, p3, p4], dim=1))
    assert b(X).shape == (2, 2 + 5 + 2 + 3, 6, 5)


@pytest.mark.parametrize('use_1x1conv,strides', [(False, 1), (True, 1), (True, 2)])
def test_residual_matches_the_functional_graph(use_1x1conv, strides):
    """Residual's output in eval mode equals the graph written with F ops."""
    torch.manual_seed(1)
    cin, cout = (3, 3) if not use_1x1conv else (3, 6)
    blk = d2l.Residual(cin, cout, use_1x1conv=use_1x1conv, strides=strides).eval()
    for bn in (blk.bn1, blk.bn2):
        bn.running_mean.uniform_(-1, 1), bn.running_var.uniform_(0.5, 2)
    X = torch.randn(2, cin, 6, 5)

    def bn(m, x):
        return F.batch_norm(x, m.running_mean, m.running_var, m.weight, m.bias, training=False)

    Y = F.relu(bn(blk.bn1, F.conv2d(X, blk.conv1.weight, blk.conv1.bias, stride=strides, padding=1)))
    Y = bn(blk.bn2, F.conv2d(Y, blk.conv2.weight, blk.conv2.bias, padding=1))
    S = F.conv2d(X, blk.conv3.weight, blk.conv3.bias, stride=strides) if use_1x1conv else X
    torch.testing.assert_close(blk(X), F.relu(Y + S))


def test_resnet_block_and_dense_blocks_shapes():
    """Channel counts and resolutions of the stage builders."""
    assert d2l.resnet_block(4, 8, 2)(torch.randn(2, 4, 8, 8)).shape == (2, 8, 4, 4)
    assert d2l.resnet_block(4, 4, 2, first_block=True)(torch.randn(2, 4, 8, 8)).shape == (2, 4, 8, 8)
    stage = d2l.resnet_block(4, 8, 3)
    assert stage[0].conv3 is not None and stage[1].conv3 is None and stage[2].conv3 is None
    assert d2l.DenseBlock(2, 3, 10)(torch.randn(4, 3, 8, 8)).shape == (4, 23, 8, 8)
    assert d2l.transition_block(23, 10)(torch.randn(4, 23, 8, 8)).shape == (4, 10, 4, 4)
    assert d2l.conv_block(3, 5)(torch.randn(2, 3, 4, 4)).shape == (2, 5, 4, 4)


def test_dense_block_concatenates_inputs_first():
    """DenseBlock's output starts with its input, then each conv_block's output."""
    torch.manual_seed(2)
    blk = d2l.DenseBlock(2, 3, 4).eval()
    X = torch.randn(2, 3, 5, 5)
    Y1 = blk.net[0](X)
    Y2 = blk.net[1](torch.cat([X, Y1], 1))
    torch.testing.assert_close(blk(X), torch.cat([X, Y1, Y2], 1))
