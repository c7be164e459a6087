"""Mutants and variants of ps10-attention, graded through the real engine by tests/test_catalogue.py.

A source is a whole solution cell. The notebook's setup cell imports math,
torch, nn and F before these cells. Layers built on earlier exercises are
graded with correct versions of those swapped in, so their mutants here
only carry the layer's own bug.
"""
from kit import Mutant, Variant

# --------------------------------------------------------------------------- nadaraya_watson

NW_HEAD = "def nadaraya_watson(x_train, y_train, x_query, sigma=1.0):\n"

MUTANTS = [
    Mutant("nadaraya_watson", "one_column_per_query", NW_HEAD + '''    dists = x_train.reshape(-1, 1) - x_query.reshape(1, -1)
    k = torch.exp(-dists ** 2 / (2 * sigma ** 2))
    weights = k / k.sum(0)
    return y_train @ weights, weights
''', fails=("weights_of_each_query_sum_to_one", "matches_reference"), message="shape"),
    Mutant("nadaraya_watson", "float32_cast", NW_HEAD + '''    dists = x_query.reshape(-1, 1) - x_train.reshape(1, -1)
    k = torch.exp(-dists ** 2 / (2 * sigma ** 2)).type(torch.float32)
    weights = k / k.sum(1, keepdim=True)
    return weights @ y_train.float(), weights
''', fails=("matches_reference",), message="dtype"),
    Mutant("nadaraya_watson", "normalised_over_queries", NW_HEAD + '''    dists = x_query.reshape(-1, 1) - x_train.reshape(1, -1)
    k = torch.exp(-dists ** 2 / (2 * sigma ** 2))
    weights = k / k.sum(0, keepdim=True)
    return weights @ y_train, weights
''', fails=("weights_of_each_query_sum_to_one",), message="should sum to 1"),
    Mutant("nadaraya_watson", "sigma_ignored", NW_HEAD + '''    dists = x_query.reshape(-1, 1) - x_train.reshape(1, -1)
    weights = torch.softmax(-dists ** 2 / 2, dim=1)
    return weights @ y_train, weights
''', fails=("matches_reference",), message="is wrong"),
]

VARIANTS = [
    Variant("nadaraya_watson", "gaussian_density_normalised", NW_HEAD + '''    def gaussian(x):
        return torch.exp(-x ** 2 / (2 * sigma ** 2)) / math.sqrt(2 * math.pi) / sigma
    k = gaussian(x_query[:, None] - x_train[None, :])
    weights = k / k.sum(dim=1, keepdim=True)
    return (weights * y_train[None, :]).sum(dim=1), weights
'''),
    Variant("nadaraya_watson", "query_loop", NW_HEAD + '''    rows = []
    for q in x_query:
        scores = -((q - x_train) ** 2) / (2 * sigma ** 2)
        e = torch.exp(scores - scores.max())
        rows.append(e / e.sum())
    weights = torch.stack(rows)
    return torch.matmul(weights, y_train), weights
'''),
]

# --------------------------------------------------------------------------- masked_softmax

MS_HEAD = "def masked_softmax(X, valid_lens):\n"

MUTANTS += [
    Mutant("masked_softmax", "book_writes_into_X", MS_HEAD + '''    def _sequence_mask(X, valid_len, value=0):
        maxlen = X.size(1)
        mask = torch.arange(maxlen, dtype=torch.float32, device=X.device)[None, :] < valid_len[:, None]
        X[~mask] = value
        return X
    if valid_lens is None:
        return F.softmax(X, dim=-1)
    shape = X.shape
    if valid_lens.dim() == 1:
        valid_lens = torch.repeat_interleave(valid_lens, shape[1])
    else:
        valid_lens = valid_lens.reshape(-1)
    X = _sequence_mask(X.reshape(-1, shape[-1]), valid_lens, value=-1e6)
    return F.softmax(X.reshape(shape), dim=-1)
''', fails=("does_not_modify_input",), message="modified X in place"),
    Mutant("masked_softmax", "minus_infinity_fill", MS_HEAD + '''    if valid_lens is None:
        return torch.softmax(X, dim=-1)
    if valid_lens.dim() == 1:
        valid_lens = valid_lens[:, None].expand(X.shape[0], X.shape[1])
    mask = torch.arange(X.shape[-1], device=X.device) < valid_lens[..., None]
    return torch.softmax(X.masked_fill(~mask, float('-inf')), dim=-1)
''', fails=("valid_length_zero",), message="NaN"),
    Mutant("masked_softmax", "repeat_not_repeat_interleave", MS_HEAD + '''    if valid_lens is None:
        return torch.softmax(X, dim=-1)
    shape = X.shape
    if valid_lens.dim() == 1:
        valid_lens = valid_lens.repeat(shape[1])
    else:
        valid_lens = valid_lens.reshape(-1)
    mask = torch.arange(shape[-1], device=X.device)[None, :] < valid_lens[:, None]
    return torch.softmax(X.reshape(-1, shape[-1]).masked_fill(~mask, -1e6).reshape(shape), dim=-1)
''', fails=("one_length_per_sequence",), message="is wrong"),
    Mutant("masked_softmax", "first_query_length_for_all", MS_HEAD + '''    if valid_lens is None:
        return torch.softmax(X, dim=-1)
    if valid_lens.dim() == 2:
        valid_lens = valid_lens[:, 0]
    mask = torch.arange(X.shape[-1], device=X.device)[None, None, :] < valid_lens[:, None, None]
    return torch.softmax(X.masked_fill(~mask, -1e6), dim=-1)
''', fails=("one_length_per_query",), message="is wrong"),
    Mutant("masked_softmax", "off_by_one", MS_HEAD + '''    if valid_lens is None:
        return torch.softmax(X, dim=-1)
    if valid_lens.dim() == 1:
        valid_lens = valid_lens[:, None].expand(X.shape[0], X.shape[1])
    mask = torch.arange(X.shape[-1], device=X.device) <= valid_lens[..., None]
    return torch.softmax(X.masked_fill(~mask, -1e6), dim=-1)
''', fails=("one_length_per_sequence", "one_length_per_query"), message="is wrong"),
]

