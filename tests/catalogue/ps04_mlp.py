"""Mutants and variants of ps04-mlp, graded through the real engine by tests/test_catalogue.py.

A source is a whole solution cell. The notebook imports math, torch and nn
before these cells; anything else a cell needs it imports itself.
"""
from kit import Mutant, Variant

# --------------------------------------------------------------------------- relu

RELU_MUTANTS = [
    Mutant("relu", "where_ge_gradient_one_at_zero", '''def relu(X):
    return torch.where(X >= 0, X, torch.zeros_like(X))
''', fails=("gradient_at_zero",), message="X >= 0"),
    Mutant("relu", "book_max_half_gradient_at_zero", '''def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)
''', fails=("gradient_at_zero",), message="split the gradient"),
    Mutant("relu", "abs_trick_half_gradient", '''def relu(X):
    return (X + X.abs()) / 2
''', fails=("gradient_at_zero",), message="is 0.5"),
    Mutant("relu", "float64_to_float32", '''def relu(X):
    X = X.float()
    return X * (X > 0)
''', fails=("matches_reference",), message="dtype"),
    Mutant("relu", "modifies_input", '''def relu(X):
    X[X < 0] = 0
    return X
''', fails=("does_not_modify_input", "gradient"), message="modified X in place"),
    Mutant("relu", "zeros_built_on_cpu", '''def relu(X):
    return torch.where(X > 0, X, torch.zeros(X.shape, dtype=X.dtype))
''', fails=("matches_reference",), message="relu(X)", device="cuda"),
]

RELU_VARIANTS = [
    Variant("relu", "clamp", '''def relu(X):
    return torch.clamp(X, min=0)  # torch's clamp gives derivative 0 at the bound, like torch.relu
'''),
    Variant("relu", "mask_multiply", '''def relu(X):
    return X * (X > 0).to(X.dtype)
'''),
]

# --------------------------------------------------------------------------- sigmoid

SIGMOID_MUTANTS = [
    Mutant("sigmoid", "naive_book_formula", '''def sigmoid(X):
    return 1 / (1 + torch.exp(-X))
''', fails=("gradient",), message="inf / inf or 0 * inf"),
    Mutant("sigmoid", "exp_over_one_plus_exp", '''def sigmoid(X):
    e = torch.exp(X)
    return e / (1 + e)
''', fails=("stable_for_large_inputs", "gradient"), message="inf or NaN"),
    Mutant("sigmoid", "where_of_unmasked_branches", '''def sigmoid(X):
    return torch.where(X >= 0, 1 / (1 + torch.exp(-X)), torch.exp(X) / (1 + torch.exp(X)))
''', fails=("gradient",), message="a branch torch.where does not take"),
    Mutant("sigmoid", "float64_to_float32", '''def sigmoid(X):
    X = X.float()
    z = torch.exp(-X.abs())
    return torch.where(X >= 0, 1 / (1 + z), z / (1 + z))
''', fails=("matches_reference",), message="dtype"),
]

SIGMOID_MUTANTS.append(Mutant("sigmoid", "abs_trick_zero_gradient_at_zero", '''def sigmoid(X):
    z = torch.exp(-torch.abs(X))
    return torch.where(X >= 0, 1 / (1 + z), z / (1 + z))
''', fails=("gradient",), message="at X = 0"))

SIGMOID_VARIANTS = [
    Variant("sigmoid", "exp_of_minus_magnitude_by_where", '''def sigmoid(X):
    z = torch.exp(torch.where(X >= 0, -X, X))
    return torch.where(X >= 0, 1 / (1 + z), z / (1 + z))
'''),
    Variant("sigmoid", "clamped_exponent", '''def sigmoid(X):
    return 1 / (1 + torch.exp(torch.clamp(-X, max=60.0)))
'''),
]

# --------------------------------------------------------------------------- tanh

TANH_MUTANTS = [
    Mutant("tanh", "naive_formula", '''def tanh(X):
    e = torch.exp(-2 * X)
    return (1 - e) / (1 + e)
''', fails=("stable_for_large_inputs", "gradient"), message="inf or NaN"),
    Mutant("tanh", "sinh_over_cosh", '''def tanh(X):
    return (torch.exp(X) - torch.exp(-X)) / (torch.exp(X) + torch.exp(-X))
''', fails=("stable_for_large_inputs",), message="inf or NaN"),
    Mutant("tanh", "forgets_sign", '''def tanh(X):
    z = torch.exp(-2 * X.abs())
    return (1 - z) / (1 + z)
''', fails=("matches_reference", "gradient"), message="tanh(X) is wrong"),
    Mutant("tanh", "float64_to_float32", '''def tanh(X):
    X = X.to(torch.float32)
    z = torch.exp(-2 * X.abs())
    return torch.sign(X) * (1 - z) / (1 + z)
''', fails=("matches_reference",), message="dtype"),
]

