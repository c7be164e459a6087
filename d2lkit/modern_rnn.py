"""Modern recurrent networks and sequence to sequence tools (book part: "Modern RNNs").

Conventions (DESIGN §5): inputs are time-major (T, B, d); ``gru`` and
``lstm`` take the parameter lists of DESIGN §5 and return
``(outputs (T, B, h), state)`` with state ``(H,)`` or ``(H, C)``; the GRU
applies the reset gate before the recurrent matmul (unlike ``nn.GRU``).
"""
import collections
import math

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ['gru', 'lstm', 'deep_rnn', 'bi_rnn', 'truncate_pad', 'sequence_mask', 'MaskedSoftmaxCELoss',
           'bleu', 'Seq2SeqEncoder', 'Seq2SeqDecoder', 'predict_seq2seq_greedy', 'beam_search']


def _zeros(inputs, h):
    return torch.zeros(inputs.shape[1], h, dtype=inputs.dtype, device=inputs.device)


def gru(inputs, state, params):
    """A GRU layer from parameters.

    ``params = [W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h]``;
    ``Z = sigmoid(X W_xz + H W_hz + b_z)``, ``R = sigmoid(X W_xr + H W_hr + b_r)``,
    ``H~ = tanh(X W_xh + (R * H) W_hh + b_h)``, ``H = Z * H + (1 - Z) * H~``.
    ``state`` is ``(H,)`` or None (zeros of the inputs' dtype on their device).
    Returns ``(outputs (T, B, h), (H,))``.
    """
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h = params
    H, = state if state is not None else (_zeros(inputs, W_hh.shape[0]),)
    outputs = []
    for X in inputs:
        Z = torch.sigmoid(X @ W_xz + H @ W_hz + b_z)
        R = torch.sigmoid(X @ W_xr + H @ W_hr + b_r)
        H_tilde = torch.tanh(X @ W_xh + (R * H) @ W_hh + b_h)
        H = Z * H + (1 - Z) * H_tilde
        outputs.append(H)
    return torch.stack(outputs), (H,)


def lstm(inputs, state, params):
    """An LSTM layer from parameters.

    ``params = [W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c]``;
    gates ``I, F, O = sigmoid(X W_x* + H W_h* + b_*)``, ``C~ = tanh(X W_xc + H W_hc + b_c)``,
    ``C = F * C + I * C~``, ``H = O * tanh(C)``. ``state`` is ``(H, C)`` or
    None (zeros). Returns ``(outputs (T, B, h), (H, C))``.
    """
    W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c = params
    h = W_hi.shape[0]
    H, C = state if state is not None else (_zeros(inputs, h), _zeros(inputs, h))
    outputs = []
    for X in inputs:
        I = torch.sigmoid(X @ W_xi + H @ W_hi + b_i)
        F_ = torch.sigmoid(X @ W_xf + H @ W_hf + b_f)
        O = torch.sigmoid(X @ W_xo + H @ W_ho + b_o)
        C_tilde = torch.tanh(X @ W_xc + H @ W_hc + b_c)
        C = F_ * C + I * C_tilde
        H = O * torch.tanh(C)
        outputs.append(H)
    return torch.stack(outputs), (H, C)


def _tanh_layer(inputs, H, W_xh, W_hh, b_h):
    outputs = []
    for X in inputs:
        H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
        outputs.append(H)
    return torch.stack(outputs), H


def deep_rnn(inputs, states, layers):
    """A stack of tanh RNN layers: layer l reads the outputs (T, B, h_{l-1}) of layer l - 1.

    ``layers``: a list of ``[W_xh, W_hh, b_h]``, one per layer; ``states``: a
    list of ``(H,)`` per layer, or None (zeros). Returns
    ``(outputs of the last layer (T, B, h_L), [(H,) of every layer])``.
    """
    new_states = []
    outputs = inputs
    for k, (W_xh, W_hh, b_h) in enumerate(layers):
        H = states[k][0] if states is not None else _zeros(inputs, W_hh.shape[0])
        outputs, H = _tanh_layer(outputs, H, W_xh, W_hh, b_h)
        new_states.append((H,))
    return outputs, new_states


