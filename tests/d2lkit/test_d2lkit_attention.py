"""Tests of d2lkit.attention against independent oracles (torch.nn.functional, loops, formulas)."""
import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st
from torch import nn

import d2lkit as d2l
from d2lkit_strategies import DEVICES, DTYPES, TOL

FAST = settings(max_examples=15, deadline=None)


def randn(*shape, dtype=torch.float64, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


@FAST
@given(n=st.integers(1, 6), m=st.integers(1, 6), sigma=st.floats(0.3, 3.0), seed=st.integers(0, 99))
def test_nadaraya_watson_is_the_normalised_gaussian_kernel(n, m, sigma, seed):
    """Weights are the Gaussian kernel normalised per query (row sums 1); y_hat is their average of y_train."""
    x_train, y_train, x_query = randn(n, seed=seed), randn(n, seed=seed + 1), randn(m, seed=seed + 2)
    y_hat, weights = d2l.nadaraya_watson(x_train, y_train, x_query, sigma)
    k = torch.tensor([[math.exp(-(float(q) - float(x)) ** 2 / (2 * sigma ** 2)) for x in x_train] for q in x_query],
                     dtype=torch.float64)
    torch.testing.assert_close(weights, k / k.sum(dim=1, keepdim=True))
    torch.testing.assert_close(weights.sum(dim=1), torch.ones(m, dtype=torch.float64))
    torch.testing.assert_close(y_hat, (k / k.sum(dim=1, keepdim=True)) @ y_train)


def loop_masked_softmax(X, valid_lens):
    out = torch.empty_like(X)
    for b in range(X.shape[0]):
        for q in range(X.shape[1]):
            n = X.shape[2] if valid_lens is None else int(valid_lens[b] if valid_lens.dim() == 1 else valid_lens[b, q])
            row = X[b, q].clone()
            row[n:] = -1e6
            out[b, q] = torch.softmax(row, dim=0)
    return out


@pytest.mark.parametrize('dtype', DTYPES)
@FAST
@given(B=st.integers(1, 3), Q=st.integers(1, 4), K=st.integers(1, 5), kind=st.sampled_from(['none', '1d', '2d']),
       seed=st.integers(0, 99))
def test_masked_softmax_matches_a_loop_and_is_pure(dtype, B, Q, K, kind, seed):
    """masked_softmax equals a per-row loop for None, 1-D and 2-D valid_lens (0 included) and keeps X."""
    X = randn(B, Q, K, dtype=dtype, seed=seed)
    g = torch.Generator().manual_seed(seed)
    valid_lens = None if kind == 'none' else torch.randint(0, K + 2, (B,) if kind == '1d' else (B, Q), generator=g)
    before = X.clone()
    out = d2l.masked_softmax(X, valid_lens)
    torch.testing.assert_close(out, loop_masked_softmax(X, valid_lens), **TOL[dtype])
    assert torch.equal(X, before)


def test_masked_softmax_valid_length_zero_is_uniform():
    """A valid length of 0 gives uniform weights (the -1e6 fill), not NaN."""
    out = d2l.masked_softmax(torch.randn(2, 3, 4), torch.tensor([0, 4]))
    torch.testing.assert_close(out[0], torch.full((3, 4), 0.25))


@pytest.mark.parametrize('dtype', DTYPES)
@FAST
@given(B=st.integers(1, 3), Q=st.integers(1, 4), K=st.integers(1, 5), d=st.integers(1, 6), seed=st.integers(0, 99))
def test_dot_product_attention_matches_scaled_dot_product_attention(dtype, B, Q, K, d, seed):
    """DotProductAttention equals F.scaled_dot_product_attention with the equivalent boolean mask."""
    q, k, v = randn(B, Q, d, dtype=dtype, seed=seed), randn(B, K, d, dtype=dtype, seed=seed + 1), \
        randn(B, K, 3, dtype=dtype, seed=seed + 2)
    valid_lens = torch.randint(1, K + 1, (B,), generator=torch.Generator().manual_seed(seed))
    mask = torch.arange(K)[None, None, :] < valid_lens[:, None, None]
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=mask.expand(B, Q, K))
    torch.testing.assert_close(d2l.DotProductAttention(0.0).eval()(q, k, v, valid_lens), expected, **TOL[dtype])


