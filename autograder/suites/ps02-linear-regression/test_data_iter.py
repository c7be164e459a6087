"""Hidden suite for data_iter(batch_size, features, labels): shuffled minibatches, every example once per pass.

data_iter is a generator, so it is consumed by a driver in the worker,
which sends back the list of batches of each pass. The features carry
their example's index in column 0, which tells the harness which
examples a batch holds and in which order.
"""
import torch
from hypothesis import given, settings, strategies as st

from autograder.strategies import dtypes, tensors
from autograder.suite import describe, expect, fail, points


def _passes(ns, batch_size, features, labels, passes):
    """list(data_iter(batch_size, features, labels)), once per pass"""
    features_before, labels_before = features.clone(), labels.clone()
    limit = len(features) + 2  # a correct data_iter yields at most len(features) batches per pass
    result = []
    for _ in range(passes):
        batches = []
        for batch in ns["data_iter"](batch_size, features, labels):
            batches.append(tuple(batch) if isinstance(batch, (list, tuple)) else batch)
            if len(batches) >= limit:
                break
        # well-formed batches travel as one tensor of features and one of labels (much faster to send)
        well_formed = batches and all(
            type(b) is tuple and len(b) == 2 and all(type(t) is torch.Tensor for t in b)
            and b[0].dtype == batches[0][0].dtype and b[1].dtype == batches[0][1].dtype
            and b[0].device == batches[0][0].device and b[1].device == batches[0][1].device
            and b[0].dim() >= 1 and b[1].dim() >= 1 and b[0].shape[1:] == batches[0][0].shape[1:]
            and b[1].shape[1:] == batches[0][1].shape[1:] for b in batches)
        if well_formed:
            batches = {"X": torch.cat([b[0] for b in batches]), "y": torch.cat([b[1] for b in batches]),
                       "sizes": [(len(b[0]), len(b[1])) for b in batches]}
        result.append(batches)
    unchanged = (features.shape == features_before.shape and labels.shape == labels_before.shape
                 and bool(torch.equal(features, features_before)) and bool(torch.equal(labels, labels_before)))
    return {"passes": result, "inputs_unchanged": unchanged}


def _unpack(batches):
    """The list of (X, y) batches of one pass, from the driver's reply."""
    if isinstance(batches, dict):
        X, y, sizes = batches["X"], batches["y"], batches["sizes"]
        X_parts = X.split([a for a, _ in sizes])
        y_parts = y.split([b for _, b in sizes])
        return list(zip(X_parts, y_parts))
    return batches


def _data(data, n, d, dtype, device):
    """features (n, d) whose column 0 is the example's index, labels (n, 1)."""
    features = data.draw(tensors((n, d), dtype=dtype))
    features[:, 0] = torch.arange(n, dtype=dtype)
    labels = data.draw(tensors((n, 1), dtype=dtype, noncontiguous=False))
    return features.to(device), labels.to(device)


def _run(student, batch_size, features, labels, passes=1):
    reply = student.run(_passes, batch_size, features, labels, passes)
    if not isinstance(reply, dict) or "passes" not in reply:
        fail(f"data_iter({batch_size}, features, labels) did not return batches the grader can read")
    call = f"data_iter({batch_size}, features, labels)"
    if not reply["inputs_unchanged"]:
        fail(f"{call} modified features or labels in place: index them with shuffled indices "
             f"(features[idx], labels[idx]) instead of shuffling the tensors themselves",
             batch_size=batch_size, features=features, labels=labels)
    return [_checked_pass(_unpack(batches), call, batch_size, features, labels) for batches in reply["passes"]]


def _checked_pass(batches, call, batch_size, features, labels):
    """(sizes, order, y) of one pass: batch sizes, the example index of every row yielded, the labels (on the CPU).

    Checks the batches' types, shapes, dtype and device, and that every row is a row of features.
    """
    n = len(features)
    inputs = {"batch_size": batch_size, "features": features, "labels": labels}
    if len(batches) > n:
        fail(f"{call} yielded more than {n} batches for {n} examples: stop after one pass over the data",
             **inputs)
    for k, batch in enumerate(batches):
        if not (isinstance(batch, tuple) and len(batch) == 2):
            fail(f"{call} should yield pairs (X, y), but batch {k} is {describe(batch)}", **inputs)
        for name, value, source in (("X", batch[0], features), ("y", batch[1], labels)):
            if not isinstance(value, torch.Tensor):
                fail(f"{call} should yield pairs of tensors, but {name} in batch {k} is {describe(value)}",
                     **inputs)
            if value.dim() != source.dim() or tuple(value.shape[1:]) != tuple(source.shape[1:]):
                what = "features" if name == "X" else "labels"
                fail(f"{call} yielded {name} of shape {tuple(value.shape)} in batch {k}; a batch of {what} has "
                     f"shape (batch, {', '.join(map(str, source.shape[1:]))}): index {what} with a tensor (or "
                     f"list) of indices, {what}[idx]", **inputs)
            if value.dtype != source.dtype:
                fail(f"{call} yielded {name} with dtype {value.dtype} for {source.dtype} inputs: keep the "
                     f"input's dtype; do not convert", **inputs)
            if value.device != source.device:
                fail(f"{call} yielded {name} on {value.device} for inputs on {source.device}: batches must stay "
                     f"on the device of features and labels", **inputs)
        if len(batch[0]) != len(batch[1]):
            fail(f"{call} yielded a batch with {len(batch[0])} feature rows but {len(batch[1])} labels "
                 f"(batch {k})", **inputs)
    if not batches:
        return [], [], labels[:0].cpu()
    X = torch.cat([X for X, _ in batches]).cpu()
    y = torch.cat([y for _, y in batches]).cpu()
    index = X[:, 0].round().long()
    if ((index < 0) | (index >= n)).any() or not torch.equal(X, features.cpu()[index]):
        fail(f"{call} yielded feature rows that are not rows of features: yield whole rows features[idx], "
             f"with idx a tensor (or list) of example indices", **inputs)
    return [len(X) for X, _ in batches], index.tolist(), y