VARIANTS += [
    Variant("masked_softmax", "row_loop_with_where", MS_HEAD + '''    out = torch.empty_like(X)
    B, Q, K = X.shape
    for b in range(B):
        for q in range(Q):
            if valid_lens is None:
                n = K
            elif valid_lens.dim() == 1:
                n = int(valid_lens[b])
            else:
                n = int(valid_lens[b, q])
            keep = torch.arange(K, device=X.device) < n
            row = torch.where(keep, X[b, q], torch.full_like(X[b, q], -1e6))
            out[b, q] = torch.softmax(row, dim=0)
    return out
'''),
    Variant("masked_softmax", "broadcast_mask_manual_softmax", MS_HEAD + '''    if valid_lens is not None:
        lens = valid_lens[:, None, None] if valid_lens.ndim == 1 else valid_lens[:, :, None]
        keep = torch.arange(X.shape[-1], device=X.device).view(1, 1, -1) < lens
        X = torch.where(keep, X, torch.tensor(-1e6, dtype=X.dtype, device=X.device))
    e = torch.exp(X - X.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)
'''),
]

# --------------------------------------------------------------------------- AdditiveAttention

ADD_INIT = '''class AdditiveAttention(nn.Module):
    def __init__(self, key_size, query_size, num_hiddens, dropout):
        super().__init__()
        self.W_k = nn.Linear(key_size, num_hiddens, bias={bias})
        self.W_q = nn.Linear(query_size, num_hiddens, bias={bias})
        self.w_v = nn.Linear(num_hiddens, 1, bias=False)
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries, keys, values, valid_lens=None):
'''


def additive(body, bias=False):
    return ADD_INIT.format(bias=bias) + body


MUTANTS += [
    Mutant("AdditiveAttention", "no_tanh", additive('''        features = self.W_q(queries).unsqueeze(2) + self.W_k(keys).unsqueeze(1)
        self.attention_weights = masked_softmax(self.w_v(features).squeeze(-1), valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)
'''), fails=("matches_reference",), message="is wrong"),
    Mutant("AdditiveAttention", "projections_with_bias", additive('''        features = torch.tanh(self.W_q(queries).unsqueeze(2) + self.W_k(keys).unsqueeze(1))
        self.attention_weights = masked_softmax(self.w_v(features).squeeze(-1), valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)
''', bias=True), fails=("parameters", "matches_reference"), message="registers the parameters"),
    Mutant("AdditiveAttention", "ignores_valid_lens", additive('''        features = torch.tanh(self.W_q(queries).unsqueeze(2) + self.W_k(keys).unsqueeze(1))
        self.attention_weights = torch.softmax(self.w_v(features).squeeze(-1), dim=-1)
        return torch.bmm(self.dropout(self.attention_weights), values)
'''), fails=("masks_each_query",), message="is wrong"),
    Mutant("AdditiveAttention", "weights_not_stored", additive('''        features = torch.tanh(self.W_q(queries).unsqueeze(2) + self.W_k(keys).unsqueeze(1))
        attention_weights = masked_softmax(self.w_v(features).squeeze(-1), valid_lens)
        return torch.bmm(self.dropout(attention_weights), values)
'''), fails=("attention_weights",), message="should return a tensor"),
]

