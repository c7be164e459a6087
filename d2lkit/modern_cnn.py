"""Modern convolutional networks (book part: "Modern convolutional neural networks").

Blocks of VGG, NiN, GoogLeNet, batch normalization, ResNet and DenseNet.
Every block takes its input channel count explicitly (no lazy modules), so
a freshly built block has all its parameters and its ``state_dict`` can be
loaded into another implementation with the same submodule names (the names
are part of each docstring). Channels are dim 1 of (batch, channels, height,
width) tensors.
"""
import torch
from torch import nn
from torch.nn import functional as F

__all__ = ['vgg_block', 'nin_block', 'Inception', 'batch_norm', 'BatchNorm', 'Residual', 'resnet_block',
           'conv_block', 'DenseBlock', 'transition_block']


def vgg_block(num_convs, in_channels, out_channels):
    """A VGG block as an ``nn.Sequential``.

    ``num_convs`` times (``nn.Conv2d(c, out_channels, kernel_size=3,
    padding=1)``, ``nn.ReLU()``) with c = in_channels for the first
    convolution and out_channels after, then ``nn.MaxPool2d(kernel_size=2,
    stride=2)``. Submodules are indexed 0, 1, ... in that order (convolution
    i is ``[2 * i]``). (n, in, h, w) -> (n, out, h // 2, w // 2).
    """
    layers = []
    for _ in range(num_convs):
        layers += [nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1), nn.ReLU()]
        in_channels = out_channels
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)


def nin_block(in_channels, out_channels, kernel_size, strides, padding):
    """A NiN block as an ``nn.Sequential`` of six modules.

    ``[0]`` ``nn.Conv2d(in_channels, out_channels, kernel_size, stride=strides,
    padding=padding)``, ``[1]`` ReLU, ``[2]`` 1x1 convolution out -> out,
    ``[3]`` ReLU, ``[4]`` 1x1 convolution out -> out, ``[5]`` ReLU.
    """
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride=strides, padding=padding), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU())


class Inception(nn.Module):
    """GoogLeNet's Inception block: four parallel paths concatenated on the channel dim.

    ``c1`` an int, ``c2`` and ``c3`` pairs, ``c4`` an int. Paths (each
    convolution followed by ReLU in ``forward``):
    1. ``p1_1`` 1x1 conv in -> c1;
    2. ``p2_1`` 1x1 conv in -> c2[0], ``p2_2`` 3x3 conv (padding 1) -> c2[1];
    3. ``p3_1`` 1x1 conv in -> c3[0], ``p3_2`` 5x5 conv (padding 2) -> c3[1];
    4. ``p4_1`` ``nn.MaxPool2d(3, stride=1, padding=1)``, ``p4_2`` 1x1 conv in -> c4.
    Output ``torch.cat((p1, p2, p3, p4), dim=1)``: c1 + c2[1] + c3[1] + c4
    channels, same height and width.
    """

    def __init__(self, in_channels, c1, c2, c3, c4):
        super().__init__()
        self.p1_1 = nn.Conv2d(in_channels, c1, kernel_size=1)
        self.p2_1 = nn.Conv2d(in_channels, c2[0], kernel_size=1)
        self.p2_2 = nn.Conv2d(c2[0], c2[1], kernel_size=3, padding=1)
        self.p3_1 = nn.Conv2d(in_channels, c3[0], kernel_size=1)
        self.p3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2)
        self.p4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.p4_2 = nn.Conv2d(in_channels, c4, kernel_size=1)

    def forward(self, x):
        p1 = F.relu(self.p1_1(x))
        p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
        p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
        p4 = F.relu(self.p4_2(self.p4_1(x)))
        return torch.cat((p1, p2, p3, p4), dim=1)


def _normalise(X, gamma, beta, mean, var, eps):
    return gamma * ((X - mean) / torch.sqrt(var + eps)) + beta


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
    """Batch normalization from scratch; returns ``(Y, moving_mean, moving_var)``.

    X is 2-D (n, d) (statistics over dim 0) or 4-D (n, c, h, w) (statistics
    over dims (0, 2, 3) with keepdim); gamma, beta, moving_mean, moving_var
    broadcast against those statistics ((1, d) or (1, c, 1, 1)).
    Training (``torch.is_grad_enabled()``): normalise with the batch mean and
    the biased variance, ``(X - mean) / sqrt(var + eps)``, and return
    ``momentum * moving + (1 - momentum) * batch_stat`` for both moving
    statistics (the biased variance, computed without tracking gradients
    through the moving statistics). Prediction (grad disabled): normalise
    with the moving statistics and return them unchanged. ``Y = gamma *
    X_hat + beta``. Inputs are not modified.
    """
    assert X.dim() in (2, 4)
    if not torch.is_grad_enabled():
        return _normalise(X, gamma, beta, moving_mean, moving_var, eps), moving_mean, moving_var
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    X_hat = (X - mean) / torch.sqrt(var + eps)
    moving_mean = momentum * moving_mean + (1.0 - momentum) * mean.detach()
    moving_var = momentum * moving_var + (1.0 - momentum) * var.detach()
    return gamma * X_hat + beta, moving_mean, moving_var


