"""Text preprocessing and language-model data (book parts: "Recurrent neural networks", "Modern RNNs").

Tokens, vocabularies, the time machine corpus and its two minibatch
samplers, and (for sequence to sequence learning) the English-French pairs.
Every loader reads its file through :func:`d2lkit.data.download`, so with
``D2LKIT_DATA`` pointing at a folder filled by :func:`make_tiny_time_machine`
(or :func:`make_tiny_fra_eng`) it works offline.
"""
import collections
import random
import re

import torch

from .data import download, register_local_file

__all__ = ['tokenize', 'Vocab', 'read_time_machine', 'load_corpus_time_machine', 'make_tiny_time_machine',
           'seq_data_iter_random', 'seq_data_iter_sequential', 'SeqDataLoader', 'load_data_time_machine']


def tokenize(lines, token='word'):
    """Split each line into tokens: a list with one list of tokens per line.

    ``token='word'``: ``line.split()`` (runs of whitespace separate words, no
    empty tokens); ``token='char'``: ``list(line)`` (every character,
    spaces included). Any other ``token`` raises ``ValueError``.
    """
    if token == 'word':
        return [line.split() for line in lines]
    if token == 'char':
        return [list(line) for line in lines]
    raise ValueError(f'unknown token type {token!r}: use "word" or "char"')


class Vocab:
    """A vocabulary: token <-> index.

    ``tokens`` is a list of tokens or a list of lists of tokens (flattened).
    Index 0 is ``'<unk>'``, then ``reserved_tokens`` in their order, then
    every other token whose count is at least ``min_freq``, by descending
    count, ties in order of first appearance. ``vocab[token]`` gives the
    index (0 for unknown tokens), ``vocab[list_or_tuple]`` a list of
    indices; ``to_tokens(int)`` a token and ``to_tokens(list)`` a list.
    """

    def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
        tokens = list(tokens or [])
        if tokens and isinstance(tokens[0], (list, tuple)):
            tokens = [token for line in tokens for token in line]
        counter = collections.Counter(tokens)  # insertion order = first appearance
        self.token_freqs = sorted(counter.items(), key=lambda x: x[1], reverse=True)  # stable
        self.idx_to_token = ['<unk>'] + [t for t in (reserved_tokens or []) if t != '<unk>']
        self.token_to_idx = {token: idx for idx, token in enumerate(self.idx_to_token)}
        for token, freq in self.token_freqs:
            if freq < min_freq:
                break
            if token not in self.token_to_idx:
                self.idx_to_token.append(token)
                self.token_to_idx[token] = len(self.idx_to_token) - 1

    def __len__(self):
        return len(self.idx_to_token)

    def __getitem__(self, tokens):
        if not isinstance(tokens, (list, tuple)):
            return self.token_to_idx.get(tokens, self.unk)
        return [self.__getitem__(token) for token in tokens]

    def to_tokens(self, indices):
        """The token of an int index, or the list of tokens of a list/tuple/1-D tensor of indices."""
        if isinstance(indices, torch.Tensor):
            indices = indices.tolist()
        if isinstance(indices, (list, tuple)):
            return [self.idx_to_token[int(index)] for index in indices]
        return self.idx_to_token[int(indices)]

    @property
    def unk(self):
        """The index of the unknown token (0)."""
        return 0


def read_time_machine():
    """The time machine's lines, lower case, every run of non-letters replaced by one space, stripped."""
    with open(download('timemachine.txt')) as f:
        lines = f.readlines()
    return [re.sub('[^A-Za-z]+', ' ', line).strip().lower() for line in lines]


def load_corpus_time_machine(max_tokens=-1):
    """``(corpus, vocab)`` of the time machine at character level.

    ``corpus`` is the list of token indices of every character of every
    (preprocessed) line, in order, cut to ``max_tokens`` when positive.
    """
    tokens = tokenize(read_time_machine(), 'char')
    vocab = Vocab(tokens)
    corpus = [vocab[token] for line in tokens for token in line]
    if max_tokens > 0:
        corpus = corpus[:max_tokens]
    return corpus, vocab


_TINY_WORDS = ('the time traveller said that we were all there and it was a machine of the future '
               'when i came back to the room the fire burned and he spoke of dimensions in space').split()


