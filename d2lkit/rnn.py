"""Recurrent neural networks from scratch (book part: "Recurrent neural networks").

Conventions (DESIGN §5): inputs are time-major (T, B, d); a state is a
tuple ``(H,)``; ``rnn`` returns ``(outputs (T, B, h), (H,))`` without an
output layer (the language model adds one).
"""
import math

import torch
from torch import nn

from .utils import Accumulator, Animator, Timer

__all__ = ['one_hot', 'rnn', 'get_rnn_params', 'init_rnn_state', 'RNNModelScratch', 'grad_clipping',
           'perplexity', 'predict_rnn', 'train_epoch_rnn', 'train_rnn']


def one_hot(X, vocab_size):
    """One-hot encode a batch-major (B, T) int64 tensor into time-major float32 (T, B, vocab_size).

    Entry ``[t, b, X[b, t]]`` is 1, the others 0; on the device of X.
    """
    out = torch.zeros(X.shape[1], X.shape[0], vocab_size, dtype=torch.float32, device=X.device)
    out.scatter_(2, X.T.unsqueeze(-1), 1)
    return out


def rnn(inputs, state, params):
    """A tanh RNN layer from parameters: ``H_t = tanh(X_t W_xh + H_{t-1} W_hh + b_h)``.

    inputs: (T, B, d), T >= 1 (time-major); state: ``(H,)`` with H (B, h), or
    None for zeros (created with the inputs' dtype on their device);
    params: ``[W_xh (d, h), W_hh (h, h), b_h (h,)]``. Returns
    ``(outputs, (H,))``: outputs (T, B, h) stacks every H_t, H is the last.
    """
    W_xh, W_hh, b_h = params
    if state is None:
        state = (torch.zeros(inputs.shape[1], W_hh.shape[0], dtype=inputs.dtype, device=inputs.device),)
    H, = state
    outputs = []
    for X in inputs:
        H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
        outputs.append(H)
    return torch.stack(outputs), (H,)


def get_rnn_params(vocab_size, num_hiddens, device):
    """Parameters of a character RNN language model: ``[W_xh, W_hh, b_h, W_hq, b_q]`` (leaves with grad)."""
    def normal(shape):
        return torch.randn(size=shape, device=device) * 0.01
    params = [normal((vocab_size, num_hiddens)), normal((num_hiddens, num_hiddens)),
              torch.zeros(num_hiddens, device=device), normal((num_hiddens, vocab_size)),
              torch.zeros(vocab_size, device=device)]
    for p in params:
        p.requires_grad_(True)
    return params


def init_rnn_state(batch_size, num_hiddens, device):
    """The zero state ``(H,)`` with H (batch_size, num_hiddens) on ``device``."""
    return (torch.zeros((batch_size, num_hiddens), device=device),)


class RNNModelScratch:
    """A language model from a recurrent layer function (``rnn``, ``gru``, ``lstm``) plus an output layer.

    ``net(X, state)`` with X int64 (B, T) returns ``(Y, state)``: Y the
    logits (T * B, vocab_size) in time-major order, state the layer's.
    ``params`` are the layer's parameters followed by ``W_hq, b_q``.
    """

    def __init__(self, vocab_size, num_hiddens, device, get_params=get_rnn_params, init_state=init_rnn_state,
                 forward_fn=rnn):
        self.vocab_size, self.num_hiddens = vocab_size, num_hiddens
        self.params = get_params(vocab_size, num_hiddens, device)
        self.init_state, self.forward_fn = init_state, forward_fn

    def __call__(self, X, state):
        X = one_hot(X, self.vocab_size).to(self.params[0].dtype)
        outputs, state = self.forward_fn(X, state, self.params[:-2])
        W_hq, b_q = self.params[-2:]
        return outputs.reshape(-1, outputs.shape[-1]) @ W_hq + b_q, state

    def begin_state(self, batch_size, device):
        return self.init_state(batch_size, self.num_hiddens, device)