class BatchNorm(nn.Module):
    """Batch normalization layer built on :func:`batch_norm`.

    ``num_dims`` 2 (fully connected, input (n, num_features)) or 4
    (convolutional, input (n, num_features, h, w)); shape (1, num_features)
    or (1, num_features, 1, 1). Parameters ``gamma`` (ones) and ``beta``
    (zeros); buffers ``moving_mean`` (zeros) and ``moving_var`` (ones), so
    they follow ``.to(device)`` and are in the ``state_dict``. eps=1e-5,
    momentum=0.9. In training mode with gradients enabled ``forward`` calls
    :func:`batch_norm` and stores the returned moving statistics; in eval
    mode (``self.training`` False), or under ``torch.no_grad()``, it
    normalises with the moving statistics and leaves them unchanged.
    """

    def __init__(self, num_features, num_dims):
        super().__init__()
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.register_buffer('moving_mean', torch.zeros(shape))
        self.register_buffer('moving_var', torch.ones(shape))

    def forward(self, X):
        if not (self.training and torch.is_grad_enabled()):
            return _normalise(X, self.gamma, self.beta, self.moving_mean, self.moving_var, 1e-5)
        Y, moving_mean, moving_var = batch_norm(X, self.gamma, self.beta, self.moving_mean, self.moving_var,
                                                eps=1e-5, momentum=0.9)
        with torch.no_grad():
            self.moving_mean.copy_(moving_mean)
            self.moving_var.copy_(moving_var)
        return Y


class Residual(nn.Module):
    """ResNet's residual block.

    ``conv1`` 3x3 conv input_channels -> num_channels (padding 1, stride
    ``strides``), ``bn1`` ``nn.BatchNorm2d(num_channels)``, ``conv2`` 3x3 conv
    num_channels -> num_channels (padding 1), ``bn2``; ``conv3`` a 1x1 conv
    input_channels -> num_channels with stride ``strides`` if use_1x1conv,
    else None. ``Y = relu(bn1(conv1(X)))``, ``Y = bn2(conv2(Y))``, shortcut
    ``conv3(X)`` (or X), output ``relu(Y + shortcut)``.
    """

    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
        self.conv3 = (nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides)
                      if use_1x1conv else None)
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3 is not None:
            X = self.conv3(X)
        return F.relu(Y + X)


def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    """A ResNet stage as an ``nn.Sequential`` of ``num_residuals`` :class:`Residual` blocks.

    Block 0 is ``Residual(input_channels, num_channels, use_1x1conv=True,
    strides=2)`` unless ``first_block`` (then ``Residual(num_channels,
    num_channels)``, which needs input_channels == num_channels); the others
    are ``Residual(num_channels, num_channels)``.
    """
    blocks = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blocks.append(Residual(input_channels, num_channels, use_1x1conv=True, strides=2))
        else:
            blocks.append(Residual(num_channels, num_channels))
    return nn.Sequential(*blocks)


def conv_block(input_channels, num_channels):
    """DenseNet's convolution block: ``nn.Sequential(BatchNorm2d(input_channels), ReLU(),
    Conv2d(input_channels, num_channels, kernel_size=3, padding=1))``."""
    return nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(),
                         nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1))


class DenseBlock(nn.Module):
    """DenseNet's dense block.

    ``self.net`` an ``nn.Sequential`` of ``num_convs`` :func:`conv_block`\\ s,
    block i taking ``input_channels + i * num_channels`` channels to
    ``num_channels``. ``forward``: for each block, ``Y = blk(X)`` and
    ``X = torch.cat((X, Y), dim=1)``; returns X with ``input_channels +
    num_convs * num_channels`` channels.
    """

    def __init__(self, num_convs, input_channels, num_channels):
        super().__init__()
        self.net = nn.Sequential(*[conv_block(num_channels * i + input_channels, num_channels)
                                   for i in range(num_convs)])

    def forward(self, X):
        for blk in self.net:
            X = torch.cat((X, blk(X)), dim=1)
        return X


def transition_block(input_channels, num_channels):
    """DenseNet's transition block: ``nn.Sequential(BatchNorm2d(input_channels), ReLU(),
    Conv2d(input_channels, num_channels, kernel_size=1), AvgPool2d(kernel_size=2, stride=2))``."""
    return nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(),
                         nn.Conv2d(input_channels, num_channels, kernel_size=1),
                         nn.AvgPool2d(kernel_size=2, stride=2))
