"""Linear regression from scratch (book part: "Linear neural networks")."""
import torch

__all__ = ['synthetic_data', 'data_iter', 'linreg', 'squared_loss', 'sgd']


def synthetic_data(w, b, num_examples):
    """Draw a noisy linear data set ``y = X w + b + eps``.

    w: 1-D tensor of length d; b: Python float or 0-dim tensor.
    Returns ``X`` of shape (num_examples, d) with ``X ~ N(0, 1)`` and
    ``y`` of shape (num_examples, 1) with noise ``eps ~ N(0, 0.01**2)``,
    both with w's dtype and on w's device.
    """
    X = torch.randn(num_examples, len(w), dtype=w.dtype, device=w.device)
    y = X @ w + b
    y = y + 0.01 * torch.randn_like(y)
    return X, y.reshape(-1, 1)


def data_iter(batch_size, features, labels):
    """Yield shuffled minibatches ``(features[idx], labels[idx])``.

    Every example appears exactly once per pass; the last batch is smaller
    when ``len(features)`` is not a multiple of ``batch_size``. The batches
    stay on the device of ``features`` (labels must be on the same device).
    """
    order = torch.randperm(len(features)).to(features.device)
    for i in range(0, len(order), batch_size):
        idx = order[i:i + batch_size]
        yield features[idx], labels[idx]


def linreg(X, w, b):
    """The linear model ``X @ w + b``: X (n, d), w (d, 1), b (1,) -> (n, 1)."""
    return X @ w + b


def squared_loss(y_hat, y):
    """Per-example ``(y_hat - y)**2 / 2`` with y reshaped like y_hat; no reduction."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    """Minibatch SGD step, in place: ``p -= lr * p.grad / batch_size``, then zero ``p.grad``.

    ``params`` is an iterable of leaf tensors whose ``.grad`` is set. The same
    tensor objects are updated (under ``torch.no_grad()``); returns None.
    With a loss that is already a batch mean, pass ``batch_size=1``.
    """
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad / batch_size
            p.grad.zero_()