VARIANTS += [
    Variant("AdditiveAttention", "loops_over_queries_and_keys", additive('''        B, Q, K = queries.shape[0], queries.shape[1], keys.shape[1]
        scores = torch.zeros(B, Q, K, dtype=queries.dtype, device=queries.device)
        for i in range(Q):
            for j in range(K):
                scores[:, i, j] = self.w_v(torch.tanh(self.W_q(queries[:, i]) + self.W_k(keys[:, j])))[:, 0]
        self.attention_weights = masked_softmax(scores, valid_lens)
        return self.dropout(self.attention_weights) @ values
''')),
    Variant("AdditiveAttention", "weight_matrices_and_einsum", additive('''        q = queries @ self.W_q.weight.T
        k = keys @ self.W_k.weight.T
        features = torch.tanh(q[:, :, None, :] + k[:, None, :, :])
        scores = torch.einsum('bqkh,h->bqk', features, self.w_v.weight[0])
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.einsum('bqk,bkv->bqv', self.dropout(self.attention_weights), values)
''')),
]

# --------------------------------------------------------------------------- DotProductAttention

DOT_INIT = '''class DotProductAttention(nn.Module):
    def __init__(self, dropout):
        super().__init__()
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries, keys, values, valid_lens=None):
'''

MUTANTS += [
    Mutant("DotProductAttention", "not_scaled", DOT_INIT + '''        scores = torch.bmm(queries, keys.transpose(1, 2))
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)
''', fails=("scaled_by_sqrt_d", "matches_reference"), message="not scaled"),
    Mutant("DotProductAttention", "divided_by_d", DOT_INIT + '''        scores = torch.bmm(queries, keys.transpose(1, 2)) / queries.shape[-1]
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)
''', fails=("scaled_by_sqrt_d",), message="divided by d"),
    Mutant("DotProductAttention", "scaled_by_number_of_keys", DOT_INIT + '''        scores = torch.bmm(queries, keys.transpose(1, 2)) / math.sqrt(keys.shape[1])
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)
''', fails=("matches_reference",), message="is wrong"),
    Mutant("DotProductAttention", "ignores_valid_lens", DOT_INIT + '''        scores = torch.bmm(queries, keys.transpose(1, 2)) / math.sqrt(queries.shape[-1])
        self.attention_weights = masked_softmax(scores, None)
        return torch.bmm(self.dropout(self.attention_weights), values)
''', fails=("masks_each_query",), message="is wrong"),
    Mutant("DotProductAttention", "torch_sdpa", DOT_INIT + '''        if valid_lens is None:
            mask = None
        else:
            lens = valid_lens[:, None, None] if valid_lens.dim() == 1 else valid_lens[:, :, None]
            mask = torch.arange(keys.shape[1], device=keys.device) < lens
        return F.scaled_dot_product_attention(queries, keys, values, attn_mask=mask)
''', fails=("matches_reference", "gradients"), message="from scratch"),
    Mutant("DotProductAttention", "dropout_on_output", DOT_INIT + '''        scores = torch.bmm(queries, keys.transpose(1, 2)) / math.sqrt(queries.shape[-1])
        attention_weights = masked_softmax(scores, valid_lens)
        return self.dropout(torch.bmm(attention_weights, values))
''', fails=("attention_weights",), message="should return a tensor"),
]

VARIANTS += [
    Variant("DotProductAttention", "matmul_and_power", DOT_INIT + '''        scores = torch.matmul(queries, keys.transpose(-1, -2)) / queries.size(-1) ** 0.5
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.matmul(self.dropout(self.attention_weights), values)
'''),
    Variant("DotProductAttention", "einsum_scaled_queries", DOT_INIT + '''        queries = queries / math.sqrt(queries.shape[-1])
        self.attention_weights = masked_softmax(torch.einsum('bqd,bkd->bqk', queries, keys), valid_lens)
        return torch.einsum('bqk,bkv->bqv', self.dropout(self.attention_weights), values)
'''),
]

# --------------------------------------------------------------------------- transpose_qkv / transpose_output

QKV = "def transpose_qkv(X, num_heads):\n"
OUT = "def transpose_output(X, num_heads):\n"

