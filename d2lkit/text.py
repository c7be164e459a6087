"""Text preprocessing and language-model data (book parts: "Recurrent neural networks", "Modern RNNs").

Tokens, vocabularies, the time machine corpus and its two minibatch
samplers, and (for sequence to sequence learning) the English-French pairs.
Every loader reads its file through :func:`d2lkit.data.download`, so with
``D2LKIT_DATA`` pointing at a folder filled by :func:`make_tiny_time_machine`
(or :func:`make_tiny_fra_eng`) it works offline.
"""
import collections
import io
import random
import re
import zipfile

import torch

from .data import DATA_HUB, download, load_array, register_local_file

__all__ = ['tokenize', 'Vocab', 'read_time_machine', 'load_corpus_time_machine', 'make_tiny_time_machine',
           'seq_data_iter_random', 'seq_data_iter_sequential', 'SeqDataLoader', 'load_data_time_machine',
           'read_data_nmt', 'preprocess_nmt', 'tokenize_nmt', 'build_array_nmt', 'load_data_nmt', 'make_tiny_fra_eng']

DATA_HUB['fra-eng.zip'] = ('http://d2l-data.s3-accelerate.amazonaws.com/fra-eng.zip',
                           'sha1:94646ad1522d915e7b0f9296181140edcf86a4f5')


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


def read_data_nmt():
    """The text of ``fra-eng/fra.txt`` from the fra-eng zip (tab-separated English-French pairs)."""
    with zipfile.ZipFile(download('fra-eng.zip')) as archive:
        return archive.read('fra-eng/fra.txt').decode('utf-8')


def preprocess_nmt(text):
    """Lower case, non-breaking spaces to spaces, and a space before , . ! ? when missing."""
    text = text.replace('\u202f', ' ').replace('\xa0', ' ').lower()
    out = [' ' + ch if i > 0 and ch in set(',.!?') and text[i - 1] != ' ' else ch for i, ch in enumerate(text)]
    return ''.join(out)


def tokenize_nmt(text, num_examples=None):
    """``(source, target)``: word token lists of the first ``num_examples`` lines' two columns."""
    source, target = [], []
    for i, line in enumerate(text.split('\n')):
        if num_examples and i >= num_examples:
            break
        parts = line.split('\t')
        if len(parts) >= 2:
            source.append(parts[0].split(' '))
            target.append(parts[1].split(' '))
    return source, target


def build_array_nmt(lines, vocab, num_steps):
    """``(array (n, num_steps) int64, valid_len (n,))``: indices + '<eos>', truncated or padded with '<pad>'."""
    from .modern_rnn import truncate_pad
    lines = [vocab[line] + [vocab['<eos>']] for line in lines]
    array = torch.tensor([truncate_pad(line, num_steps, vocab['<pad>']) for line in lines], dtype=torch.int64)
    valid_len = (array != vocab['<pad>']).type(torch.int32).sum(1)
    return array, valid_len


def load_data_nmt(batch_size, num_steps, num_examples=600):
    """``(data_iter, src_vocab, tgt_vocab)`` of English-French pairs; batches (X, X_len, Y, Y_len)."""
    source, target = tokenize_nmt(preprocess_nmt(read_data_nmt()), num_examples)
    src_vocab = Vocab(source, min_freq=2, reserved_tokens=['<pad>', '<bos>', '<eos>'])
    tgt_vocab = Vocab(target, min_freq=2, reserved_tokens=['<pad>', '<bos>', '<eos>'])
    src_array, src_valid_len = build_array_nmt(source, src_vocab, num_steps)
    tgt_array, tgt_valid_len = build_array_nmt(target, tgt_vocab, num_steps)
    data_iter = load_array((src_array, src_valid_len, tgt_array, tgt_valid_len), batch_size)
    return data_iter, src_vocab, tgt_vocab


_TINY_PAIRS = [('go .', 'va !'), ('hi .', 'salut !'), ('run !', 'cours !'), ('i lost .', "j'ai perdu ."),
               ("he's calm .", 'il est calme .'), ("i'm home .", 'je suis chez moi .'),
               ('we won .', 'nous avons gagné .'), ('be nice .', 'sois gentil !')]


def make_tiny_fra_eng(folder, num_lines=64, seed=0):
    """Write a small ``fra-eng.zip`` (holding ``fra-eng/fra.txt``) into ``folder`` and register it.

    The lines are the few pairs above repeated in a shuffled order, in the
    real file's tab-separated format. Returns ``folder``.
    """
    rng = random.Random(seed)
    lines = [rng.choice(_TINY_PAIRS) for _ in range(num_lines)]
    text = ''.join(f'{en.capitalize()}\t{fr.capitalize()}\n' for en, fr in lines)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w') as archive:
        info = zipfile.ZipInfo('fra-eng/fra.txt', date_time=(2020, 1, 1, 0, 0, 0))
        archive.writestr(info, text.encode('utf-8'))
    register_local_file(folder, 'fra-eng.zip', buffer.getvalue())
    return folder
