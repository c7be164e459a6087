"""Hidden suite for bi_rnn(inputs, params_fwd, params_bwd): forward and reversed tanh RNNs concatenated."""
import torch
from hypothesis import given, strategies as st

import d2lkit as d2l
from autograder.strategies import dtypes, tensors
from autograder.suite import expect_close, fail, points

CALL = "bi_rnn(inputs, params_fwd, params_bwd)"


@st.composite
def problems(draw, min_steps=1):
    dtype = draw(dtypes())
    T, B, d = draw(st.integers(min_steps, 5)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    hf, hb = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    inputs = draw(tensors((T, B, d), dtype=dtype, min_value=-1.0, max_value=1.0))

    def params(h):
        return [draw(tensors(s, dtype=dtype, min_value=-1.0, max_value=1.0)) for s in ((d, h), (h, h), (h,))]
    return inputs, params(hf), params(hb)


def _check(got, inputs, pf, pb):
    info = dict(inputs=inputs, params_fwd=pf, params_bwd=pb)
    expected = d2l.bi_rnn(inputs, pf, pb)
    if isinstance(got, torch.Tensor) and got.shape == expected.shape and got.dtype == expected.dtype \
            and inputs.shape[0] > 1 and not torch.allclose(got, expected, rtol=1e-4, atol=1e-5):
        h = pf[1].shape[0]
        unflipped = d2l.deep_rnn(inputs.flip(0), None, [pb])[0]
        if torch.allclose(got[..., h:], unflipped, rtol=1e-4, atol=1e-5):
            fail(f"{CALL}: the backward outputs are in reversed time order; flip them back (outputs.flip(0)) so "
                 f"that step t holds the backward state that has read steps T-1 down to t", **info)
        same_dir = d2l.deep_rnn(inputs, None, [pb])[0]
        if torch.allclose(got[..., h:], same_dir, rtol=1e-4, atol=1e-5):
            fail(f"{CALL}: the backward layer read the sequence forwards; run it on inputs.flip(0)", **info)
    expect_close(got, expected, CALL, **info)


@points(2)
@given(problem=problems())
def test_matches_reference(student, device, problem):
    """outputs (T, B, h_f + h_b): the forward states then the backward states of each step."""
    inputs, pf, pb = problem
    inputs, pf, pb = inputs.to(device), [p.to(device) for p in pf], [p.to(device) for p in pb]
    _check(student.bi_rnn(inputs, pf, pb), inputs, pf, pb)


@points(2)
@given(problem=problems(min_steps=2))
def test_backward_direction_aligned(student, problem):
    """Step t of the backward half has read steps T-1 down to t (reversed, run, reversed back)."""
    inputs, pf, pb = problem
    _check(student.bi_rnn(inputs, pf, pb), inputs, pf, pb)
