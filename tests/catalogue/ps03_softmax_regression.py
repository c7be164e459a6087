"""Mutants and variants of ps03-softmax-regression, graded through the real engine by tests/test_catalogue.py.

A source is a whole solution cell. The notebook imports torch before these
cells; anything else a cell needs it imports itself.
"""
from kit import Mutant, Variant

# --------------------------------------------------------------------------- softmax

SOFTMAX_MUTANTS = [
    Mutant("softmax", "no_max_subtraction", '''def softmax(X):
    X_exp = torch.exp(X)
    return X_exp / X_exp.sum(dim=1, keepdim=True)
''', fails=("stable_for_large_logits",), message="subtract each row's maximum"),
    Mutant("softmax", "normalises_columns", '''def softmax(X):
    X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
    return X_exp / X_exp.sum(dim=0, keepdim=True)
''', fails=("matches_reference", "normalises_each_row"), message="softmax(X) is wrong"),
    Mutant("softmax", "missing_keepdim", '''def softmax(X):
    X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
    return X_exp / X_exp.sum(dim=1)
''', fails=("matches_reference", "normalises_each_row"), message="softmax(X)"),
    Mutant("softmax", "column_max_subtracted", '''def softmax(X):
    X_exp = torch.exp(X - X.max(dim=0, keepdim=True).values)
    return X_exp / X_exp.sum(dim=1, keepdim=True)
''', fails=("matches_reference",), message="softmax(X) is wrong"),
    Mutant("softmax", "global_max_subtracted", '''def softmax(X):
    X_exp = torch.exp(X - X.max())
    return X_exp / X_exp.sum(dim=1, keepdim=True)
''', fails=("stable_for_large_logits",), message="inf or NaN"),
    Mutant("softmax", "modifies_input", '''def softmax(X):
    X -= X.max(dim=1, keepdim=True).values
    X.exp_()
    return X / X.sum(dim=1, keepdim=True)
''', fails=("does_not_modify_input",), message="modified its input"),
    Mutant("softmax", "float64_to_float32", '''def softmax(X):
    X = X.float()
    X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
    return X_exp / X_exp.sum(dim=1, keepdim=True)
''', fails=("matches_reference",), message="dtype"),
]

SOFTMAX_VARIANTS = [
    Variant("softmax", "row_loop", '''def softmax(X):
    rows = []
    for row in X:
        e = torch.exp(row - row.max())
        rows.append(e / e.sum())
    return torch.stack(rows)
'''),
    Variant("softmax", "logsumexp", '''def softmax(X):
    return torch.exp(X - torch.logsumexp(X, dim=1, keepdim=True))
'''),
    Variant("softmax", "amax_and_none_indexing", '''def softmax(X):
    shifted = X - X.amax(dim=1)[:, None]
    e = shifted.exp()
    return e / e.sum(axis=1)[:, None]
'''),
    Variant("softmax", "max_tuple_and_div", '''def softmax(X):
    m, _ = torch.max(X, dim=1, keepdim=True)
    numerator = torch.exp(torch.sub(X, m))
    return torch.div(numerator, numerator.sum(1, True))
'''),
]

# --------------------------------------------------------------------------- cross_entropy

CROSS_ENTROPY_MUTANTS = [
    Mutant("cross_entropy", "column_indexing_trap", '''def cross_entropy(y_hat, y):
    return -torch.log(y_hat[:, y]).mean()
''', fails=("picks_each_rows_label", "matches_reference"), message="y_hat[:, y]"),
    Mutant("cross_entropy", "sum_not_mean", '''def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y]).sum()
''', fails=("returns_batch_mean", "matches_reference"), message="sum of the losses"),
    Mutant("cross_entropy", "no_reduction", '''def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y])
''', fails=("returns_batch_mean", "matches_reference", "gradient"), message="one loss per example"),
    Mutant("cross_entropy", "detached", '''def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y]).mean().detach()
''', fails=("gradient",), message="no gradient can flow"),
    Mutant("cross_entropy", "float64_to_float32", '''def cross_entropy(y_hat, y):
    y_hat = y_hat.to(torch.float32)
    return -torch.log(y_hat[range(len(y_hat)), y]).mean()
''', fails=("matches_reference",), message="dtype"),
    Mutant("cross_entropy", "log_in_place", '''def cross_entropy(y_hat, y):
    return -y_hat.log_()[range(len(y_hat)), y].mean()
''', fails=("does_not_modify_inputs",), message="modified y_hat in place"),
    Mutant("cross_entropy", "wrong_sign", '''def cross_entropy(y_hat, y):
    return torch.log(y_hat[range(len(y_hat)), y]).mean()
''', fails=("matches_reference", "gradient"), message="cross_entropy(y_hat, y) is wrong"),
]