TANH_MUTANTS.append(Mutant("tanh", "sign_times_magnitude_zero_gradient_at_zero", '''def tanh(X):
    z = torch.exp(-2 * torch.abs(X))
    return torch.sign(X) * (1 - z) / (1 + z)
''', fails=("gradient",), message="at X = 0"))

TANH_VARIANTS = [
    Variant("tanh", "masked_branches", '''def tanh(X):
    pos = X >= 0
    a = torch.exp(-2 * torch.where(pos, X, torch.zeros_like(X)))
    b = torch.exp(2 * torch.where(pos, torch.zeros_like(X), X))
    return torch.where(pos, (1 - a) / (1 + a), (b - 1) / (b + 1))
'''),
    Variant("tanh", "via_own_stable_sigmoid", '''def _stable_sigmoid(X):
    z = torch.exp(torch.where(X >= 0, -X, X))
    return torch.where(X >= 0, 1 / (1 + z), z / (1 + z))


def tanh(X):
    return 2 * _stable_sigmoid(2 * X) - 1
'''),
]

# --------------------------------------------------------------------------- mlp

MLP_MUTANTS = [
    Mutant("mlp", "relu_on_output", '''def mlp(X, params):
    H = X.reshape(-1, params[0].shape[0])
    for W, b in zip(params[0::2], params[1::2]):
        H = relu(H @ W + b)
    return H
''', fails=("matches_reference",), message="relu after the last layer"),
    Mutant("mlp", "no_activation", '''def mlp(X, params):
    H = X.reshape(-1, params[0].shape[0])
    for W, b in zip(params[0::2], params[1::2]):
        H = H @ W + b
    return H
''', fails=("matches_reference",), message="mlp(X, params) is wrong"),
    Mutant("mlp", "two_layers_only", '''def mlp(X, params):
    W1, b1, W2, b2 = params[:4]
    H = relu(X.reshape(-1, W1.shape[0]) @ W1 + b1)
    return H @ W2 + b2
''', fails=("any_number_of_layers",), message="only the first two layers"),
    Mutant("mlp", "hard_coded_784", '''def mlp(X, params):
    H = X.reshape(-1, 784)
    for k in range(0, len(params), 2):
        H = H @ params[k] + params[k + 1]
        if k < len(params) - 2:
            H = relu(H)
    return H
''', fails=("matches_reference", "flattens_images"), message="raised"),
    Mutant("mlp", "bias_after_relu", '''def mlp(X, params):
    H = X.reshape(-1, params[0].shape[0])
    for k in range(0, len(params), 2):
        if k < len(params) - 2:
            H = relu(H @ params[k]) + params[k + 1]
        else:
            H = H @ params[k] + params[k + 1]
    return H
''', fails=("matches_reference",), message="mlp(X, params) is wrong"),
]

MLP_VARIANTS = [
    Variant("mlp", "index_loop_matmul", '''def mlp(X, params):
    H = torch.flatten(X, start_dim=1) if X.dim() > 2 else X
    n_layers = len(params) // 2
    for k in range(n_layers):
        H = torch.matmul(H, params[2 * k]) + params[2 * k + 1]
        if k != n_layers - 1:
            H = torch.relu(H)
    return H
'''),
    Variant("mlp", "addmm_and_own_relu", '''def mlp(X, params):
    H = X.reshape(X.shape[0], -1)
    *hidden, last = list(zip(params[::2], params[1::2]))
    for W, b in hidden:
        H = relu(torch.addmm(b, H, W))
    W, b = last
    return torch.addmm(b, H, W)
'''),
]

# --------------------------------------------------------------------------- dropout_layer

