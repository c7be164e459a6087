"""Hidden suite for synthetic_data(w, b, num_examples): X ~ N(0, 1), y = X w + b + N(0, 0.01**2).

The function is random, so nothing is compared value for value: the tests
check shapes, dtype and device, and statistics of X and of the noise
y - (X w + b) with bounds (about six standard errors) that a correct
implementation passes with overwhelming probability. Calls are seeded
deterministically, so a submission always gets the same score.
"""
import math

import torch
from hypothesis import given, settings, strategies as st

from autograder.strategies import dtypes, tensors
from autograder.suite import describe, expect, fail, points

NOISE_STD = 0.01
LARGEST_NOISE = 8 * NOISE_STD  # no draw of N(0, 0.01**2) in these tests comes near 8 standard deviations


def _biases(dtype, device, min_size=0.0, max_size=5.0):
    """b as a Python float or as a 0-dim tensor of w's dtype on w's device."""
    sizes = st.floats(min_size, max_size).map(lambda v: round(v, 3))
    values = st.tuples(sizes, st.sampled_from([1.0, -1.0])).map(lambda t: t[0] * t[1])
    return st.one_of(values, values.map(lambda v: torch.tensor(v, dtype=dtype, device=device)))


def _checked(student, w, b, n):
    """The student's (X, y), after checking their type, shapes, dtype and device."""
    call = f"synthetic_data(w, b, {n})"
    result = student.synthetic_data(w, b, n)
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        fail(f"{call} should return a pair (X, y), but returned {describe(result)}", w=w, b=b)
    d = len(w)
    for name, value, shape in (("X", result[0], (n, d)), ("y", result[1], (n, 1))):
        if not isinstance(value, torch.Tensor):
            fail(f"{call} should return two tensors (X, y), but its {name} is {describe(value)}", w=w, b=b)
        if tuple(value.shape) != shape:
            hint = ""
            if name == "y" and tuple(value.shape) == (n,):
                hint = "; reshape the labels into a column with y.reshape(-1, 1)"
            elif name == "y" and tuple(value.shape) == (n, n):
                hint = ("; a tensor of shape (n,) was combined with one of shape (n, 1), which broadcasts to "
                        "(n, n): add b and the noise to X @ w (shape (n,)) and reshape only at the end")
            elif name == "y" and d > 1 and value.numel() == n * d:
                hint = "; y holds one label per example: use the matrix-vector product X @ w, not X * w"
            elif name == "X":
                hint = "; X holds num_examples rows of len(w) features"
            fail(f"{call} returned {name} of shape {tuple(value.shape)}, expected {shape} "
                 f"for w of length {d}{hint}", w=w, b=b)
        if value.dtype != w.dtype:
            fail(f"{call} returned {name} with dtype {value.dtype}, but w has dtype {w.dtype}: create X and the "
                 f"noise with w's dtype (dtype=w.dtype, or torch.randn_like) instead of the default float32",
                 w=w, b=b)
        if value.device != w.device:
            fail(f"{call} returned {name} on {value.device}, but w is on {w.device}: create X and the noise on "
                 f"w's device (device=w.device, or torch.randn_like)", w=w, b=b)
    return result[0], result[1]


def _noise(X, y, w, b):
    """y - (X w + b), computed in float64 on the CPU."""
    X, y, w = X.detach().double().cpu(), y.detach().double().cpu(), w.double().cpu()
    b = float(b)
    return (y - (X @ w + b).reshape(-1, 1)).reshape(-1)


@points(2)
@given(d=st.integers(1, 6), n=st.integers(0, 40), dtype=dtypes(), data=st.data())
def test_shapes_dtype_device(student, device, d, n, dtype, data):
    """X has shape (n, d) and y shape (n, 1), both with w's dtype and on w's device."""
    w = data.draw(tensors((d,), dtype=dtype, min_value=-5.0, max_value=5.0)).to(device)
    b = data.draw(_biases(dtype, device))
    _checked(student, w, b, n)


