"""Mutants (one typical bug each) and correct variants for ps02-linear-regression.

A mutant's ``fails`` names the hidden tests (without ``test_``) that must
fail, and ``message`` a fragment of the first one's message. A variant is a
correct implementation in another style and must get full marks.
"""
from kit import Mutant, Variant

MUTANTS = [
    # -- synthetic_data ----------------------------------------------------------------------------------------
    Mutant("synthetic_data", "book_float32_on_cpu", '''def synthetic_data(w, b, num_examples):
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w.float()) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))
''', fails=("shapes_dtype_device",), message="dtype=w.dtype"),
    Mutant("synthetic_data", "missing_bias", '''def synthetic_data(w, b, num_examples):
    X = torch.randn(num_examples, len(w), dtype=w.dtype, device=w.device)
    y = X @ w + 0.01 * torch.randn(num_examples, dtype=w.dtype, device=w.device)
    return X, y.reshape(-1, 1)
''', fails=("labels_follow_linear_model",), message="without the bias"),
    Mutant("synthetic_data", "noise_std_one", '''def synthetic_data(w, b, num_examples):
    X = torch.randn(num_examples, len(w), dtype=w.dtype, device=w.device)
    y = X @ w + b
    y += torch.normal(0.0, 1.0, y.shape, dtype=w.dtype, device=w.device)
    return X, y.reshape(-1, 1)
''', fails=("labels_follow_linear_model", "noise_level"), message="not X @ w + b plus small noise"),
    Mutant("synthetic_data", "no_noise", '''def synthetic_data(w, b, num_examples):
    X = torch.randn(num_examples, len(w), dtype=w.dtype, device=w.device)
    return X, (X @ w + b).reshape(-1, 1)
''', fails=("noise_level",), message="add Gaussian noise"),
    Mutant("synthetic_data", "labels_not_reshaped", '''def synthetic_data(w, b, num_examples):
    X = torch.randn(num_examples, len(w), dtype=w.dtype, device=w.device)
    y = X @ w + b
    return X, y + 0.01 * torch.randn_like(y)
''', fails=("shapes_dtype_device",), message="y.reshape(-1, 1)"),
    Mutant("synthetic_data", "column_noise_broadcasts", '''def synthetic_data(w, b, num_examples):
    X = torch.randn(num_examples, len(w), dtype=w.dtype, device=w.device)
    noise = 0.01 * torch.randn(num_examples, 1, dtype=w.dtype, device=w.device)
    y = X @ w + b + noise
    return X, y
''', fails=("shapes_dtype_device",), message="broadcasts to (n, n)"),
    Mutant("synthetic_data", "elementwise_product", '''def synthetic_data(w, b, num_examples):
    X = torch.randn(num_examples, len(w), dtype=w.dtype, device=w.device)
    y = X * w + b
    y += 0.01 * torch.randn_like(y)
    return X, y.reshape(-1, 1)
''', fails=("shapes_dtype_device",), message="not X * w"),
    Mutant("synthetic_data", "uniform_features", '''def synthetic_data(w, b, num_examples):
    X = torch.rand(num_examples, len(w), dtype=w.dtype, device=w.device)
    y = X @ w + b
    y += 0.01 * torch.randn_like(y)
    return X, y.reshape(-1, 1)
''', fails=("features_standard_normal",), message="has mean"),
    Mutant("synthetic_data", "scaled_uniform_features", '''def synthetic_data(w, b, num_examples):
    X = (torch.rand(num_examples, len(w), dtype=w.dtype, device=w.device) - 0.5) * 12 ** 0.5
    y = X @ w + b
    y += 0.01 * torch.randn_like(y)
    return X, y.reshape(-1, 1)
''', fails=("features_standard_normal",), message="exceed 1.96"),
    Mutant("synthetic_data", "labels_from_other_features", '''def synthetic_data(w, b, num_examples):
    X = torch.randn(num_examples, len(w), dtype=w.dtype, device=w.device)
    y = torch.randn(num_examples, len(w), dtype=w.dtype, device=w.device) @ w + b
    y += 0.01 * torch.randn_like(y)
    return X, y.reshape(-1, 1)
''', fails=("labels_follow_linear_model",), message="from the X you return"),

    # -- data_iter ------------------------------------------------------------------------------------------------
    Mutant("data_iter", "no_shuffle", '''def data_iter(batch_size, features, labels):
    num_examples = len(features)
    for i in range(0, num_examples, batch_size):
        yield features[i:i + batch_size], labels[i:i + batch_size]
''', fails=("order_is_shuffled",), message="original order"),
    Mutant("data_iter", "drops_last_batch", '''def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = torch.randperm(num_examples)
    for i in range(0, num_examples - batch_size + 1, batch_size):
        batch = indices[i:i + batch_size]
        yield features[batch], labels[batch]
''', fails=("batch_sizes", "each_example_once_per_pass"), message="dropped the last"),
    Mutant("data_iter", "shuffles_labels_separately", '''def data_iter(batch_size, features, labels):
    num_examples = len(features)
    feature_order = torch.randperm(num_examples)
    label_order = torch.randperm(num_examples)
    for i in range(0, num_examples, batch_size):
        yield features[feature_order[i:i + batch_size]], labels[label_order[i:i + batch_size]]
''', fails=("features_and_labels_stay_paired",), message="do not belong to the features"),
    Mutant("data_iter", "fixed_seed", '''import random


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    random.seed(0)
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        batch = torch.tensor(indices[i:i + batch_size])
        yield features[batch], labels[batch]
''', fails=("reshuffles_every_pass",), message="same order"),
    Mutant("data_iter", "shuffles_blocks_only", '''import random


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    starts = list(range(0, num_examples, batch_size))
    random.shuffle(starts)
    for i in starts:
        yield features[i:i + batch_size], labels[i:i + batch_size]
''', fails=("order_is_shuffled",), message="fixed blocks"),
    Mutant("data_iter", "overlapping_slices", '''def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = torch.randperm(num_examples)
    for i in range(0, num_examples, batch_size):
        batch = indices[i:i + batch_size + 1]
        yield features[batch], labels[batch]
''', fails=("each_example_once_per_pass", "batch_sizes"), message="more than once"),
    Mutant("data_iter", "samples_with_replacement", '''def data_iter(batch_size, features, labels):
    num_examples = len(features)
    for i in range(0, num_examples, batch_size):
        batch = torch.randint(0, num_examples, (min(batch_size, num_examples - i),))
        yield features[batch], labels[batch]
''', fails=("each_example_once_per_pass",), message="exactly once"),
    Mutant("data_iter", "converts_to_float32", '''def data_iter(batch_size, features, labels):
    indices = torch.randperm(len(features))
    for i in range(0, len(features), batch_size):
        batch = indices[i:i + batch_size]
        yield features[batch].float(), labels[batch].float()
''', fails=("each_example_once_per_pass",), message="keep the input's dtype"),
    Mutant("data_iter", "shuffles_inputs_in_place", '''def data_iter(batch_size, features, labels):
    order = torch.randperm(len(features))
    features[:] = features[order]
    labels[:] = labels[order]
    for i in range(0, len(features), batch_size):
        yield features[i:i + batch_size], labels[i:i + batch_size]
''', fails=("each_example_once_per_pass", "features_and_labels_stay_paired"), message="modified features or labels"),

    # -- linreg ------------------------------------------------------------------------------------------------
    Mutant("linreg", "missing_bias", '''def linreg(X, w, b):
    return X @ w
''', fails=("matches_reference",), message="without the bias"),
    Mutant("linreg", "elementwise_product", '''def linreg(X, w, b):
    return X * w + b
''', fails=("matches_reference",), message="elementwise"),
    Mutant("linreg", "flattened_weights", '''def linreg(X, w, b):
    return torch.mv(X, w.reshape(-1)) + b
''', fails=("matches_reference",), message="keep w as the (d, 1) column"),
    Mutant("linreg", "converts_to_float32", '''def linreg(X, w, b):
    return X.float() @ w.float() + b.float()
''', fails=("matches_reference",), message="keep the input's dtype"),
    Mutant("linreg", "uses_data", '''def linreg(X, w, b):
    return torch.matmul(X, w.data) + b.data
''', fails=("gradient",), message="no gradient reached w"),
    Mutant("linreg", "reshapes_bias_in_place", '''def linreg(X, w, b):
    if b.dim() == 1:
        b.unsqueeze_(0)
    return X @ w + b
''', fails=("does_not_modify_inputs",), message="modified its input b"),

    # -- squared_loss ------------------------------------------------------------------------------------------
    Mutant("squared_loss", "no_reshape", '''def squared_loss(y_hat, y):
    return (y_hat - y) ** 2 / 2
''', fails=("flat_labels_keep_shape", "matches_reference"), message="reshape y like y_hat"),
    Mutant("squared_loss", "mean", '''def squared_loss(y_hat, y):
    return ((y_hat - y.reshape(y_hat.shape)) ** 2 / 2).mean()
''', fails=("matches_reference",), message="do not take the mean or the sum"),
    Mutant("squared_loss", "missing_half", '''def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2
''', fails=("matches_reference", "gradient"), message="twice the expected loss"),
    Mutant("squared_loss", "subtracts_in_place", '''def squared_loss(y_hat, y):
    y_hat -= y.reshape(y_hat.shape)
    return y_hat ** 2 / 2
''', fails=("does_not_modify_inputs", "gradient"), message="modified its input y_hat"),
    Mutant("squared_loss", "rebuilt_from_floats", '''def squared_loss(y_hat, y):
    values = [(a - b) ** 2 / 2 for a, b in zip(y_hat.reshape(-1).tolist(), y.reshape(-1).tolist())]
    return torch.tensor(values, dtype=y_hat.dtype, device=y_hat.device).reshape(y_hat.shape)
''', fails=("gradient",), message="no gradient reached y_hat"),
    Mutant("squared_loss", "reshapes_predictions", '''def squared_loss(y_hat, y):
    return (y_hat.reshape(y.shape) - y) ** 2 / 2
''', fails=("matches_reference", "flat_labels_keep_shape"), message="not y_hat like y"),
    Mutant("squared_loss", "absolute_error", '''def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)).abs() / 2
''', fails=("matches_reference", "gradient"), message="is wrong"),

    # -- sgd -----------------------------------------------------------------------------------------------------
    Mutant("sgd", "rebinds_parameter", '''def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            grad = param.grad
            param = param - lr * grad / batch_size
            grad.zero_()
''', fails=("updates_in_place", "step_matches_reference", "two_training_steps"), message="only rebinds a local name"),
    Mutant("sgd", "replaces_list_entries", '''def sgd(params, lr, batch_size):
    with torch.no_grad():
        for i in range(len(params)):
            params[i] = params[i] - lr * params[i].grad / batch_size
''', fails=("updates_in_place", "step_matches_reference", "two_training_steps"), message="replaced entries"),
    Mutant("sgd", "no_batch_size", '''def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad
            param.grad.zero_()
''', fails=("step_matches_reference", "two_training_steps"), message="without dividing by batch_size"),
    Mutant("sgd", "no_zero_grad", '''def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
''', fails=("zeroes_gradients", "two_training_steps"), message="still holds the gradient"),
    Mutant("sgd", "zero_grad_before_update", '''def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param.grad.zero_()
            param -= lr * param.grad / batch_size
''', fails=("updates_in_place", "step_matches_reference"), message="reset p.grad only after the update"),
    Mutant("sgd", "float32_zero_grad_on_cpu", '''def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad = torch.zeros(param.shape)
''', fails=("updates_in_place", "zeroes_gradients"), message="param.grad = torch.zeros(param.shape)"),
    Mutant("sgd", "gradient_ascent", '''def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param += lr * param.grad / batch_size
            param.grad.zero_()
''', fails=("step_matches_reference", "two_training_steps"), message="is wrong"),
    Mutant("sgd", "detaches_parameters", '''def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad = None
            param.requires_grad_(False)
''', fails=("updates_in_place",), message="no longer a leaf tensor that requires gradients"),
]

