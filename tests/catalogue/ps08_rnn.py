"""Mutants (one typical bug each) and correct variants for ps08-rnn.

A mutant's ``fails`` names the hidden tests (without ``test_``) that must
fail, and ``message`` a fragment of the first one's message. A variant is a
correct implementation in another style and must get full marks.
"""
from kit import Mutant, Variant

_VOCAB_TAIL = '''
    def __len__(self):
        return len(self.idx_to_token)

    def __getitem__(self, tokens):
        if not isinstance(tokens, (list, tuple)):
            return self.token_to_idx.get(tokens, 0)
        return [self.__getitem__(t) for t in tokens]

    def to_tokens(self, indices):
        if isinstance(indices, (list, tuple)):
            return [self.idx_to_token[i] for i in indices]
        return self.idx_to_token[indices]
'''

_PREDICT_HEAD = '''def predict_rnn(prefix, num_preds, net, vocab, device):
    state = net.begin_state(batch_size=1, device=device)
    outputs = [vocab[prefix[0]]]
'''

MUTANTS = [
    # -- tokenize ----------------------------------------------------------------------------------------------
    Mutant("tokenize", "split_on_single_space", '''def tokenize(lines, token='word'):
    if token == 'word':
        return [line.split(' ') for line in lines]
    if token == 'char':
        return [list(line) for line in lines]
    raise ValueError(token)
''', fails=("word_tokens",), message="line.split()"),
    Mutant("tokenize", "flat_list", '''def tokenize(lines, token='word'):
    if token == 'word':
        return [w for line in lines for w in line.split()]
    if token == 'char':
        return [c for line in lines for c in line]
    raise ValueError(token)
''', fails=("word_tokens", "char_tokens"), message="one LIST of tokens per line"),
    Mutant("tokenize", "chars_without_spaces", '''def tokenize(lines, token='word'):
    if token == 'word':
        return [line.split() for line in lines]
    if token == 'char':
        return [[c for c in line if c != ' '] for line in lines]
    raise ValueError(token)
''', fails=("char_tokens",), message="expected"),
    Mutant("tokenize", "book_prints_error", '''def tokenize(lines, token='word'):
    if token == 'word':
        return [line.split() for line in lines]
    elif token == 'char':
        return [list(line) for line in lines]
    else:
        print('ERROR: unknown token type: ' + token)
''', fails=("default_and_unknown_type",), message="should raise ValueError"),

    # -- Vocab -------------------------------------------------------------------------------------------------
    Mutant("Vocab", "alphabetical_order", '''class Vocab:
    def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
        tokens = tokens or []
        if tokens and isinstance(tokens[0], list):
            tokens = [t for line in tokens for t in line]
        counter = collections.Counter(tokens)
        kept = sorted(t for t, f in counter.items() if f >= min_freq)
        self.idx_to_token = ['<unk>'] + list(reserved_tokens or []) + kept
        self.token_to_idx = {t: i for i, t in enumerate(self.idx_to_token)}
''' + _VOCAB_TAIL, fails=("token_order",), message="sorted alphabetically"),
    Mutant("Vocab", "unknown_not_first", '''class Vocab:
    def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
        tokens = tokens or []
        if tokens and isinstance(tokens[0], list):
            tokens = [t for line in tokens for t in line]
        counter = collections.Counter(tokens)
        freqs = sorted(counter.items(), key=lambda x: x[1], reverse=True)
        self.idx_to_token = list(reserved_tokens or []) + ['<unk>']
        self.idx_to_token += [t for t, f in freqs if f >= min_freq]
        self.token_to_idx = {t: i for i, t in enumerate(self.idx_to_token)}
''' + _VOCAB_TAIL, fails=("token_order",), message="index 0 must be '<unk>'"),
    Mutant("Vocab", "min_freq_strict", '''class Vocab:
    def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
        tokens = tokens or []
        if tokens and isinstance(tokens[0], list):
            tokens = [t for line in tokens for t in line]
        counter = collections.Counter(tokens)
        freqs = sorted(counter.items(), key=lambda x: x[1], reverse=True)
        self.idx_to_token = ['<unk>'] + list(reserved_tokens or [])
        self.idx_to_token += [t for t, f in freqs if f > min_freq]
        self.token_to_idx = {t: i for i, t in enumerate(self.idx_to_token)}
''' + _VOCAB_TAIL, fails=("min_freq",), message="count equals min_freq is kept"),
    Mutant("Vocab", "unknown_raises", '''class Vocab:
    def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
        tokens = tokens or []
        if tokens and isinstance(tokens[0], list):
            tokens = [t for line in tokens for t in line]
        counter = collections.Counter(tokens)
        freqs = sorted(counter.items(), key=lambda x: x[1], reverse=True)
        self.idx_to_token = ['<unk>'] + list(reserved_tokens or [])
        self.idx_to_token += [t for t, f in freqs if f >= min_freq]
        self.token_to_idx = {t: i for i, t in enumerate(self.idx_to_token)}

    def __len__(self):
        return len(self.idx_to_token)

    def __getitem__(self, tokens):
        if not isinstance(tokens, (list, tuple)):
            return self.token_to_idx.get(tokens, len(self.idx_to_token))
        return [self.__getitem__(t) for t in tokens]

    def to_tokens(self, indices):
        if isinstance(indices, (list, tuple)):
            return [self.idx_to_token[i] for i in indices]
        return self.idx_to_token[indices]
''', fails=("lookup",), message="unknown tokens map to index 0"),
    Mutant("Vocab", "nested_not_flattened", '''class Vocab:
    def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
        tokens = tokens or []
        counter = collections.Counter(t for t in tokens if not isinstance(t, list))
        freqs = sorted(counter.items(), key=lambda x: x[1], reverse=True)
        self.idx_to_token = ['<unk>'] + list(reserved_tokens or [])
        self.idx_to_token += [t for t, f in freqs if f >= min_freq]
        self.token_to_idx = {t: i for i, t in enumerate(self.idx_to_token)}
''' + _VOCAB_TAIL, fails=("token_order",), message="flattened first"),

    # -- seq_data_iter_random ----------------------------------------------------------------------------------
    Mutant("seq_data_iter_random", "targets_equal_inputs", '''def seq_data_iter_random(corpus, batch_size, num_steps):
    corpus = corpus[random.randint(0, num_steps - 1):]
    num_subseqs = (len(corpus) - 1) // num_steps
    starts = list(range(0, num_subseqs * num_steps, num_steps))
    random.shuffle(starts)
    for i in range(0, batch_size * (num_subseqs // batch_size), batch_size):
        X = [corpus[j:j + num_steps] for j in starts[i:i + batch_size]]
        yield torch.tensor(X), torch.tensor(X)
''', fails=("targets_shifted_by_one",), message="the target of each token is the NEXT token"),
    Mutant("seq_data_iter_random", "overlapping_starts", '''def seq_data_iter_random(corpus, batch_size, num_steps):
    corpus = corpus[random.randint(0, num_steps - 1):]
    starts = list(range(0, len(corpus) - num_steps))
    random.shuffle(starts)
    for i in range(0, batch_size * (len(starts) // batch_size), batch_size):
        X = [corpus[j:j + num_steps] for j in starts[i:i + batch_size]]
        Y = [corpus[j + 1:j + 1 + num_steps] for j in starts[i:i + batch_size]]
        yield torch.tensor(X), torch.tensor(Y)
''', fails=("subsequences_do_not_overlap",), message="overlap"),
    Mutant("seq_data_iter_random", "no_room_for_target", '''def seq_data_iter_random(corpus, batch_size, num_steps):
    corpus = corpus[random.randint(0, num_steps - 1):]
    num_subseqs = len(corpus) // num_steps
    starts = list(range(0, num_subseqs * num_steps, num_steps))
    random.shuffle(starts)
    for i in range(0, batch_size * (num_subseqs // batch_size), batch_size):
        X = [corpus[j:j + num_steps] for j in starts[i:i + batch_size]]
        Y = [corpus[j + 1:j + 1 + num_steps] for j in starts[i:i + batch_size]]
        yield torch.tensor(X), torch.tensor(Y)
''', fails=("targets_shifted_by_one",), message="of shape"),
    Mutant("seq_data_iter_random", "not_shuffled", '''def seq_data_iter_random(corpus, batch_size, num_steps):
    corpus = corpus[random.randint(0, num_steps - 1):]
    num_subseqs = (len(corpus) - 1) // num_steps
    starts = list(range(0, num_subseqs * num_steps, num_steps))
    for i in range(0, batch_size * (num_subseqs // batch_size), batch_size):
        X = [corpus[j:j + num_steps] for j in starts[i:i + batch_size]]
        Y = [corpus[j + 1:j + 1 + num_steps] for j in starts[i:i + batch_size]]
        yield torch.tensor(X), torch.tensor(Y)
''', fails=("random_order_and_offset",), message="shuffle the start positions"),
    Mutant("seq_data_iter_random", "fixed_offset", '''def seq_data_iter_random(corpus, batch_size, num_steps):
    num_subseqs = (len(corpus) - 1) // num_steps
    starts = list(range(0, num_subseqs * num_steps, num_steps))
    random.shuffle(starts)
    for i in range(0, batch_size * (num_subseqs // batch_size), batch_size):
        X = [corpus[j:j + num_steps] for j in starts[i:i + batch_size]]
        Y = [corpus[j + 1:j + 1 + num_steps] for j in starts[i:i + batch_size]]
        yield torch.tensor(X), torch.tensor(Y)
''', fails=("random_order_and_offset",), message="same offset"),

    # -- seq_data_iter_sequential ------------------------------------------------------------------------------
    Mutant("seq_data_iter_sequential", "rows_not_continuing", '''def seq_data_iter_sequential(corpus, batch_size, num_steps):
    offset = random.randint(0, num_steps)
    num_tokens = ((len(corpus) - offset - 1) // batch_size) * batch_size
    Xs = torch.tensor(corpus[offset:offset + num_tokens])
    Ys = torch.tensor(corpus[offset + 1:offset + 1 + num_tokens])
    block = batch_size * num_steps
    for i in range(0, (num_tokens // block) * block, block):
        yield Xs[i:i + block].reshape(batch_size, num_steps), Ys[i:i + block].reshape(batch_size, num_steps)
''', fails=("rows_continue_across_batches",), message="do not continue"),
    Mutant("seq_data_iter_sequential", "targets_equal_inputs", '''def seq_data_iter_sequential(corpus, batch_size, num_steps):
    offset = random.randint(0, num_steps)
    num_tokens = ((len(corpus) - offset - 1) // batch_size) * batch_size
    Xs = torch.tensor(corpus[offset:offset + num_tokens]).reshape(batch_size, -1)
    for i in range(0, num_steps * (Xs.shape[1] // num_steps), num_steps):
        yield Xs[:, i:i + num_steps], Xs[:, i:i + num_steps]
''', fails=("targets_shifted_by_one",), message="NEXT token"),
    Mutant("seq_data_iter_sequential", "drops_last_batch", '''def seq_data_iter_sequential(corpus, batch_size, num_steps):
    offset = random.randint(0, num_steps)
    num_tokens = ((len(corpus) - offset - 1) // batch_size) * batch_size
    Xs = torch.tensor(corpus[offset:offset + num_tokens]).reshape(batch_size, -1)
    Ys = torch.tensor(corpus[offset + 1:offset + 1 + num_tokens]).reshape(batch_size, -1)
    num_batches = Xs.shape[1] // num_steps
    for i in range(0, num_steps * (num_batches - 1), num_steps):
        yield Xs[:, i:i + num_steps], Ys[:, i:i + num_steps]
''', fails=("rows_continue_across_batches",), message="L // num_steps full blocks"),
    Mutant("seq_data_iter_sequential", "fixed_offset", '''def seq_data_iter_sequential(corpus, batch_size, num_steps):
    num_tokens = ((len(corpus) - 1) // batch_size) * batch_size
    Xs = torch.tensor(corpus[:num_tokens]).reshape(batch_size, -1)
    Ys = torch.tensor(corpus[1:1 + num_tokens]).reshape(batch_size, -1)
    for i in range(0, num_steps * (Xs.shape[1] // num_steps), num_steps):
        yield Xs[:, i:i + num_steps], Ys[:, i:i + num_steps]
''', fails=("random_offset",), message="same corpus position"),

    # -- one_hot -----------------------------------------------------------------------------------------------
    Mutant("one_hot", "batch_major", '''def one_hot(X, vocab_size):
    return (X.unsqueeze(-1) == torch.arange(vocab_size, device=X.device)).float()
''', fails=("matches_reference",), message="encode X.T"),
    Mutant("one_hot", "int64_result", '''def one_hot(X, vocab_size):
    return (X.T.unsqueeze(-1) == torch.arange(vocab_size, device=X.device)).long()
''', fails=("matches_reference",), message="return float32"),
    Mutant("one_hot", "reshape_not_transpose", '''def one_hot(X, vocab_size):
    X = X.reshape(X.shape[1], X.shape[0])
    return (X.unsqueeze(-1) == torch.arange(vocab_size, device=X.device)).float()
''', fails=("square_input",), message="X.T"),
    Mutant("one_hot", "built_on_cpu", '''def one_hot(X, vocab_size):
    return (X.T.unsqueeze(-1).cpu() == torch.arange(vocab_size)).float()
''', fails=("matches_reference",), message="create tensors on the input's device", device="cuda"),

    # -- rnn ---------------------------------------------------------------------------------------------------
    Mutant("rnn", "state_not_carried", '''def rnn(inputs, state, params):
    W_xh, W_hh, b_h = params
    H0 = torch.zeros(inputs.shape[1], W_hh.shape[0], dtype=inputs.dtype, device=inputs.device) if state is None else state[0]
    outputs = []
    for X in inputs:
        H = torch.tanh(X @ W_xh + H0 @ W_hh + b_h)
        outputs.append(H)
    return torch.stack(outputs), (H,)
''', fails=("matches_reference",), message="is wrong"),
    Mutant("rnn", "concatenated_outputs", '''def rnn(inputs, state, params):
    W_xh, W_hh, b_h = params
    H = torch.zeros(inputs.shape[1], W_hh.shape[0], dtype=inputs.dtype, device=inputs.device) if state is None else state[0]
    outputs = []
    for X in inputs:
        H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
        outputs.append(H)
    return torch.cat(outputs, dim=0), (H,)
''', fails=("matches_reference",), message="torch.stack"),
    Mutant("rnn", "zero_state_float32", '''def rnn(inputs, state, params):
    W_xh, W_hh, b_h = params
    H = torch.zeros(inputs.shape[1], W_hh.shape[0]) if state is None else state[0]
    outputs = []
    for X in inputs:
        H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
        outputs.append(H)
    return torch.stack(outputs), (H,)
''', fails=("state_none_starts_at_zero",), message="raised"),
    Mutant("rnn", "zero_state_on_cpu", '''def rnn(inputs, state, params):
    W_xh, W_hh, b_h = params
    H = torch.zeros(inputs.shape[1], W_hh.shape[0], dtype=inputs.dtype) if state is None else state[0]
    outputs = []
    for X in inputs:
        H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
        outputs.append(H)
    return torch.stack(outputs), (H,)
''', fails=("state_none_starts_at_zero",), message="raised", device="cuda"),
    Mutant("rnn", "transposed_recurrent_weight", '''def rnn(inputs, state, params):
    W_xh, W_hh, b_h = params
    H = torch.zeros(inputs.shape[1], W_hh.shape[0], dtype=inputs.dtype, device=inputs.device) if state is None else state[0]
    outputs = []
    for X in inputs:
        H = torch.tanh(X @ W_xh + H @ W_hh.T + b_h)
        outputs.append(H)
    return torch.stack(outputs), (H,)
''', fails=("matches_reference", "square_shapes"), message="is wrong"),
    Mutant("rnn", "state_as_bare_tensor", '''def rnn(inputs, state, params):
    W_xh, W_hh, b_h = params
    H = torch.zeros(inputs.shape[1], W_hh.shape[0], dtype=inputs.dtype, device=inputs.device) if state is None else state[0]
    outputs = []
    for X in inputs:
        H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
        outputs.append(H)
    return torch.stack(outputs), H
''', fails=("matches_reference",), message="one-element tuple (H,)"),
    Mutant("rnn", "relu_instead_of_tanh", '''def rnn(inputs, state, params):
    W_xh, W_hh, b_h = params
    H = torch.zeros(inputs.shape[1], W_hh.shape[0], dtype=inputs.dtype, device=inputs.device) if state is None else state[0]
    outputs = []
    for X in inputs:
        H = torch.relu(X @ W_xh + H @ W_hh + b_h)
        outputs.append(H)
    return torch.stack(outputs), (H,)
''', fails=("matches_reference", "gradients"), message="is wrong"),

    # -- grad_clipping -----------------------------------------------------------------------------------------
    Mutant("grad_clipping", "per_parameter_norm", '''def grad_clipping(params, theta):
    for p in params:
        if p.grad is not None:
            norm = torch.sqrt(torch.sum(p.grad ** 2))
            if norm > theta:
                p.grad[:] *= theta / norm
''', fails=("clips_to_theta",), message="ONE norm over all parameters"),
    Mutant("grad_clipping", "always_rescales", '''def grad_clipping(params, theta):
    params = [p for p in params if p.grad is not None]
    norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params))
    for p in params:
        p.grad[:] *= theta / norm
''', fails=("small_gradients_unchanged",), message="only when norm > theta"),
    Mutant("grad_clipping", "crashes_on_missing_grad", '''def grad_clipping(params, theta):
    params = list(params)
    norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params))
    if norm > theta:
        for p in params:
            p.grad[:] *= theta / norm
''', fails=("skips_missing_gradients",), message="grad_clipping"),
    Mutant("grad_clipping", "generator_read_twice", '''def grad_clipping(params, theta):
    norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params if p.grad is not None))
    if norm > theta:
        for p in params:
            if p.grad is not None:
                p.grad[:] *= theta / norm
''', fails=("parameters_generator",), message="unchanged although"),
    Mutant("grad_clipping", "squared_norm", '''def grad_clipping(params, theta):
    params = [p for p in params if p.grad is not None]
    norm = sum(torch.sum(p.grad ** 2) for p in params)
    if norm > theta:
        for p in params:
            p.grad[:] *= theta / norm
''', fails=("clips_to_theta",), message="is wrong"),

    # -- perplexity --------------------------------------------------------------------------------------------
    Mutant("perplexity", "no_division", '''def perplexity(total_loss, num_tokens):
    return math.exp(float(total_loss))
''', fails=("float_loss",), message="divide by num_tokens"),
    Mutant("perplexity", "base_two", '''def perplexity(total_loss, num_tokens):
    return 2 ** (float(total_loss) / num_tokens)
''', fails=("float_loss",), message="natural logarithms"),
    Mutant("perplexity", "returns_tensor", '''def perplexity(total_loss, num_tokens):
    return torch.exp(torch.as_tensor(total_loss) / num_tokens)
''', fails=("float_loss",), message="Python float"),
    Mutant("perplexity", "mean_loss_only", '''def perplexity(total_loss, num_tokens):
    return float(total_loss) / num_tokens
''', fails=("float_loss",), message="expected exp"),

    # -- predict_rnn -------------------------------------------------------------------------------------------
    Mutant("predict_rnn", "no_warm_up", _PREDICT_HEAD.replace("    outputs = [vocab[prefix[0]]]\n", "") + '''    outputs = [vocab[c] for c in prefix]
    for _ in range(num_preds):
        Y, state = net(torch.tensor([[outputs[-1]]], device=device), state)
        outputs.append(int(Y.argmax(dim=1).reshape(1)))
    return ''.join(vocab.idx_to_token[i] for i in outputs)
''', fails=("warm_up_on_prefix",), message="fed the net"),
    Mutant("predict_rnn", "warm_up_appends_predictions", _PREDICT_HEAD + '''    for y in prefix[1:]:
        Y, state = net(torch.tensor([[outputs[-1]]], device=device), state)
        outputs.append(int(Y.argmax(dim=1).reshape(1)))
    for _ in range(num_preds):
        Y, state = net(torch.tensor([[outputs[-1]]], device=device), state)
        outputs.append(int(Y.argmax(dim=1).reshape(1)))
    return ''.join(vocab.idx_to_token[i] for i in outputs)
''', fails=("warm_up_on_prefix",), message="not the prediction"),
    Mutant("predict_rnn", "state_reset_each_step", _PREDICT_HEAD + '''    for y in prefix[1:]:
        _, state = net(torch.tensor([[outputs[-1]]], device=device), state)
        outputs.append(vocab[y])
    for _ in range(num_preds):
        Y, _ = net(torch.tensor([[outputs[-1]]], device=device), state)
        outputs.append(int(Y.argmax(dim=1).reshape(1)))
    return ''.join(vocab.idx_to_token[i] for i in outputs)
''', fails=("warm_up_on_prefix",), message="did not pass the state"),
    Mutant("predict_rnn", "returns_predictions_only", _PREDICT_HEAD + '''    for y in prefix[1:]:
        _, state = net(torch.tensor([[outputs[-1]]], device=device), state)
        outputs.append(vocab[y])
    preds = []
    for _ in range(num_preds):
        Y, state = net(torch.tensor([[outputs[-1]]], device=device), state)
        outputs.append(int(Y.argmax(dim=1).reshape(1)))
        preds.append(vocab.idx_to_token[outputs[-1]])
    return ''.join(preds)
''', fails=("matches_reference",), message="prefix followed by the predictions"),
    Mutant("predict_rnn", "input_on_cpu", _PREDICT_HEAD + '''    for y in prefix[1:]:
        _, state = net(torch.tensor([[outputs[-1]]]), state)
        outputs.append(vocab[y])
    for _ in range(num_preds):
        Y, state = net(torch.tensor([[outputs[-1]]]), state)
        outputs.append(int(Y.argmax(dim=1).reshape(1)))
    return ''.join(vocab.idx_to_token[i] for i in outputs)
''', fails=("warm_up_on_prefix",), message="on the given device", device="cuda"),
]

