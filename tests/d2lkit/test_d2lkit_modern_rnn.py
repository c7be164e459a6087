"""Tests of d2lkit.modern_rnn against independent oracles (nn.LSTMCell, the GRU formula, brute force)."""
import itertools
import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import d2lkit as d2l
from d2lkit_strategies import DEVICES

DEVICES = [d for d in DEVICES if d != 'meta']  # values are compared


@pytest.mark.parametrize('device', DEVICES)
def test_lstm_matches_lstm_cell(device):
    torch.manual_seed(0)
    cell = nn.LSTMCell(3, 4, dtype=torch.float64).to(device)
    W_i, W_f, W_g, W_o = cell.weight_ih.chunk(4)
    U_i, U_f, U_g, U_o = cell.weight_hh.chunk(4)
    b = (cell.bias_ih + cell.bias_hh).chunk(4)
    params = [W_i.T, U_i.T, b[0], W_f.T, U_f.T, b[1], W_o.T, U_o.T, b[3], W_g.T, U_g.T, b[2]]
    X = torch.randn(5, 2, 3, dtype=torch.float64, device=device)
    H, C = torch.randn(2, 4, dtype=torch.float64, device=device), torch.randn(2, 4, dtype=torch.float64, device=device)
    outputs, (H_T, C_T) = d2l.lstm(X, (H, C), params)
    for t in range(5):
        H, C = cell(X[t], (H, C))
        assert torch.allclose(outputs[t], H)
    assert torch.allclose(H_T, H) and torch.allclose(C_T, C)


def test_gru_matches_formula_and_differs_from_nn_gru():
    torch.manual_seed(0)
    d, h = 3, 2
    params = [torch.randn(s, dtype=torch.float64) for s in [(d, h), (h, h), (h,)] * 3]
    X, H = torch.randn(4, 2, d, dtype=torch.float64), torch.randn(2, h, dtype=torch.float64)
    outputs, (H_T,) = d2l.gru(X, (H,), params)
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h = params
    for t in range(4):
        Z = 1 / (1 + torch.exp(-(X[t] @ W_xz + H @ W_hz + b_z)))
        R = 1 / (1 + torch.exp(-(X[t] @ W_xr + H @ W_hr + b_r)))
        H = Z * H + (1 - Z) * torch.tanh(X[t] @ W_xh + (R * H) @ W_hh + b_h)
        assert torch.allclose(outputs[t], H)
    assert torch.allclose(H_T, H)


def test_deep_and_bidirectional_match_nn_rnn():
    torch.manual_seed(0)
    layer = nn.RNN(3, 4, num_layers=2, bidirectional=False, dtype=torch.float64)
    X = torch.randn(5, 2, 3, dtype=torch.float64)
    layers = [[layer.weight_ih_l0.T, layer.weight_hh_l0.T, layer.bias_ih_l0 + layer.bias_hh_l0],
              [layer.weight_ih_l1.T, layer.weight_hh_l1.T, layer.bias_ih_l1 + layer.bias_hh_l1]]
    expected, H = layer(X)
    outputs, states = d2l.deep_rnn(X, None, layers)
    assert torch.allclose(outputs, expected) and all(torch.allclose(s[0], H[k]) for k, s in enumerate(states))
    bi = nn.RNN(3, 4, bidirectional=True, dtype=torch.float64)
    pf = [bi.weight_ih_l0.T, bi.weight_hh_l0.T, bi.bias_ih_l0 + bi.bias_hh_l0]
    pb = [bi.weight_ih_l0_reverse.T, bi.weight_hh_l0_reverse.T, bi.bias_ih_l0_reverse + bi.bias_hh_l0_reverse]
    assert torch.allclose(d2l.bi_rnn(X, pf, pb), bi(X)[0])


def test_truncate_pad_and_sequence_mask():
    assert d2l.truncate_pad([1, 2], 4, 0) == [1, 2, 0, 0] and d2l.truncate_pad([1, 2, 3], 2, 0) == [1, 2]
    X = torch.ones(2, 3, 2)
    out = d2l.sequence_mask(X, torch.tensor([1, 3]), -1)
    assert out[0, 1:].eq(-1).all() and out[0, 0].eq(1).all() and out[1].eq(1).all() and X.eq(1).all()


def test_masked_loss_matches_ignore_index():
    torch.manual_seed(0)
    pred, label = torch.randn(3, 4, 5, dtype=torch.float64), torch.randint(0, 5, (3, 4))
    valid = torch.tensor([4, 2, 0])
    got = d2l.MaskedSoftmaxCELoss()(pred, label, valid)
    masked = label.clone()
    masked[torch.arange(4)[None, :] >= valid[:, None]] = -100
    expected = F.cross_entropy(pred.permute(0, 2, 1), masked, reduction='none').sum(1) / 4
    assert torch.allclose(got, expected) and got[2] == 0


