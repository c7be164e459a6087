"""Attention mechanisms and transformers (book chapter: "Attention Mechanisms and Transformers").

Conventions (DESIGN §5): masked positions are filled with ``-1e6`` before the
softmax (so a valid length of 0 gives uniform weights, never NaN) and inputs
are never modified in place; scaled dot-product attention divides by
``sqrt(d)``; multi-head attention repeats ``valid_lens`` with
``repeat_interleave(num_heads, dim=0)``; ``P[pos, 2i] = sin(pos / 10000^(2i/d))``
and ``P[pos, 2i+1] = cos(pos / 10000^(2i/d))``.

Every layer has explicit input sizes (no lazy modules), so that a module's
``state_dict`` can be loaded into another implementation with the same
submodule names.
"""
import math

import torch
from torch import nn

__all__ = ['nadaraya_watson', 'masked_softmax', 'AdditiveAttention', 'DotProductAttention',
           'transpose_qkv', 'transpose_output', 'MultiHeadAttention', 'PositionalEncoding',
           'PositionWiseFFN', 'AddNorm', 'TransformerEncoderBlock', 'TransformerDecoderBlock']


def nadaraya_watson(x_train, y_train, x_query, sigma=1.0):
    """Nadaraya-Watson regression with a Gaussian kernel of width ``sigma``.

    x_train, y_train: (n,); x_query: (m,). The weight of training point j for
    query i is ``exp(-(x_query[i] - x_train[j])**2 / (2 sigma**2))``
    normalised over j (a softmax over j of the negative scaled squared
    distances: the kernel's constant factor cancels). Returns
    ``(y_hat (m,), weights (m, n))``; each row of ``weights`` sums to 1.
    """
    dists = x_query.reshape(-1, 1) - x_train.reshape(1, -1)
    weights = torch.softmax(-dists ** 2 / (2 * sigma ** 2), dim=1)
    return weights @ y_train, weights


def masked_softmax(X, valid_lens):
    """Softmax over the last axis of X (B, Q, K), keeping only the first valid keys.

    valid_lens: None (no mask), (B,) (one length per batch element, shared by
    its queries) or (B, Q) (one length per query). Key positions at or past
    the valid length are set to ``-1e6`` before the softmax, so a valid length
    of 0 gives uniform weights 1/K. X is not modified. Same dtype and device as X.
    """
    if valid_lens is None:
        return torch.softmax(X, dim=-1)
    shape = X.shape
    if valid_lens.dim() == 1:
        valid_lens = torch.repeat_interleave(valid_lens, shape[1])
    else:
        valid_lens = valid_lens.reshape(-1)
    flat = X.reshape(-1, shape[-1])
    mask = torch.arange(shape[-1], device=X.device)[None, :] < valid_lens.to(X.device)[:, None]
    flat = flat.masked_fill(~mask, -1e6)
    return torch.softmax(flat.reshape(shape), dim=-1)


class AdditiveAttention(nn.Module):
    """Additive attention: ``score(q, k) = w_v^T tanh(W_q q + W_k k)``.

    Submodules: ``W_k = Linear(key_size, num_hiddens, bias=False)``,
    ``W_q = Linear(query_size, num_hiddens, bias=False)``,
    ``w_v = Linear(num_hiddens, 1, bias=False)``, ``dropout = Dropout(dropout)``.
    forward(queries (B, Q, query_size), keys (B, K, key_size), values (B, K, v),
    valid_lens) -> (B, Q, v); sets ``self.attention_weights`` (B, Q, K).
    """

    def __init__(self, key_size, query_size, num_hiddens, dropout):
        super().__init__()
        self.W_k = nn.Linear(key_size, num_hiddens, bias=False)
        self.W_q = nn.Linear(query_size, num_hiddens, bias=False)
        self.w_v = nn.Linear(num_hiddens, 1, bias=False)
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries, keys, values, valid_lens=None):
        queries, keys = self.W_q(queries), self.W_k(keys)
        features = torch.tanh(queries.unsqueeze(2) + keys.unsqueeze(1))
        scores = self.w_v(features).squeeze(-1)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)


