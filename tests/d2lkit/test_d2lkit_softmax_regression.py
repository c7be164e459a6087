"""Tests of d2lkit.softmax_regression against independent oracles."""
import copy

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st
from torch import nn

import d2lkit as d2l
from d2lkit_strategies import DEVICES, DTYPES, SETTINGS, TOL, logits_and_labels, matrices, tensors


# ---------------------------------------------------------------- softmax
@pytest.mark.parametrize('dtype', DTYPES)
@SETTINGS
@given(data=st.data())
def test_softmax_matches_torch(dtype, data):
    """softmax equals torch.softmax(X, dim=1) on any and square shapes, without mutating X."""
    X = data.draw(matrices(dtype, square=data.draw(st.booleans())))
    X_before = X.clone()
    out = d2l.softmax(X)
    assert out.shape == X.shape and out.dtype == dtype
    torch.testing.assert_close(out, torch.softmax(X, dim=1), **TOL[dtype])
    assert torch.equal(X, X_before)


@pytest.mark.parametrize('dtype', DTYPES)
@SETTINGS
@given(data=st.data())
def test_softmax_is_stable_for_huge_logits(dtype, data):
    """softmax stays finite and correct for logits of magnitude up to 1e3."""
    X = data.draw(matrices(dtype, bound=1e3))
    out = d2l.softmax(X)
    assert torch.isfinite(out).all()
    torch.testing.assert_close(out, torch.softmax(X, dim=1), **TOL[dtype])


@pytest.mark.parametrize('dtype', DTYPES)
def test_softmax_rows_at_plus_and_minus_1e3(dtype):
    """A row of -1e3 next to a row of +1e3 gives uniform rows (the max is per row)."""
    X = torch.tensor([[1e3, 1e3, 1e3], [-1e3, -1e3, -1e3], [1e3, -1e3, 0.0]], dtype=dtype)
    out = d2l.softmax(X)
    expected = torch.tensor([[1 / 3] * 3, [1 / 3] * 3, [1.0, 0.0, 0.0]], dtype=dtype)
    torch.testing.assert_close(out, expected, **TOL[dtype])


@pytest.mark.parametrize('device', DEVICES)
@pytest.mark.parametrize('dtype', DTYPES)
def test_softmax_family_keeps_dtype_and_device(device, dtype):
    """softmax, softmax_regression and cross_entropy return tensors of the input's dtype and device."""
    X = torch.zeros(4, 6, dtype=dtype, device=device)
    W, b = torch.zeros(6, 3, dtype=dtype, device=device), torch.zeros(3, dtype=dtype, device=device)
    y = torch.zeros(4, dtype=torch.int64, device=device)
    for out in (d2l.softmax(X), d2l.softmax_regression(X, W, b),
                d2l.cross_entropy(d2l.softmax(X), y)):
        assert out.dtype == dtype and out.device.type == device


@pytest.mark.parametrize('dtype', DTYPES)
@SETTINGS
@given(data=st.data())
def test_softmax_regression_matches_linear_then_softmax(dtype, data):
    """softmax_regression flattens X to (n, d) and equals torch.softmax(X W + b, dim=1)."""
    n, d, q = data.draw(st.integers(1, 5)), 4, data.draw(st.integers(1, 5))
    X = data.draw(tensors(dtype, (n, 1, 2, 2), bound=3))
    W, b = data.draw(tensors(dtype, (d, q), bound=3)), data.draw(tensors(dtype, (q,), bound=3))
    out = d2l.softmax_regression(X, W, b)
    assert out.shape == (n, q)
    torch.testing.assert_close(out, torch.softmax(X.reshape(n, d) @ W + b, dim=1), **TOL[dtype])