def bi_rnn(inputs, params_fwd, params_bwd):
    """A bidirectional tanh RNN layer from zero states.

    The forward layer reads steps 0..T-1, the backward layer T-1..0; output
    t is ``cat([H_fwd_t, H_bwd_t], dim=-1)`` where H_bwd_t has read steps
    T-1 down to t. Returns outputs (T, B, h_f + h_b).
    """
    fwd, _ = _tanh_layer(inputs, _zeros(inputs, params_fwd[1].shape[0]), *params_fwd)
    bwd, _ = _tanh_layer(inputs.flip(0), _zeros(inputs, params_bwd[1].shape[0]), *params_bwd)
    return torch.cat([fwd, bwd.flip(0)], dim=-1)


def truncate_pad(line, num_steps, padding_token):
    """``line[:num_steps]`` padded with ``padding_token`` to exactly ``num_steps`` items (a new list)."""
    if len(line) > num_steps:
        return list(line[:num_steps])
    return list(line) + [padding_token] * (num_steps - len(line))


def sequence_mask(X, valid_len, value=0):
    """A copy of X (B, T, ...) with ``X[b, t, ...] = value`` wherever ``t >= valid_len[b]``; X is not modified."""
    T = X.shape[1]
    mask = torch.arange(T, device=X.device)[None, :] < valid_len.to(X.device)[:, None]
    mask = mask.reshape(mask.shape + (1,) * (X.dim() - 2))
    return torch.where(mask, X, torch.as_tensor(value, dtype=X.dtype, device=X.device))


class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
    """Softmax cross-entropy that ignores padding.

    ``forward(pred, label, valid_len)``: pred logits (B, T, V), label int64
    (B, T), valid_len (B,). Returns (B,): for each sequence the sum of the
    token losses at steps t < valid_len[b], divided by T (all steps), so an
    all-padding sequence gives 0.
    """

    def forward(self, pred, label, valid_len):
        weights = sequence_mask(torch.ones_like(label, dtype=pred.dtype), valid_len)
        unweighted = F.cross_entropy(pred.permute(0, 2, 1), label, reduction='none')
        return (unweighted * weights).mean(dim=1)


def bleu(pred_seq, label_seq, k):
    """The book's BLEU: ``exp(min(0, 1 - len_label / len_pred)) * prod_n p_n ** (0.5 ** n)``.

    Tokens are split on spaces; ``p_n`` is the clipped n-gram precision for
    n = 1 .. min(k, len_pred) (n-grams compared as token tuples). An empty
    prediction scores 0. Returns a Python float.
    """
    pred_tokens, label_tokens = pred_seq.split(' '), label_seq.split(' ')
    len_pred, len_label = len(pred_tokens), len(label_tokens)
    if pred_seq == '' or len_pred == 0:
        return 0.0
    score = math.exp(min(0, 1 - len_label / len_pred))
    for n in range(1, min(k, len_pred) + 1):
        label_counts = collections.Counter(tuple(label_tokens[i:i + n]) for i in range(len_label - n + 1))
        matches = 0
        for i in range(len_pred - n + 1):
            gram = tuple(pred_tokens[i:i + n])
            if label_counts[gram] > 0:
                matches += 1
                label_counts[gram] -= 1
        score *= math.pow(matches / (len_pred - n + 1), math.pow(0.5, n))
    return score


class Seq2SeqEncoder(nn.Module):
    """The GRU encoder of sequence to sequence learning.

    Submodules: ``embedding = nn.Embedding(vocab_size, embed_size)`` and
    ``rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)``
    (time-major). ``forward(X, *args)``: X int64 (B, T); extra arguments
    (the valid lengths) are ignored. Returns ``(outputs (T, B, H), state
    (L, B, H))``: the last layer's state at every step, and every layer's
    final state.
    """

    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)

    def forward(self, X, *args):
        outputs, state = self.rnn(self.embedding(X).permute(1, 0, 2))
        return outputs, state


