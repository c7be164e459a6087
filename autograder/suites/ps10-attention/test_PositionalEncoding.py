"""Hidden suite for PositionalEncoding: X + P[:, :T], P[t, 2i] = sin(t / 10000^(2i/d)), P[t, 2i+1] = cos(...).

P may be computed in float32 (as the book does) or float64, so values are
compared with an absolute tolerance of 1e-5 (positions stay below 64).
"""
import torch
from hypothesis import given, settings, strategies as st

from autograder.strategies import dtypes
from _ps10_helpers import reference, run, seeded
from autograder.suite import expect, expect_close, fail, points

NAME = "PositionalEncoding"
TOL = dict(rtol=1e-5, atol=1e-5)


@st.composite
def problems(draw, dtype=None, max_T=12):
    d = 2 * draw(st.integers(1, 5))
    B, T = draw(st.integers(1, 3)), draw(st.integers(1, max_T))
    return dict(d=d, B=B, T=T, seed=draw(st.integers(0, 10**6)), dtype=dtype or draw(dtypes()),
                max_len=draw(st.sampled_from([T, 64, 1000])))


def options(p, device="cpu", dropout=0.5, train=False):
    X = seeded((p["B"], p["T"], p["d"]), p["seed"], p["dtype"]).to(device)
    return dict(args=(p["d"], dropout, p["max_len"]), inputs=[X], device=device, train=train)


def check(student, p, device="cpu"):
    opts = options(p, device)
    got = run(student, NAME, **opts)["output"]
    expected = reference(NAME, **opts)["output"]
    X = opts["inputs"][0]
    if isinstance(got, torch.Tensor) and got.shape == expected.shape and got.dtype == expected.dtype \
            and not torch.allclose(got, expected, **TOL):
        P, got_P = (expected - X)[0].cpu(), (got - X)[0].cpu()
        if torch.allclose(got_P[:, 0::2], P[:, 1::2], **TOL) and torch.allclose(got_P[:, 1::2], P[:, 0::2], **TOL):
            fail(f"{NAME}: sin and cos are swapped; even columns 2i take sin, odd columns 2i+1 take cos",
                 num_hiddens=p["d"], T=p["T"])
        if p["T"] >= 2 and p["d"] >= 4 and torch.allclose(got_P[:, :2], P[:, :2], **TOL):
            fail(f"{NAME}: the frequencies are wrong; columns 2i and 2i+1 share the exponent 2i / num_hiddens "
                 f"(i = 0 .. num_hiddens/2 - 1), i.e. t / 10000 ** (torch.arange(0, d, 2) / d)",
                 num_hiddens=p["d"], T=p["T"])
    expect_close(got, expected, f"{NAME}({p['d']}, 0.5, max_len={p['max_len']})(X)", **TOL, X=X)


@points(2)
@settings(max_examples=8)
@given(p=problems(dtype=torch.float32))
def test_matches_reference(student, device, p):
    """X + P[:, :T] equals the reference (float32, CPU/GPU, even num_hiddens, any max_len >= T)."""
    check(student, p, device)


@points(1)
@settings(max_examples=5)
@given(p=problems(dtype=torch.float64))
def test_float64_input(student, p):
    """A float64 X gives a float64 result (P cast to X's dtype)."""
    check(student, p)


@points(1)
@settings(max_examples=4)
@given(p=problems(max_T=60).filter(lambda p: p["T"] > 20))
def test_long_sequences(student, p):
    """Every position up to T gets its own encoding (positions 20 .. 60)."""
    check(student, p)


@points(1)
def test_dropout_after_adding(student):
    """In training mode dropout applies to X + P (dropout 1 zeroes all), in eval mode not at all."""
    p = dict(d=4, B=2, T=3, seed=1, dtype=torch.float32, max_len=10)
    train = run(student, NAME, **options(p, dropout=1.0, train=True))["output"]
    expect(isinstance(train, torch.Tensor) and bool((train == 0).all()),
           f"{NAME} with dropout=1.0 in training mode should return zeros: apply self.dropout to X + P "
           f"(not to P or X alone)", got=train)
    got = run(student, NAME, **options(p, dropout=1.0))["output"]
    expected = reference(NAME, **options(p, dropout=1.0))["output"]
    expect_close(got, expected, f"{NAME}(4, 1.0) in eval mode (dropout off)", **TOL)