CROSS_ENTROPY_VARIANTS = [
    Variant("cross_entropy", "gather", '''def cross_entropy(y_hat, y):
    picked = y_hat.gather(1, y.unsqueeze(1)).squeeze(1)
    return -picked.log().mean()
'''),
    Variant("cross_entropy", "one_hot", '''def cross_entropy(y_hat, y):
    mask = torch.nn.functional.one_hot(y, num_classes=y_hat.shape[1]).to(y_hat.dtype)
    return -(mask * torch.log(y_hat)).sum(dim=1).mean()
'''),
    Variant("cross_entropy", "row_loop", '''def cross_entropy(y_hat, y):
    losses = [-torch.log(y_hat[i, y[i]]) for i in range(len(y))]
    return torch.stack(losses).mean()
'''),
    Variant("cross_entropy", "arange_sum_over_n", '''def cross_entropy(y_hat, y):
    n = y.numel()
    rows = torch.arange(n, device=y_hat.device)
    return torch.log(y_hat[rows, y]).sum().neg() / n
'''),
]

# --------------------------------------------------------------------------- accuracy

ACCURACY_MUTANTS = [
    Mutant("accuracy", "returns_fraction", '''def accuracy(y_hat, y):
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    return float((y_hat.type(y.dtype) == y).float().mean())
''', fails=("counts_correct_predictions",), message="fraction of correct predictions"),
    Mutant("accuracy", "returns_tensor", '''def accuracy(y_hat, y):
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    return (y_hat.type(y.dtype) == y).sum()
''', fails=("returns_python_float",), message="return a Python float"),
    Mutant("accuracy", "returns_int", '''def accuracy(y_hat, y):
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    return int((y_hat.type(y.dtype) == y).sum())
''', fails=("returns_python_float",), message="return a Python float"),
    Mutant("accuracy", "argmax_over_dim0", '''def accuracy(y_hat, y):
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=0)
    return float((y_hat.type(y.dtype) == y).sum())
''', fails=("argmax_over_rows", "counts_correct_predictions"), message="not over dim 0"),
    Mutant("accuracy", "always_argmax", '''def accuracy(y_hat, y):
    return float((y_hat.argmax(dim=1) == y).sum())
''', fails=("accepts_predicted_labels",), message="Dimension out of range"),
    Mutant("accuracy", "max_values_not_indices", '''def accuracy(y_hat, y):
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.max(dim=1).values
    return float((y_hat.type(y.dtype) == y).sum())
''', fails=("counts_correct_predictions", "argmax_over_rows"), message="correct predictions"),
]

ACCURACY_VARIANTS = [
    Variant("accuracy", "book_style", '''def accuracy(y_hat, y):
    """Compute the number of correct predictions."""
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())
'''),
    Variant("accuracy", "max_indices_and_eq", '''def accuracy(y_hat, y):
    preds = y_hat.max(dim=1).indices if y_hat.ndim == 2 and y_hat.size(1) > 1 else y_hat
    return float(torch.eq(preds.long(), y).sum().item())
'''),
    Variant("accuracy", "python_loop", '''def accuracy(y_hat, y):
    count = 0.0
    for i in range(len(y)):
        pred = int(torch.argmax(y_hat[i])) if y_hat.dim() > 1 else int(y_hat[i])
        if pred == int(y[i]):
            count += 1
    return count
'''),
    Variant("accuracy", "numpy", '''import numpy as np

def accuracy(y_hat, y):
    preds = y_hat.detach().cpu().numpy()
    if preds.ndim > 1 and preds.shape[1] > 1:
        preds = np.argmax(preds, axis=1)
    return float(np.sum(preds.astype(np.int64) == y.cpu().numpy()))
'''),
]

# --------------------------------------------------------------------------- evaluate_accuracy

