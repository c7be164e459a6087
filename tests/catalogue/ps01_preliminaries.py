"""Mutants (one typical bug each) and correct variants for ps01-preliminaries.

A mutant's ``fails`` names the hidden tests (without ``test_``) that must
fail, and ``message`` a fragment of the first one's message. A variant is a
correct implementation in another style and must get full marks.
"""
from kit import Mutant, Variant

MUTANTS = [
    # -- normalize_rows -------------------------------------------------------------------------------------------
    Mutant("normalize_rows", "missing_keepdim", '''def normalize_rows(X):
    return X / X.sum(dim=1)
''', fails=("matches_reference", "square_inputs"), message="keepdim=True"),
    Mutant("normalize_rows", "column_sums", '''def normalize_rows(X):
    return X / X.sum(dim=0, keepdim=True)
''', fails=("matches_reference", "square_inputs"), message="column sums"),
    Mutant("normalize_rows", "whole_matrix_sum", '''def normalize_rows(X):
    return X / X.sum()
''', fails=("matches_reference", "square_inputs"), message="whole matrix"),
    Mutant("normalize_rows", "divides_in_place", '''def normalize_rows(X):
    X /= X.sum(dim=1, keepdim=True)
    return X
''', fails=("does_not_modify_input",), message="modified its input X"),
    Mutant("normalize_rows", "converts_to_float32", '''def normalize_rows(X):
    X = X.float()
    return X / X.sum(dim=1, keepdim=True)
''', fails=("matches_reference",), message="keep the input's dtype"),
    Mutant("normalize_rows", "uses_functional_normalize", '''import torch.nn.functional as F


def normalize_rows(X):
    return F.normalize(X, p=1, dim=1)
''', fails=("matches_reference", "square_inputs", "does_not_modify_input"), message="from scratch"),

    # -- standardize_columns --------------------------------------------------------------------------------------
    Mutant("standardize_columns", "rows_instead_of_columns", '''def standardize_columns(X):
    centered = X - X.mean(dim=1, keepdim=True)
    return centered / (centered ** 2).sum(dim=1, keepdim=True).div(X.shape[1] - 1).sqrt()
''', fails=("matches_reference", "square_inputs"), message="reduce over dim=0"),
    Mutant("standardize_columns", "biased_std", '''def standardize_columns(X):
    centered = X - X.mean(dim=0)
    return centered / (centered ** 2).mean(dim=0).sqrt()
''', fails=("matches_reference", "square_inputs"), message="biased standard deviation"),
    Mutant("standardize_columns", "divides_by_variance", '''def standardize_columns(X):
    centered = X - X.mean(dim=0)
    return centered / ((centered ** 2).sum(dim=0) / (len(X) - 1))
''', fails=("matches_reference",), message="divided by the variance"),
    Mutant("standardize_columns", "not_centred", '''def standardize_columns(X):
    centered = X - X.mean(dim=0)
    return X / ((centered ** 2).sum(dim=0) / (len(X) - 1)).sqrt()
''', fails=("matches_reference",), message="subtract the column means"),
    Mutant("standardize_columns", "centres_in_place", '''def standardize_columns(X):
    X -= X.mean(dim=0)
    return X / ((X ** 2).sum(dim=0) / (len(X) - 1)).sqrt()
''', fails=("does_not_modify_input",), message="modified its input X"),
    Mutant("standardize_columns", "uses_tensor_std", '''def standardize_columns(X):
    return (X - X.mean(0)) / X.std(0)
''', fails=("matches_reference", "square_inputs", "does_not_modify_input"), message="from scratch"),

    # -- pairwise_sq_dists ----------------------------------------------------------------------------------------
    Mutant("pairwise_sq_dists", "loops_over_pairs", '''def pairwise_sq_dists(X, Y):
    D = torch.zeros(len(X), len(Y), dtype=X.dtype, device=X.device)
    for i in range(len(X)):
        for j in range(len(Y)):
            D[i, j] = ((X[i] - Y[j]) ** 2).sum()
    return D
''', fails=("fast_for_large_inputs",), message="far too slow"),
    Mutant("pairwise_sq_dists", "expansion_without_factor_two", '''def pairwise_sq_dists(X, Y):
    return (X ** 2).sum(dim=1)[:, None] + (Y ** 2).sum(dim=1)[None, :] - X @ Y.T
''', fails=("matches_reference", "fast_for_large_inputs"), message="is wrong"),
    Mutant("pairwise_sq_dists", "distances_not_squared", '''def pairwise_sq_dists(X, Y):
    return ((X[:, None, :] - Y[None, :, :]) ** 2).sum(dim=-1).sqrt()
''', fails=("matches_reference", "fast_for_large_inputs"), message="not their squares"),
    Mutant("pairwise_sq_dists", "transposed_result", '''def pairwise_sq_dists(X, Y):
    return ((Y[:, None, :] - X[None, :, :]) ** 2).sum(dim=-1)
''', fails=("matches_reference",), message="row i of the result belongs to X[i]"),
    Mutant("pairwise_sq_dists", "uses_cdist", '''def pairwise_sq_dists(X, Y):
    return torch.cdist(X, Y) ** 2
''', fails=("matches_reference", "fast_for_large_inputs"), message="from scratch"),

    # -- matrix_norms ---------------------------------------------------------------------------------------------
    Mutant("matrix_norms", "l1_without_abs", '''def matrix_norms(X):
    return X.sum(dim=1), (X ** 2).sum(dim=1).sqrt(), (X ** 2).sum().sqrt()
''', fails=("row_l1_norms",), message="absolute values"),
    Mutant("matrix_norms", "l2_without_sqrt", '''def matrix_norms(X):
    return X.abs().sum(dim=1), (X ** 2).sum(dim=1), (X ** 2).sum().sqrt()
''', fails=("row_l2_norms",), message="square root"),
    Mutant("matrix_norms", "column_norms", '''def matrix_norms(X):
    return X.abs().sum(dim=0), (X ** 2).sum(dim=0).sqrt(), (X ** 2).sum().sqrt()
''', fails=("row_l1_norms", "row_l2_norms"), message="of the columns"),
    Mutant("matrix_norms", "frobenius_as_sum_of_row_norms", '''def matrix_norms(X):
    l2 = (X ** 2).sum(dim=1).sqrt()
    return X.abs().sum(dim=1), l2, l2.sum()
''', fails=("frobenius_norm",), message="sum of the row L2 norms"),
    Mutant("matrix_norms", "frobenius_keeps_a_dimension", '''def matrix_norms(X):
    squares = X * X
    return X.abs().sum(dim=1), squares.sum(dim=1).sqrt(), squares.sum().sqrt().reshape(1)
''', fails=("frobenius_norm",), message="0-dim tensor"),
    Mutant("matrix_norms", "abs_in_place", '''def matrix_norms(X):
    l1 = X.abs_().sum(dim=1)
    return l1, (X ** 2).sum(dim=1).sqrt(), (X ** 2).sum().sqrt()
''', fails=("does_not_modify_input",), message="modified its input X"),
    Mutant("matrix_norms", "uses_torch_norm", '''def matrix_norms(X):
    return X.norm(p=1, dim=1), X.norm(dim=1), X.norm()
''', fails=("row_l1_norms", "row_l2_norms", "frobenius_norm"), message="from scratch"),

    # -- numerical_grad -------------------------------------------------------------------------------------------
    Mutant("numerical_grad", "forward_difference", '''def numerical_grad(f, x, h=1e-5):
    n = x.numel()
    grad = torch.zeros(n, dtype=x.dtype, device=x.device)
    fx = f(x)
    for i in range(n):
        e = torch.zeros(n, dtype=x.dtype, device=x.device)
        e[i] = h
        grad[i] = (f(x + e.reshape(x.shape)) - fx) / h
    return grad.reshape(x.shape)
''', fails=("matches_central_differences",), message="one-sided quotient"),
    Mutant("numerical_grad", "divides_by_h", '''def numerical_grad(f, x, h=1e-5):
    n = x.numel()
    grad = torch.zeros(n, dtype=x.dtype, device=x.device)
    for i in range(n):
        e = torch.zeros(n, dtype=x.dtype, device=x.device)
        e[i] = h
        e = e.reshape(x.shape)
        grad[i] = (f(x + e) - f(x - e)) / h
    return grad.reshape(x.shape)
''', fails=("matches_central_differences", "uses_step_h", "float32"), message="twice the gradient"),
    Mutant("numerical_grad", "perturbs_x_without_restoring", '''import itertools


def numerical_grad(f, x, h=1e-5):
    grad = torch.zeros_like(x)
    for idx in itertools.product(*[range(s) for s in x.shape]):
        x[idx] += h
        plus = f(x)
        x[idx] -= 2 * h
        minus = f(x)
        grad[idx] = (plus - minus) / (2 * h)
    return grad
''', fails=("does_not_modify_x", "matches_central_differences"), message="changed x"),
    Mutant("numerical_grad", "perturbs_every_element_at_once", '''def numerical_grad(f, x, h=1e-5):
    slope = (f(x + h) - f(x - h)) / (2 * h)
    return slope * torch.ones_like(x)
''', fails=("matches_central_differences",), message="is wrong"),
    Mutant("numerical_grad", "ignores_h", '''def numerical_grad(f, x, h=1e-5):
    step = 1e-5
    n = x.numel()
    grad = torch.zeros(n, dtype=x.dtype, device=x.device)
    for i in range(n):
        e = torch.zeros(n, dtype=x.dtype, device=x.device)
        e[i] = step
        e = e.reshape(x.shape)
        grad[i] = (f(x + e) - f(x - e)) / (2 * step)
    return grad.reshape(x.shape)
''', fails=("uses_step_h",), message="ignored the step h"),
    Mutant("numerical_grad", "step_built_on_cpu", '''def numerical_grad(f, x, h=1e-5):
    n = x.numel()
    grad = torch.zeros(n, dtype=x.dtype)
    for i in range(n):
        e = torch.zeros(n, dtype=x.dtype)
        e[i] = h
        e = e.reshape(x.shape)
        grad[i] = (f(x + e) - f(x - e)) / (2 * h)
    return grad.reshape(x.shape)
''', fails=("matches_central_differences",), message="same device", device="cuda"),
    Mutant("numerical_grad", "uses_autograd", '''def numerical_grad(f, x, h=1e-5):
    x = x.detach().clone().requires_grad_(True)
    f(x).backward()
    return x.grad
''', fails=("matches_central_differences", "uses_step_h"), message="from scratch"),

    # -- autograd_grad --------------------------------------------------------------------------------------------
    Mutant("autograd_grad", "sets_requires_grad_on_caller", '''def autograd_grad(f, x):
    x.requires_grad_(True)
    f(x).backward()
    return x.grad
''', fails=("leaves_x_unchanged", "repeated_calls"), message="caller's x"),
    Mutant("autograd_grad", "cleans_up_the_caller", '''def autograd_grad(f, x):
    was = x.requires_grad
    x.requires_grad_(True)
    f(x).backward()
    grad = x.grad.clone()
    x.grad.zero_()
    x.requires_grad_(was)
    return grad
''', fails=("leaves_x_unchanged",), message="caller's x"),
    Mutant("autograd_grad", "clone_without_detach", '''def autograd_grad(f, x):
    x_copy = x.clone().requires_grad_(True)
    f(x_copy).backward()
    return x_copy.grad
''', fails=("repeated_calls", "leaves_x_unchanged"), message="returned None"),
    Mutant("autograd_grad", "keeps_the_graph", '''def autograd_grad(f, x):
    x_copy = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(x_copy), x_copy, create_graph=True)
    return grad
''', fails=("matches_autograd",), message="requires grad"),
    Mutant("autograd_grad", "converts_to_float32", '''def autograd_grad(f, x):
    x_copy = x.detach().float().requires_grad_(True)
    f(x_copy).backward()
    return x_copy.grad
''', fails=("matches_autograd", "control_flow"), message="keep the input's dtype"),

    # -- impute_and_encode ----------------------------------------------------------------------------------------
    Mutant("impute_and_encode", "fills_with_zero", '''def impute_and_encode(df):
    numeric = df.select_dtypes(include="number").columns
    out = df.copy()
    out[numeric] = out[numeric].fillna(0)
    return pd.get_dummies(out, dummy_na=True)
''', fails=("matches_reference",), message="filled with 0"),
    Mutant("impute_and_encode", "fills_with_median", '''def impute_and_encode(df):
    numeric = df.select_dtypes(include="number").columns
    out = df.copy()
    out[numeric] = out[numeric].fillna(out[numeric].median())
    return pd.get_dummies(out, dummy_na=True)
''', fails=("matches_reference",), message="median"),
    Mutant("impute_and_encode", "no_indicator_for_missing", '''def impute_and_encode(df):
    numeric = df.select_dtypes(include="number").columns
    out = df.copy()
    out[numeric] = out[numeric].fillna(out[numeric].mean())
    return pd.get_dummies(out)
''', fails=("matches_reference", "missing_text_gets_indicator", "nan_indicator_without_missing_text"),
        message="_nan"),
    Mutant("impute_and_encode", "text_not_encoded", '''def impute_and_encode(df):
    numeric = df.select_dtypes(include="number").columns
    out = df.copy()
    out[numeric] = out[numeric].fillna(out[numeric].mean())
    return out
''', fails=("matches_reference",), message="encode every text column"),
    Mutant("impute_and_encode", "fills_the_caller_frame", '''def impute_and_encode(df):
    for column in df.select_dtypes(include="number").columns:
        df[column] = df[column].fillna(df[column].mean())
    return pd.get_dummies(df, dummy_na=True)
''', fails=("does_not_modify_input",), message="modified the caller's DataFrame"),

    # -- scaled_add_ ----------------------------------------------------------------------------------------------
    Mutant("scaled_add_", "rebinds_a_new_tensor", '''def scaled_add_(Y, X, alpha):
    Y = Y + alpha * X
    return Y
''', fails=("updates_values", "same_storage", "does_not_modify_X"), message="left Y unchanged"),
    Mutant("scaled_add_", "replaces_data", '''def scaled_add_(Y, X, alpha):
    Y.data = Y + alpha * X
    return Y
''', fails=("same_storage",), message="new memory"),
    Mutant("scaled_add_", "contiguous_copy", '''def scaled_add_(Y, X, alpha):
    Y = Y.contiguous()
    Y += alpha * X
    return Y
''', fails=("updates_values",), message="left Y unchanged"),
    Mutant("scaled_add_", "scales_X_in_place", '''def scaled_add_(Y, X, alpha):
    X *= alpha
    Y += X
    return Y
''', fails=("does_not_modify_X",), message="modified X"),
    Mutant("scaled_add_", "returns_nothing", '''def scaled_add_(Y, X, alpha):
    Y += alpha * X
''', fails=("same_storage",), message="return Y itself"),
]

