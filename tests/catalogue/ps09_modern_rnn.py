"""Mutants (one typical bug each) and correct variants for ps09-modern-rnn.

A mutant's ``fails`` names the hidden tests (without ``test_``) that must
fail, and ``message`` a fragment of the first one's message. A variant is a
correct implementation in another style and must get full marks.
"""
from kit import Mutant, Variant


def _gru(update, zero="torch.zeros(inputs.shape[1], W_hh.shape[0], dtype=inputs.dtype, device=inputs.device)",
         ret="torch.stack(outputs), (H,)", candidate="torch.tanh(X @ W_xh + (R * H) @ W_hh + b_h)"):
    return f'''def gru(inputs, state, params):
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h = params
    H = {zero} if state is None else state[0]
    outputs = []
    for X in inputs:
        Z = torch.sigmoid(X @ W_xz + H @ W_hz + b_z)
        R = torch.sigmoid(X @ W_xr + H @ W_hr + b_r)
        H_tilde = {candidate}
        H = {update}
        outputs.append(H)
    return {ret}
'''


def _lstm(h_line="O * torch.tanh(C)", ret="torch.stack(outputs), (H, C)",
          forget="torch.sigmoid(X @ W_xf + H @ W_hf + b_f)",
          zero="torch.zeros(inputs.shape[1], W_hi.shape[0], dtype=inputs.dtype, device=inputs.device)"):
    return f'''def lstm(inputs, state, params):
    W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c = params
    if state is None:
        H = {zero}
        C = torch.zeros_like(H)
    else:
        H, C = state
    outputs = []
    for X in inputs:
        I = torch.sigmoid(X @ W_xi + H @ W_hi + b_i)
        F_ = {forget}
        O = torch.sigmoid(X @ W_xo + H @ W_ho + b_o)
        C = F_ * C + I * torch.tanh(X @ W_xc + H @ W_hc + b_c)
        H = {h_line}
        outputs.append(H)
    return {ret}
'''


_DEEP = '''def deep_rnn(inputs, states, layers):
    outputs, new_states = inputs, []
    for k, (W_xh, W_hh, b_h) in enumerate(layers):
        H = torch.zeros(inputs.shape[1], W_hh.shape[0], dtype=inputs.dtype, device=inputs.device) \\
            if states is None else states[k][0]
        steps = []
        for X in SOURCE:
            H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
            steps.append(H)
        outputs = torch.stack(steps)
        new_states.append((H,))
    return RESULT
'''

_BI = '''def bi_rnn(inputs, params_fwd, params_bwd):
    def run(xs, W_xh, W_hh, b_h):
        H = torch.zeros(xs.shape[1], W_hh.shape[0], dtype=xs.dtype, device=xs.device)
        outs = []
        for X in xs:
            H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
            outs.append(H)
        return torch.stack(outs)
    forward = run(inputs, *params_fwd)
    BODY
'''

_LOSS = '''class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
    def forward(self, pred, label, valid_len):
        T = label.shape[1]
        mask = (torch.arange(T, device=label.device)[None, :] < valid_len[:, None]).to(pred.dtype)
        losses = F.cross_entropy(pred.permute(0, 2, 1), label, reduction='none')
        return RESULT
'''

_BLEU = '''def bleu(pred_seq, label_seq, k):
    pred_tokens, label_tokens = pred_seq.split(' '), label_seq.split(' ')
    len_pred, len_label = len(pred_tokens), len(label_tokens)
    score = math.exp(min(0, 1 - len_label / len_pred))
    for n in range(1, NMAX + 1):
        num_matches, label_subs = 0, collections.defaultdict(int)
        for i in range(len_label - n + 1):
            label_subs[JOIN(label_tokens[i:i + n])] += 1
        for i in range(len_pred - n + 1):
            if label_subs[JOIN(pred_tokens[i:i + n])] > 0:
                num_matches += 1
                CLIP
        score *= math.pow(num_matches / (len_pred - n + 1), math.pow(0.5, n))
    return score
'''
_BLEU_OK = dict(NMAX="min(k, len_pred)", JOIN="tuple", CLIP="label_subs[JOIN(pred_tokens[i:i + n])] -= 1")