EVALUATE_ACCURACY_MUTANTS = [
    Mutant("evaluate_accuracy", "mean_of_batch_accuracies", '''def evaluate_accuracy(net, data_iter):
    if isinstance(net, torch.nn.Module):
        net.eval()
    accuracies = []
    with torch.no_grad():
        for X, y in data_iter:
            accuracies.append(accuracy(net(X), y) / len(y))
    return sum(accuracies) / len(accuracies)
''', fails=("weighs_every_example_once", "matches_reference"), message="weigh each example once"),
    Mutant("evaluate_accuracy", "forgets_eval_mode", '''def evaluate_accuracy(net, data_iter):
    correct, total = 0.0, 0
    with torch.no_grad():
        for X, y in data_iter:
            correct += accuracy(net(X), y)
            total += y.numel()
    return correct / total
''', fails=("eval_mode",), message="net.eval()"),
    Mutant("evaluate_accuracy", "forgets_no_grad", '''def evaluate_accuracy(net, data_iter):
    if isinstance(net, torch.nn.Module):
        net.eval()
    correct, total = 0.0, 0
    for X, y in data_iter:
        correct += accuracy(net(X), y)
        total += y.numel()
    return correct / total
''', fails=("no_grad",), message="torch.no_grad()"),
    Mutant("evaluate_accuracy", "batches_times_batch_size", '''def evaluate_accuracy(net, data_iter):
    if isinstance(net, torch.nn.Module):
        net.eval()
    correct = 0.0
    with torch.no_grad():
        for X, y in data_iter:
            correct += accuracy(net(X), y)
    return correct / (len(data_iter) * data_iter.batch_size)
''', fails=("weighs_every_example_once", "matches_reference"), message="the last batch is smaller"),
    Mutant("evaluate_accuracy", "returns_count", '''def evaluate_accuracy(net, data_iter):
    if isinstance(net, torch.nn.Module):
        net.eval()
    correct = 0.0
    with torch.no_grad():
        for X, y in data_iter:
            correct += accuracy(net(X), y)
    return correct
''', fails=("matches_reference", "weighs_every_example_once"), message="the number of correct predictions"),
    Mutant("evaluate_accuracy", "eval_on_plain_functions", '''def evaluate_accuracy(net, data_iter):
    net.eval()
    correct, total = 0.0, 0
    with torch.no_grad():
        for X, y in data_iter:
            correct += accuracy(net(X), y)
            total += y.numel()
    return correct / total
''', fails=("matches_reference",), message="isinstance(net, torch.nn.Module)"),
]

EVALUATE_ACCURACY_VARIANTS = [
    Variant("evaluate_accuracy", "dataset_length", '''def evaluate_accuracy(net, data_iter):
    if isinstance(net, torch.nn.Module):
        net.eval()
    correct = 0.0
    with torch.no_grad():
        for X, y in data_iter:
            correct += accuracy(net(X), y)
    return correct / len(data_iter.dataset)
'''),
    Variant("evaluate_accuracy", "inline_argmax_inference_mode", '''def evaluate_accuracy(net, data_iter):
    if hasattr(net, "eval"):
        net.eval()
    hits, total = 0, 0
    with torch.inference_mode():
        for X, y in data_iter:
            hits += int((net(X).argmax(dim=1) == y).sum())
            total += len(y)
    return hits / total
'''),
    Variant("evaluate_accuracy", "accumulator_class", '''class Accumulator:
    """Sums over n variables."""
    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def __getitem__(self, idx):
        return self.data[idx]


def evaluate_accuracy(net, data_iter):
    """Compute the accuracy for a model on a dataset."""
    if isinstance(net, torch.nn.Module):
        net.eval()  # Set the model to evaluation mode
    metric = Accumulator(2)  # No. of correct predictions, no. of predictions
    with torch.no_grad():
        for X, y in data_iter:
            metric.add(accuracy(net(X), y), y.numel())
    return metric[0] / metric[1]
'''),
    Variant("evaluate_accuracy", "no_grad_decorator_and_sums", '''@torch.no_grad()
def evaluate_accuracy(net, data_iter):
    if isinstance(net, torch.nn.Module):
        net.eval()
    results = [(accuracy(net(X), y), y.shape[0]) for X, y in data_iter]
    return sum(c for c, _ in results) / sum(n for _, n in results)
'''),
]

# --------------------------------------------------------------------------- train_epoch