MUTANTS += [
    Mutant("transpose_qkv", "reshape_only", QKV + '''    return X.reshape(X.shape[0] * num_heads, X.shape[1], -1)
''', fails=("matches_reference",), message="without moving the head axis"),
    Mutant("transpose_qkv", "heads_as_last_split", QKV + '''    X = X.reshape(X.shape[0], X.shape[1], -1, num_heads)
    X = X.permute(0, 3, 1, 2)
    return X.reshape(-1, X.shape[2], X.shape[3])
''', fails=("matches_reference",), message="is wrong"),
    Mutant("transpose_qkv", "head_major_batch", QKV + '''    X = X.reshape(X.shape[0], X.shape[1], num_heads, -1)
    X = X.permute(2, 0, 1, 3)
    return X.reshape(-1, X.shape[2], X.shape[3])
''', fails=("matches_reference",), message="is wrong"),
    Mutant("transpose_qkv", "view_after_permute", QKV + '''    X = X.reshape(X.shape[0], X.shape[1], num_heads, -1)
    X = X.permute(0, 2, 1, 3)
    return X.view(-1, X.shape[2], X.shape[3])
''', fails=("matches_reference", "noncontiguous_input"), message="view"),
    Mutant("transpose_output", "reshape_only", OUT + '''    return X.reshape(X.shape[0] // num_heads, X.shape[1], -1)
''', fails=("matches_reference",), message="without moving the head axis back"),
    Mutant("transpose_output", "head_major_batch", OUT + '''    X = X.reshape(num_heads, -1, X.shape[1], X.shape[2])
    X = X.permute(1, 2, 0, 3)
    return X.reshape(X.shape[0], X.shape[1], -1)
''', fails=("matches_reference",), message="is wrong"),
    Mutant("transpose_output", "view_after_permute", OUT + '''    X = X.reshape(-1, num_heads, X.shape[1], X.shape[2])
    X = X.permute(0, 2, 1, 3)
    return X.view(X.shape[0], X.shape[1], -1)
''', fails=("matches_reference", "noncontiguous_input"), message="view"),
    Mutant("transpose_output", "heads_stacked_over_time", OUT + '''    return X.reshape(-1, num_heads * X.shape[1], X.shape[2])
''', fails=("matches_reference",), message="shape"),
]

VARIANTS += [
    Variant("transpose_qkv", "chunk_and_stack", QKV + '''    heads = torch.stack(X.chunk(num_heads, dim=-1), dim=1)  # (B, H, n, d)
    return heads.flatten(0, 1)
'''),
    Variant("transpose_qkv", "loop_over_batch_and_heads", QKV + '''    d = X.shape[-1] // num_heads
    return torch.stack([X[b, :, j * d:(j + 1) * d] for b in range(X.shape[0]) for j in range(num_heads)])
'''),
    Variant("transpose_output", "unflatten_and_cat", OUT + '''    heads = X.unflatten(0, (-1, num_heads))  # (B, H, n, d)
    return torch.cat([heads[:, j] for j in range(num_heads)], dim=-1)
'''),
    Variant("transpose_output", "transpose_contiguous_view", OUT + '''    B = X.shape[0] // num_heads
    return X.reshape(B, num_heads, X.shape[1], X.shape[2]).transpose(1, 2).contiguous().view(B, X.shape[1], -1)
'''),
]

# --------------------------------------------------------------------------- MultiHeadAttention

MHA_INIT = '''class MultiHeadAttention(nn.Module):
    def __init__(self, key_size, query_size, value_size, num_hiddens, num_heads, dropout, bias=False):
        super().__init__()
        self.num_heads = num_heads
        self.attention = DotProductAttention(dropout)
        self.W_q = nn.Linear(query_size, num_hiddens, bias={bias})
        self.W_k = nn.Linear(key_size, num_hiddens, bias={bias})
        self.W_v = nn.Linear(value_size, num_hiddens, bias={bias})
        self.W_o = nn.Linear(num_hiddens, num_hiddens, bias={bias})

    def forward(self, queries, keys, values, valid_lens=None):
'''


def mha(body, bias="bias"):
    return MHA_INIT.format(bias=bias) + body


MHA_PROJECT = '''        queries = transpose_qkv(self.W_q(queries), self.num_heads)
        keys = transpose_qkv(self.W_k(keys), self.num_heads)
        values = transpose_qkv(self.W_v(values), self.num_heads)
'''

MUTANTS += [
    Mutant("MultiHeadAttention", "repeat_not_repeat_interleave", mha(MHA_PROJECT + '''        if valid_lens is not None:
            valid_lens = valid_lens.repeat(self.num_heads, *([1] * (valid_lens.dim() - 1)))
        output = self.attention(queries, keys, values, valid_lens)
        return self.W_o(transpose_output(output, self.num_heads))
'''), fails=("repeats_valid_lens_per_head",), message="repeat_interleave"),
    Mutant("MultiHeadAttention", "ignores_valid_lens", mha(MHA_PROJECT + '''        output = self.attention(queries, keys, values, None)
        return self.W_o(transpose_output(output, self.num_heads))
'''), fails=("repeats_valid_lens_per_head",), message="ignored valid_lens"),
    Mutant("MultiHeadAttention", "always_bias", mha(MHA_PROJECT + '''        if valid_lens is not None:
            valid_lens = torch.repeat_interleave(valid_lens, self.num_heads, dim=0)
        return self.W_o(transpose_output(self.attention(queries, keys, values, valid_lens), self.num_heads))
''', bias="True"), fails=("parameters", "matches_reference"), message="registers the parameters"),
    Mutant("MultiHeadAttention", "no_output_projection", mha(MHA_PROJECT + '''        if valid_lens is not None:
            valid_lens = torch.repeat_interleave(valid_lens, self.num_heads, dim=0)
        return transpose_output(self.attention(queries, keys, values, valid_lens), self.num_heads)
'''), fails=("matches_reference",), message="is wrong"),
    Mutant("MultiHeadAttention", "values_projected_by_W_k", mha('''        queries = transpose_qkv(self.W_q(queries), self.num_heads)
        values = transpose_qkv(self.W_k(values), self.num_heads)
        keys = transpose_qkv(self.W_k(keys), self.num_heads)
        if valid_lens is not None:
            valid_lens = torch.repeat_interleave(valid_lens, self.num_heads, dim=0)
        return self.W_o(transpose_output(self.attention(queries, keys, values, valid_lens), self.num_heads))
'''), fails=("matches_reference",), message="multiheadattention"),
]

