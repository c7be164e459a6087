"""Convolutional neural networks from scratch (book part: "Convolutional neural networks").

Every function works on the tensors it is given: results keep the input's
dtype and device and are differentiable. ``padding`` and ``stride`` are an
int or a pair ``(rows, columns)``; padding is added on BOTH sides of each
axis (as ``nn.Conv2d(padding=p)`` does), so the output height is
``(h + 2 * p_h - k_h) // s_h + 1``.
"""
import torch
from torch import nn

__all__ = ['corr2d', 'Conv2D', 'learn_kernel', 'conv_output_shape', 'corr2d_padded', 'corr2d_multi_in',
           'corr2d_multi_in_out', 'corr2d_multi_in_out_1x1', 'pool2d', 'pool2d_padded', 'lenet']


def _pair(value):
    """An int or a pair -> a pair of Python ints."""
    if isinstance(value, int):
        return value, value
    first, second = value
    return int(first), int(second)


def _windows(X, kernel_shape, stride=(1, 1)):
    """Sliding windows over the last two dims: (..., h', w', kh, kw), a view of X."""
    (kh, kw), (sh, sw) = kernel_shape, stride
    return X.unfold(-2, kh, sh).unfold(-2, kw, sw)


def corr2d(X, K):
    """2-D cross-correlation (no kernel flip): X (h, w), K (kh, kw) -> (h - kh + 1, w - kw + 1).

    ``Y[i, j] = (X[i:i + kh, j:j + kw] * K).sum()``.
    """
    return (_windows(X, K.shape) * K).sum(dim=(-2, -1))


class Conv2D(nn.Module):
    """A 2-D convolutional layer on one channel: ``corr2d(x, weight) + bias``.

    Parameters ``weight`` of shape ``kernel_size`` (initialised U[0, 1)) and
    ``bias`` of shape (1,) (initialised to 0).
    """

    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias


def learn_kernel(X, Y, kernel_shape, lr, num_epochs):
    """Learn K with ``corr2d(X, K) ~ Y`` by plain gradient descent on the summed squared error.

    K starts at zeros (X's dtype and device). Each epoch: ``loss = ((corr2d(X, K) - Y) ** 2).sum()``,
    backward, ``K -= lr * K.grad``, zero the gradient. Returns ``(K, losses)``: K detached, of shape
    ``kernel_shape``; losses the Python float loss of each epoch, computed before its update.
    """
    K = torch.zeros(tuple(kernel_shape), dtype=X.dtype, device=X.device, requires_grad=True)
    losses = []
    for _ in range(num_epochs):
        loss = ((corr2d(X, K) - Y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            K -= lr * K.grad
            K.grad.zero_()
        losses.append(float(loss.detach()))
    return K.detach(), losses


def conv_output_shape(input_shape, kernel_shape, padding=0, stride=1):
    """Output (height, width) of a convolution, as Python ints.

    ``input_shape`` (h, w), ``kernel_shape`` (kh, kw); ``padding`` (p_h, p_w) rows/columns of zeros
    added on each side; ``stride`` (s_h, s_w). Height ``(h + 2 p_h - kh) // s_h + 1``, same for width.
    """
    (h, w), (kh, kw) = _pair(input_shape), _pair(kernel_shape)
    (ph, pw), (sh, sw) = _pair(padding), _pair(stride)
    return (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1


def _pad(X, padding, value=0.0):
    """X (..., h, w) with ``value`` added around the last two dims, ``padding`` (p_h, p_w) on each side."""
    ph, pw = padding
    if ph == 0 and pw == 0:
        return X
    shape = X.shape[:-2] + (X.shape[-2] + 2 * ph, X.shape[-1] + 2 * pw)
    padded = X.new_full(shape, value)
    padded[..., ph:ph + X.shape[-2], pw:pw + X.shape[-1]] = X
    return padded


def corr2d_padded(X, K, padding=0, stride=1):
    """``corr2d`` of X (h, w) padded with zeros (p_h rows on top and bottom, p_w columns left and right)
    and evaluated every s_h rows and s_w columns: shape ``conv_output_shape(X.shape, K.shape, padding, stride)``.
    """
    Xp = _pad(X, _pair(padding))
    return (_windows(Xp, K.shape, _pair(stride)) * K).sum(dim=(-2, -1))


def corr2d_multi_in(X, K):
    """Multi-input-channel cross-correlation: X (c_i, h, w), K (c_i, kh, kw) -> (h', w'), summed over channels."""
    return torch.einsum('chwab,cab->hw', _windows(X, K.shape[-2:]), K)


def corr2d_multi_in_out(X, K):
    """Multi-in, multi-out: X (c_i, h, w), K (c_o, c_i, kh, kw) -> (c_o, h', w'); output o is
    ``corr2d_multi_in(X, K[o])``."""
    return torch.einsum('chwab,ocab->ohw', _windows(X, K.shape[-2:]), K)


def corr2d_multi_in_out_1x1(X, K):
    """1x1 convolution as a matrix product: X (c_i, h, w), K (c_o, c_i, 1, 1) -> (c_o, h, w)."""
    c_i, h, w = X.shape
    c_o = K.shape[0]
    return (K.reshape(c_o, c_i) @ X.reshape(c_i, h * w)).reshape(c_o, h, w)


def pool2d(X, pool_size, mode='max'):
    """Max or average pooling of X (h, w) with a (p_h, p_w) window, stride 1, no padding -> (h - p_h + 1, w - p_w + 1)."""
    windows = _windows(X, _pair(pool_size))
    if mode == 'max':
        return windows.amax(dim=(-2, -1))
    if mode == 'avg':
        return windows.mean(dim=(-2, -1))
    raise ValueError(f"mode must be 'max' or 'avg', not {mode!r}")


def pool2d_padded(X, pool_size, padding=0, stride=None, mode='max'):
    """Pooling of X (h, w) with padding and stride (``stride=None`` means stride = pool_size, as in nn.MaxPool2d).

    Max pooling pads with -inf (padding never wins); average pooling pads with zeros and divides by
    the full window size p_h * p_w (``count_include_pad=True``). Padding is at most half the window.
    """
    pool_size = _pair(pool_size)
    stride = pool_size if stride is None else _pair(stride)
    if mode not in ('max', 'avg'):
        raise ValueError(f"mode must be 'max' or 'avg', not {mode!r}")
    Xp = _pad(X, _pair(padding), float('-inf') if mode == 'max' else 0.0)
    windows = _windows(Xp, pool_size, stride)
    return windows.amax(dim=(-2, -1)) if mode == 'max' else windows.mean(dim=(-2, -1))


def lenet():
    """LeNet-5 for 1x28x28 images as an ``nn.Sequential`` (sigmoid activations, average pooling).

    Layers, in order: Conv2d(1, 6, 5, padding=2), Sigmoid, AvgPool2d(2, 2), Conv2d(6, 16, 5), Sigmoid,
    AvgPool2d(2, 2), Flatten, Linear(400, 120), Sigmoid, Linear(120, 84), Sigmoid, Linear(84, 10).
    """
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))
