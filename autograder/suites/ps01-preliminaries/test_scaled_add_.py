"""Hidden suite for scaled_add_(Y, X, alpha): Y += alpha * X in Y's own storage; returns Y itself.

A driver runs the call in the worker and reports whether the returned
object is Y, whether Y's data_ptr and strides are unchanged, and Y and X
after the call. Y is sometimes a transposed (non-contiguous) view, built
in the worker.
"""
import torch
from hypothesis import given, strategies as st

from autograder.strategies import dtypes, tensors
from autograder.suite import expect, expect_close, fail, points

CALL = "scaled_add_(Y, X, alpha)"


def _scaled_add(ns, Y, X, alpha, transposed):
    """scaled_add_(Y, X, alpha) on a tensor Y the grader keeps a reference to"""
    import torch

    if transposed:  # a non-contiguous view: the transpose of a contiguous tensor
        Y = Y.t().contiguous().t()
    X_before = X.clone()
    address, strides, identity = Y.data_ptr(), Y.stride(), id(Y)
    out = ns["scaled_add_"](Y, X, alpha)
    return {
        "returned_Y": out is Y,
        "returned_tensor": isinstance(out, torch.Tensor),
        "out": out.detach().clone() if isinstance(out, torch.Tensor) else None,
        "same_storage": Y.data_ptr() == address and id(Y) == identity,
        "same_strides": Y.stride() == strides,
        "Y": Y.detach().clone(),
        "X_unchanged": bool(torch.equal(X, X_before)),
    }


@st.composite
def _inputs(draw, dtype=None):
    dtype = dtype or draw(dtypes())
    rows, cols = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    Y = draw(tensors((rows, cols), dtype=dtype, noncontiguous=False))
    x_shape = draw(st.sampled_from([(rows, cols), (cols,), (1, cols), (rows, 1)]))
    X = draw(tensors(x_shape, dtype=dtype, noncontiguous=False))
    alpha = draw(st.sampled_from([1.0, -0.5, 2.0, 0.1]))
    transposed = rows > 1 and cols > 1 and draw(st.booleans())
    return Y, X, alpha, transposed


def _run(student, Y, X, alpha, transposed):
    reply = student.run(_scaled_add, Y, X, alpha, transposed, describe_as=CALL)
    inputs = {"Y": Y, "X": X, "alpha": alpha}
    if transposed:
        inputs["Y is"] = "a non-contiguous (transposed) view"
    expected = Y + alpha * X
    if reply["returned_tensor"] and isinstance(reply["out"], torch.Tensor) and reply["out"].shape == expected.shape \
            and reply["out"].device == expected.device and reply["out"].dtype == expected.dtype \
            and torch.allclose(reply["out"], expected, rtol=1e-4, atol=1e-5) \
            and torch.equal(reply["Y"], Y):
        fail(f"{CALL} returned Y + alpha * X as a new tensor but left Y unchanged: update Y in place "
             f"(Y += alpha * X, Y[:] = ..., or Y.add_(X, alpha=alpha)); Y = Y + alpha * X only rebinds a local "
             f"name" + (", and Y.contiguous() copies a non-contiguous Y" if transposed else ""), **inputs)
    expect_close(reply["Y"], expected, f"Y after {CALL}", **inputs)
    return reply, inputs


@points(2)
@given(inputs=_inputs())
def test_updates_values(student, device, inputs):
    """After the call Y holds Y + alpha * X (X broadcast to Y's shape), with Y's dtype and device."""
    Y, X, alpha, transposed = inputs
    _run(student, Y.to(device), X.to(device), alpha, transposed)


@points(2)
@given(inputs=_inputs())
def test_same_storage(student, device, inputs):
    """Y is updated in its own memory (same data_ptr and strides) and the returned object is Y itself."""
    Y, X, alpha, transposed = inputs
    reply, inputs = _run(student, Y.to(device), X.to(device), alpha, transposed)
    expect(reply["same_storage"],
           f"{CALL} gave Y new memory (its data_ptr() changed): Y.data = ... and Y.set_(...) replace the storage; "
           f"write into the existing one with Y += alpha * X or Y.add_(X, alpha=alpha)", **inputs)
    expect(reply["same_strides"], f"{CALL} changed Y's strides (its memory layout): update the values in place",
           **inputs)
    expect(reply["returned_Y"], f"{CALL} should return Y itself (return Y after the in-place update), but "
                                f"returned " + ("another tensor" if reply["returned_tensor"] else "no tensor"),
           **inputs)


@points(1)
@given(inputs=_inputs())
def test_does_not_modify_X(student, inputs):
    """scaled_add_ updates Y correctly and leaves X unchanged."""
    Y, X, alpha, transposed = inputs
    reply, inputs = _run(student, Y, X, alpha, transposed)
    expect(reply["X_unchanged"], f"{CALL} modified X: scale a new tensor (alpha * X), not X itself (X *= alpha)",
           **inputs)