VARIANTS += [
    Variant("MultiHeadAttention", "loop_over_heads", mha('''        q, k, v = self.W_q(queries), self.W_k(keys), self.W_v(values)
        d = q.shape[-1] // self.num_heads
        heads = []
        for j in range(self.num_heads):
            part = slice(j * d, (j + 1) * d)
            heads.append(self.attention(q[..., part], k[..., part], v[..., part], valid_lens))
        return self.W_o(torch.cat(heads, dim=-1))
''')),
    Variant("MultiHeadAttention", "methods_and_view_style", mha('''        B = queries.shape[0]
        split = lambda X: X.reshape(B, X.shape[1], self.num_heads, -1).transpose(1, 2).flatten(0, 1)
        q, k, v = split(self.W_q(queries)), split(self.W_k(keys)), split(self.W_v(values))
        if valid_lens is not None:
            valid_lens = valid_lens.repeat_interleave(self.num_heads, 0)
        out = self.attention(q, k, v, valid_lens)
        out = out.reshape(B, self.num_heads, out.shape[1], -1).transpose(1, 2).flatten(2)
        return self.W_o(out)
''')),
]

VARIANTS += [
    Variant("MultiHeadAttention", "lazy_linear_book_edition", '''class MultiHeadAttention(nn.Module):
    def __init__(self, key_size, query_size, value_size, num_hiddens, num_heads, dropout, bias=False):
        super().__init__()
        self.num_heads = num_heads
        self.attention = DotProductAttention(dropout)
        self.W_q = nn.LazyLinear(num_hiddens, bias=bias)
        self.W_k = nn.LazyLinear(num_hiddens, bias=bias)
        self.W_v = nn.LazyLinear(num_hiddens, bias=bias)
        self.W_o = nn.LazyLinear(num_hiddens, bias=bias)

    def forward(self, queries, keys, values, valid_lens):
        queries = transpose_qkv(self.W_q(queries), self.num_heads)
        keys = transpose_qkv(self.W_k(keys), self.num_heads)
        values = transpose_qkv(self.W_v(values), self.num_heads)
        if valid_lens is not None:
            valid_lens = torch.repeat_interleave(valid_lens, repeats=self.num_heads, dim=0)
        output = self.attention(queries, keys, values, valid_lens)
        return self.W_o(transpose_output(output, self.num_heads))
'''),
]

# --------------------------------------------------------------------------- PositionalEncoding

PE_HEAD = '''class PositionalEncoding(nn.Module):
    def __init__(self, num_hiddens, dropout, max_len=1000):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
'''
PE_FORWARD = '''
    def forward(self, X):
        return self.dropout(X + self.P[:, :X.shape[1], :].to(device=X.device, dtype=X.dtype))
'''


def pe(table, forward=PE_FORWARD):
    return PE_HEAD + table + forward