def test_additive_attention_matches_its_formula():
    """AdditiveAttention's weights are softmax_k(w_v . tanh(W_q q + W_k k)) over the valid keys."""
    torch.manual_seed(0)
    net = d2l.AdditiveAttention(3, 2, 5, 0.0).double().eval()
    q, k, v = randn(2, 4, 2), randn(2, 6, 3, seed=1), randn(2, 6, 4, seed=2)
    valid_lens = torch.tensor([2, 6])
    out = net(q, k, v, valid_lens)
    for b in range(2):
        for i in range(4):
            s = torch.stack([net.w_v(torch.tanh(net.W_q(q[b, i]) + net.W_k(k[b, j])))[0] for j in range(6)])
            w = torch.softmax(s[: valid_lens[b]], dim=0)
            torch.testing.assert_close(out[b, i], w @ v[b, : valid_lens[b]])
            torch.testing.assert_close(net.attention_weights[b, i, : valid_lens[b]], w)


def test_transpose_qkv_and_output_are_inverses():
    """transpose_output(transpose_qkv(X)) == X and head j of batch b is at b * num_heads + j."""
    X = randn(3, 5, 8)
    H = d2l.transpose_qkv(X, 4)
    assert H.shape == (12, 5, 2)
    torch.testing.assert_close(H[1 * 4 + 2], X[1, :, 4:6])
    torch.testing.assert_close(d2l.transpose_output(H, 4), X)


