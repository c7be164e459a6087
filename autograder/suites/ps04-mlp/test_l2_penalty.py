"""Hidden suite for l2_penalty(w): (w ** 2).sum() / 2 as a 0-dim tensor."""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.strategies import tensors
from autograder.suite import expect_close, fail, points

CALL = "l2_penalty(w)"

SHAPES = st.one_of(st.tuples(st.integers(2, 8), st.just(1)), st.tuples(st.integers(2, 8)),
                   st.tuples(st.integers(2, 5), st.integers(2, 5)))


def expect_penalty(got, w):
    expected = d2l.l2_penalty(w)
    if isinstance(got, torch.Tensor) and got.numel() == 1 and got.dtype == w.dtype:
        value, squares = got.detach().cpu().reshape(()), (w.detach().cpu() ** 2)
        for wrong, hint in ((squares.sum(), "forgot the factor 1/2: return (w ** 2).sum() / 2"),
                            (squares.sum().sqrt(), "returned the norm ||w||; return half its SQUARE, "
                                                   "(w ** 2).sum() / 2"),
                            (squares.sum().sqrt() / 2, "returned ||w|| / 2; return half the SQUARED norm, "
                                                       "(w ** 2).sum() / 2"),
                            (squares.mean() / 2, "averaged the squares; SUM them: (w ** 2).sum() / 2"),
                            (w.detach().cpu().abs().sum() / 2, "used |w| (an L1 penalty); square the entries")):
            if torch.allclose(value, wrong, rtol=1e-5, atol=1e-6) and \
                    not torch.allclose(value, expected.detach().cpu(), rtol=1e-5, atol=1e-6):
                fail(f"{CALL} {hint}", w=w)
        if got.dim() != 0:
            fail(f"{CALL} returned shape {tuple(got.shape)}; return a 0-dim tensor (a scalar: .sum() over all "
                 f"entries, no keepdim)", w=w)
    expect_close(got, expected, CALL, w=w)


@points(2)
@given(data=st.data())
def test_matches_reference(student, device, data):
    """l2_penalty(w) is half the sum of the squared entries, a 0-dim tensor with w's dtype and device."""
    w = data.draw(tensors(data.draw(SHAPES), min_value=-3.0, max_value=3.0)).to(device)
    expect_penalty(student.l2_penalty(w), w)


def _penalty_gradient(ns, w):
    """l2_penalty(w).backward()"""
    import torch

    w = w.clone().requires_grad_(True)
    value = ns["l2_penalty"](w)
    if not isinstance(value, torch.Tensor) or not value.requires_grad:
        return "returned a value that is not connected to w"
    value.sum().backward()
    return [value.detach(), w.grad]


@points(1)
@settings(max_examples=12)
@given(data=st.data())
def test_gradient(student, data):
    """Autograd through l2_penalty gives the gradient w (float64), so weight decay shrinks w by lr * lambd * w."""
    w = data.draw(tensors(data.draw(SHAPES), dtype=torch.float64, min_value=-3.0, max_value=3.0))
    got = student.run(_penalty_gradient, w)
    if isinstance(got, str):
        fail(f"no gradient can flow through {CALL}: it {got}; compute it with tensor operations", w=w)
    expect_penalty(got[0], w)
    expect_close(got[1], w, f"the gradient of {CALL} with respect to w", w=w)