TRAIN_EPOCH_MUTANTS = [
    Mutant("train_epoch", "forgets_zero_grad", '''def train_epoch(net, train_iter, loss, updater):
    if isinstance(net, torch.nn.Module):
        net.train()
    loss_sum, correct, total = 0.0, 0.0, 0
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        l.backward()
        updater.step()
        loss_sum += float(l) * len(y)
        correct += accuracy(y_hat, y)
        total += len(y)
    return loss_sum / total, correct / total
''', fails=("updates_parameters", "plain_function_net"), message="zero_grad"),
    Mutant("train_epoch", "step_before_backward", '''def train_epoch(net, train_iter, loss, updater):
    if isinstance(net, torch.nn.Module):
        net.train()
    loss_sum, correct, total = 0.0, 0.0, 0
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        updater.zero_grad()
        updater.step()
        l.backward()
        loss_sum += float(l) * len(y)
        correct += accuracy(y_hat, y)
        total += len(y)
    return loss_sum / total, correct / total
''', fails=("updates_parameters", "plain_function_net"), message="ran before l.backward()"),
    Mutant("train_epoch", "mean_of_batch_losses", '''def train_epoch(net, train_iter, loss, updater):
    if isinstance(net, torch.nn.Module):
        net.train()
    losses, correct, total = [], 0.0, 0
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        updater.zero_grad()
        l.backward()
        updater.step()
        losses.append(float(l))
        correct += accuracy(y_hat, y)
        total += len(y)
    return sum(losses) / len(losses), correct / total
''', fails=("returns_mean_loss",), message="weigh each batch's mean loss by its size"),
    Mutant("train_epoch", "batch_means_over_examples", '''def train_epoch(net, train_iter, loss, updater):
    if isinstance(net, torch.nn.Module):
        net.train()
    loss_sum, correct, total = 0.0, 0.0, 0
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        updater.zero_grad()
        l.backward()
        updater.step()
        loss_sum += float(l)
        correct += accuracy(y_hat, y)
        total += len(y)
    return loss_sum / total, correct / total
''', fails=("returns_mean_loss",), message="multiply it by the batch size"),
    Mutant("train_epoch", "mean_of_batch_accuracies", '''def train_epoch(net, train_iter, loss, updater):
    if isinstance(net, torch.nn.Module):
        net.train()
    loss_sum, total, accuracies = 0.0, 0, []
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        updater.zero_grad()
        l.backward()
        updater.step()
        loss_sum += float(l) * len(y)
        total += len(y)
        accuracies.append(accuracy(y_hat, y) / len(y))
    return loss_sum / total, sum(accuracies) / len(accuracies)
''', fails=("returns_accuracy",), message="mean of the batches' accuracies"),
    Mutant("train_epoch", "forgets_train_mode", '''def train_epoch(net, train_iter, loss, updater):
    loss_sum, correct, total = 0.0, 0.0, 0
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        updater.zero_grad()
        l.backward()
        updater.step()
        loss_sum += float(l) * len(y)
        correct += accuracy(y_hat, y)
        total += len(y)
    return loss_sum / total, correct / total
''', fails=("train_mode",), message="net.train()"),
    Mutant("train_epoch", "returns_tensors", '''def train_epoch(net, train_iter, loss, updater):
    if isinstance(net, torch.nn.Module):
        net.train()
    loss_sum, correct, total = 0.0, 0.0, 0
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        updater.zero_grad()
        l.backward()
        updater.step()
        loss_sum = loss_sum + l * len(y)
        correct += accuracy(y_hat, y)
        total += len(y)
    return loss_sum / total, correct / total
''', fails=("returns_python_floats",), message="two Python floats"),
    Mutant("train_epoch", "train_on_plain_functions", '''def train_epoch(net, train_iter, loss, updater):
    net.train()
    loss_sum, correct, total = 0.0, 0.0, 0
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        updater.zero_grad()
        l.backward()
        updater.step()
        loss_sum += float(l) * len(y)
        correct += accuracy(y_hat, y)
        total += len(y)
    return loss_sum / total, correct / total
''', fails=("plain_function_net",), message="isinstance(net, torch.nn.Module)"),
    Mutant("train_epoch", "calls_updater_with_batch_size", '''def train_epoch(net, train_iter, loss, updater):
    if isinstance(net, torch.nn.Module):
        net.train()
    loss_sum, correct, total = 0.0, 0.0, 0
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        if isinstance(updater, torch.optim.Optimizer):
            updater.zero_grad()
            l.mean().backward()
            updater.step()
        else:
            l.sum().backward()
            updater(X.shape[0])
        loss_sum += float(l) * len(y)
        correct += accuracy(y_hat, y)
        total += len(y)
    return loss_sum / total, correct / total
''', fails=("updates_parameters", "plain_function_net"), message="call those, not updater(...)"),
]