DROPOUT_MUTANTS = [
    Mutant("dropout_layer", "not_inverted", '''def dropout_layer(X, dropout):
    if dropout == 1:
        return torch.zeros_like(X)
    mask = (torch.rand(X.shape, device=X.device) > dropout).to(X.dtype)
    return mask * X
''', fails=("survivors_scaled", "zero_fraction"), message="unscaled"),
    Mutant("dropout_layer", "keep_probability_flipped", '''def dropout_layer(X, dropout):
    if dropout == 1:
        return torch.zeros_like(X)
    mask = (torch.rand(X.shape, device=X.device) < dropout).to(X.dtype)
    return mask * X / (1.0 - dropout)
''', fails=("zero_fraction", "identity_at_zero"), message="about 1 - dropout"),
    Mutant("dropout_layer", "no_special_case_for_one", '''def dropout_layer(X, dropout):
    mask = (torch.rand(X.shape, device=X.device) > dropout).to(X.dtype)
    return mask * X / (1.0 - dropout)
''', fails=("zeros_at_one",), message="returned NaN"),
    Mutant("dropout_layer", "one_mask_per_column", '''def dropout_layer(X, dropout):
    if dropout == 1:
        return torch.zeros_like(X)
    mask = (torch.rand(X.shape[-1], device=X.device) > dropout).to(X.dtype)
    return mask * X / (1.0 - dropout)
''', fails=("zero_fraction",), message="drops the same elements in every row"),
    Mutant("dropout_layer", "zeroes_input_in_place", '''def dropout_layer(X, dropout):
    if dropout == 1:
        return X.zero_()
    X[torch.rand(X.shape, device=X.device) <= dropout] = 0
    return X.div_(1.0 - dropout)
''', fails=("does_not_modify_input",), message="modified X in place"),
    Mutant("dropout_layer", "book_mask_on_cpu", '''def dropout_layer(X, dropout):
    assert 0 <= dropout <= 1
    if dropout == 1:
        return torch.zeros_like(X)
    mask = (torch.rand(X.shape) > dropout).float()
    return mask * X / (1.0 - dropout)
''', fails=("survivors_scaled",), message="raised", device="cuda"),
]

DROPOUT_VARIANTS = [
    Variant("dropout_layer", "bernoulli_keep", '''def dropout_layer(X, dropout):
    if dropout >= 1:
        return X * 0
    keep = torch.bernoulli(torch.full_like(X, 1 - dropout))
    return torch.where(keep.bool(), X / (1 - dropout), torch.zeros_like(X))
'''),
    Variant("dropout_layer", "rand_like_and_early_returns", '''def dropout_layer(X, dropout):
    if dropout == 0:
        return X
    if dropout == 1:
        return torch.zeros_like(X)
    return X * (torch.rand_like(X) >= dropout) / (1 - dropout)
'''),
]

# --------------------------------------------------------------------------- l2_penalty

L2_MUTANTS = [
    Mutant("l2_penalty", "no_half", '''def l2_penalty(w):
    return torch.sum(w ** 2)
''', fails=("matches_reference", "gradient"), message="forgot the factor 1/2"),
    Mutant("l2_penalty", "norm_not_squared", '''def l2_penalty(w):
    return torch.sqrt(torch.sum(w ** 2)) / 2
''', fails=("matches_reference", "gradient"), message="returned ||w|| / 2"),
    Mutant("l2_penalty", "mean_of_squares", '''def l2_penalty(w):
    return (w ** 2).mean() / 2
''', fails=("matches_reference",), message="averaged the squares"),
    Mutant("l2_penalty", "l1", '''def l2_penalty(w):
    return w.abs().sum() / 2
''', fails=("matches_reference", "gradient"), message="L1"),
    Mutant("l2_penalty", "keepdim_sum", '''def l2_penalty(w):
    return (w ** 2).sum(dim=0, keepdim=True) / 2
''', fails=("matches_reference",), message="l2_penalty(w)"),
]

L2_VARIANTS = [
    Variant("l2_penalty", "norm_squared", '''def l2_penalty(w):
    return torch.linalg.norm(w) ** 2 / 2
'''),
    Variant("l2_penalty", "dot_product", '''def l2_penalty(w):
    flat = w.reshape(-1)
    return 0.5 * torch.dot(flat, flat)
'''),
]

# --------------------------------------------------------------------------- train_step_weight_decay

