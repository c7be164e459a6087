"""Tests of d2lkit.rnn against independent oracles (torch.nn.RNN, F.one_hot, clip_grad_norm_)."""
import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import d2lkit as d2l
from d2lkit_strategies import DEVICES

DEVICES = [d for d in DEVICES if d != 'meta']  # values are compared


@pytest.mark.parametrize('device', DEVICES)
def test_one_hot_matches_functional(device):
    X = torch.randint(0, 6, (3, 4), device=device)
    out = d2l.one_hot(X, 6)
    assert out.dtype == torch.float32 and out.device.type == device
    assert torch.equal(out, F.one_hot(X.T, 6).float())


@pytest.mark.parametrize('device', DEVICES)
def test_rnn_matches_nn_rnn(device):
    torch.manual_seed(0)
    layer = nn.RNN(3, 4, dtype=torch.float64).to(device)
    inputs = torch.randn(5, 2, 3, dtype=torch.float64, device=device)
    H0 = torch.randn(2, 4, dtype=torch.float64, device=device)
    expected, H = layer(inputs, H0.unsqueeze(0))
    params = [layer.weight_ih_l0.T, layer.weight_hh_l0.T, layer.bias_ih_l0 + layer.bias_hh_l0]
    outputs, (H_T,) = d2l.rnn(inputs, (H0,), params)
    assert torch.allclose(outputs, expected) and torch.allclose(H_T, H[0])
    zero_outputs, _ = d2l.rnn(inputs, None, params)
    assert torch.allclose(zero_outputs, layer(inputs)[0]) and zero_outputs.device.type == device


def test_grad_clipping_matches_clip_grad_norm():
    torch.manual_seed(0)
    for theta in (0.1, 100.0):
        a = [torch.randn(3, 4, requires_grad=True), torch.randn(5, requires_grad=True), torch.zeros(2, requires_grad=True)]
        b = [p.detach().clone().requires_grad_(True) for p in a]
        for p, q in zip(a[:2], b[:2]):
            p.grad = torch.randn_like(p)
            q.grad = p.grad.clone()
        d2l.grad_clipping((p for p in a), theta)
        nn.utils.clip_grad_norm_(b, theta)
        for p, q in zip(a[:2], b[:2]):
            assert torch.allclose(p.grad, q.grad, rtol=1e-5)
        assert a[2].grad is None


def test_perplexity_and_prediction():
    assert math.isclose(d2l.perplexity(torch.tensor(10 * math.log(3.0)), 10), 3.0, rel_tol=1e-6)
    vocab = d2l.Vocab(list('abcab'))
    torch.manual_seed(0)
    net = d2l.RNNModelScratch(len(vocab), 8, 'cpu')
    text = d2l.predict_rnn('ab', 5, net, vocab, 'cpu')
    assert text.startswith('ab') and len(text) >= 7  # five predicted tokens ('<unk>' is one token)


def test_training_lowers_perplexity(tmp_path, monkeypatch):
    monkeypatch.setenv('D2LKIT_DATA', str(tmp_path))
    d2l.make_tiny_time_machine(str(tmp_path))
    torch.manual_seed(0)
    train_iter, vocab = d2l.load_data_time_machine(8, 10, max_tokens=2000)
    net = d2l.RNNModelScratch(len(vocab), 32, 'cpu')
    first = d2l.train_rnn(net, train_iter, vocab, 1.0, 1, 'cpu', plot=False)
    later = d2l.train_rnn(net, train_iter, vocab, 1.0, 4, 'cpu', plot=False)
    assert later < first < len(vocab) * 1.5