TRAIN_EPOCH_VARIANTS = [
    Variant("train_epoch", "zero_grad_after_step", '''def train_epoch(net, train_iter, loss, updater):
    if isinstance(net, torch.nn.Module):
        net.train()
    totals = [0.0, 0.0, 0]
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        l.backward()
        updater.step()
        updater.zero_grad()
        totals[0] += l.item() * X.shape[0]
        totals[1] += accuracy(y_hat, y)
        totals[2] += X.shape[0]
    return totals[0] / totals[2], totals[1] / totals[2]
'''),
    Variant("train_epoch", "book_style_accumulator", '''class Accumulator:
    """For accumulating sums over n variables."""
    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def __getitem__(self, idx):
        return self.data[idx]


def train_epoch(net, train_iter, loss, updater):
    """Train a model for one epoch."""
    if isinstance(net, torch.nn.Module):
        net.train()
    metric = Accumulator(3)  # sum of training loss, sum of training accuracy, no. of examples
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        updater.zero_grad()
        l.mean().backward()
        updater.step()
        metric.add(float(l.sum()) * y.numel(), accuracy(y_hat, y), y.numel())
    return metric[0] / metric[2], metric[1] / metric[2]
'''),
    Variant("train_epoch", "inline_argmax_lists", '''def train_epoch(net, train_iter, loss, updater):
    if hasattr(net, "train"):
        net.train()
    losses, hits, sizes = [], [], []
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        updater.zero_grad()
        l.backward()
        updater.step()
        with torch.no_grad():
            losses.append(float(l.detach()) * len(y))
            hits.append(int((y_hat.argmax(dim=1) == y).sum()))
        sizes.append(len(y))
    n = sum(sizes)
    return sum(losses) / n, sum(hits) / n
'''),
]

# --------------------------------------------------------------------------- predict

PREDICT_MUTANTS = [
    Mutant("predict", "returns_indices", '''def predict(net, X, text_labels):
    with torch.no_grad():
        return net(X).argmax(dim=1).tolist()
''', fails=("matches_reference", "returns_list_of_str"), message="class indices"),
    Mutant("predict", "argmax_over_dim0", '''def predict(net, X, text_labels):
    with torch.no_grad():
        preds = net(X).argmax(dim=0)
    return [text_labels[int(i)] for i in preds]
''', fails=("argmax_over_rows",), message="not over dim 0"),
    Mutant("predict", "returns_tuple", '''def predict(net, X, text_labels):
    with torch.no_grad():
        preds = net(X).argmax(dim=1)
    return tuple(text_labels[int(i)] for i in preds)
''', fails=("returns_list_of_str",), message="return a list of str"),
    Mutant("predict", "ignores_text_labels", '''FASHION = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',
           'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']

def predict(net, X, text_labels):
    with torch.no_grad():
        preds = net(X).argmax(dim=1)
    return [FASHION[int(i)] for i in preds]
''', fails=("matches_reference", "argmax_over_rows"), message="text_labels[i]"),
    Mutant("predict", "eval_on_plain_functions", '''def predict(net, X, text_labels):
    net.eval()
    with torch.no_grad():
        preds = net(X).argmax(dim=1)
    return [text_labels[int(i)] for i in preds]
''', fails=("matches_reference",), message="isinstance(net, torch.nn.Module)"),
    Mutant("predict", "max_values_as_indices", '''def predict(net, X, text_labels):
    with torch.no_grad():
        values = net(X).max(dim=1).values
    return [text_labels[int(v) % len(text_labels)] for v in values]
''', fails=("matches_reference", "argmax_over_rows"), message="expected"),
]

PREDICT_VARIANTS = [
    Variant("predict", "row_loop_max", '''def predict(net, X, text_labels):
    if isinstance(net, torch.nn.Module):
        net.eval()
    out = net(X).detach()
    labels = []
    for row in out:
        labels.append(text_labels[int(row.max(dim=0).indices)])
    return labels
'''),
    Variant("predict", "torch_max_and_map", '''def predict(net, X, text_labels):
    with torch.no_grad():
        _, preds = torch.max(net(X), 1)
    return list(map(lambda i: text_labels[i], preds.tolist()))
'''),
    Variant("predict", "numpy_argmax_helper", '''import numpy as np

def to_text(indices, names):
    return [str(names[i]) for i in indices]

def predict(net, X, text_labels):
    if isinstance(net, torch.nn.Module):
        net.eval()
    with torch.no_grad():
        scores = net(X).cpu().numpy()
    return to_text(np.argmax(scores, axis=1), text_labels)
'''),
]

MUTANTS = (SOFTMAX_MUTANTS + CROSS_ENTROPY_MUTANTS + ACCURACY_MUTANTS + EVALUATE_ACCURACY_MUTANTS
           + TRAIN_EPOCH_MUTANTS + PREDICT_MUTANTS)
VARIANTS = (SOFTMAX_VARIANTS + CROSS_ENTROPY_VARIANTS + ACCURACY_VARIANTS + EVALUATE_ACCURACY_VARIANTS
            + TRAIN_EPOCH_VARIANTS + PREDICT_VARIANTS)