def _bleu(**changes):
    source = _BLEU
    for key, value in {**_BLEU_OK, **changes}.items():
        source = source.replace(key, value)
    return source.replace("JOIN", changes.get("JOIN", "tuple"))


_BEAM = '''def beam_search(next_log_probs, bos, eos, max_len, beam_size, alpha=0.75):
    live, candidates = [([], 0.0)], []
    for _ in range(max_len):
        extensions = []
        for seq, logp in live:
            log_probs = next_log_probs([bos] + seq)
            for token in range(len(log_probs)):
                extensions.append((seq + [token], logp + float(log_probs[token])))
        extensions.sort(key=lambda e: (-e[1], e[0]))
        kept = extensions[:beam_size]
        CANDIDATES
        live = [(seq, logp) for seq, logp in kept if seq[-1] != eos]
        if not live:
            break
    best = min(candidates, key=lambda c: (-c[1] / len(c[0]) ** alpha, len(c[0]), c[0]))
    return best[0], SCORE
'''


def _beam(candidates="candidates.extend(kept)", score="best[1] / len(best[0]) ** alpha", sort=None):
    source = _BEAM.replace("CANDIDATES", candidates).replace("SCORE", score)
    if sort:
        source = source.replace("extensions.sort(key=lambda e: (-e[1], e[0]))", sort)
    return source


_ENC = """class Seq2SeqEncoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)

    def forward(self, X, *args):
        outputs, state = self.rnn(self.embedding(X).permute(1, 0, 2))
        return outputs, state
"""

_DEC = """class Seq2SeqDecoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
        self.dense = nn.Linear(num_hiddens, vocab_size)

    def init_state(self, enc_all_outputs, *args):
        return enc_all_outputs

    def forward(self, X, state):
        enc_outputs, hidden = state
        embs = self.embedding(X).permute(1, 0, 2)
        context = enc_outputs[-1].repeat(embs.shape[0], 1, 1)
        outputs, new_hidden = self.rnn(torch.cat((embs, context), dim=2), hidden)
        return self.dense(outputs).permute(1, 0, 2), (enc_outputs, new_hidden)
"""

_GREEDY = """def predict_seq2seq_greedy(encoder, decoder, src_tokens, bos, eos, pad, num_steps):
    device = next(encoder.parameters()).device
    src = list(src_tokens[:num_steps]) + [pad] * (num_steps - len(src_tokens))
    enc_X = torch.tensor([src], dtype=torch.long, device=device)
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
"""


def _sub(source, old, new):
    assert old in source, old
    return source.replace(old, new)


