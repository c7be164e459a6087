"""Softmax regression from scratch (book part: "Linear neural networks")."""
import torch
from torch import nn

from .linear_regression import sgd
from .utils import Accumulator

__all__ = ['FASHION_MNIST_LABELS', 'softmax', 'softmax_regression', 'cross_entropy',
           'accuracy', 'evaluate_accuracy', 'train_epoch', 'predict',
           'get_fashion_mnist_labels', 'SGD']

FASHION_MNIST_LABELS = ('t-shirt', 'trouser', 'pullover', 'dress', 'coat',
                        'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot')


def softmax(X):
    """Row-wise softmax of a 2-D tensor (n, q) -> (n, q), same dtype and device.

    Each row's max is subtracted before ``exp`` (softmax is invariant to a
    per-row shift), so logits of any magnitude do not overflow.
    """
    X_exp = (X - X.max(dim=1, keepdim=True).values).exp()
    return X_exp / X_exp.sum(dim=1, keepdim=True)


def softmax_regression(X, W, b):
    """The softmax regression model: ``softmax(X.reshape(-1, d) @ W + b)``.

    X: any shape whose trailing dims flatten to d = W.shape[0] (e.g. images
    (n, 1, 28, 28)); W (d, q); b (q,). Returns probabilities (n, q).
    """
    return softmax(X.reshape(-1, W.shape[0]) @ W + b)


def cross_entropy(y_hat, y):
    """Mean over the batch of ``-log y_hat[i, y[i]]`` as a 0-dim tensor.

    y_hat: probabilities (n, q); y: int64 labels (n,) on the same device.
    """
    return -y_hat.gather(1, y.reshape(-1, 1)).log().mean()


def accuracy(y_hat, y):
    """Number of correct predictions, as a Python float.

    y_hat: class scores (n, q) with q > 1 (argmax over dim 1 is the
    prediction) or predicted labels of n elements; y: labels (n,).
    """
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    return float((y_hat.reshape(y.shape).to(y.dtype) == y).sum())


def evaluate_accuracy(net, data_iter):
    """Fraction of correct predictions of ``net`` over every example of ``data_iter``.

    ``data_iter`` yields (X, y) batches, possibly of uneven sizes; each
    example counts once. An ``nn.Module`` is switched to eval mode (and left
    there); runs under ``torch.no_grad()``. Returns a Python float.
    """
    if isinstance(net, nn.Module):
        net.eval()
    metric = Accumulator(2)  # correct predictions, examples
    with torch.no_grad():
        for X, y in data_iter:
            metric.add(accuracy(net(X), y), y.numel())
    return metric[0] / metric[1]


def train_epoch(net, train_iter, loss, updater):
    """Train ``net`` for one pass over ``train_iter``.

    ``loss(y_hat, y)`` must return the batch MEAN as a 0-dim tensor;
    ``updater`` is anything with ``zero_grad()`` and ``step()`` (a
    ``torch.optim.Optimizer`` or :class:`SGD`). An ``nn.Module`` is put in
    train mode. Returns ``(mean loss per example, training accuracy)`` as
    Python floats, each example weighted equally; the accuracy is measured
    on each batch's predictions before that batch's update.
    """
    if isinstance(net, nn.Module):
        net.train()
    metric = Accumulator(3)  # sum of losses, correct predictions, examples
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        updater.zero_grad()
        l.backward()
        updater.step()
        metric.add(l.detach() * y.numel(), accuracy(y_hat.detach(), y), y.numel())
    return metric[0] / metric[2], metric[1] / metric[2]


def predict(net, X, text_labels):
    """Text label of the argmax over dim 1 of ``net(X)``, one string per row of X.

    Runs under ``torch.no_grad()``; an ``nn.Module`` is put in eval mode.
    """
    if isinstance(net, nn.Module):
        net.eval()
    with torch.no_grad():
        preds = net(X).argmax(dim=1)
    return [text_labels[i] for i in preds.tolist()]


def get_fashion_mnist_labels(labels):
    """Text names of Fashion-MNIST classes for an iterable of int labels (or a tensor)."""
    return [FASHION_MNIST_LABELS[int(i)] for i in labels]


class SGD:
    """A minimal optimizer on top of :func:`sgd`, usable as ``train_epoch``'s updater.

    ``step()`` does ``p -= lr * p.grad / batch_size`` for every parameter
    that has a gradient. :func:`train_epoch` takes mean losses, whose
    gradients are already averaged over the batch, so keep ``batch_size=1``
    there; pass the batch size only with summed losses.
    """

    def __init__(self, params, lr, batch_size=1):
        self.params, self.lr, self.batch_size = list(params), lr, batch_size

    def zero_grad(self):
        """Zero every existing gradient (parameters without one are skipped)."""
        for p in self.params:
            if p.grad is not None:
                p.grad.zero_()

    def step(self):
        """Update the parameters in place."""
        sgd([p for p in self.params if p.grad is not None], self.lr, self.batch_size)
