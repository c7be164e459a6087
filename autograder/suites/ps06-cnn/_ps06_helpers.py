"""Shared strategies, drivers and checks of the ps06-cnn hidden suites.

Exercises that build on earlier ones (Conv2D, learn_kernel, the multi-channel
correlations) are run by :func:`run` with a correct ``corr2d`` (and
``corr2d_multi_in``) swapped into the student's namespace, so that a bug in
an earlier exercise costs points only in its own suite.
"""
from __future__ import annotations

import torch
from hypothesis import strategies as st

from autograder.strategies import dtypes, tensors
from autograder.suite import describe, expect_close, fail, tolerances


def pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


@st.composite
def images(draw, shape, dtype=None, noncontiguous=None):
    """A tensor of ``shape`` with values in [-1, 1] (float32 or float64, possibly a non-contiguous view)."""
    return draw(tensors(tuple(shape), dtype=dtype, min_value=-1.0, max_value=1.0, noncontiguous=noncontiguous))


@st.composite
def image_and_kernel(draw, dtype=None, max_side=7, square_kernel=None, kernel=None, channels_in=None,
                     channels_out=None):
    """(X, K): X (h, w) and K (kh, kw) fitting in it; with ``channels_in`` X is (c_i, h, w) and K (c_i, kh, kw);
    with ``channels_out`` too, K is (c_o, c_i, kh, kw). Square images are drawn often."""
    dtype = dtype or draw(dtypes())
    h = draw(st.integers(1, max_side))
    w = draw(st.one_of(st.just(h), st.integers(1, max_side)))
    if kernel is not None:
        kh, kw = kernel(h, w)
    else:
        kh = draw(st.integers(1, h))
        kw = draw(st.integers(1, w))
        if square_kernel is False:
            if h == w == 1:
                w = 2
            if w == 1:
                kh, kw = draw(st.integers(2, h)), 1
            else:
                kw = draw(st.sampled_from([k for k in range(1, w + 1) if k != kh]))
    lead_x = () if channels_in is None else (channels_in,)
    lead_k = lead_x if channels_out is None else (channels_out,) + lead_x
    X = draw(images(lead_x + (h, w), dtype=dtype))
    K = draw(images(lead_k + (kh, kw), dtype=dtype))
    return X, K


def terms_tolerance(dtype, terms):
    """(rtol, atol) for a sum of ``terms`` products of values in [-1, 1]."""
    rtol, atol = tolerances(dtype)
    return rtol, atol * max(1, terms)


def close(got, expected, terms=1) -> bool:
    if not (isinstance(got, torch.Tensor) and got.shape == expected.shape and got.dtype == expected.dtype
            and got.device == expected.device):
        return False
    rtol, atol = terms_tolerance(expected.dtype, terms)
    return torch.allclose(got.detach(), expected.detach(), rtol=rtol, atol=atol)


def expect_values(got, expected, call, terms=1, **inputs):
    rtol, atol = terms_tolerance(expected.dtype, terms)
    expect_close(got, expected, call, rtol=rtol, atol=atol, **inputs)


def _isolated(ns, name, args, kwargs=None, replace=(), grad_of=(), G=None, return_args=False):
    """NAME(*args, **kwargs) with correct helper functions from earlier exercises"""
    import torch

    def corr2d(X, K):
        kh, kw = K.shape
        return (X.unfold(0, kh, 1).unfold(1, kw, 1) * K).sum(dim=(-2, -1))

    def corr2d_multi_in(X, K):
        return sum(corr2d(x, k) for x, k in zip(X, K))

    def corr2d_multi_in_out(X, K):
        return torch.stack([corr2d_multi_in(X, k) for k in K], 0)

    def pool2d(X, pool_size, mode='max'):
        windows = X.unfold(0, pool_size[0], 1).unfold(1, pool_size[1], 1)
        return windows.amax(dim=(-2, -1)) if mode == 'max' else windows.mean(dim=(-2, -1))

    helpers = {"corr2d": corr2d, "corr2d_multi_in": corr2d_multi_in, "corr2d_multi_in_out": corr2d_multi_in_out,
               "pool2d": pool2d}
    function = ns[name]
    args = list(args)
    for index in grad_of:
        args[index] = args[index].detach().clone().requires_grad_(True)
    with ns.replaced(**{key: helpers[key] for key in replace}):
        value = function(*args, **(kwargs or {}))
    result = {}
    if grad_of:
        if not isinstance(value, torch.Tensor) or not value.requires_grad:
            result["grads"] = "the result is not connected to the inputs by autograd"
        else:
            (value * G).sum().backward()
            result["grads"] = [args[index].grad for index in grad_of]
    result["value"] = value.detach() if isinstance(value, torch.Tensor) else value
    if return_args:
        result["args"] = [a.detach() if isinstance(a, torch.Tensor) else a for a in args]
    return result


def run(student, name, *args, replace=(), grad_of=(), G=None, return_args=False, call=None, **kwargs):
    """Run ``name(*args, **kwargs)`` in the worker (with correct versions of the functions in ``replace``).

    Returns a dict with ``value``, and ``args`` (after the call) or ``grads`` when asked.
    """
    return student.run(_isolated, name, args, kwargs, tuple(replace), tuple(grad_of), G, return_args,
                       describe_as=call or f"{name}(...)")


def check_gradients(result, expected_grads, names, call, **inputs):
    """Compare the gradients a driver returned with the reference's, naming the argument."""
    grads = result["grads"]
    if isinstance(grads, str):
        fail(f"no gradient flows through {call}: {grads}; compute it with tensor operations on the inputs (no "
             f".item(), .tolist(), .detach(), torch.tensor(...) or torch.no_grad())", **inputs)
    for name, got, expected in zip(names, grads, expected_grads):
        if got is None:
            fail(f"no gradient reached {name} through {call}: build the result from {name} with tensor "
                 f"operations (no .item(), .tolist(), .detach() or torch.tensor(...))", **inputs)
        expect_values(got, expected, f"the gradient of ({call} * G).sum() with respect to {name}", terms=50,
                      **inputs)


def check_unchanged(result, originals, names, call, **inputs):
    for name, before, after in zip(names, originals, result["args"]):
        if not (isinstance(after, torch.Tensor) and after.shape == before.shape and torch.equal(after, before)):
            fail(f"{call} modified its input {name} in place (it is now {describe(after)}); compute the result "
                 f"in a new tensor", **inputs)