def _expect_each_example_once(one_pass, call, **inputs):
    n = len(inputs["features"])
    _, order, _ = one_pass
    counts = torch.bincount(torch.tensor(order, dtype=torch.long), minlength=n).tolist()
    missing = [i for i, count in enumerate(counts) if count == 0]
    repeated = [i for i, count in enumerate(counts) if count > 1]
    if missing or repeated:
        parts = []
        if missing:
            parts.append(f"{len(missing)} example(s) never appear (e.g. index {missing[0]})")
        if repeated:
            parts.append(f"{len(repeated)} appear more than once (e.g. index {repeated[0]})")
        fail(f"one pass of {call} should yield each of the {n} examples exactly once, but "
             f"{' and '.join(parts)}: shuffle a list of all indices once and slice it into batches "
             f"(the last batch may be smaller)", **inputs)


@points(2)
@given(n=st.integers(1, 40), d=st.integers(1, 4), batch_size=st.integers(1, 12), dtype=dtypes(),
       data=st.data())
def test_each_example_once_per_pass(student, device, n, d, batch_size, dtype, data):
    """One pass yields every example exactly once, as (features, labels) batches on the input's device and dtype."""
    features, labels = _data(data, n, d, dtype, device)
    (one_pass,) = _run(student, batch_size, features, labels)
    _expect_each_example_once(one_pass, f"data_iter({batch_size}, features, labels)", batch_size=batch_size,
                              features=features, labels=labels)


@points(1)
@settings(max_examples=15)
@given(n=st.integers(2, 40), d=st.integers(1, 4), batch_size=st.integers(1, 12), data=st.data())
def test_features_and_labels_stay_paired(student, n, d, batch_size, data):
    """Each label comes in the same batch and position as its own features."""
    features, labels = _data(data, n, d, data.draw(dtypes()), "cpu")
    ((_, order, y),) = _run(student, batch_size, features, labels)
    expect(torch.equal(y, labels[order]),
           f"data_iter({batch_size}, features, labels) yielded labels that do not belong to the features next to "
           f"them: index features and labels with the same indices, (features[idx], labels[idx])",
           batch_size=batch_size, features=features, labels=labels)


@points(1)
@given(n=st.integers(1, 60), batch_size=st.integers(1, 16), data=st.data())
def test_batch_sizes(student, n, batch_size, data):
    """Batches hold batch_size examples, except a smaller last batch when batch_size does not divide n."""
    features, labels = _data(data, n, 2, torch.float32, "cpu")
    ((sizes, _, _),) = _run(student, batch_size, features, labels)
    expected = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    call = f"data_iter({batch_size}, features, labels)"
    if sizes == expected[:-1] and n % batch_size:
        fail(f"{call} dropped the last, smaller batch: with {n} examples it should end with a batch of "
             f"{n % batch_size} (batch sizes {expected}, got {sizes})", batch_size=batch_size, n=n)
    expect(sizes == expected,
           f"{call} yielded batches of sizes {sizes} for {n} examples, expected {expected}: slice the shuffled "
           f"indices as idx[i:i + batch_size] for i in range(0, n, batch_size)", batch_size=batch_size, n=n)


@points(1)
@settings(max_examples=10)
@given(n=st.integers(20, 80), batch_size=st.integers(2, 10), data=st.data())
def test_order_is_shuffled(student, n, batch_size, data):
    """The examples come in a random order, not in their original order or in fixed blocks."""
    features, labels = _data(data, n, 2, torch.float32, "cpu")
    (one_pass,) = _run(student, batch_size, features, labels)
    call = f"data_iter({batch_size}, features, labels)"
    _expect_each_example_once(one_pass, call, batch_size=batch_size, features=features, labels=labels)
    sizes, order, _ = one_pass
    expect(order != list(range(n)),
           f"{call} yielded the {n} examples in their original order: shuffle the indices first "
           f"(torch.randperm(n) or random.shuffle)", batch_size=batch_size, n=n)
    starts = [sum(sizes[:k]) for k in range(len(sizes))]
    blocks = all(order[start:start + size] == list(range(order[start], order[start] + size))
                 for start, size in zip(starts, sizes))
    expect(not blocks,
           f"{call} only shuffles the order of fixed blocks of consecutive examples: shuffle the examples "
           f"themselves, then slice the shuffled indices into batches", batch_size=batch_size, n=n)


@points(1)
@settings(max_examples=10)
@given(n=st.integers(20, 80), batch_size=st.integers(1, 10), data=st.data())
def test_reshuffles_every_pass(student, n, batch_size, data):
    """A second pass over the data (a new call) visits the examples in a new random order."""
    features, labels = _data(data, n, 2, torch.float32, "cpu")
    first, second = _run(student, batch_size, features, labels, passes=2)
    call = f"data_iter({batch_size}, features, labels)"
    for one_pass in (first, second):
        _expect_each_example_once(one_pass, call, batch_size=batch_size, features=features, labels=labels)
    expect(first[1] != second[1],
           f"two passes of {call} yielded the examples in the same order: draw a new random permutation every "
           f"time data_iter is called (do not reseed or reuse a fixed order)", batch_size=batch_size, n=n)