MUTANTS += [
    Mutant("PositionalEncoding", "sin_cos_swapped", pe('''        X = torch.arange(max_len, dtype=torch.float32).reshape(-1, 1) / torch.pow(
            10000, torch.arange(0, num_hiddens, 2, dtype=torch.float32) / num_hiddens)
        self.P = torch.zeros((1, max_len, num_hiddens))
        self.P[:, :, 0::2] = torch.cos(X)
        self.P[:, :, 1::2] = torch.sin(X)
'''), fails=("matches_reference",), message="swapped"),
    Mutant("PositionalEncoding", "exponent_i_not_2i", pe('''        X = torch.arange(max_len, dtype=torch.float32).reshape(-1, 1) / torch.pow(
            10000, torch.arange(0, num_hiddens // 2, dtype=torch.float32) / num_hiddens)
        self.P = torch.zeros((1, max_len, num_hiddens))
        self.P[:, :, 0::2] = torch.sin(X)
        self.P[:, :, 1::2] = torch.cos(X)
'''), fails=("matches_reference",), message="frequencies are wrong"),
    Mutant("PositionalEncoding", "positions_from_one", pe('''        X = torch.arange(1, max_len + 1, dtype=torch.float32).reshape(-1, 1) / torch.pow(
            10000, torch.arange(0, num_hiddens, 2, dtype=torch.float32) / num_hiddens)
        self.P = torch.zeros((1, max_len, num_hiddens))
        self.P[:, :, 0::2] = torch.sin(X)
        self.P[:, :, 1::2] = torch.cos(X)
'''), fails=("matches_reference",), message="is wrong"),
    Mutant("PositionalEncoding", "no_dropout", pe('''        X = torch.arange(max_len, dtype=torch.float32).reshape(-1, 1) / torch.pow(
            10000, torch.arange(0, num_hiddens, 2, dtype=torch.float32) / num_hiddens)
        self.P = torch.zeros((1, max_len, num_hiddens))
        self.P[:, :, 0::2] = torch.sin(X)
        self.P[:, :, 1::2] = torch.cos(X)
''', '''
    def forward(self, X):
        return X + self.P[:, :X.shape[1], :].to(X.device)
'''), fails=("dropout_after_adding",), message="should return zeros"),
    Mutant("PositionalEncoding", "P_left_on_the_cpu", pe('''        X = torch.arange(max_len, dtype=torch.float32).reshape(-1, 1) / torch.pow(
            10000, torch.arange(0, num_hiddens, 2, dtype=torch.float32) / num_hiddens)
        self.P = torch.zeros((1, max_len, num_hiddens))
        self.P[:, :, 0::2] = torch.sin(X)
        self.P[:, :, 1::2] = torch.cos(X)
''', '''
    def forward(self, X):
        return self.dropout(X + self.P[:, :X.shape[1], :])
'''), fails=("matches_reference",), message="crashed", device="cuda"),
]

VARIANTS += [
    Variant("PositionalEncoding", "book_float32_table", pe('''        self.P = torch.zeros((1, max_len, num_hiddens))
        X = torch.arange(max_len, dtype=torch.float32).reshape(-1, 1) / torch.pow(
            10000, torch.arange(0, num_hiddens, 2, dtype=torch.float32) / num_hiddens)
        self.P[:, :, 0::2] = torch.sin(X)
        self.P[:, :, 1::2] = torch.cos(X)
''', '''
    def forward(self, X):
        X = X + self.P[:, :X.shape[1], :].to(X.device)
        return self.dropout(X)
''')),
    Variant("PositionalEncoding", "nonpersistent_buffer_exp_log", pe('''        position = torch.arange(max_len, dtype=torch.float64).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, num_hiddens, 2, dtype=torch.float64) * (-math.log(10000.0) / num_hiddens))
        P = torch.empty(max_len, num_hiddens, dtype=torch.float64)
        P[:, 0::2] = torch.sin(position * div_term)
        P[:, 1::2] = torch.cos(position * div_term)
        self.register_buffer('P', P.unsqueeze(0), persistent=False)
''')),
]

# --------------------------------------------------------------------------- PositionWiseFFN

FFN_INIT = '''class PositionWiseFFN(nn.Module):
    def __init__(self, ffn_num_input, ffn_num_hiddens, ffn_num_outputs):
        super().__init__()
        self.dense1 = nn.Linear(ffn_num_input, ffn_num_hiddens{bias})
        self.relu = nn.ReLU()
        self.dense2 = nn.Linear(ffn_num_hiddens, ffn_num_outputs)

    def forward(self, X):
'''


def ffn(body, bias=""):
    return FFN_INIT.format(bias=bias) + body


MUTANTS += [
    Mutant("PositionWiseFFN", "no_relu", ffn('''        return self.dense2(self.dense1(X))
'''), fails=("matches_reference",), message="is wrong"),
    Mutant("PositionWiseFFN", "relu_on_the_output", ffn('''        return self.relu(self.dense2(self.relu(self.dense1(X))))
'''), fails=("matches_reference",), message="is wrong"),
    Mutant("PositionWiseFFN", "dense1_without_bias", ffn('''        return self.dense2(self.relu(self.dense1(X)))
''', bias=", bias=False"), fails=("parameters",), message="registers the parameters"),
    Mutant("PositionWiseFFN", "flattens_positions", ffn('''        return self.dense2(self.relu(self.dense1(X.reshape(-1, X.shape[-1]))))
'''), fails=("matches_reference",), message="shape"),
]

VARIANTS += [
    Variant("PositionWiseFFN", "functional_relu", ffn('''        return self.dense2(F.relu(self.dense1(X)))
''')),
    Variant("PositionWiseFFN", "weights_by_hand", ffn('''        H = torch.clamp(X @ self.dense1.weight.T + self.dense1.bias, min=0)
        return torch.addmm(self.dense2.bias, H.reshape(-1, H.shape[-1]), self.dense2.weight.T).reshape(
            *X.shape[:-1], -1)
''')),
]