STEP_MUTANTS = [
    Mutant("train_step_weight_decay", "penalises_bias", '''def train_step_weight_decay(X, y, w, b, lambd, lr):
    J = ((X @ w + b - y) ** 2 / 2).mean() + lambd * (l2_penalty(w) + l2_penalty(b))
    J.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
    return float(J)
''', fails=("bias_not_penalised", "one_step"), message="penalises the bias"),
    Mutant("train_step_weight_decay", "penalty_without_half", '''def train_step_weight_decay(X, y, w, b, lambd, lr):
    J = ((X @ w + b - y) ** 2 / 2).mean() + lambd * (w ** 2).sum()
    J.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
    return float(J)
''', fails=("one_step",), message="without the 1/2"),
    Mutant("train_step_weight_decay", "summed_loss", '''def train_step_weight_decay(X, y, w, b, lambd, lr):
    J = ((X @ w + b - y) ** 2 / 2).sum() + lambd * l2_penalty(w)
    J.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
    return float(J)
''', fails=("one_step",), message="sums the squared losses"),
    Mutant("train_step_weight_decay", "keeps_gradients", '''def train_step_weight_decay(X, y, w, b, lambd, lr):
    J = ((X @ w + b - y) ** 2 / 2).mean() + lambd * l2_penalty(w)
    J.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
    return float(J)
''', fails=("two_steps", "updates_leaves_in_place"), message="the second is not"),
    Mutant("train_step_weight_decay", "rebinds_instead_of_in_place", '''def train_step_weight_decay(X, y, w, b, lambd, lr):
    J = ((X @ w + b - y) ** 2 / 2).mean() + lambd * l2_penalty(w)
    J.backward()
    w = (w - lr * w.grad).detach()
    b = (b - lr * b.grad).detach()
    return float(J)
''', fails=("one_step",), message="left w and b unchanged"),
    Mutant("train_step_weight_decay", "returns_loss_without_penalty", '''def train_step_weight_decay(X, y, w, b, lambd, lr):
    loss = ((X @ w + b - y) ** 2 / 2).mean()
    J = loss + lambd * l2_penalty(w)
    J.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
    return float(loss)
''', fails=("returns_objective",), message="without the penalty"),
]

STEP_VARIANTS = [
    Variant("train_step_weight_decay", "book_per_example_penalty", '''def train_step_weight_decay(X, y, w, b, lambd, lr):
    l = (X @ w + b - y.reshape(-1, 1)) ** 2 / 2 + lambd * l2_penalty(w)
    l.sum().backward()
    with torch.no_grad():
        for p in (w, b):
            p -= lr * p.grad / len(X)
            p.grad = None
    return l.mean().item()
'''),
    Variant("train_step_weight_decay", "closed_form_gradient", '''def train_step_weight_decay(X, y, w, b, lambd, lr):
    with torch.no_grad():
        n = X.shape[0]
        residual = X @ w + b - y
        J = (residual ** 2).sum() / (2 * n) + lambd * (w * w).sum() / 2
        grad_w = X.T @ residual / n + lambd * w
        grad_b = residual.sum(dim=0) / n
        w.sub_(lr * grad_w)
        b.sub_(lr * grad_b)
    return float(J)
'''),
]

# --------------------------------------------------------------------------- get_k_fold_data

KFOLD_MUTANTS = [
    Mutant("get_k_fold_data", "book_drops_remainder", '''def get_k_fold_data(k, i, X, y):
    fold_size = X.shape[0] // k
    X_train, y_train = None, None
    for j in range(k):
        idx = slice(j * fold_size, (j + 1) * fold_size)
        X_part, y_part = X[idx, :], y[idx]
        if j == i:
            X_valid, y_valid = X_part, y_part
        elif X_train is None:
            X_train, y_train = X_part, y_part
        else:
            X_train = torch.cat([X_train, X_part], 0)
            y_train = torch.cat([y_train, y_part], 0)
    return X_train, y_train, X_valid, y_valid
''', fails=("uneven_last_fold", "covers_every_example"), message="drops the last"),
    Mutant("get_k_fold_data", "chunked_folds", '''def get_k_fold_data(k, i, X, y):
    xs, ys = torch.chunk(X, k), torch.chunk(y, k)
    X_train = torch.cat([x for j, x in enumerate(xs) if j != i])
    y_train = torch.cat([t for j, t in enumerate(ys) if j != i])
    return X_train, y_train, xs[i], ys[i]
''', fails=("uneven_last_fold",), message="torch.chunk"),
    Mutant("get_k_fold_data", "validation_kept_in_training", '''def get_k_fold_data(k, i, X, y):
    fold_size = X.shape[0] // k
    start = i * fold_size
    stop = X.shape[0] if i == k - 1 else start + fold_size
    return X, y, X[start:stop], y[start:stop]
''', fails=("matches_reference", "covers_every_example"), message="keeps the validation fold"),
    Mutant("get_k_fold_data", "off_by_one_fold", '''def get_k_fold_data(k, i, X, y):
    i = (i + 1) % k
    fold_size = X.shape[0] // k
    start = i * fold_size
    stop = X.shape[0] if i == k - 1 else start + fold_size
    return torch.cat([X[:start], X[stop:]]), torch.cat([y[:start], y[stop:]]), X[start:stop], y[start:stop]
''', fails=("matches_reference", "covers_every_example"), message="as the validation set"),
    Mutant("get_k_fold_data", "y_split_with_other_fold", '''def get_k_fold_data(k, i, X, y):
    fold_size = X.shape[0] // k
    start = i * fold_size
    stop = X.shape[0] if i == k - 1 else start + fold_size
    X_train = torch.cat([X[:start], X[stop:]])
    y_train = torch.cat([y[stop:], y[:start]])
    return X_train, y_train, X[start:stop], y[start:stop]
''', fails=("covers_every_example",), message="y_train"),
]