def test_multi_head_attention_equals_a_per_head_loop_and_nn_multiheadattention():
    """Heads computed one by one (and torch's nn.MultiheadAttention with the same weights) agree."""
    torch.manual_seed(0)
    h, heads = 8, 2
    net = d2l.MultiHeadAttention(h, h, h, h, heads, 0.0).double().eval()
    q, k = randn(2, 3, h), randn(2, 5, h, seed=1)
    valid_lens = torch.tensor([2, 5])
    out = net(q, k, k, valid_lens)
    Q, K, V = net.W_q(q), net.W_k(k), net.W_v(k)
    heads_out = []
    for j in range(heads):
        s = slice(j * h // heads, (j + 1) * h // heads)
        mask = torch.arange(5)[None, None, :] < valid_lens[:, None, None]
        heads_out.append(F.scaled_dot_product_attention(Q[..., s], K[..., s], V[..., s], attn_mask=mask.expand(2, 3, 5)))
    torch.testing.assert_close(out, net.W_o(torch.cat(heads_out, dim=-1)))
    torch_mha = nn.MultiheadAttention(h, heads, bias=False, batch_first=True).double()
    with torch.no_grad():
        torch_mha.in_proj_weight.copy_(torch.cat([net.W_q.weight, net.W_k.weight, net.W_v.weight]))
        torch_mha.out_proj.weight.copy_(net.W_o.weight)
    padding = torch.arange(5)[None, :] >= valid_lens[:, None]
    torch.testing.assert_close(out, torch_mha(q, k, k, key_padding_mask=padding)[0])


def test_positional_encoding_formula():
    """P[pos, 2i] = sin(pos / 10000^(2i/d)), P[pos, 2i+1] = cos(...), added to X."""
    d, T = 6, 7
    net = d2l.PositionalEncoding(d, 0.0).eval()
    X = randn(2, T, d)
    P = torch.tensor([[math.sin(p / 10000 ** (2 * (j // 2) / d)) if j % 2 == 0 else math.cos(p / 10000 ** (2 * (j // 2) / d))
                       for j in range(d)] for p in range(T)], dtype=torch.float64)
    torch.testing.assert_close(net(X), X + P)
    assert net(X.float()).dtype == torch.float32


def test_add_norm_and_ffn_match_torch():
    """AddNorm is layer_norm(Y + X) in eval mode; PositionWiseFFN is dense2(relu(dense1(X)))."""
    X, Y = randn(2, 3, 4), randn(2, 3, 4, seed=1)
    net = d2l.AddNorm(4, 0.5).double().eval()
    torch.testing.assert_close(net(X, Y), F.layer_norm(X + Y, (4,)))
    ffn = d2l.PositionWiseFFN(4, 8, 5).double()
    torch.testing.assert_close(ffn(X), ffn.dense2(torch.relu(ffn.dense1(X))))


def test_encoder_block_matches_torch_transformer_encoder_layer():
    """TransformerEncoderBlock equals nn.TransformerEncoderLayer (post-norm, relu) with copied weights."""
    torch.manual_seed(0)
    h, f, heads = 8, 16, 2
    net = d2l.TransformerEncoderBlock(h, f, heads, 0.0).double().eval()
    layer = nn.TransformerEncoderLayer(h, heads, f, 0.0, batch_first=True).double().eval()
    a = net.attention
    with torch.no_grad():
        layer.self_attn.in_proj_weight.copy_(torch.cat([a.W_q.weight, a.W_k.weight, a.W_v.weight]))
        layer.self_attn.in_proj_bias.zero_()
        layer.self_attn.out_proj.weight.copy_(a.W_o.weight)
        layer.self_attn.out_proj.bias.zero_()
        layer.linear1.load_state_dict(net.ffn.dense1.state_dict())
        layer.linear2.load_state_dict(net.ffn.dense2.state_dict())
        layer.norm1.load_state_dict(net.addnorm1.ln.state_dict())
        layer.norm2.load_state_dict(net.addnorm2.ln.state_dict())
    X, valid_lens = randn(2, 5, h), torch.tensor([3, 5])
    padding = torch.arange(5)[None, :] >= valid_lens[:, None]
    torch.testing.assert_close(net(X, valid_lens), layer(X, src_key_padding_mask=padding))


def test_decoder_block_step_by_step_equals_training_with_the_causal_mask():
    """Feeding one step at a time with the cache (eval) equals the causally masked pass (train, dropout 0)."""
    torch.manual_seed(0)
    net = d2l.TransformerDecoderBlock(8, 16, 2, 0.0, 1).double()
    X, enc = randn(2, 5, 8), randn(2, 4, 8, seed=1)
    enc_valid = torch.tensor([2, 4])
    net.train()
    full, state = net(X, [enc, enc_valid, [None, None]])
    assert state[2][1] is X
    net.eval()
    state, steps = [enc, enc_valid, [None, None]], []
    for t in range(5):
        y, state = net(X[:, t:t + 1], state)
        steps.append(y)
    torch.testing.assert_close(torch.cat(steps, dim=1), full)
    torch.testing.assert_close(state[2][1], X)
    assert state[2][0] is None


@pytest.mark.parametrize('device', DEVICES)
@pytest.mark.parametrize('dtype', DTYPES)
def test_attention_keeps_dtype_and_device(device, dtype):
    """Every layer returns the input's dtype and device (no tensor built on the CPU)."""
    kw = dict(dtype=dtype, device=device)
    X, vl = torch.zeros(2, 3, 4, **kw), torch.tensor([1, 3], device=device)
    assert d2l.masked_softmax(X, vl).device.type == device
    outs = [d2l.DotProductAttention(0.0)(X, X, X, vl),
            d2l.AdditiveAttention(4, 4, 3, 0.0).to(**kw)(X, X, X, vl),
            d2l.MultiHeadAttention(4, 4, 4, 4, 2, 0.0).to(**kw)(X, X, X, vl),
            d2l.PositionalEncoding(4, 0.0)(X),
            d2l.TransformerEncoderBlock(4, 8, 2, 0.0).to(**kw)(X, vl),
            d2l.TransformerDecoderBlock(4, 8, 2, 0.0, 0).to(**kw)(X, [X, vl, [None]])[0]]
    for out in outs:
        assert out.dtype == dtype and out.device.type == device