def make_tiny_time_machine(folder, num_lines=60, seed=0):
    """Write a small generated ``timemachine.txt`` into ``folder`` and register it in ``folder/hub.json``.

    The lines are random word sequences drawn from a fixed little
    vocabulary (with some punctuation and capitals to strip), so
    :func:`load_corpus_time_machine` works offline with ``D2LKIT_DATA=folder``.
    Returns ``folder``.
    """
    rng = random.Random(seed)
    lines = ['The Time Machine, by H. G. Wells [1898]', '']
    for _ in range(num_lines):
        words = [rng.choice(_TINY_WORDS) for _ in range(rng.randint(4, 12))]
        lines.append(' '.join(words).capitalize() + rng.choice(['.', ',', ';', '!', '']))
    register_local_file(folder, 'timemachine.txt', ('\n'.join(lines) + '\n').encode())
    return folder


def seq_data_iter_random(corpus, batch_size, num_steps):
    """Minibatches of random non-overlapping subsequences of ``corpus`` (a list of token indices).

    Drops a random number ``offset = random.randint(0, num_steps - 1)`` of
    leading tokens, cuts the rest into consecutive subsequences of
    ``num_steps`` tokens (each with a following token for its target),
    shuffles their start positions with ``random.shuffle`` and yields
    ``(X, Y)`` int64 CPU tensors of shape (batch_size, num_steps), ``Y`` being
    ``X`` shifted one token to the right in the corpus. Only full batches
    are yielded.
    """
    corpus = corpus[random.randint(0, num_steps - 1):]
    num_subseqs = (len(corpus) - 1) // num_steps
    initial_indices = list(range(0, num_subseqs * num_steps, num_steps))
    random.shuffle(initial_indices)
    num_batches = num_subseqs // batch_size
    for i in range(0, batch_size * num_batches, batch_size):
        starts = initial_indices[i:i + batch_size]
        X = [corpus[j:j + num_steps] for j in starts]
        Y = [corpus[j + 1:j + 1 + num_steps] for j in starts]
        yield torch.tensor(X, dtype=torch.int64), torch.tensor(Y, dtype=torch.int64)


def seq_data_iter_sequential(corpus, batch_size, num_steps):
    """Minibatches whose rows continue each other across iterations.

    Drops ``offset = random.randint(0, num_steps)`` leading tokens, keeps the
    largest multiple of ``batch_size`` of the following tokens that still
    have a successor, lays them out as ``batch_size`` rows of L consecutive
    tokens (row b starts at ``offset + b * L``), and yields the columns
    ``[i, i + num_steps)`` for i = 0, num_steps, ... while a full block fits:
    ``(X, Y)`` int64 CPU tensors (batch_size, num_steps), ``Y`` = ``X`` shifted
    by one token, and row b of one batch continues row b of the previous one.
    """
    offset = random.randint(0, num_steps)
    num_tokens = ((len(corpus) - offset - 1) // batch_size) * batch_size
    Xs = torch.tensor(corpus[offset:offset + num_tokens], dtype=torch.int64).reshape(batch_size, -1)
    Ys = torch.tensor(corpus[offset + 1:offset + 1 + num_tokens], dtype=torch.int64).reshape(batch_size, -1)
    num_batches = Xs.shape[1] // num_steps
    for i in range(0, num_steps * num_batches, num_steps):
        yield Xs[:, i:i + num_steps], Ys[:, i:i + num_steps]


class SeqDataLoader:
    """An iterable over the time machine's minibatches (random or sequential sampling)."""

    def __init__(self, batch_size, num_steps, use_random_iter, max_tokens):
        self.data_iter_fn = seq_data_iter_random if use_random_iter else seq_data_iter_sequential
        self.corpus, self.vocab = load_corpus_time_machine(max_tokens)
        self.batch_size, self.num_steps = batch_size, num_steps

    def __iter__(self):
        return self.data_iter_fn(self.corpus, self.batch_size, self.num_steps)


def load_data_time_machine(batch_size, num_steps, use_random_iter=False, max_tokens=10000):
    """``(data_iter, vocab)`` of the time machine (character level)."""
    data_iter = SeqDataLoader(batch_size, num_steps, use_random_iter, max_tokens)
    return data_iter, data_iter.vocab