VARIANTS = [
    # -- synthetic_data ----------------------------------------------------------------------------------------
    Variant("synthetic_data", "book_style_with_dtype_and_device", '''def synthetic_data(w, b, num_examples):
    X = torch.normal(0, 1, (num_examples, len(w)), dtype=w.dtype, device=w.device)
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape, dtype=w.dtype, device=w.device)
    return X, y.reshape((-1, 1))
'''),
    Variant("synthetic_data", "column_arithmetic", '''def synthetic_data(w, b, num_examples):
    X = torch.empty(num_examples, w.shape[0], dtype=w.dtype, device=w.device).normal_()
    y = (X * w).sum(dim=1, keepdim=True) + b
    return X, y + 0.01 * torch.randn_like(y)
'''),
    Variant("synthetic_data", "row_by_row", '''def synthetic_data(w, b, num_examples):
    rows, labels = [], []
    for _ in range(num_examples):
        x = torch.randn(len(w), dtype=w.dtype, device=w.device)
        rows.append(x)
        labels.append(torch.dot(x, w) + b)
    X = torch.stack(rows) if rows else torch.zeros(0, len(w), dtype=w.dtype, device=w.device)
    y = torch.stack(labels).reshape(-1, 1) if labels else torch.zeros(0, 1, dtype=w.dtype, device=w.device)
    return X, y + torch.randn_like(y) / 100
'''),
    Variant("synthetic_data", "weights_as_column", '''def synthetic_data(w, b, num_examples):
    X = torch.randn((num_examples, w.numel()), dtype=w.dtype, device=w.device)
    noise = torch.normal(0.0, 0.01, size=(num_examples, 1), dtype=w.dtype, device=w.device)
    return X, X @ w.reshape(-1, 1) + b + noise
'''),

    # -- data_iter ------------------------------------------------------------------------------------------------
    Variant("data_iter", "book_random_shuffle", '''import random


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]
'''),
    Variant("data_iter", "index_select_split", '''def data_iter(batch_size, features, labels):
    order = torch.randperm(features.shape[0], device=features.device)
    for idx in torch.split(order, batch_size):
        yield features.index_select(0, idx), labels.index_select(0, idx)
'''),
    Variant("data_iter", "returns_a_list", '''def data_iter(batch_size, features, labels):
    perm = torch.randperm(len(features)).tolist()
    batches = []
    while perm:
        chunk, perm = perm[:batch_size], perm[batch_size:]
        batches.append((features[chunk], labels[chunk]))
    return batches
'''),
    Variant("data_iter", "stacked_rows", '''import random


def data_iter(batch_size, features, labels):
    n = len(features)
    indices = random.sample(range(n), n)
    for start in range(0, n, batch_size):
        chosen = indices[start:start + batch_size]
        yield torch.stack([features[i] for i in chosen]), torch.stack([labels[i] for i in chosen])
'''),

    # -- linreg ------------------------------------------------------------------------------------------------
    Variant("linreg", "matmul", '''def linreg(X, w, b):
    return torch.matmul(X, w) + b
'''),
    Variant("linreg", "broadcast_sum", '''def linreg(X, w, b):
    return (X * w.T).sum(dim=1, keepdim=True) + b
'''),
    Variant("linreg", "addmm", '''def linreg(X, w, b):
    return torch.addmm(b, X, w)
'''),
    Variant("linreg", "row_loop", '''def linreg(X, w, b):
    return torch.stack([x @ w + b for x in X]) if len(X) else X @ w + b
'''),
    Variant("linreg", "mm_add", '''def linreg(X, w, b):
    out = X.mm(w)
    out = out.add(b)
    return out
'''),

    # -- squared_loss ------------------------------------------------------------------------------------------
    Variant("squared_loss", "view_as_pow", '''def squared_loss(y_hat, y):
    return 0.5 * (y_hat - y.view_as(y_hat)).pow(2)
'''),
    Variant("squared_loss", "square", '''def squared_loss(y_hat, y):
    return torch.square(y_hat - torch.reshape(y, y_hat.shape)) / 2
'''),
    Variant("squared_loss", "product", '''def squared_loss(y_hat, y):
    diff = y_hat - y.reshape(y_hat.shape)
    return diff * diff * 0.5
'''),
    Variant("squared_loss", "flat_then_back", '''def squared_loss(y_hat, y):
    d = y_hat.flatten() - y.flatten()
    return (d ** 2 / 2).reshape(y_hat.shape)
'''),

    # -- sgd -----------------------------------------------------------------------------------------------------
    Variant("sgd", "sub_and_none", '''def sgd(params, lr, batch_size):
    with torch.no_grad():
        for p in params:
            p.sub_(lr * p.grad / batch_size)
            p.grad = None
'''),
    Variant("sgd", "data_attribute", '''def sgd(params, lr, batch_size):
    for param in params:
        param.data -= lr * param.grad.data / batch_size
        param.grad.data.zero_()
'''),
    Variant("sgd", "add_alpha_decorator", '''@torch.no_grad()
def sgd(params, lr, batch_size):
    for p in params:
        p.add_(p.grad, alpha=-lr / batch_size)
        p.grad.zero_()
'''),
    Variant("sgd", "copy_and_mul", '''def sgd(params, lr, batch_size):
    with torch.no_grad():
        for p in list(params):
            p.copy_(p - (lr / batch_size) * p.grad)
            p.grad *= 0
'''),
    Variant("sgd", "rebinds_data", '''def sgd(params, lr, batch_size):
    for p in params:
        p.data = p.data - lr * p.grad / batch_size
        p.grad.zero_()
'''),
]