VARIANTS = [
    # -- normalize_rows -------------------------------------------------------------------------------------------
    Variant("normalize_rows", "row_loop", '''def normalize_rows(X):
    return torch.stack([row / row.sum() for row in X])
'''),
    Variant("normalize_rows", "indexing_new_axis", '''def normalize_rows(X):
    return X / torch.sum(X, 1)[:, None]
'''),
    Variant("normalize_rows", "through_the_transpose", '''def normalize_rows(X):
    return (X.T / X.T.sum(axis=0)).T
'''),

    # -- standardize_columns --------------------------------------------------------------------------------------
    Variant("standardize_columns", "second_moment", '''def standardize_columns(X):
    n = X.shape[0]
    mean = X.sum(axis=0) / n
    var = ((X * X).sum(axis=0) - n * mean * mean) / (n - 1)
    return (X - mean) / var.sqrt()
'''),
    Variant("standardize_columns", "column_loop", '''def standardize_columns(X):
    columns = []
    for column in X.T:
        deviation = column - column.mean()
        columns.append(deviation / torch.sqrt(torch.dot(deviation, deviation) / (len(column) - 1)))
    return torch.stack(columns, dim=1)
'''),

    # -- pairwise_sq_dists ----------------------------------------------------------------------------------------
    Variant("pairwise_sq_dists", "expansion", '''def pairwise_sq_dists(X, Y):
    return (X * X).sum(dim=1, keepdim=True) + (Y * Y).sum(dim=1) - 2 * X @ Y.T
'''),
    Variant("pairwise_sq_dists", "expansion_clamped", '''def pairwise_sq_dists(X, Y):
    cross = torch.matmul(X, Y.t())
    D = X.pow(2).sum(-1).unsqueeze(1) - 2 * cross + Y.pow(2).sum(-1).unsqueeze(0)
    return D.clamp(min=0)
'''),
    Variant("pairwise_sq_dists", "loop_over_rows", '''def pairwise_sq_dists(X, Y):
    return torch.stack([((Y - x) ** 2).sum(dim=1) for x in X])
'''),
    Variant("pairwise_sq_dists", "einsum", '''def pairwise_sq_dists(X, Y):
    diff = X.unsqueeze(1) - Y.unsqueeze(0)
    return torch.einsum('ijk,ijk->ij', diff, diff)
'''),

    # -- matrix_norms ---------------------------------------------------------------------------------------------
    Variant("matrix_norms", "powers_and_frobenius_from_rows", '''def matrix_norms(X):
    l1 = torch.sum(torch.abs(X), dim=-1)
    l2 = torch.sum(X * X, dim=-1) ** 0.5
    return l1, l2, (l2 ** 2).sum() ** 0.5
'''),
    Variant("matrix_norms", "row_loop_and_dot", '''def matrix_norms(X):
    l1 = torch.stack([row.abs().sum() for row in X]) if len(X) else X.abs().sum(dim=1)
    l2 = torch.stack([torch.sqrt(torch.dot(row, row)) for row in X]) if len(X) else X.sum(dim=1)
    flat = X.reshape(-1)
    return l1, l2, torch.sqrt(torch.dot(flat, flat))
'''),

    # -- numerical_grad -------------------------------------------------------------------------------------------
    Variant("numerical_grad", "perturb_and_restore", '''import itertools


def numerical_grad(f, x, h=1e-5):
    x_work = x.clone()
    grad = torch.zeros_like(x)
    for idx in itertools.product(*[range(s) for s in x.shape]):
        old = x_work[idx].clone()
        x_work[idx] = old + h
        plus = f(x_work)
        x_work[idx] = old - h
        minus = f(x_work)
        x_work[idx] = old
        grad[idx] = (plus - minus) / (2 * h)
    return grad
'''),
    Variant("numerical_grad", "identity_rows", '''def numerical_grad(f, x, h=1e-5):
    steps = torch.eye(x.numel(), dtype=x.dtype, device=x.device) * h
    values = [(f(x + e.reshape(x.shape)) - f(x - e.reshape(x.shape))) / (2 * h) for e in steps]
    return torch.stack(values).reshape(x.shape)
'''),
    Variant("numerical_grad", "python_floats", '''def numerical_grad(f, x, h=1e-5):
    flat = x.reshape(-1)
    values = []
    for i in range(flat.numel()):
        plus, minus = flat.clone(), flat.clone()
        plus[i] += h
        minus[i] -= h
        values.append(float(f(plus.reshape(x.shape)) - f(minus.reshape(x.shape))) / (2 * h))
    return torch.tensor(values, dtype=x.dtype, device=x.device).reshape(x.shape)
'''),

    # -- autograd_grad --------------------------------------------------------------------------------------------
    Variant("autograd_grad", "autograd_grad_function", '''def autograd_grad(f, x):
    x_copy = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(x_copy), x_copy)
    return grad
'''),
    Variant("autograd_grad", "detach_only", '''def autograd_grad(f, x):
    leaf = x.detach().requires_grad_()
    y = f(leaf)
    y.backward()
    return leaf.grad
'''),
    Variant("autograd_grad", "torch_func_grad", '''import torch.func


def autograd_grad(f, x):
    return torch.func.grad(f)(x.detach())
'''),
    Variant("autograd_grad", "enable_grad_new_tensor", '''def autograd_grad(f, x):
    with torch.enable_grad():
        leaf = torch.tensor(x.tolist(), dtype=x.dtype, device=x.device, requires_grad=True)
        f(leaf).backward()
    return leaf.grad.detach()
'''),

    # -- impute_and_encode ----------------------------------------------------------------------------------------
    Variant("impute_and_encode", "book_order", '''def impute_and_encode(df):
    inputs = pd.get_dummies(df, dummy_na=True)
    return inputs.fillna(inputs.mean())
'''),
    Variant("impute_and_encode", "by_hand", '''def impute_and_encode(df):
    out = pd.DataFrame(index=df.index)
    for column in df.columns:
        values = df[column]
        if pd.api.types.is_numeric_dtype(values):
            out[column] = values.fillna(values.mean())
    for column in df.columns:
        values = df[column]
        if not pd.api.types.is_numeric_dtype(values):
            for level in sorted(values.dropna().unique()):
                out[f"{column}_{level}"] = (values == level).astype(int)
            out[f"{column}_nan"] = values.isna().astype(int)
    return out
'''),

    # -- scaled_add_ ----------------------------------------------------------------------------------------------
    Variant("scaled_add_", "add_underscore", '''def scaled_add_(Y, X, alpha):
    return Y.add_(X, alpha=alpha)
'''),
    Variant("scaled_add_", "slice_assignment", '''def scaled_add_(Y, X, alpha):
    Y[:] = Y + alpha * X
    return Y
'''),
    Variant("scaled_add_", "copy_into", '''def scaled_add_(Y, X, alpha):
    Y.copy_(Y + alpha * X)
    return Y
'''),
    Variant("scaled_add_", "out_argument", '''def scaled_add_(Y, X, alpha):
    torch.add(Y, X, alpha=alpha, out=Y)
    return Y
'''),
]