# --------------------------------------------------------------------------- AddNorm

ADDNORM_INIT = '''class AddNorm(nn.Module):
    def __init__(self, normalized_shape, dropout):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.ln = nn.LayerNorm(normalized_shape{affine})

    def forward(self, X, Y):
'''


def addnorm(body, affine=""):
    return ADDNORM_INIT.format(affine=affine) + body


MUTANTS += [
    Mutant("AddNorm", "dropout_on_the_sum", addnorm('''        return self.ln(self.dropout(X + Y))
'''), fails=("dropout_on_y_only",), message="is wrong"),
    Mutant("AddNorm", "no_residual", addnorm('''        return self.ln(self.dropout(Y))
'''), fails=("matches_reference",), message="is wrong"),
    Mutant("AddNorm", "layer_norm_without_affine", addnorm('''        return self.ln(self.dropout(Y) + X)
''', affine=", elementwise_affine=False"), fails=("parameters",), message="registers the parameters"),
    Mutant("AddNorm", "unbiased_variance", addnorm('''        Z = self.dropout(Y) + X
        mean = Z.mean(dim=-1, keepdim=True)
        var = Z.var(dim=-1, keepdim=True)
        return (Z - mean) / torch.sqrt(var + self.ln.eps) * self.ln.weight + self.ln.bias
'''), fails=("matches_reference",), message="is wrong"),
]

VARIANTS += [
    Variant("AddNorm", "layer_norm_by_hand", addnorm('''        Z = X + self.dropout(Y)
        mean = Z.mean(dim=-1, keepdim=True)
        var = ((Z - mean) ** 2).mean(dim=-1, keepdim=True)
        return (Z - mean) * torch.rsqrt(var + self.ln.eps) * self.ln.weight + self.ln.bias
''')),
    Variant("AddNorm", "functional_layer_norm", addnorm('''        return F.layer_norm(self.dropout(Y) + X, self.ln.normalized_shape, self.ln.weight, self.ln.bias, self.ln.eps)
''')),
]

# --------------------------------------------------------------------------- TransformerEncoderBlock

ENC_INIT = '''class TransformerEncoderBlock(nn.Module):
    def __init__(self, num_hiddens, ffn_num_hiddens, num_heads, dropout, use_bias=False):
        super().__init__()
        self.attention = MultiHeadAttention(num_hiddens, num_hiddens, num_hiddens, num_hiddens, num_heads,
                                            dropout, {bias})
        self.addnorm1 = AddNorm(num_hiddens, dropout)
        self.ffn = PositionWiseFFN(num_hiddens, ffn_num_hiddens, num_hiddens)
        self.addnorm2 = AddNorm(num_hiddens, dropout)

    def forward(self, X, valid_lens):
'''


def enc(body, bias="use_bias"):
    return ENC_INIT.format(bias=bias) + body


MUTANTS += [
    Mutant("TransformerEncoderBlock", "valid_lens_not_passed", enc('''        Y = self.addnorm1(X, self.attention(X, X, X))
        return self.addnorm2(Y, self.ffn(Y))
'''), fails=("valid_lens",), message="is wrong"),
    Mutant("TransformerEncoderBlock", "ffn_on_the_input", enc('''        Y = self.addnorm1(X, self.attention(X, X, X, valid_lens))
        return self.addnorm2(Y, self.ffn(X))
'''), fails=("matches_reference",), message="is wrong"),
    Mutant("TransformerEncoderBlock", "addnorm1_used_twice", enc('''        Y = self.addnorm1(X, self.attention(X, X, X, valid_lens))
        return self.addnorm1(Y, self.ffn(Y))
'''), fails=("matches_reference",), message="is wrong"),
    Mutant("TransformerEncoderBlock", "use_bias_ignored", enc('''        Y = self.addnorm1(X, self.attention(X, X, X, valid_lens))
        return self.addnorm2(Y, self.ffn(Y))
''', bias="False"), fails=("use_bias",), message="registers the parameters"),
]

VARIANTS += [
    Variant("TransformerEncoderBlock", "keyword_calls", enc('''        attended = self.attention(queries=X, keys=X, values=X, valid_lens=valid_lens)
        Y = self.addnorm1(X=X, Y=attended)
        return self.addnorm2(X=Y, Y=self.ffn(Y))
''')),
    Variant("TransformerEncoderBlock", "addnorm_inlined", enc('''        Y = self.addnorm1.ln(X + self.addnorm1.dropout(self.attention(X, X, X, valid_lens)))
        Z = self.ffn.dense2(self.ffn.relu(self.ffn.dense1(Y)))
        return self.addnorm2.ln(Y + self.addnorm2.dropout(Z))
''')),
]

# --------------------------------------------------------------------------- TransformerDecoderBlock

