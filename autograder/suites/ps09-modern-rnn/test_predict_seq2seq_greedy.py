"""Hidden suite for predict_seq2seq_greedy(encoder, decoder, src_tokens, bos, eos, pad, num_steps).

A small GRU encoder-decoder with seeded weights is built inside the worker
(correct classes of the suite's own, so that this exercise does not depend on
the student's Seq2SeqEncoder/Seq2SeqDecoder) and handed to the student's
function; the tokens must equal those of d2lkit's greedy decoding of the same
model. Token indices follow the course's vocabularies: pad 1, bos 2, eos 3.
"""
import pathlib
import sys

import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.suite import describe, fail, points

sys.path.insert(0, str(pathlib.Path(__file__).parent))  # --import-mode=importlib does not add it
from _ps09_seq2seq import greedy_run  # noqa: E402

PAD, BOS, EOS = 1, 2, 3
IH_SCALE, HH_SCALE = 3.0, 0.5


@st.composite
def models(draw, eos_bias=(-2.0, 0.0), ties=False, long_source=False):
    V_src, V_tgt = draw(st.integers(4, 7)), draw(st.integers(4, 7))
    E, H, L = draw(st.integers(2, 3)), draw(st.integers(2, 5)), draw(st.integers(1, 2))
    seed = draw(st.integers(0, 10**6))
    torch.manual_seed(seed)
    encoder, decoder = d2l.Seq2SeqEncoder(V_src, E, H, L), d2l.Seq2SeqDecoder(V_tgt, E, H, L)
    with torch.no_grad():
        for key, p in decoder.rnn.named_parameters():  # the next token depends strongly on the fed one
            p.mul_(IH_SCALE if key.startswith("weight_ih") else HH_SCALE)
        decoder.dense.weight.mul_(4)
        decoder.embedding.weight.mul_(3)
        decoder.dense.bias[EOS] += draw(st.floats(*eos_bias))
        if ties:  # tokens 2k and 2k + 1 get equal logits
            for k in range(0, V_tgt - 1, 2):
                decoder.dense.weight[k + 1] = decoder.dense.weight[k]
                decoder.dense.bias[k + 1] = decoder.dense.bias[k]
    num_steps = draw(st.integers(1, 6))
    length = draw(st.integers(num_steps + 1, num_steps + 3) if long_source else st.integers(1, num_steps))
    src = draw(st.lists(st.sampled_from([0] + list(range(4, V_src))), min_size=length - 1, max_size=length - 1))
    return dict(sizes=(V_src, V_tgt, E, H, L), enc_state=encoder.state_dict(), dec_state=decoder.state_dict(),
                src=src + [EOS], num_steps=num_steps)


def _decode(student, model, device="cpu", dtype=torch.float64):
    opts = dict(model, enc_state={k: v.to(device) for k, v in model["enc_state"].items()},
                dec_state={k: v.to(device) for k, v in model["dec_state"].items()}, device=device, dtype=dtype)
    args = (opts["sizes"], opts["enc_state"], opts["dec_state"], opts["src"], BOS, EOS, PAD, opts["num_steps"])
    call = f"predict_seq2seq_greedy(encoder, decoder, {model['src']}, bos={BOS}, eos={EOS}, pad={PAD}, " \
           f"num_steps={model['num_steps']})"
    got = student.run(greedy_run, *args, device=device, dtype=dtype, describe_as=call)
    expected = greedy_run({"predict_seq2seq_greedy": d2l.predict_seq2seq_greedy}, *args, device=device, dtype=dtype)
    return got, expected, call


def _expect_same(got, expected, call, model):
    if not (isinstance(got, list) and all(isinstance(t, int) for t in got)):
        fail(f"{call} should return a list of ints (the predicted token indices), but returned {describe(got)}")
    if got == expected:
        return
    n = model["num_steps"]
    if got == expected + [EOS]:
        fail(f"{call} returned {got}, expected {expected}: stop when the predicted token is eos, without adding it")
    if len(got) > n:
        fail(f"{call} returned {len(got)} tokens; decode at most num_steps = {n} steps")
    if len(got) >= 2 and len(set(got)) == 1 and len(set(expected[:len(got)])) > 1:
        hint = ("; feed the decoder its own prediction (the argmax of the last logits, shape (1, 1)) at each step, "
                "carrying the state it returns")
    else:
        hint = ("; pad the source with pad to num_steps (truncate longer ones), start the decoder from "
                "init_state(encoder(enc_X, valid_len)) and [[bos]], and at each step feed it the argmax of its logits "
                "(over the vocabulary, dim 2) with the state it returned")
    fail(f"{call} returned {got}, expected {expected}{hint}")


@points(2)
@given(model=models())
def test_matches_reference(student, device, model):
    """The predicted tokens equal the reference's greedy decoding (source padded to num_steps)."""
    got, expected, call = _decode(student, model, device)
    _expect_same(got, expected, call, model)


@points(1)
@settings(max_examples=15)
@given(model=models(eos_bias=(-0.5, 1.5)))
def test_stops_at_eos(student, model):
    """Decoding stops at the first eos, which is not part of the result (a model that predicts eos early)."""
    got, expected, call = _decode(student, model)
    _expect_same(got, expected, call, model)


@points(1)
@settings(max_examples=15)
@given(model=models(long_source=True))
def test_long_source_truncated(student, model):
    """A source longer than num_steps is truncated to num_steps tokens before encoding."""
    got, expected, call = _decode(student, model)
    _expect_same(got, expected, call, model)


@points(1)
@settings(max_examples=15)
@given(model=models(ties=True))
def test_ties_lowest_index(student, model):
    """Tokens with equal logits: the lowest index wins (as torch.argmax does)."""
    got, expected, call = _decode(student, model)
    _expect_same(got, expected, call, model)