# ---------------------------------------------------------- cross-entropy
@pytest.mark.parametrize('dtype', DTYPES)
@SETTINGS
@given(data=st.data())
def test_cross_entropy_matches_nll_of_log(dtype, data):
    """cross_entropy(P, y) equals F.cross_entropy(log P, y) (mean, 0-dim), inputs untouched."""
    Z, y = data.draw(logits_and_labels(dtype))
    P = torch.softmax(Z, dim=1)
    P_before, y_before = P.clone(), y.clone()
    out = d2l.cross_entropy(P, y)
    assert out.dim() == 0 and out.dtype == dtype
    torch.testing.assert_close(out, F.cross_entropy(P.log(), y), **TOL[dtype])
    torch.testing.assert_close(out, F.cross_entropy(Z, y), rtol=1e-4, atol=1e-5)
    assert torch.equal(P, P_before) and torch.equal(y, y_before)


def test_cross_entropy_is_differentiable():
    """cross_entropy backpropagates the same gradient as F.nll_loss on log-probabilities."""
    Z = torch.randn(5, 4, dtype=torch.float64)
    y = torch.tensor([0, 3, 1, 1, 2])
    P1, P2 = (torch.softmax(Z, 1).requires_grad_() for _ in range(2))
    d2l.cross_entropy(P1, y).backward()
    F.nll_loss(P2.log(), y).backward()
    torch.testing.assert_close(P1.grad, P2.grad)


# --------------------------------------------------------------- accuracy
@SETTINGS
@given(data=st.data())
def test_accuracy_counts_argmax_hits(data):
    """accuracy is the number of rows whose argmax equals the label, as a Python float."""
    Z, y = data.draw(logits_and_labels(torch.float64, min_classes=2))
    Z_before = Z.clone()
    out = d2l.accuracy(Z, y)
    assert type(out) is float
    assert out == float(sum(int(row.argmax()) == int(label) for row, label in zip(Z, y)))
    assert torch.equal(Z, Z_before)


def test_accuracy_on_label_predictions():
    """accuracy compares 1-D or single-column predictions with y after casting to y's dtype."""
    y = torch.tensor([0, 1, 2, 3])
    assert d2l.accuracy(torch.tensor([0.0, 1.0, 0.0, 3.0]), y) == 3.0
    assert d2l.accuracy(torch.tensor([[0.0], [1.0], [0.0], [3.0]]), y) == 3.0


# -------------------------------------------------- evaluation and training
class _Batches:
    """A re-iterable list of (X, y) batches of uneven sizes."""

    def __init__(self, X, y, sizes):
        self.batches = list(zip(X.split(sizes), y.split(sizes)))

    def __iter__(self):
        return iter(self.batches)


def _tiny_problem(seed=0):
    torch.manual_seed(seed)
    X, y = torch.randn(10, 4), torch.randint(0, 3, (10,))
    return nn.Linear(4, 3), _Batches(X, y, [5, 3, 2]), X, y


def test_evaluate_accuracy_weights_every_example():
    """evaluate_accuracy over uneven batches equals the accuracy on the whole set at once."""
    net, batches, X, y = _tiny_problem()
    with torch.no_grad():
        expected = (net(X).argmax(1) == y).float().mean().item()
    assert d2l.evaluate_accuracy(net, batches) == pytest.approx(expected)


def test_evaluate_accuracy_uses_eval_mode_and_no_grad():
    """evaluate_accuracy switches a Module to eval mode and runs under no_grad."""
    modes = []

    class Spy(nn.Linear):
        def forward(self, X):
            modes.append((self.training, torch.is_grad_enabled()))
            return super().forward(X)

    net = Spy(4, 3).train()
    d2l.evaluate_accuracy(net, [(torch.randn(2, 4), torch.tensor([0, 1]))] * 2)
    assert modes == [(False, False)] * 2


def test_evaluate_accuracy_with_a_function():
    """evaluate_accuracy also takes a plain function as net."""
    X, y = torch.eye(3), torch.tensor([0, 1, 0])
    assert d2l.evaluate_accuracy(lambda X: X, [(X[:2], y[:2]), (X[2:], y[2:])]) == pytest.approx(2 / 3)