class DotProductAttention(nn.Module):
    """Scaled dot-product attention: ``softmax(Q K^T / sqrt(d)) V`` with masking.

    forward(queries (B, Q, d), keys (B, K, d), values (B, K, v), valid_lens)
    -> (B, Q, v); sets ``self.attention_weights`` (B, Q, K). Dropout is
    applied to the attention weights.
    """

    def __init__(self, dropout):
        super().__init__()
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries, keys, values, valid_lens=None):
        d = queries.shape[-1]
        scores = torch.bmm(queries, keys.transpose(1, 2)) / math.sqrt(d)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)


def transpose_qkv(X, num_heads):
    """(B, n, h) -> (B * num_heads, n, h / num_heads); head j of batch b at index b * num_heads + j."""
    X = X.reshape(X.shape[0], X.shape[1], num_heads, -1)
    X = X.permute(0, 2, 1, 3)
    return X.reshape(-1, X.shape[2], X.shape[3])


def transpose_output(X, num_heads):
    """The inverse of transpose_qkv: (B * num_heads, n, h / num_heads) -> (B, n, h)."""
    X = X.reshape(-1, num_heads, X.shape[1], X.shape[2])
    X = X.permute(0, 2, 1, 3)
    return X.reshape(X.shape[0], X.shape[1], -1)


class MultiHeadAttention(nn.Module):
    """Multi-head attention from ``num_heads`` scaled dot-product attentions.

    Submodules: ``attention = DotProductAttention(dropout)``,
    ``W_q = Linear(query_size, num_hiddens, bias=bias)``, ``W_k`` (key_size),
    ``W_v`` (value_size), ``W_o = Linear(num_hiddens, num_hiddens, bias=bias)``.
    valid_lens (B,) or (B, Q) is repeated ``num_heads`` times along dim 0.
    """

    def __init__(self, key_size, query_size, value_size, num_hiddens, num_heads, dropout, bias=False):
        super().__init__()
        self.num_heads = num_heads
        self.attention = DotProductAttention(dropout)
        self.W_q = nn.Linear(query_size, num_hiddens, bias=bias)
        self.W_k = nn.Linear(key_size, num_hiddens, bias=bias)
        self.W_v = nn.Linear(value_size, num_hiddens, bias=bias)
        self.W_o = nn.Linear(num_hiddens, num_hiddens, bias=bias)

    def forward(self, queries, keys, values, valid_lens=None):
        queries = transpose_qkv(self.W_q(queries), self.num_heads)
        keys = transpose_qkv(self.W_k(keys), self.num_heads)
        values = transpose_qkv(self.W_v(values), self.num_heads)
        if valid_lens is not None:
            valid_lens = torch.repeat_interleave(valid_lens, repeats=self.num_heads, dim=0)
        output = self.attention(queries, keys, values, valid_lens)
        return self.W_o(transpose_output(output, self.num_heads))


class PositionalEncoding(nn.Module):
    """Adds sinusoidal positions to X (B, T, num_hiddens), then dropout.

    ``P[pos, 2i] = sin(pos / 10000^(2i/d))``, ``P[pos, 2i+1] = cos(...)``
    (d = num_hiddens, even). P (1, max_len, d) is computed once in float64
    and cast to X's dtype and device in forward; it is not in the state_dict.
    """

    def __init__(self, num_hiddens, dropout, max_len=1000):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        pos = torch.arange(max_len, dtype=torch.float64).reshape(-1, 1)
        angles = pos / torch.pow(10000, torch.arange(0, num_hiddens, 2, dtype=torch.float64) / num_hiddens)
        P = torch.zeros(1, max_len, num_hiddens, dtype=torch.float64)
        P[:, :, 0::2] = torch.sin(angles)
        P[:, :, 1::2] = torch.cos(angles)
        self.P = P  # a plain attribute in float64: cast to the input's dtype and device when used

    def forward(self, X):
        return self.dropout(X + self.P[:, :X.shape[1], :].to(device=X.device, dtype=X.dtype))


class PositionWiseFFN(nn.Module):
    """``dense2(relu(dense1(X)))`` on the last axis: dense1 (ffn_num_input -> ffn_num_hiddens), relu, dense2."""

    def __init__(self, ffn_num_input, ffn_num_hiddens, ffn_num_outputs):
        super().__init__()
        self.dense1 = nn.Linear(ffn_num_input, ffn_num_hiddens)
        self.relu = nn.ReLU()
        self.dense2 = nn.Linear(ffn_num_hiddens, ffn_num_outputs)

    def forward(self, X):
        return self.dense2(self.relu(self.dense1(X)))


