"""Tests of d2lkit.text: tokens, Vocab, the time machine corpus and the two samplers."""
import random

import pytest
import torch

import d2lkit as d2l


def test_tokenize_word_and_char():
    assert d2l.tokenize(['a  b\tc', '']) == [['a', 'b', 'c'], []]
    assert d2l.tokenize(['a b'], 'char') == [['a', ' ', 'b']]
    with pytest.raises(ValueError):
        d2l.tokenize(['a'], 'byte')


def test_vocab_order_min_freq_and_lookup():
    v = d2l.Vocab([['c', 'b', 'a', 'b'], ['a', 'd']], min_freq=2, reserved_tokens=['<pad>', '<eos>'])
    # b and a both twice: b first seen first; c and d below min_freq
    assert v.idx_to_token == ['<unk>', '<pad>', '<eos>', 'b', 'a']
    assert len(v) == 5 and v['a'] == 4 and v['c'] == 0 and v[['b', 'zz']] == [3, 0] and v[('a',)] == [4]
    assert v.to_tokens(3) == 'b' and v.to_tokens([4, 0]) == ['a', '<unk>'] and v.unk == 0
    assert d2l.Vocab().idx_to_token == ['<unk>']
    assert d2l.Vocab(['x', 'y', 'y']).idx_to_token == ['<unk>', 'y', 'x']


def test_corpus_from_tiny_time_machine(data_home):
    d2l.make_tiny_time_machine(str(data_home))
    lines = d2l.read_time_machine()
    assert lines[0] == 'the time machine by h g wells'
    assert all(set(line) <= set('abcdefghijklmnopqrstuvwxyz ') for line in lines)
    corpus, vocab = d2l.load_corpus_time_machine()
    assert ''.join(vocab.to_tokens(corpus[:10])) == 'the time m'
    assert len(d2l.load_corpus_time_machine(max_tokens=50)[0]) == 50
    data_iter, vocab2 = d2l.load_data_time_machine(4, 5)
    X, Y = next(iter(data_iter))
    assert X.shape == Y.shape == (4, 5) and vocab2.idx_to_token == vocab.idx_to_token


@pytest.mark.parametrize('n,batch_size,num_steps', [(35, 2, 5), (100, 3, 7), (4, 2, 3), (1, 1, 1)])
def test_random_sampler_partitions(n, batch_size, num_steps):
    random.seed(n)
    corpus = list(range(n))
    for _ in range(5):
        batches = list(d2l.seq_data_iter_random(corpus, batch_size, num_steps))
        starts = [int(row[0]) for X, Y in batches for row in X]
        for X, Y in batches:
            assert X.dtype == torch.int64 and X.shape == (batch_size, num_steps)
            assert torch.equal(Y, X + 1) and torch.equal(X - X[:, :1], torch.arange(num_steps).expand_as(X))
        assert len(set(starts)) == len(starts) and len({s % num_steps for s in starts}) <= 1
        if starts:
            offset = min(starts) % num_steps
            assert len(starts) == batch_size * (((n - offset - 1) // num_steps) // batch_size)


@pytest.mark.parametrize('n,batch_size,num_steps', [(35, 2, 5), (100, 3, 7), (4, 2, 3)])
def test_sequential_sampler_rows_continue(n, batch_size, num_steps):
    random.seed(n)
    corpus = list(range(n))
    batches = list(d2l.seq_data_iter_sequential(corpus, batch_size, num_steps))
    for (X0, _), (X1, _) in zip(batches, batches[1:]):
        assert torch.equal(X1[:, 0], X0[:, -1] + 1)
    for X, Y in batches:
        assert torch.equal(Y, X + 1)