def grad_clipping(params, theta):
    """Rescale the gradients of ``params`` in place so that their global L2 norm is at most ``theta``.

    ``params``: an iterable of tensors (e.g. ``net.parameters()``); tensors
    whose ``.grad`` is None are skipped. The norm is
    ``sqrt(sum over all grads of (g ** 2).sum())``; when it exceeds
    ``theta`` every gradient is multiplied by ``theta / norm``, otherwise
    nothing changes. Returns None.
    """
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return
    norm = torch.sqrt(sum(torch.sum(g.detach() ** 2) for g in grads))
    if norm > theta:
        with torch.no_grad():
            for g in grads:
                g *= theta / norm


def perplexity(total_loss, num_tokens):
    """``exp(total_loss / num_tokens)`` as a Python float (total_loss: a float or a 0-dim tensor)."""
    return math.exp(float(total_loss) / num_tokens)


def predict_rnn(prefix, num_preds, net, vocab, device):
    """Continue the string ``prefix`` by ``num_preds`` characters, greedily.

    ``net(X, state) -> (Y, state)`` with X int64 (1, 1) on ``device`` and Y
    logits (1, len(vocab)); ``net.begin_state(batch_size=1, device=device)``
    gives the first state. Warm-up: the first character of the prefix is
    fed, then each next one, carrying the state, ignoring the outputs.
    Then ``num_preds`` times: feed the last character, append the argmax
    (the first, on ties). Returns prefix + the predicted characters.
    """
    state = net.begin_state(batch_size=1, device=device)
    outputs = [vocab[prefix[0]]]

    def get_input():
        return torch.tensor([outputs[-1]], device=device).reshape(1, 1)

    for y in prefix[1:]:  # warm-up
        _, state = net(get_input(), state)
        outputs.append(vocab[y])
    for _ in range(num_preds):
        y, state = net(get_input(), state)
        outputs.append(int(y.argmax(dim=1).reshape(1)))
    return ''.join(vocab.idx_to_token[i] for i in outputs)


def train_epoch_rnn(net, train_iter, loss, updater, device, use_random_iter):
    """One epoch of a character language model; returns ``(perplexity, tokens per second)``."""
    state, timer = None, Timer()
    metric = Accumulator(2)  # sum of losses, number of tokens
    for X, Y in train_iter:
        if state is None or use_random_iter:
            state = net.begin_state(batch_size=X.shape[0], device=device)
        else:
            state = tuple(s.detach() for s in state)
        y = Y.T.reshape(-1)
        X, y = X.to(device), y.to(device)
        y_hat, state = net(X, state)
        l = loss(y_hat, y.long()).mean()
        if isinstance(updater, torch.optim.Optimizer):
            updater.zero_grad()
            l.backward()
            grad_clipping(net.parameters(), 1)
            updater.step()
        else:
            l.backward()
            grad_clipping(net.params, 1)
            updater(batch_size=1)
        metric.add(l.detach() * y.numel(), y.numel())
    return perplexity(metric[0], metric[1]), metric[1] / timer.stop()


def train_rnn(net, train_iter, vocab, lr, num_epochs, device, use_random_iter=False, plot=True):
    """Train a character language model with SGD; returns the final perplexity."""
    from .linear_regression import sgd
    loss = nn.CrossEntropyLoss()
    animator = Animator(xlabel='epoch', ylabel='perplexity', legend=['train']) if plot else None

    def updater(batch_size):
        sgd(net.params, lr, batch_size)

    ppl = float('nan')
    for epoch in range(num_epochs):
        ppl, speed = train_epoch_rnn(net, train_iter, loss, updater, device, use_random_iter)
        if animator is not None and (epoch + 1) % 10 == 0:
            animator.add(epoch + 1, [ppl])
    print(f'perplexity {ppl:.1f}, {speed:.1f} tokens/sec on {device}')
    return ppl