MUTANTS = [
    # -- gru ---------------------------------------------------------------------------------------------------
    Mutant("gru", "update_gate_swapped", _gru("(1 - Z) * H + Z * H_tilde"), fails=("matches_reference",),
           message="swapped Z and 1 - Z"),
    Mutant("gru", "reset_after_matmul", _gru("Z * H + (1 - Z) * H_tilde",
                                             candidate="torch.tanh(X @ W_xh + R * (H @ W_hh) + b_h)"),
           fails=("matches_reference",), message="after the matmul"),
    Mutant("gru", "no_reset_gate", _gru("Z * H + (1 - Z) * H_tilde", candidate="torch.tanh(X @ W_xh + H @ W_hh + b_h)"),
           fails=("matches_reference", "gradients"), message="is wrong"),
    Mutant("gru", "state_as_bare_tensor", _gru("Z * H + (1 - Z) * H_tilde", ret="torch.stack(outputs), H"),
           fails=("matches_reference",), message="bare tensor"),
    Mutant("gru", "zero_state_float32", _gru("Z * H + (1 - Z) * H_tilde",
                                             zero="torch.zeros(inputs.shape[1], W_hh.shape[0])"),
           fails=("zero_state_on_device",), message="raised"),

    # -- lstm --------------------------------------------------------------------------------------------------
    Mutant("lstm", "h_without_tanh", _lstm(h_line="O * C"), fails=("matches_reference",), message="H = O * tanh(C)"),
    Mutant("lstm", "state_order_c_h", _lstm(ret="torch.stack(outputs), (C, H)"), fails=("matches_reference",),
           message="(C, H)"),
    Mutant("lstm", "forget_gate_uses_input_weights", _lstm(forget="torch.sigmoid(X @ W_xi + H @ W_hf + b_f)"),
           fails=("matches_reference",), message="is wrong"),
    Mutant("lstm", "outputs_concatenated", _lstm(ret="torch.cat(outputs), (H, C)"), fails=("matches_reference",),
           message="torch.stack"),
    Mutant("lstm", "zero_state_on_cpu", _lstm(zero="torch.zeros(inputs.shape[1], W_hi.shape[0], dtype=inputs.dtype)"),
           fails=("zero_state_on_device",), message="raised", device="cuda"),

    # -- deep_rnn ----------------------------------------------------------------------------------------------
    Mutant("deep_rnn", "every_layer_reads_inputs", _DEEP.replace("SOURCE", "inputs").replace("RESULT",
                                                                                             "outputs, new_states"),
           fails=("layers_feed_each_other",), message=""),
    Mutant("deep_rnn", "last_state_only", _DEEP.replace("SOURCE", "outputs").replace("RESULT",
                                                                                    "outputs, [new_states[-1]]"),
           fails=("layers_feed_each_other",), message="state of one layer only"),
    Mutant("deep_rnn", "first_layer_state_for_all", _DEEP.replace("states[k][0]", "states[0][0]")
           .replace("SOURCE", "outputs").replace("RESULT", "outputs, new_states"),
           fails=("layers_feed_each_other",), message=""),
    Mutant("deep_rnn", "state_tensors_not_tuples", _DEEP.replace("SOURCE", "outputs")
           .replace("RESULT", "outputs, [s[0] for s in new_states]"), fails=("matches_reference",), message="tuple"),

    # -- bi_rnn ------------------------------------------------------------------------------------------------
    Mutant("bi_rnn", "backward_not_flipped_back", _BI.replace(
        "BODY", "backward = run(inputs.flip(0), *params_bwd)\n    return torch.cat([forward, backward], dim=2)"),
        fails=("backward_direction_aligned",), message="reversed time order"),
    Mutant("bi_rnn", "backward_reads_forwards", _BI.replace(
        "BODY", "backward = run(inputs, *params_bwd)\n    return torch.cat([forward, backward], dim=2)"),
        fails=("backward_direction_aligned",), message="read the sequence forwards"),
    Mutant("bi_rnn", "concatenated_in_time", _BI.replace(
        "BODY", "backward = run(inputs.flip(0), *params_bwd)\n    return torch.cat([forward, backward.flip(0)], dim=0)"),
        fails=("matches_reference",), message="shape"),
    Mutant("bi_rnn", "forward_weights_both_ways", _BI.replace(
        "BODY", "backward = run(inputs.flip(0), *params_fwd)\n"
                "    return torch.cat([forward, backward.flip(0)], dim=2)"),
        fails=("matches_reference",), message=""),

    # -- truncate_pad ------------------------------------------------------------------------------------------
    Mutant("truncate_pad", "pads_at_front", '''def truncate_pad(line, num_steps, padding_token):
    if len(line) > num_steps:
        return line[:num_steps]
    return [padding_token] * (num_steps - len(line)) + line
''', fails=("matches_reference",), message="pad at the END"),
    Mutant("truncate_pad", "keeps_last_items", '''def truncate_pad(line, num_steps, padding_token):
    if len(line) > num_steps:
        return line[len(line) - num_steps:]
    return line + [padding_token] * (num_steps - len(line))
''', fails=("matches_reference",), message="FIRST num_steps"),
    Mutant("truncate_pad", "extends_line_in_place", '''def truncate_pad(line, num_steps, padding_token):
    if len(line) > num_steps:
        return line[:num_steps]
    line.extend([padding_token] * (num_steps - len(line)))
    return line
''', fails=("does_not_modify_line",), message="changed line"),
    Mutant("truncate_pad", "off_by_one", '''def truncate_pad(line, num_steps, padding_token):
    if len(line) >= num_steps:
        return line[:num_steps - 1]
    return line + [padding_token] * (num_steps - len(line))
''', fails=("matches_reference",), message="expected"),

    # -- sequence_mask -----------------------------------------------------------------------------------------
    Mutant("sequence_mask", "book_in_place", '''def sequence_mask(X, valid_len, value=0):
    maxlen = X.size(1)
    mask = torch.arange(maxlen, dtype=torch.float32, device=X.device)[None, :] < valid_len[:, None]
    X[~mask] = value
    return X
''', fails=("does_not_modify_X",), message="modified X in place"),
    Mutant("sequence_mask", "less_or_equal", '''def sequence_mask(X, valid_len, value=0):
    mask = torch.arange(X.size(1), device=X.device)[None, :] <= valid_len[:, None] - 1
    mask = torch.arange(X.size(1), device=X.device)[None, :] < valid_len[:, None] - 1
    while mask.dim() < X.dim():
        mask = mask.unsqueeze(-1)
    return torch.where(mask, X, torch.full_like(X, value))
''', fails=("matches_reference",), message="not <="),
    Mutant("sequence_mask", "wrong_axis", '''def sequence_mask(X, valid_len, value=0):
    mask = torch.arange(X.size(1), device=X.device)[:, None] < valid_len[None, :]
    while mask.dim() < X.dim():
        mask = mask.unsqueeze(-1)
    return torch.where(mask, X, torch.full_like(X, value))
''', fails=("square_input",), message="wrong axis"),
    Mutant("sequence_mask", "mask_built_on_cpu", '''def sequence_mask(X, valid_len, value=0):
    mask = torch.arange(X.size(1))[None, :] < valid_len.cpu()[:, None]
    while mask.dim() < X.dim():
        mask = mask.unsqueeze(-1)
    return torch.where(mask, X.cpu(), torch.tensor(value, dtype=X.dtype))
''', fails=("matches_reference",), message="on cpu", device="cuda"),
    Mutant("sequence_mask", "only_2d", '''def sequence_mask(X, valid_len, value=0):
    mask = torch.arange(X.size(1), device=X.device)[None, :] < valid_len[:, None]
    return torch.where(mask, X, torch.full_like(X, value))
''', fails=("matches_reference",), message=""),

    # -- MaskedSoftmaxCELoss -----------------------------------------------------------------------------------
    Mutant("MaskedSoftmaxCELoss", "divides_by_valid_len", _LOSS.replace(
        "RESULT", "(losses * mask).sum(dim=1) / valid_len.to(pred.dtype).clamp(min=1)"),
        fails=("matches_reference",), message="divided by valid_len"),
    Mutant("MaskedSoftmaxCELoss", "nan_on_empty", _LOSS.replace(
        "RESULT", "(losses * mask).sum(dim=1) / valid_len.to(pred.dtype) * valid_len.to(pred.dtype) / T"),
        fails=("all_padding_gives_zero",), message="NaN"),
    Mutant("MaskedSoftmaxCELoss", "no_mask", _LOSS.replace("RESULT", "losses.mean(dim=1)"),
           fails=("matches_reference",), message="did not mask"),
    Mutant("MaskedSoftmaxCELoss", "batch_mean", _LOSS.replace("RESULT", "(losses * mask).mean()"),
           fails=("matches_reference",), message="one loss per sequence"),

    # -- bleu --------------------------------------------------------------------------------------------------
    Mutant("bleu", "joined_without_separator", _bleu(JOIN="''.join"), fails=("ngrams_are_token_tuples",),
           message="expected"),
    Mutant("bleu", "n_up_to_k", _bleu(NMAX="k"), fails=("short_prediction",), message="ZeroDivisionError"),
    Mutant("bleu", "unclipped_counts", _bleu(CLIP="pass"), fails=("ngrams_are_token_tuples",), message="expected"),
    Mutant("bleu", "no_brevity_penalty", _bleu().replace("math.exp(min(0, 1 - len_label / len_pred))", "1.0"),
           fails=("short_prediction",), message="brevity penalty"),

    # -- beam_search -------------------------------------------------------------------------------------------
    Mutant("beam_search", "final_step_only", _beam(candidates="candidates = kept"),
           fails=("large_beam_is_exhaustive",), message="EVERY step"),
    Mutant("beam_search", "no_length_normalisation", _beam().replace(
        "best = min(candidates, key=lambda c: (-c[1] / len(c[0]) ** alpha, len(c[0]), c[0]))",
        "best = min(candidates, key=lambda c: (-c[1], len(c[0]), c[0]))"),
        fails=("matches_reference",), message="log P / len(tokens) ** alpha"),
    Mutant("beam_search", "returns_log_p", _beam(score="best[1]"), fails=("matches_reference",),
           message="the right tokens but the score"),
    Mutant("beam_search", "ties_by_last_token_descending", _beam(
        sort="extensions.sort(key=lambda e: (-e[1], [-t for t in e[0]]))"),
        fails=("ties_broken_by_tokens",), message="expected"),
    Mutant("beam_search", "keeps_extending_after_eos", _beam().replace(
        "live = [(seq, logp) for seq, logp in kept if seq[-1] != eos]", "live = kept"),
        fails=("large_beam_is_exhaustive",), message="expected"),

    # -- Seq2SeqEncoder ----------------------------------------------------------------------------------------
    Mutant("Seq2SeqEncoder", "no_permute", _sub(_ENC, "self.embedding(X).permute(1, 0, 2)", "self.embedding(X)"),
           fails=("matches_reference", "square_batches"), message="time-major"),
    Mutant("Seq2SeqEncoder", "reshape_not_permute", _sub(_ENC, "self.embedding(X).permute(1, 0, 2)",
                                                         "self.embedding(X).reshape(X.shape[1], X.shape[0], -1)"),
           fails=("matches_reference", "square_batches"), message="use permute(1, 0, 2)"),
    Mutant("Seq2SeqEncoder", "last_layer_state_only", _sub(_ENC, "return outputs, state", "return outputs, state[-1]"),
           fails=("matches_reference", "square_batches"), message="every layer's final state"),
    Mutant("Seq2SeqEncoder", "outputs_batch_major", _sub(_ENC, "return outputs, state",
                                                         "return outputs.permute(1, 0, 2), state"),
           fails=("matches_reference", "square_batches"), message="time-major"),
    Mutant("Seq2SeqEncoder", "submodule_named_emb", _ENC.replace("self.embedding", "self.emb"),
           fails=("parameters", "matches_reference"), message="missing"),

    # -- Seq2SeqDecoder ----------------------------------------------------------------------------------------
    Mutant("Seq2SeqDecoder", "context_from_current_state", _sub(_DEC, "enc_outputs[-1].repeat", "hidden[-1].repeat"),
           fails=("step_by_step",), message="the first step is right"),
    Mutant("Seq2SeqDecoder", "context_before_embedding", _sub(_DEC, "torch.cat((embs, context), dim=2)",
                                                              "torch.cat((context, embs), dim=2)"),
           fails=("matches_reference", "step_by_step", "gradients"), message="is wrong"),
    Mutant("Seq2SeqDecoder", "logits_time_major", _sub(_DEC, "self.dense(outputs).permute(1, 0, 2)",
                                                       "self.dense(outputs)"),
           fails=("matches_reference",), message="batch-major"),
    Mutant("Seq2SeqDecoder", "state_not_updated", _sub(_DEC, "(enc_outputs, new_hidden)", "(enc_outputs, hidden)"),
           fails=("matches_reference", "step_by_step"), message="the GRU's new hidden state"),
    Mutant("Seq2SeqDecoder", "context_first_source_step", _sub(_DEC, "enc_outputs[-1]", "enc_outputs[0]"),
           fails=("matches_reference", "step_by_step"), message="is wrong"),
    Mutant("Seq2SeqDecoder", "old_edition_bare_state", _sub(_sub(_sub(
        _DEC, "return enc_all_outputs", "return enc_all_outputs[1]"),
        "enc_outputs, hidden = state", "hidden = state"),
        "context = enc_outputs[-1]", "context = hidden[-1]").replace("(enc_outputs, new_hidden)", "new_hidden"),
           fails=("matches_reference", "step_by_step"), message="bare tensor"),

    # -- predict_seq2seq_greedy --------------------------------------------------------------------------------
    Mutant("predict_seq2seq_greedy", "includes_eos", _sub(_GREEDY, """        if token == eos:
            break
        output.append(token)""", """        output.append(token)
        if token == eos:
            break"""), fails=("stops_at_eos",), message="without adding it"),
    Mutant("predict_seq2seq_greedy", "always_feeds_bos", _sub(_GREEDY, "dec_X = Y.argmax(dim=2)\n        token = int(dec_X[0, 0])",
                                                              "token = int(Y.argmax(dim=2)[0, 0])"),
           fails=("matches_reference",), message="expected"),
    Mutant("predict_seq2seq_greedy", "source_not_padded", _sub(_GREEDY, " + [pad] * (num_steps - len(src_tokens))", ""),
           fails=("matches_reference",), message="expected"),
    Mutant("predict_seq2seq_greedy", "source_not_truncated", _sub(_GREEDY, "src_tokens[:num_steps]", "src_tokens"),
           fails=("long_source_truncated",), message="src_tokens[:num_steps]"),
    Mutant("predict_seq2seq_greedy", "ties_to_highest_index", _sub(
        _GREEDY, "dec_X = Y.argmax(dim=2)", "dec_X = Y.shape[2] - 1 - Y.flip(2).argmax(dim=2)"),
           fails=("ties_lowest_index",), message="lowest index among equal maxima"),
    Mutant("predict_seq2seq_greedy", "source_built_on_cpu", _sub(
        _GREEDY, "enc_X = torch.tensor([src], dtype=torch.long, device=device)",
        "enc_X = torch.tensor([src], dtype=torch.long)"),
           fails=("matches_reference",), message="", device="cuda"),
]