def test_bleu_values():
    assert d2l.bleu('a b c d', 'a b c d', 4) == 1.0
    assert d2l.bleu('x y', 'a b', 2) == 0.0
    assert d2l.bleu('a bc ab x', 'ab c a x', 2) == 0.0  # n-grams as tuples
    assert math.isclose(d2l.bleu('a', 'a b c', 4), math.exp(-2))  # short prediction: n up to 1
    assert math.isclose(d2l.bleu('a a a a', 'a b', 1), 0.25 ** 0.5)  # clipped counts


def test_beam_search_exhaustive_and_greedy():
    torch.manual_seed(0)
    V, eos, bos = 3, 0, 3
    table = torch.randn(V + 1, V, dtype=torch.float64) * 2

    def model(prefix):
        return torch.log_softmax(table[prefix[-1]] + 0.1 * len(prefix), dim=0)

    for alpha in (0.0, 0.75):
        best = None
        for L in range(1, 4):
            for seq in itertools.product(range(V), repeat=L):
                if eos in seq[:-1]:
                    continue
                logp = sum(float(model([bos] + list(seq[:i]))[tok]) for i, tok in enumerate(seq))
                key = (-logp / L ** alpha, L, list(seq))
                best = key if best is None or key < best else best
        tokens, score = d2l.beam_search(model, bos, eos, 3, V ** 3, alpha)
        assert tokens == best[2] and math.isclose(score, -best[0])
    tokens, _ = d2l.beam_search(model, bos, eos, 3, 1, 0.75)
    greedy, prefix = [], [bos]
    for _ in range(3):
        greedy.append(int(model(prefix).argmax()))
        prefix.append(greedy[-1])
        if greedy[-1] == eos:
            break
    assert tokens == greedy[:len(tokens)]


def test_tiny_fra_eng(data_home):
    d2l.make_tiny_fra_eng(str(data_home))
    assert d2l.read_data_nmt().splitlines()[0].count('\t') == 1
    data_iter, src_vocab, tgt_vocab = d2l.load_data_nmt(4, 6)
    X, X_len, Y, Y_len = next(iter(data_iter))
    assert X.shape == Y.shape == (4, 6) and X.dtype == torch.int64
    assert src_vocab.idx_to_token[:4] == ['<unk>', '<pad>', '<bos>', '<eos>']
    assert bool((X_len <= 6).all()) and bool((X[:, 0] != src_vocab['<pad>']).all())


def test_seq2seq_encoder_decoder_against_nn_gru_by_hand():
    torch.manual_seed(0)
    V, E, H, L, B, T = 7, 3, 4, 2, 2, 5
    enc, dec = d2l.Seq2SeqEncoder(V, E, H, L).double(), d2l.Seq2SeqDecoder(V, E, H, L).double()
    X = torch.randint(0, V, (B, T))
    outputs, state = enc(X, torch.tensor([T, 2]))
    gru = nn.GRU(E, H, L).double()
    gru.load_state_dict(enc.rnn.state_dict())
    want_out, want_state = gru(enc.embedding.weight[X].transpose(0, 1))
    assert outputs.shape == (T, B, H) and state.shape == (L, B, H)
    assert torch.allclose(outputs, want_out) and torch.allclose(state, want_state)
    dec_state = dec.init_state((outputs, state))
    Y = torch.randint(0, V, (B, 3))
    logits, (enc_out, hidden) = dec(Y, dec_state)
    assert logits.shape == (B, 3, V) and enc_out is outputs and hidden.shape == (L, B, H)
    # one step at a time, carrying the state, gives the same logits (the context stays the encoder's)
    s, steps = dec_state, []
    for t in range(3):
        y, s = dec(Y[:, t:t + 1], s)
        steps.append(y)
    assert torch.allclose(torch.cat(steps, dim=1), logits) and torch.allclose(s[1], hidden)
    # by hand: context = last layer's final encoder state, after the embedding
    g = nn.GRU(E + H, H, L).double()
    g.load_state_dict(dec.rnn.state_dict())
    inp = torch.cat([dec.embedding.weight[Y].transpose(0, 1), state[-1].expand(3, B, H)], dim=-1)
    o, _ = g(inp, state)
    assert torch.allclose(dec.dense(o).transpose(0, 1), logits)


def test_predict_seq2seq_greedy_by_hand():
    torch.manual_seed(1)
    V, bos, eos, pad = 6, 4, 5, 0
    enc, dec = d2l.Seq2SeqEncoder(V, 3, 8, 2), d2l.Seq2SeqDecoder(V, 3, 8, 2)
    with torch.no_grad():
        dec.dense.weight.mul_(5)
    for src in ([1, 2, 3], [1, 2, 3, 1, 2, 3, 1, 2]):
        got = d2l.predict_seq2seq_greedy(enc, dec, src, bos, eos, pad, 6)
        with torch.no_grad():
            padded = (src + [pad] * 6)[:6]
            state = dec.init_state(enc(torch.tensor([padded])))
            token, want = bos, []
            for _ in range(6):
                y, state = dec(torch.tensor([[token]]), state)
                token = int(y[0, -1].argmax())
                if token == eos:
                    break
                want.append(token)
        assert got == want and all(isinstance(t, int) for t in got) and eos not in got and len(got) <= 6