KFOLD_VARIANTS = [
    Variant("get_k_fold_data", "boolean_mask", '''def get_k_fold_data(k, i, X, y):
    n = X.shape[0]
    fold = torch.arange(n, device=X.device) // (n // k)
    fold = torch.clamp(fold, max=k - 1)
    valid = fold == i
    return X[~valid], y[~valid], X[valid], y[valid]
'''),
    Variant("get_k_fold_data", "list_of_folds", '''def get_k_fold_data(k, i, X, y):
    size = len(X) // k
    bounds = [j * size for j in range(k)] + [len(X)]
    folds = [(X[bounds[j]:bounds[j + 1]], y[bounds[j]:bounds[j + 1]]) for j in range(k)]
    train = [f for j, f in enumerate(folds) if j != i]
    return (torch.cat([f[0] for f in train], dim=0), torch.cat([f[1] for f in train], dim=0),
            folds[i][0], folds[i][1])
'''),
]

# --------------------------------------------------------------------------- xavier_uniform_

XAVIER_MUTANTS = [
    Mutant("xavier_uniform_", "ignores_receptive_field", '''def xavier_uniform_(tensor, gain=1.0):
    fan_out, fan_in = tensor.shape[0], tensor.shape[1]
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        return tensor.uniform_(-a, a)
''', fails=("conv_weight_fans",), message="ignores the receptive field"),
    Mutant("xavier_uniform_", "normal_std_as_bound", '''def xavier_uniform_(tensor, gain=1.0):
    rf = math.prod(tensor.shape[2:])
    a = gain * math.sqrt(2.0 / (tensor.shape[0] * rf + tensor.shape[1] * rf))
    with torch.no_grad():
        return tensor.uniform_(-a, a)
''', fails=("linear_weight_bound", "conv_weight_fans"), message="STANDARD DEVIATION"),
    Mutant("xavier_uniform_", "normal_distribution", '''def xavier_uniform_(tensor, gain=1.0):
    rf = math.prod(tensor.shape[2:])
    std = gain * math.sqrt(2.0 / (tensor.shape[0] * rf + tensor.shape[1] * rf))
    with torch.no_grad():
        return tensor.normal_(0, std)
''', fails=("linear_weight_bound", "uniform_distribution"), message="beyond the bound"),
    Mutant("xavier_uniform_", "ignores_gain", '''def xavier_uniform_(tensor, gain=1.0):
    rf = math.prod(tensor.shape[2:])
    a = math.sqrt(6.0 / (tensor.shape[0] * rf + tensor.shape[1] * rf))
    with torch.no_grad():
        return tensor.uniform_(-a, a)
''', fails=("linear_weight_bound",), message="ignores gain"),
    Mutant("xavier_uniform_", "not_in_place", '''def xavier_uniform_(tensor, gain=1.0):
    rf = math.prod(tensor.shape[2:])
    a = gain * math.sqrt(6.0 / (tensor.shape[0] * rf + tensor.shape[1] * rf))
    tensor = (torch.rand(tensor.shape, dtype=tensor.dtype, device=tensor.device) * 2 - 1) * a
    return tensor
''', fails=("linear_weight_bound", "in_place_on_parameter"), message="left the tensor unchanged"),
    Mutant("xavier_uniform_", "positive_only", '''def xavier_uniform_(tensor, gain=1.0):
    rf = math.prod(tensor.shape[2:])
    a = gain * math.sqrt(6.0 / (tensor.shape[0] * rf + tensor.shape[1] * rf))
    with torch.no_grad():
        return tensor.uniform_(0, a)
''', fails=("uniform_distribution",), message="mean"),
]