VARIANTS = [
    Variant("gru", "concatenated_gate_weights", '''def gru(inputs, state, params):
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h = params
    W_x = torch.cat([W_xz, W_xr], dim=1)
    W_h = torch.cat([W_hz, W_hr], dim=1)
    b = torch.cat([b_z, b_r])
    H = inputs.new_zeros(inputs.shape[1], W_hh.shape[0]) if state is None else state[0]
    h = W_hh.shape[0]
    outs = []
    for t in range(inputs.shape[0]):
        gates = torch.sigmoid(inputs[t] @ W_x + H @ W_h + b)
        Z, R = gates[:, :h], gates[:, h:]
        H = H + (1 - Z) * (torch.tanh(inputs[t] @ W_xh + (R * H) @ W_hh + b_h) - H)
        outs.append(H)
    return torch.stack(outs), (H,)
'''),
    Variant("gru", "functional_sigmoid", _gru("torch.lerp(H_tilde, H, Z)").replace("torch.sigmoid", "F.sigmoid")),
    Variant("lstm", "one_big_matmul", '''def lstm(inputs, state, params):
    W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c = params
    W_x = torch.cat([W_xi, W_xf, W_xo, W_xc], dim=1)
    W_h = torch.cat([W_hi, W_hf, W_ho, W_hc], dim=1)
    b = torch.cat([b_i, b_f, b_o, b_c])
    h = W_hi.shape[0]
    if state is None:
        H = inputs.new_zeros(inputs.shape[1], h)
        C = inputs.new_zeros(inputs.shape[1], h)
    else:
        H, C = state
    outs = []
    for X in inputs.unbind(0):
        i, f, o, g = (X @ W_x + H @ W_h + b).split(h, dim=1)
        C = torch.sigmoid(f) * C + torch.sigmoid(i) * torch.tanh(g)
        H = torch.sigmoid(o) * torch.tanh(C)
        outs.append(H)
    return torch.stack(outs), (H, C)
'''),
    Variant("lstm", "list_state_and_index_loop", _lstm().replace("for X in inputs:", "for t in range(len(inputs)):\n"
                                                                 "        X = inputs[t]")),
    Variant("deep_rnn", "recursive", '''def deep_rnn(inputs, states, layers):
    if not layers:
        return inputs, []
    W_xh, W_hh, b_h = layers[0]
    H = inputs.new_zeros(inputs.shape[1], W_hh.shape[0]) if states is None else states[0][0]
    outs = []
    for X in inputs:
        H = torch.tanh(torch.addmm(b_h, X, W_xh) + H @ W_hh)
        outs.append(H)
    rest_outputs, rest_states = deep_rnn(torch.stack(outs), None if states is None else states[1:], layers[1:])
    return rest_outputs, [(H,)] + rest_states
'''),
    Variant("deep_rnn", "time_outer_loop", '''def deep_rnn(inputs, states, layers):
    Hs = [inputs.new_zeros(inputs.shape[1], W_hh.shape[0]) if states is None else states[k][0]
          for k, (W_xh, W_hh, b_h) in enumerate(layers)]
    outs = []
    for X in inputs:
        for k, (W_xh, W_hh, b_h) in enumerate(layers):
            Hs[k] = torch.tanh(X @ W_xh + Hs[k] @ W_hh + b_h)
            X = Hs[k]
        outs.append(X)
    return torch.stack(outs), [(H,) for H in Hs]
'''),
    Variant("bi_rnn", "reversed_index_loop", '''def bi_rnn(inputs, params_fwd, params_bwd):
    T, B = inputs.shape[0], inputs.shape[1]
    Wf, Uf, bf = params_fwd
    Wb, Ub, bb = params_bwd
    Hf = inputs.new_zeros(B, Uf.shape[0])
    Hb = inputs.new_zeros(B, Ub.shape[0])
    fwd, bwd = [None] * T, [None] * T
    for t in range(T):
        Hf = torch.tanh(inputs[t] @ Wf + Hf @ Uf + bf)
        fwd[t] = Hf
    for t in reversed(range(T)):
        Hb = torch.tanh(inputs[t] @ Wb + Hb @ Ub + bb)
        bwd[t] = Hb
    return torch.stack([torch.cat([f, b], dim=-1) for f, b in zip(fwd, bwd)])
'''),
    Variant("bi_rnn", "flip_with_indexing", _BI.replace(
        "BODY", "rev = torch.arange(inputs.shape[0] - 1, -1, -1, device=inputs.device)\n"
                "    backward = run(inputs[rev], *params_bwd)[rev]\n"
                "    return torch.cat((forward, backward), -1)")),
    Variant("truncate_pad", "slice_then_pad", '''def truncate_pad(line, num_steps, padding_token):
    kept = list(line[:num_steps])
    return kept + [padding_token] * max(0, num_steps - len(kept))
'''),
    Variant("truncate_pad", "comprehension", '''def truncate_pad(line, num_steps, padding_token):
    return [line[i] if i < len(line) else padding_token for i in range(num_steps)]
'''),
    Variant("sequence_mask", "clone_and_assign", '''def sequence_mask(X, valid_len, value=0):
    out = X.clone()
    for b in range(X.shape[0]):
        out[b, int(valid_len[b]):] = value
    return out
'''),
    Variant("sequence_mask", "masked_fill_broadcast", '''def sequence_mask(X, valid_len, value=0):
    steps = torch.arange(X.shape[1], device=X.device).view(1, -1, *([1] * (X.dim() - 2)))
    lens = valid_len.view(-1, 1, *([1] * (X.dim() - 2)))
    return X.masked_fill(steps >= lens, value)
'''),
    Variant("MaskedSoftmaxCELoss", "book_style_reduction_none", '''class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
    def forward(self, pred, label, valid_len):
        weights = torch.ones_like(label, dtype=pred.dtype)
        weights = torch.where(torch.arange(label.shape[1], device=label.device)[None, :] < valid_len[:, None],
                              weights, torch.zeros_like(weights))
        self.reduction = 'none'
        unweighted_loss = super().forward(pred.permute(0, 2, 1), label)
        return (unweighted_loss * weights).mean(dim=1)
'''),
    Variant("MaskedSoftmaxCELoss", "log_softmax_gather", '''class MaskedSoftmaxCELoss(nn.Module):
    def forward(self, pred, label, valid_len):
        logp = torch.log_softmax(pred, dim=-1).gather(-1, label.unsqueeze(-1)).squeeze(-1)
        keep = torch.arange(label.shape[1], device=pred.device).expand_as(label) < valid_len.unsqueeze(1)
        return -(logp * keep).sum(dim=1) / label.shape[1]
'''),
    Variant("bleu", "counters", '''def bleu(pred_seq, label_seq, k):
    p, l = pred_seq.split(' '), label_seq.split(' ')
    score = math.exp(min(0.0, 1 - len(l) / len(p)))
    for n in range(1, min(k, len(p)) + 1):
        pc = collections.Counter(tuple(p[i:i + n]) for i in range(len(p) - n + 1))
        lc = collections.Counter(tuple(l[i:i + n]) for i in range(len(l) - n + 1))
        matches = sum((pc & lc).values())
        score *= (matches / (len(p) - n + 1)) ** (0.5 ** n)
    return score
'''),
    Variant("bleu", "joined_with_separator", _bleu(JOIN="' '.join")),
    Variant("beam_search", "heap_and_tensor_ops", '''import heapq


def beam_search(next_log_probs, bos, eos, max_len, beam_size, alpha=0.75):
    live, candidates = [(0.0, [])], []
    for _ in range(max_len):
        ext = []
        for logp, seq in live:
            lp = next_log_probs([bos] + seq).tolist()
            ext.extend((logp + v, seq + [tok]) for tok, v in enumerate(lp))
        kept = heapq.nsmallest(beam_size, ext, key=lambda e: (-e[0], e[1]))
        candidates += kept
        live = [e for e in kept if e[1][-1] != eos]
        if not live:
            break
    scored = [(lp / len(seq) ** alpha, seq) for lp, seq in candidates]
    best = min(scored, key=lambda s: (-s[0], len(s[1]), s[1]))
    return best[1], best[0]
'''),
    Variant("beam_search", "tuples_and_sorted", _beam().replace(
        "extensions.sort(key=lambda e: (-e[1], e[0]))", "extensions = sorted(extensions, key=lambda e: (-e[1], tuple(e[0])))")),
    Variant("Seq2SeqEncoder", "batch_first_gru", _sub(_sub(
        _ENC, "dropout=dropout)", "dropout=dropout, batch_first=True)"),
        "outputs, state = self.rnn(self.embedding(X).permute(1, 0, 2))\n        return outputs, state",
        "outputs, state = self.rnn(self.embedding(X))\n        return outputs.transpose(0, 1), state")),
    Variant("Seq2SeqEncoder", "transposed_tokens", _sub(_ENC, "self.embedding(X).permute(1, 0, 2)",
                                                        "self.embedding(X.T)")),
    Variant("Seq2SeqDecoder", "batch_first_list_state", """class Seq2SeqDecoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout, batch_first=True)
        self.dense = nn.Linear(num_hiddens, vocab_size)

    def init_state(self, enc_all_outputs, *args):
        return list(enc_all_outputs)

    def forward(self, X, state):
        embs = self.embedding(X)
        context = state[0][-1].unsqueeze(1).expand(-1, X.shape[1], -1)
        outputs, hidden = self.rnn(torch.cat([embs, context], dim=-1), state[1])
        return self.dense(outputs), [state[0], hidden]
"""),
    Variant("Seq2SeqDecoder", "one_step_at_a_time", _sub(_DEC, """        outputs, new_hidden = self.rnn(torch.cat((embs, context), dim=2), hidden)
""", """        steps, new_hidden = [], hidden
        for t in range(embs.shape[0]):
            out, new_hidden = self.rnn(torch.cat((embs[t:t + 1], context[t:t + 1]), dim=2), new_hidden)
            steps.append(out)
        outputs = torch.cat(steps, dim=0)
""")),
    Variant("predict_seq2seq_greedy", "redecode_prefix_python_max", """def predict_seq2seq_greedy(encoder, decoder, src_tokens, bos, eos, pad, num_steps):
    device = next(encoder.parameters()).device
    src = torch.full((1, num_steps), pad, dtype=torch.long, device=device)
    kept = src_tokens[:num_steps]
    src[0, :len(kept)] = torch.tensor(kept, dtype=torch.long)
    valid = torch.tensor([len(kept)], device=device)
    with torch.no_grad():
        enc_all = encoder(src, valid)
        prefix, result = [bos], []
        while len(result) < num_steps:
            logits, _ = decoder(torch.tensor([prefix], device=device), decoder.init_state(enc_all, valid))
            last = logits[0, -1].tolist()
            token = max(range(len(last)), key=lambda i: last[i])
            if token == eos:
                break
            result.append(token)
            prefix.append(token)
    return result
"""),
    Variant("predict_seq2seq_greedy", "tensor_result_and_max", _sub(_sub(_GREEDY, """        dec_X = Y.argmax(dim=2)
        token = int(dec_X[0, 0])""", """        _, dec_X = torch.max(Y, dim=2)
        token = dec_X.item()"""), "    return output", "    return torch.tensor(output, dtype=torch.long)")),
]