DEC_INIT = '''class TransformerDecoderBlock(nn.Module):
    def __init__(self, num_hiddens, ffn_num_hiddens, num_heads, dropout, i):
        super().__init__()
        self.i = i
        self.attention1 = MultiHeadAttention(num_hiddens, num_hiddens, num_hiddens, num_hiddens, num_heads, dropout)
        self.addnorm1 = AddNorm(num_hiddens, dropout)
        self.attention2 = MultiHeadAttention(num_hiddens, num_hiddens, num_hiddens, num_hiddens, num_heads, dropout)
        self.addnorm2 = AddNorm(num_hiddens, dropout)
        self.ffn = PositionWiseFFN(num_hiddens, ffn_num_hiddens, num_hiddens)
        self.addnorm3 = AddNorm(num_hiddens, dropout)

    def forward(self, X, state):
        enc_outputs, enc_valid_lens = state[0], state[1]
'''
DEC_CACHE = '''        if state[2][self.i] is None:
            key_values = X
        else:
            key_values = torch.cat((state[2][self.i], X), dim=1)
        state[2][self.i] = key_values
'''
DEC_MASK = '''        if self.training:
            batch_size, num_steps, _ = X.shape
            dec_valid_lens = torch.arange(1, num_steps + 1, device=X.device).repeat(batch_size, 1)
        else:
            dec_valid_lens = None
'''
DEC_REST = '''        Y = self.addnorm1(X, self.attention1(X, key_values, key_values, dec_valid_lens))
        Z = self.addnorm2(Y, self.attention2(Y, enc_outputs, enc_outputs, enc_valid_lens))
        return self.addnorm3(Z, self.ffn(Z)), state
'''

MUTANTS += [
    Mutant("TransformerDecoderBlock", "no_causal_mask", DEC_INIT + DEC_CACHE + '''        dec_valid_lens = None
''' + DEC_REST, fails=("causal_mask_in_training",), message="attend to later ones"),
    Mutant("TransformerDecoderBlock", "cache_overwritten", DEC_INIT + '''        if state[2][self.i] is None:
            key_values = X
        else:
            key_values = torch.cat((state[2][self.i], X), dim=1)
        state[2][self.i] = X
''' + DEC_MASK + DEC_REST, fails=("cached_keys_in_prediction",), message="holds only the last step"),
    Mutant("TransformerDecoderBlock", "always_cache_entry_0", DEC_INIT + '''        if state[2][0] is None:
            key_values = X
        else:
            key_values = torch.cat((state[2][0], X), dim=1)
        state[2][0] = key_values
''' + DEC_MASK + DEC_REST, fails=("uses_its_own_cache_entry",), message="should be none"),
    Mutant("TransformerDecoderBlock", "encoder_valid_lens_ignored", DEC_INIT + DEC_CACHE + DEC_MASK + '''        Y = self.addnorm1(X, self.attention1(X, key_values, key_values, dec_valid_lens))
        Z = self.addnorm2(Y, self.attention2(Y, enc_outputs, enc_outputs))
        return self.addnorm3(Z, self.ffn(Z)), state
''', fails=("encoder_valid_lens",), message="is wrong"),
    Mutant("TransformerDecoderBlock", "causal_mask_also_in_prediction", DEC_INIT + DEC_CACHE + '''        batch_size, num_steps, _ = X.shape
        dec_valid_lens = torch.arange(1, num_steps + 1, device=X.device).repeat(batch_size, 1)
''' + DEC_REST, fails=("cached_keys_in_prediction",), message="is wrong"),
]

VARIANTS += [
    Variant("TransformerDecoderBlock", "causal_mask_with_offset_always", DEC_INIT + '''        past = state[2][self.i]
        offset = 0 if past is None else past.shape[1]
        key_values = X if past is None else torch.cat([past, X], dim=1)
        state[2][self.i] = key_values
        B, T = X.shape[0], X.shape[1]
        dec_valid_lens = (offset + torch.arange(1, T + 1, device=X.device)).expand(B, T)
''' + DEC_REST),
    Variant("TransformerDecoderBlock", "keyword_calls_and_where", DEC_INIT + '''        cache = state[2]
        key_values = X if cache[self.i] is None else torch.cat([cache[self.i], X], 1)
        cache[self.i] = key_values
        B, T = X.shape[:2]
        dec_valid_lens = torch.arange(1, T + 1, device=X.device).unsqueeze(0).repeat_interleave(B, dim=0) \\
            if self.training else None
        Y = self.addnorm1(X, self.attention1(queries=X, keys=key_values, values=key_values, valid_lens=dec_valid_lens))
        Z = self.addnorm2(Y, self.attention2(Y, enc_outputs, enc_outputs, valid_lens=enc_valid_lens))
        return (self.addnorm3(Z, self.ffn(Z)), state)
'''),
]
