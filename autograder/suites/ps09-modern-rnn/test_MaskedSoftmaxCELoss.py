"""Hidden suite for the class MaskedSoftmaxCELoss: forward(pred, label, valid_len) -> per-sequence loss (B,)."""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.strategies import dtypes, tensors
from autograder.suite import expect_close, fail, points

CALL = "MaskedSoftmaxCELoss()(pred, label, valid_len)"


@st.composite
def problems(draw, dtype=None, with_empty=False):
    dtype = dtype or draw(dtypes())
    B, T, V = draw(st.integers(1, 4)), draw(st.integers(1, 5)), draw(st.integers(2, 5))
    pred = draw(tensors((B, T, V), dtype=dtype, min_value=-3.0, max_value=3.0))
    seed = draw(st.integers(0, 2**31 - 1))
    label = torch.randint(0, V, (B, T), generator=torch.Generator().manual_seed(seed))
    lens = draw(st.lists(st.integers(0, T), min_size=B, max_size=B))
    if with_empty:
        lens[draw(st.integers(0, B - 1))] = 0
    return pred, label, torch.tensor(lens)


def _loss(ns, pred, label, valid_len, grad):
    """MaskedSoftmaxCELoss()(pred, label, valid_len), and the gradient of (loss * grad).sum() for pred"""
    pred = pred.clone().requires_grad_(True)
    loss = ns["MaskedSoftmaxCELoss"]()(pred, label, valid_len)
    result = {"loss": loss.detach().clone() if hasattr(loss, "detach") else loss}
    if grad is not None:
        (loss * grad).sum().backward()
        result["grad"] = pred.grad
    return result


def _check(got, pred, label, valid):
    info = dict(pred=pred, label=label, valid_len=valid)
    expected = d2l.MaskedSoftmaxCELoss()(pred, label, valid)
    if isinstance(got, torch.Tensor) and got.shape == expected.shape and got.dtype == expected.dtype:
        g, e = got.detach().cpu(), expected.detach().cpu()
        if torch.isnan(g).any() and not torch.isnan(e).any():
            fail(f"{CALL} returned NaN for a sequence with valid_len 0: divide the masked sum by the number of steps "
                 f"T (a mean over dim 1), not by valid_len", **info)
        lens = valid.cpu().to(e.dtype)
        by_valid = torch.where(lens > 0, e * pred.shape[1] / lens.clamp(min=1), e)
        if torch.allclose(g, by_valid, rtol=1e-4, atol=1e-5) and not torch.allclose(by_valid, e, rtol=1e-4, atol=1e-5):
            fail(f"{CALL} divided by valid_len; the course's loss averages over all T steps (padding counts 0)",
                 **info)
        unmasked = torch.nn.functional.cross_entropy(pred.detach().cpu().permute(0, 2, 1), label.cpu(),
                                                     reduction="none").mean(dim=1)
        if torch.allclose(g, unmasked, rtol=1e-4, atol=1e-5) and not torch.allclose(unmasked, e, rtol=1e-4, atol=1e-5):
            fail(f"{CALL} did not mask the padding: multiply each step's loss by the mask of steps t < valid_len[b] "
                 f"before averaging", **info)
    if isinstance(got, torch.Tensor) and got.dim() == 0:
        fail(f"{CALL} returned one number; return one loss per sequence, shape (B,) = ({pred.shape[0]},) "
             f"(reduction='none', then the mean over dim 1)", **info)
    expect_close(got, expected, CALL, **info)


@points(2)
@given(problem=problems())
def test_matches_reference(student, device, problem):
    """The loss of each sequence: the masked token losses summed over steps t < valid_len, divided by T."""
    pred, label, valid = (t.to(device) for t in problem)
    _check(student.run(_loss, pred, label, valid, None)["loss"], pred, label, valid)


@points(1)
@given(problem=problems(with_empty=True))
def test_all_padding_gives_zero(student, problem):
    """A sequence with valid_len 0 has loss 0 (not NaN)."""
    pred, label, valid = problem
    _check(student.run(_loss, pred, label, valid, None)["loss"], pred, label, valid)


@points(2)
@settings(max_examples=10)
@given(problem=problems(dtype=torch.float64), data=st.data())
def test_gradient(student, problem, data):
    """Gradients flow to pred only through unmasked steps, as in the reference (float64)."""
    pred, label, valid = problem
    grad = data.draw(tensors((pred.shape[0],), dtype=torch.float64, noncontiguous=False))
    expected = _loss({"MaskedSoftmaxCELoss": d2l.MaskedSoftmaxCELoss}, pred, label, valid, grad)
    got = student.run(_loss, pred, label, valid, grad)
    _check(got["loss"], pred, label, valid)
    expect_close(got["grad"], expected["grad"], f"the gradient of ({CALL} * w).sum() with respect to pred",
                 pred=pred, label=label, valid_len=valid)