VARIANTS = [
    Variant("tokenize", "regex_and_comprehensions", '''import re


def tokenize(lines, token='word'):
    if token not in ('word', 'char'):
        raise ValueError(f'bad token type {token}')
    out = []
    for line in lines:
        out.append(re.findall(r'\\S+', line) if token == 'word' else [c for c in line])
    return out
'''),
    Variant("tokenize", "match_statement", '''def tokenize(lines, token='word'):
    match token:
        case 'word':
            return list(map(str.split, lines))
        case 'char':
            return list(map(list, lines))
        case _:
            raise ValueError(token)
'''),
    Variant("Vocab", "dict_counts_and_explicit_sort", '''class Vocab:
    def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
        flat = []
        for item in tokens or []:
            if isinstance(item, list):
                flat.extend(item)
            else:
                flat.append(item)
        counts, first = {}, {}
        for i, t in enumerate(flat):
            counts[t] = counts.get(t, 0) + 1
            first.setdefault(t, i)
        order = sorted(counts, key=lambda t: (-counts[t], first[t]))
        self.idx_to_token = ['<unk>'] + list(reserved_tokens or [])
        self.idx_to_token += [t for t in order if counts[t] >= min_freq and t not in self.idx_to_token]
        self.token_to_idx = {t: i for i, t in enumerate(self.idx_to_token)}

    def __len__(self):
        return len(self.token_to_idx)

    def __getitem__(self, tokens):
        if isinstance(tokens, (list, tuple)):
            return [self.token_to_idx.get(t, 0) for t in tokens]
        return self.token_to_idx.get(tokens, 0)

    def to_tokens(self, indices):
        if isinstance(indices, int):
            return self.idx_to_token[indices]
        return [self.idx_to_token[int(i)] for i in indices]

    @property
    def unk(self):
        return 0
'''),
    Variant("Vocab", "most_common", '''class Vocab:
    def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
        if tokens and isinstance(tokens[0], list):
            tokens = sum(tokens, [])
        counter = collections.Counter(tokens or [])
        self.idx_to_token = ['<unk>', *(reserved_tokens or [])]
        for tok, freq in counter.most_common():
            if freq >= min_freq:
                self.idx_to_token.append(tok)
        self.token_to_idx = dict(zip(self.idx_to_token, range(len(self.idx_to_token))))
''' + _VOCAB_TAIL),
    Variant("seq_data_iter_random", "numpy_free_index_lists", '''def seq_data_iter_random(corpus, batch_size, num_steps):
    offset = random.randint(0, num_steps - 1)
    starts = [offset + j * num_steps for j in range((len(corpus) - offset - 1) // num_steps)]
    random.shuffle(starts)
    while len(starts) >= batch_size:
        chosen, starts = starts[:batch_size], starts[batch_size:]
        X = torch.stack([torch.tensor(corpus[s:s + num_steps]) for s in chosen])
        Y = torch.stack([torch.tensor(corpus[s + 1:s + num_steps + 1]) for s in chosen])
        yield X, Y
'''),
    Variant("seq_data_iter_random", "tensor_gather", '''def seq_data_iter_random(corpus, batch_size, num_steps):
    data = torch.tensor(corpus[random.randint(0, num_steps - 1):], dtype=torch.long)
    n = max(0, (len(data) - 1) // num_steps)
    starts = torch.arange(n) * num_steps
    order = list(range(n))
    random.shuffle(order)
    steps = torch.arange(num_steps)
    for b in range(n // batch_size):
        s = starts[order[b * batch_size:(b + 1) * batch_size]].unsqueeze(1)
        yield data[s + steps], data[s + steps + 1]
'''),
    Variant("seq_data_iter_sequential", "narrower_offset_and_loops", '''def seq_data_iter_sequential(corpus, batch_size, num_steps):
    offset = random.randint(0, num_steps - 1)
    length = (len(corpus) - offset - 1) // batch_size
    rows_x = [corpus[offset + b * length:offset + (b + 1) * length] for b in range(batch_size)]
    rows_y = [corpus[offset + b * length + 1:offset + (b + 1) * length + 1] for b in range(batch_size)]
    for i in range(0, length - num_steps + 1, num_steps):
        yield (torch.tensor([r[i:i + num_steps] for r in rows_x]),
               torch.tensor([r[i:i + num_steps] for r in rows_y]))
'''),
    Variant("seq_data_iter_sequential", "view_and_split", '''def seq_data_iter_sequential(corpus, batch_size, num_steps):
    offset = random.randint(0, num_steps)
    L = max(0, (len(corpus) - offset - 1) // batch_size)
    data = torch.as_tensor(corpus, dtype=torch.int64)
    Xs = data[offset:offset + L * batch_size].view(batch_size, L)
    Ys = data[offset + 1:offset + 1 + L * batch_size].view(batch_size, L)
    n = L // num_steps
    if n == 0:
        return
    for X, Y in zip(Xs[:, :n * num_steps].split(num_steps, dim=1), Ys[:, :n * num_steps].split(num_steps, dim=1)):
        yield X, Y
'''),
    Variant("one_hot", "scatter", '''def one_hot(X, vocab_size):
    out = torch.zeros(*X.T.shape, vocab_size, device=X.device)
    return out.scatter_(-1, X.T.unsqueeze(-1), 1.0)
'''),
    Variant("one_hot", "eye_indexing", '''def one_hot(X, vocab_size):
    eye = torch.eye(vocab_size, dtype=torch.float32, device=X.device)
    return eye[X.transpose(0, 1)]
'''),
    Variant("rnn", "python_state_and_einsum", '''def rnn(inputs, state, params):
    W_xh, W_hh, b_h = params
    T, B = inputs.shape[0], inputs.shape[1]
    H = inputs.new_zeros(B, W_hh.shape[1]) if state is None else state[0]
    outs = []
    for t in range(T):
        H = torch.tanh(torch.einsum('bd,dh->bh', inputs[t], W_xh) + torch.einsum('bk,kh->bh', H, W_hh) + b_h)
        outs.append(H.unsqueeze(0))
    return torch.cat(outs, dim=0), (H,)
'''),
    Variant("rnn", "precomputed_input_projection", '''def rnn(inputs, state, params):
    W_xh, W_hh, b_h = params
    XW = inputs @ W_xh + b_h
    H = torch.zeros_like(XW[0]) if state is None else state[0]
    outputs = []
    for xw in XW.unbind(0):
        H = torch.tanh(xw + H @ W_hh)
        outputs.append(H)
    return torch.stack(outputs), (H,)
'''),
    Variant("grad_clipping", "vector_norm_and_mul", '''def grad_clipping(params, theta):
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return None
    norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))
    if norm > theta:
        for g in grads:
            g.mul_(theta / norm)
'''),
    Variant("grad_clipping", "python_floats_and_reassign", '''def grad_clipping(params, theta):
    params = [p for p in params if p.grad is not None]
    total = 0.0
    for p in params:
        total += float((p.grad.double() ** 2).sum())
    norm = math.sqrt(total)
    if norm > theta:
        scale = theta / norm
        for p in params:
            p.grad = p.grad * scale
'''),
    Variant("perplexity", "tensor_then_item", '''def perplexity(total_loss, num_tokens):
    loss = torch.as_tensor(total_loss, dtype=torch.float64).cpu()
    return torch.exp(loss / num_tokens).item()
'''),
    Variant("perplexity", "exp_of_mean_via_log", '''def perplexity(total_loss, num_tokens):
    if isinstance(total_loss, torch.Tensor):
        total_loss = total_loss.item()
    return float(math.e ** (total_loss / num_tokens))
'''),
    Variant("predict_rnn", "to_tokens_and_loops", '''def predict_rnn(prefix, num_preds, net, vocab, device):
    state = net.begin_state(batch_size=1, device=device)
    indices = [vocab[prefix[0]]]
    for i in range(1, len(prefix) + num_preds):
        X = torch.full((1, 1), indices[-1], dtype=torch.long, device=device)
        Y, state = net(X, state)
        if i < len(prefix):
            indices.append(vocab[prefix[i]])
        else:
            indices.append(Y.argmax(dim=1).item())
    return ''.join(vocab.to_tokens(indices))
'''),
    Variant("predict_rnn", "string_building", '''def predict_rnn(prefix, num_preds, net, vocab, device):
    state = net.begin_state(batch_size=1, device=device)
    for ch in prefix[:-1]:
        _, state = net(torch.tensor([vocab[ch]], device=device).reshape(1, 1), state)
    text, last = prefix, prefix[-1]
    for _ in range(num_preds):
        Y, state = net(torch.tensor([vocab[last]], device=device).reshape(1, 1), state)
        last = vocab.idx_to_token[int(torch.argmax(Y[0]))]
        text += last
    return text
'''),
]