class Seq2SeqDecoder(nn.Module):
    """The GRU decoder of sequence to sequence learning (the book's newer edition).

    Submodules: ``embedding = nn.Embedding(vocab_size, embed_size)``,
    ``rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers,
    dropout=dropout)`` and ``dense = nn.Linear(num_hiddens, vocab_size)``.
    ``init_state(enc_all_outputs, *args)`` returns the encoder's
    ``(outputs, state)`` as the decoder state. ``forward(X, state)``: X int64
    (B, T), state ``(enc_outputs (T_src, B, H), hidden (L, B, H))``; the
    context ``enc_outputs[-1]`` (the encoder's last-layer final state, fixed
    for the whole decoding) is concatenated after each step's embedding;
    returns ``(logits (B, T, V), (enc_outputs, new hidden))``.
    """

    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
        self.dense = nn.Linear(num_hiddens, vocab_size)

    def init_state(self, enc_all_outputs, *args):
        enc_outputs, hidden = enc_all_outputs
        return enc_outputs, hidden

    def forward(self, X, state):
        enc_outputs, hidden = state
        embs = self.embedding(X).permute(1, 0, 2)
        context = enc_outputs[-1].unsqueeze(0).expand(embs.shape[0], -1, -1)
        outputs, hidden = self.rnn(torch.cat((embs, context), dim=-1), hidden)
        return self.dense(outputs).permute(1, 0, 2), (enc_outputs, hidden)


def predict_seq2seq_greedy(encoder, decoder, src_tokens, bos, eos, pad, num_steps):
    """Greedy decoding of one source sequence; returns the predicted tokens (a list of ints, without eos).

    The source (a list of ints) is truncated or padded with ``pad`` to
    ``num_steps`` and encoded as a (1, num_steps) int64 tensor on the device
    of the encoder's parameters, with valid length ``min(len(src_tokens),
    num_steps)``. The decoder starts from ``init_state`` and the input
    ``[[bos]]``; at each of at most ``num_steps`` steps its next input is the
    argmax of its own logits (ties: the lowest index); decoding stops when
    that token is eos (not included).
    """
    device = next(encoder.parameters()).device
    with torch.no_grad():
        enc_X = torch.tensor([truncate_pad(src_tokens, num_steps, pad)], dtype=torch.long, device=device)
        valid_len = torch.tensor([min(len(src_tokens), num_steps)], device=device)
        state = decoder.init_state(encoder(enc_X, valid_len), valid_len)
        dec_X = torch.tensor([[bos]], dtype=torch.long, device=device)
        output = []
        for _ in range(num_steps):
            Y, state = decoder(dec_X, state)
            dec_X = Y.argmax(dim=2)
            token = int(dec_X[0, 0])
            if token == eos:
                break
            output.append(token)
    return output


def beam_search(next_log_probs, bos, eos, max_len, beam_size, alpha=0.75):
    """Beam search over a language model; returns ``(tokens, score)``.

    ``next_log_probs(prefix)`` (prefix: a list of ints starting with bos)
    gives the log-probabilities of the next token, a 1-D float64 tensor of
    length V. Starting from the empty sequence, at each of ``max_len`` steps
    every live sequence is extended by every token; the extensions are
    ranked by their log P (sum of log-probabilities, Python floats) in
    descending order, ties by the token list ascending, and the first
    ``beam_size`` are kept. Every kept sequence is a candidate; kept
    sequences ending with eos stop growing. The result is the candidate
    with the highest ``log P / len(tokens) ** alpha`` (ties: the shorter,
    then the smaller token list); tokens exclude bos and include a final eos.
    """
    beams, candidates = [([], 0.0)], []
    for _ in range(max_len):
        expansions = []
        for seq, logp in beams:
            scores = next_log_probs([bos] + seq).tolist()
            expansions += [(seq + [tok], logp + s) for tok, s in enumerate(scores)]
        expansions.sort(key=lambda e: (-e[1], e[0]))
        kept = expansions[:beam_size]
        candidates += kept
        beams = [e for e in kept if e[0][-1] != eos]
        if not beams:
            break
    tokens, logp = min(candidates, key=lambda c: (-c[1] / len(c[0]) ** alpha, len(c[0]), c[0]))
    return tokens, logp / len(tokens) ** alpha