XAVIER_VARIANTS = [
    Variant("xavier_uniform_", "copy_of_scaled_rand", '''def xavier_uniform_(tensor, gain=1.0):
    receptive = 1
    for s in tensor.shape[2:]:
        receptive *= s
    fan_in, fan_out = tensor.size(1) * receptive, tensor.size(0) * receptive
    bound = gain * (6.0 / (fan_in + fan_out)) ** 0.5
    with torch.no_grad():
        tensor.copy_(torch.rand_like(tensor) * 2 * bound - bound)
    return tensor
'''),
    Variant("xavier_uniform_", "nn_init_uniform", '''def xavier_uniform_(tensor, gain=1.0):
    fan_in = tensor[0].numel()
    fan_out = tensor.shape[0] * tensor[0][0].numel()
    a = gain * math.sqrt(6 / (fan_in + fan_out))
    return nn.init.uniform_(tensor, -a, a)
'''),
]

# --------------------------------------------------------------------------- log_rmse

LOG_RMSE_MUTANTS = [
    Mutant("log_rmse", "no_clamp", '''def log_rmse(preds, labels):
    return torch.sqrt(((torch.log(preds) - torch.log(labels)) ** 2).mean()).item()
''', fails=("clamps_small_predictions",), message="clamp the predictions"),
    Mutant("log_rmse", "clamp_at_zero", '''def log_rmse(preds, labels):
    clipped = torch.clamp(preds, min=0)
    return torch.sqrt(((torch.log(clipped) - torch.log(labels)) ** 2).mean()).item()
''', fails=("clamps_small_predictions",), message="clamp the predictions"),
    Mutant("log_rmse", "no_square_root", '''def log_rmse(preds, labels):
    clipped = torch.clamp(preds, min=1)
    return ((torch.log(clipped) - torch.log(labels)) ** 2).mean().item()
''', fails=("matches_reference",), message="take its square root"),
    Mutant("log_rmse", "returns_tensor", '''def log_rmse(preds, labels):
    clipped = torch.clamp(preds, min=1)
    return torch.sqrt(((torch.log(clipped) - torch.log(labels)) ** 2).mean())
''', fails=("matches_reference",), message="return a Python float"),
    Mutant("log_rmse", "clamps_in_place", '''def log_rmse(preds, labels):
    preds.clamp_(min=1)
    return torch.sqrt(((preds.log() - labels.log()) ** 2).mean()).item()
''', fails=("does_not_modify_inputs",), message="modified preds in place"),
]

LOG_RMSE_VARIANTS = [
    Variant("log_rmse", "book_style_mse_loss", '''def log_rmse(preds, labels):
    loss = nn.MSELoss()
    clipped_preds = torch.clamp(preds, 1, float('inf'))
    rmse = torch.sqrt(loss(torch.log(clipped_preds), torch.log(labels)))
    return rmse.item()
'''),
    Variant("log_rmse", "python_loop", '''def log_rmse(preds, labels):
    total = 0.0
    p, l = preds.reshape(-1).tolist(), labels.reshape(-1).tolist()
    for a, b in zip(p, l):
        total += (math.log(max(a, 1.0)) - math.log(b)) ** 2
    return math.sqrt(total / len(p))
'''),
]

MUTANTS = (RELU_MUTANTS + SIGMOID_MUTANTS + TANH_MUTANTS + MLP_MUTANTS + DROPOUT_MUTANTS + L2_MUTANTS
           + STEP_MUTANTS + KFOLD_MUTANTS + XAVIER_MUTANTS + LOG_RMSE_MUTANTS)
VARIANTS = (RELU_VARIANTS + SIGMOID_VARIANTS + TANH_VARIANTS + MLP_VARIANTS + DROPOUT_VARIANTS + L2_VARIANTS
            + STEP_VARIANTS + KFOLD_VARIANTS + XAVIER_VARIANTS + LOG_RMSE_VARIANTS)