class AddNorm(nn.Module):
    """Residual connection then layer normalisation: ``ln(dropout(Y) + X)``; submodules dropout, ln."""

    def __init__(self, normalized_shape, dropout):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.ln = nn.LayerNorm(normalized_shape)

    def forward(self, X, Y):
        return self.ln(self.dropout(Y) + X)


class TransformerEncoderBlock(nn.Module):
    """Self-attention + AddNorm, then position-wise FFN + AddNorm.

    Submodules: ``attention = MultiHeadAttention(num_hiddens, num_hiddens,
    num_hiddens, num_hiddens, num_heads, dropout, use_bias)``,
    ``addnorm1 = AddNorm(num_hiddens, dropout)``,
    ``ffn = PositionWiseFFN(num_hiddens, ffn_num_hiddens, num_hiddens)``,
    ``addnorm2 = AddNorm(num_hiddens, dropout)``.
    forward(X (B, T, num_hiddens), valid_lens) -> (B, T, num_hiddens).
    """

    def __init__(self, num_hiddens, ffn_num_hiddens, num_heads, dropout, use_bias=False):
        super().__init__()
        self.attention = MultiHeadAttention(num_hiddens, num_hiddens, num_hiddens, num_hiddens, num_heads,
                                            dropout, use_bias)
        self.addnorm1 = AddNorm(num_hiddens, dropout)
        self.ffn = PositionWiseFFN(num_hiddens, ffn_num_hiddens, num_hiddens)
        self.addnorm2 = AddNorm(num_hiddens, dropout)

    def forward(self, X, valid_lens):
        Y = self.addnorm1(X, self.attention(X, X, X, valid_lens))
        return self.addnorm2(Y, self.ffn(Y))


class TransformerDecoderBlock(nn.Module):
    """The i-th transformer decoder block: masked self-attention, encoder-decoder attention, FFN.

    Submodules: ``attention1`` and ``attention2`` (MultiHeadAttention of
    num_hiddens everywhere, bias False), ``addnorm1``, ``addnorm2``,
    ``addnorm3`` (AddNorm(num_hiddens, dropout)), ``ffn``
    (PositionWiseFFN(num_hiddens, ffn_num_hiddens, num_hiddens)).

    forward(X (B, T, num_hiddens), state) -> (output, state) where
    ``state = [enc_outputs, enc_valid_lens, cache]`` and ``cache[self.i]`` holds
    the decoder inputs seen so far (None at first): the keys and values of
    the self-attention are ``cat(cache[i], X)`` along dim 1 and are stored
    back into ``cache[i]``. In training mode query t sees keys 0..t
    (valid_lens ``[1, ..., T]`` per batch element); in eval mode the block
    is fed one step at a time and attends to every cached key.
    """

    def __init__(self, num_hiddens, ffn_num_hiddens, num_heads, dropout, i):
        super().__init__()
        self.i = i
        self.attention1 = MultiHeadAttention(num_hiddens, num_hiddens, num_hiddens, num_hiddens, num_heads,
                                             dropout)
        self.addnorm1 = AddNorm(num_hiddens, dropout)
        self.attention2 = MultiHeadAttention(num_hiddens, num_hiddens, num_hiddens, num_hiddens, num_heads,
                                             dropout)
        self.addnorm2 = AddNorm(num_hiddens, dropout)
        self.ffn = PositionWiseFFN(num_hiddens, ffn_num_hiddens, num_hiddens)
        self.addnorm3 = AddNorm(num_hiddens, dropout)

    def forward(self, X, state):
        enc_outputs, enc_valid_lens = state[0], state[1]
        if state[2][self.i] is None:
            key_values = X
        else:
            key_values = torch.cat((state[2][self.i], X), dim=1)
        state[2][self.i] = key_values
        if self.training:
            batch_size, num_steps, _ = X.shape
            dec_valid_lens = torch.arange(1, num_steps + 1, device=X.device).repeat(batch_size, 1)
        else:
            dec_valid_lens = None
        Y = self.addnorm1(X, self.attention1(X, key_values, key_values, dec_valid_lens))
        Z = self.addnorm2(Y, self.attention2(Y, enc_outputs, enc_outputs, enc_valid_lens))
        return self.addnorm3(Z, self.ffn(Z)), state
