"""Hidden suite for predict_rnn(prefix, num_preds, net, vocab, device): warm-up on the prefix, then greedy.

The driver builds a small recording network and a vocabulary in the worker;
the harness runs the same driver with the reference to know the answer.
"""
import torch
from hypothesis import given, strategies as st

import d2lkit as d2l
from autograder.suite import describe, expect, fail, points

CHARS = "abcde "


def _predict(ns, prefix, num_preds, E, W, U, device):
    """predict_rnn(prefix, num_preds, net, vocab, device) with a small recording network"""
    import torch

    class Vocab:
        idx_to_token = ['<unk>'] + list("abcde ")
        token_to_idx = {t: i for i, t in enumerate(idx_to_token)}

        def __len__(self):
            return len(self.idx_to_token)

        def __getitem__(self, tokens):
            if isinstance(tokens, (list, tuple)):
                return [self[t] for t in tokens]
            return self.token_to_idx.get(tokens, 0)

        def to_tokens(self, indices):
            if isinstance(indices, (list, tuple)):
                return [self.idx_to_token[int(i)] for i in indices]
            return self.idx_to_token[int(indices)]

    calls = []

    class Net:
        def __init__(self):
            self.last = None

        def begin_state(self, batch_size, device):
            calls.append(("begin_state", int(batch_size), str(torch.device(device))))
            self.last = torch.zeros(batch_size, W.shape[0], device=device, dtype=W.dtype)
            return (self.last,)

        def __call__(self, X, state):
            H, = state
            carried = self.last is not None and H.shape == self.last.shape and bool(torch.equal(H, self.last))
            calls.append(("call", list(X.shape), str(X.dtype), str(X.device), X.reshape(-1).tolist(), carried))
            H = torch.tanh(E[X.T.reshape(-1)] + H @ W)
            self.last = H
            return H @ U, (H,)

    E, W, U = E.to(device), W.to(device), U.to(device)
    result = ns["predict_rnn"](prefix, num_preds, Net(), Vocab(), torch.device(device))
    return {"result": result, "calls": calls}


@st.composite
def problems(draw, min_prefix=1):
    prefix = "".join(draw(st.lists(st.sampled_from(CHARS), min_size=min_prefix, max_size=5)))
    num_preds = draw(st.integers(0, 6))
    seed = draw(st.integers(0, 2**31 - 1))
    g = torch.Generator().manual_seed(seed)
    V, h = len(CHARS) + 1, 4
    E, W, U = torch.randn(V, h, generator=g), torch.randn(h, h, generator=g), torch.randn(h, V, generator=g) * 3
    return prefix, num_preds, E, W, U


def _run(student, problem, device):
    prefix, num_preds, E, W, U = problem
    expected = _predict({"predict_rnn": d2l.predict_rnn}, prefix, num_preds, E, W, U, device)
    got = student.run(_predict, prefix, num_preds, E, W, U, device,
                      describe_as=f"predict_rnn({prefix!r}, {num_preds}, net, vocab, device)")
    return got, expected


@points(2)
@given(problem=problems())
def test_matches_reference(student, device, problem):
    """The returned string is the prefix followed by the greedy predictions of the reference."""
    prefix, num_preds = problem[:2]
    got, expected = _run(student, problem, device)
    call = f"predict_rnn({prefix!r}, {num_preds}, net, vocab, device)"
    result = got["result"]
    if not isinstance(result, str):
        fail(f"{call} returned {describe(result)}; return one string: the prefix and the predicted characters "
             f"joined, ''.join(vocab.idx_to_token[i] for i in outputs)", prefix=prefix, num_preds=num_preds)
    if result != expected["result"] and len(result) == len(expected["result"]) - len(prefix):
        fail(f"{call} returned {result!r}, expected {expected['result']!r}: return the prefix followed by the "
             f"predictions", prefix=prefix, num_preds=num_preds)
    expect(result == expected["result"],
           f"{call} returned {result!r}, expected {expected['result']!r}", prefix=prefix, num_preds=num_preds)


@points(2)
@given(problem=problems(min_prefix=2))
def test_warm_up_on_prefix(student, device, problem):
    """The net sees prefix[0], ..., prefix[-1] then each prediction, one (1, 1) input at a time, state carried."""
    prefix, num_preds = problem[:2]
    got, expected = _run(student, problem, device)
    call = f"predict_rnn({prefix!r}, {num_preds}, net, vocab, device)"
    inputs = dict(prefix=prefix, num_preds=num_preds)
    calls = got["calls"]
    begins = [c for c in calls if c[0] == "begin_state"]
    expect(len(begins) == 1 and begins[0][1] == 1,
           f"{call} called net.begin_state {len(begins)} time(s) ({begins}); call it once, "
           f"net.begin_state(batch_size=1, device=device)", **inputs)
    steps = [c for c in calls if c[0] == "call"]
    want = [c for c in expected["calls"] if c[0] == "call"]
    for k, step in enumerate(steps):
        if step[1] != [1, 1] or step[2] != "torch.int64":
            fail(f"{call} called net with X of shape {tuple(step[1])} and dtype {step[2]} at step {k}; feed one token "
                 f"index at a time as an int64 tensor of shape (1, 1) on device", **inputs)
        if step[3] != str(torch.device(device)):
            fail(f"{call} called net with X on {step[3]}; create it on the given device, "
                 f"torch.tensor([index], device=device).reshape(1, 1)", **inputs)
        if not step[5]:
            fail(f"{call} did not pass the state returned by the previous net call at step {k}: keep "
                 f"`_, state = net(X, state)` during the warm-up and `y, state = net(X, state)` after", **inputs)
    fed = [s[4][0] for s in steps]
    expected_fed = [s[4][0] for s in want]
    if fed != expected_fed:
        warm = len(prefix) - 1
        if fed[:warm] != expected_fed[:warm]:
            fail(f"{call} fed the net the token indices {fed}, expected {expected_fed}: during the warm-up feed "
                 f"prefix[0], ..., prefix[-2] (each time the previous prefix character) and append the next prefix "
                 f"character to the outputs, not the prediction", **inputs)
        fail(f"{call} fed the net the token indices {fed}, expected {expected_fed}: after the warm-up feed the last "
             f"output and append the argmax of the net's output over dim 1", **inputs)


@points(1)
@given(problem=problems(), num_preds=st.sampled_from([0, 1]))
def test_short_runs(student, device, problem, num_preds):
    """num_preds=0 returns the prefix itself; one-character prefixes need no warm-up."""
    problem = (problem[0][:1] if num_preds else problem[0], num_preds) + problem[2:]
    got, expected = _run(student, problem, device)
    expect(got["result"] == expected["result"],
           f"predict_rnn({problem[0]!r}, {num_preds}, net, vocab, device) returned {describe(got['result'])}, "
           f"expected {expected['result']!r}", prefix=problem[0], num_preds=num_preds)