@points(2)
@settings(max_examples=10)
@given(d=st.integers(1, 5), dtype=dtypes(), data=st.data())
def test_labels_follow_linear_model(student, d, dtype, data):
    """y equals X w + b up to the small noise, for every example."""
    n = 300
    w = data.draw(tensors((d,), dtype=dtype, min_value=-5.0, max_value=5.0))
    b = data.draw(_biases(dtype, "cpu", min_size=0.5))
    X, y = _checked(student, w, b, n)
    noise = _noise(X, y, w, b)
    largest = noise.abs().max().item()
    if largest > LARGEST_NOISE:
        without_b = (noise + float(b)).abs().max().item()
        if without_b <= LARGEST_NOISE:
            fail(f"y is X @ w without the bias: y - (X @ w + b) is about {-float(b):.3g} for every example; "
                 f"add b to X @ w", w=w, b=b, n=n)
        fail(f"y is not X @ w + b plus small noise: the largest |y - (X @ w + b)| over {n} examples is "
             f"{largest:.3g} (mean {noise.mean().item():.3g}, standard deviation {noise.std().item():.3g}); "
             f"with noise of standard deviation {NOISE_STD} it stays below {LARGEST_NOISE:g}. Compute the labels "
             f"from the X you return (y = X @ w + b + noise)", w=w, b=b, n=n)


@points(1)
@settings(max_examples=5)
@given(d=st.integers(1, 4), dtype=dtypes(), data=st.data())
def test_noise_level(student, d, dtype, data):
    """The noise y - (X w + b) has mean 0 and standard deviation 0.01."""
    n = 2000
    w = data.draw(tensors((d,), dtype=dtype, min_value=-5.0, max_value=5.0))
    b = data.draw(_biases(dtype, "cpu"))
    X, y = _checked(student, w, b, n)
    noise = _noise(X, y, w, b)
    mean, std = noise.mean().item(), noise.std().item()
    # standard errors: NOISE_STD / sqrt(n) for the mean, NOISE_STD / sqrt(2 n) for the standard deviation
    mean_bound = 6 * NOISE_STD / math.sqrt(n)
    std_bound = 6 * NOISE_STD / math.sqrt(2 * n)
    if std < 1e-6:
        fail(f"y is exactly X @ w + b: add Gaussian noise with standard deviation {NOISE_STD} "
             f"(e.g. {NOISE_STD} * torch.randn_like(y))", w=w, b=b, n=n)
    expect(abs(std - NOISE_STD) <= std_bound,
           f"the noise y - (X @ w + b) over {n} examples has standard deviation {std:.4g}, expected "
           f"{NOISE_STD} (within {std_bound:.2g}): draw it as {NOISE_STD} * standard normal noise",
           w=w, b=b, n=n)
    expect(abs(mean) <= mean_bound,
           f"the noise y - (X @ w + b) over {n} examples has mean {mean:.3g}, expected 0 (within "
           f"{mean_bound:.2g}): the noise must be centred", w=w, b=b, n=n)


@points(1)
@settings(max_examples=5)
@given(d=st.integers(2, 4), dtype=dtypes(), data=st.data())
def test_features_standard_normal(student, d, dtype, data):
    """The features X are independent standard normal draws: mean 0, variance 1, uncorrelated columns."""
    n = 2000
    w = data.draw(tensors((d,), dtype=dtype, min_value=-5.0, max_value=5.0))
    b = data.draw(_biases(dtype, "cpu"))
    X, _ = _checked(student, w, b, n)
    X = X.detach().double().cpu()
    hint = "draw X with torch.randn (or torch.normal(0, 1, ...)), one independent value per entry"
    means, variances = X.mean(dim=0), X.var(dim=0)
    mean_bound, variance_bound = 6 / math.sqrt(n), 6 * math.sqrt(2 / n)
    worst = (means.abs().argmax().item(), (variances - 1).abs().argmax().item())
    expect(means.abs().max().item() <= mean_bound,
           f"column {worst[0]} of X has mean {means[worst[0]].item():.3g} over {n} examples, expected 0 "
           f"(within {mean_bound:.2g}): {hint}", w=w, b=b, n=n)
    expect((variances - 1).abs().max().item() <= variance_bound,
           f"column {worst[1]} of X has variance {variances[worst[1]].item():.3g} over {n} examples, expected 1 "
           f"(within {variance_bound:.2g}): {hint}", w=w, b=b, n=n)
    correlation = torch.corrcoef(X.T) - torch.eye(d, dtype=torch.float64)
    expect(correlation.abs().max().item() <= mean_bound,
           f"the columns of X are correlated (largest correlation {correlation.abs().max().item():.3g} over "
           f"{n} examples, expected 0 within {mean_bound:.2g}): {hint}", w=w, b=b, n=n)
    # a standard normal value exceeds 1.96 in size with probability 0.05
    tail = (X.abs() > 1.96).double().mean().item()
    tail_bound = 6 * math.sqrt(0.05 * 0.95 / X.numel())
    expect(abs(tail - 0.05) <= tail_bound,
           f"{100 * tail:.3g}% of the entries of X exceed 1.96 in size, expected 5% for standard normal draws "
           f"(within {100 * tail_bound:.2g}%): {hint}", w=w, b=b, n=n)