def test_train_epoch_matches_hand_computation():
    """train_epoch's update, mean loss and accuracy over uneven batches match a manual loop."""
    net, batches, _, _ = _tiny_problem()
    ref = copy.deepcopy(net)
    total_loss, correct = 0.0, 0.0
    for X, y in batches:
        y_hat = ref(X)
        l = F.cross_entropy(y_hat, y)
        correct += float((y_hat.argmax(1) == y).sum())
        total_loss += float(l.detach()) * len(y)
        grads = torch.autograd.grad(l, list(ref.parameters()))
        with torch.no_grad():
            for p, g in zip(ref.parameters(), grads):
                p -= 0.1 * g
    net.eval()
    updater = torch.optim.SGD(net.parameters(), lr=0.1)
    loss, acc = d2l.train_epoch(net, batches, nn.CrossEntropyLoss(), updater)
    assert net.training
    assert type(loss) is float and type(acc) is float
    assert loss == pytest.approx(total_loss / 10, rel=1e-5)
    assert acc == pytest.approx(correct / 10)
    for p, q in zip(net.parameters(), ref.parameters()):
        torch.testing.assert_close(p, q)


def test_train_epoch_with_scratch_model_and_sgd_class():
    """train_epoch with softmax_regression, cross_entropy and d2l.SGD lowers the loss."""
    torch.manual_seed(0)
    X = torch.randn(60, 5)
    y = (X @ torch.randn(5, 3)).argmax(1)
    W = torch.zeros(5, 3, requires_grad=True)
    b = torch.zeros(3, requires_grad=True)
    updater = d2l.SGD([W, b], lr=0.5)

    def net(X):
        return d2l.softmax_regression(X, W, b)

    batches = _Batches(X, y, [16, 16, 16, 12])
    first, _ = d2l.train_epoch(net, batches, d2l.cross_entropy, updater)
    for _ in range(10):
        last, acc = d2l.train_epoch(net, batches, d2l.cross_entropy, updater)
    assert first == pytest.approx(torch.log(torch.tensor(3.0)).item(), rel=0.2)
    assert last < first and acc > 0.8


def test_sgd_class_matches_sgd_and_skips_missing_grads():
    """SGD.step equals sgd(params, lr, batch_size); zero_grad and step skip params without grad."""
    w, unused = torch.randn(3, requires_grad=True), torch.randn(2, requires_grad=True)
    w.grad = torch.ones(3)
    expected = w.detach() - 0.2 * 1 / 4
    opt = d2l.SGD([w, unused], lr=0.2, batch_size=4)
    opt.zero_grad()
    assert torch.count_nonzero(w.grad) == 0 and unused.grad is None
    w.grad += 1
    opt.step()
    torch.testing.assert_close(w.detach(), expected)
    assert torch.count_nonzero(w.grad) == 0 and unused.grad is None


# ------------------------------------------------------------- prediction
def test_predict_returns_text_labels_in_eval_mode_without_grad():
    """predict maps each row's argmax to its text label, under no_grad and eval mode."""
    seen = []

    class Fixed(nn.Module):
        def forward(self, X):
            seen.append((self.training, torch.is_grad_enabled()))
            return X

    logits = torch.tensor([[0.0, 9.0, 1.0], [5.0, 1.0, 2.0], [0.0, 0.0, 3.0]])
    assert d2l.predict(Fixed().train(), logits, ['a', 'b', 'c']) == ['b', 'a', 'c']
    assert seen == [(False, False)]


def test_get_fashion_mnist_labels():
    """get_fashion_mnist_labels names the ten classes in order, for lists and tensors."""
    names = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',
             'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']
    assert d2l.get_fashion_mnist_labels(range(10)) == names
    assert d2l.get_fashion_mnist_labels(torch.tensor([9, 0])) == ['ankle boot', 't-shirt']
    assert d2l.predict(lambda X: X, torch.eye(10)[[3, 7]], d2l.FASHION_MNIST_LABELS) == ['dress', 'sneaker']
