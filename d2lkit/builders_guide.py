"""Builders' guide (book part: "Builders' guide"): modules, parameters, custom layers, file I/O, devices.

The classes register everything they own: child modules with ``add_module``
(or as attributes), trainable tensors as ``nn.Parameter`` and fixed tensors
as buffers, so that ``parameters()``, ``state_dict()`` and ``.to(device)``
see them.
"""
import torch
from torch import nn
from torch.nn import functional as F

__all__ = ['MySequential', 'FixedHiddenMLP', 'CenteredLayer', 'MyLinear', 'tied_mlp', 'my_init',
           'save_and_reload', 'run_on_device']


class MySequential(nn.Module):
    """Chain modules in the order given, like ``nn.Sequential``.

    Module ``i`` is registered as a child under the name ``str(i)``, so
    ``state_dict()`` has the same keys as ``nn.Sequential(*modules)``'s
    (``'0.weight'``, ...). ``forward(X)`` feeds X through the modules in
    order; with no modules it returns X. A module given twice runs twice
    (``children()`` would list it once, so ``_modules.values()`` is used).
    """

    def __init__(self, *modules):
        super().__init__()
        for idx, module in enumerate(modules):
            self.add_module(str(idx), module)

    def forward(self, X):
        for module in self._modules.values():
            X = module(X)
        return X


class FixedHiddenMLP(nn.Module):
    """A layer with a fixed (not trained) weight, one linear layer used twice, and control flow.

    ``rand_weight`` (num_hiddens, num_hiddens) is drawn from U(0, 1) and
    registered as a buffer (in ``state_dict``, moved by ``.to``, never a
    parameter); ``linear`` is ``nn.Linear(num_hiddens, num_hiddens)``.
    ``forward(X)`` for X (n, num_hiddens): ``H = linear(X)``,
    ``H = relu(H @ rand_weight + 1)``, ``H = linear(H)``; then while
    ``H.abs().sum() > 1``: ``H = H / 2``; returns ``H.sum()`` (0-dim).
    """

    def __init__(self, num_hiddens=20):
        super().__init__()
        self.register_buffer('rand_weight', torch.rand(num_hiddens, num_hiddens))
        self.linear = nn.Linear(num_hiddens, num_hiddens)

    def forward(self, X):
        X = self.linear(X)
        X = F.relu(X @ self.rand_weight + 1)
        X = self.linear(X)
        while X.abs().sum() > 1:
            X = X / 2
        return X.sum()


class CenteredLayer(nn.Module):
    """A layer without parameters: ``X - X.mean()`` (the mean over ALL elements), same shape and dtype."""

    def forward(self, X):
        return X - X.mean()


class MyLinear(nn.Module):
    """A dense layer followed by ReLU: ``relu(X @ weight + bias)``.

    ``weight`` (in_units, units) and ``bias`` (units,) are ``nn.Parameter``s
    drawn from N(0, 1) (float32 on the CPU, like ``torch.randn``). Note the
    weight's shape is the transpose of ``nn.Linear``'s.
    """

    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units))

    def forward(self, X):
        return F.relu(X @ self.weight + self.bias)


def tied_mlp(num_inputs, num_hiddens, num_outputs):
    """``nn.Sequential(Linear(num_inputs, h), ReLU(), shared, ReLU(), shared, ReLU(), Linear(h, num_outputs))``.

    ``shared = nn.Linear(h, h)`` is ONE module used at positions 2 and 4, so
    ``net[2] is net[4]``: the two positions share their parameters, and their
    gradients add up in ``shared.weight.grad``.
    """
    shared = nn.Linear(num_hiddens, num_hiddens)
    return nn.Sequential(nn.Linear(num_inputs, num_hiddens), nn.ReLU(),
                         shared, nn.ReLU(), shared, nn.ReLU(),
                         nn.Linear(num_hiddens, num_outputs))


def my_init(module):
    """For ``net.apply(my_init)``: re-initialise the weight of every ``nn.Linear`` in place.

    The weight is drawn from U(-10, 10), then entries with ``|w| < 5`` are set
    to 0. The bias and every other module are left unchanged; the weight stays
    the same ``nn.Parameter`` (same dtype, device, requires_grad).
    """
    if isinstance(module, nn.Linear):
        with torch.no_grad():
            nn.init.uniform_(module.weight, -10, 10)
            module.weight *= module.weight.abs() >= 5


def save_and_reload(net, make_net, path):
    """Round trip through a file: save ``net.state_dict()`` to ``path`` with ``torch.save``,
    build ``clone = make_net()``, load the file into it, move it to the device of net's
    parameters, switch it to eval mode and return it. ``net`` is not modified.
    """
    torch.save(net.state_dict(), path)
    clone = make_net()
    clone.load_state_dict(torch.load(path, weights_only=True))
    device = next(net.parameters()).device
    clone.to(device)
    clone.eval()
    return clone


def run_on_device(net, X, device):
    """Move ``net`` (in place, ``net.to(device)``) and X to ``device``, switch net to eval mode,
    compute ``net(X)`` under ``torch.no_grad()`` and return it moved back to X's original device.
    """
    net.to(device)
    net.eval()
    with torch.no_grad():
        Y = net(X.to(device))
    return Y.to(X.device)
