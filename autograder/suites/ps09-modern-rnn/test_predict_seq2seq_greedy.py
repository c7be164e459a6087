"""Hidden suite for predict_seq2seq_greedy(encoder, decoder, src_tokens, bos, eos, pad, num_steps).

A small GRU encoder-decoder with seeded weights is built inside the worker
(correct classes of the suite's own, so that this exercise does not depend on
the student's Seq2SeqEncoder/Seq2SeqDecoder) and handed to the student's
function; the tokens must equal those of d2lkit's greedy decoding of the same
model. Token indices follow the course's vocabularies: pad 1, bos 2, eos 3.
"""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.suite import describe, fail, points

from _ps09_seq2seq import greedy_run

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


def _buggy(truncate=True, highest=False):
    """predict_seq2seq_greedy with one known bug, to recognise it in a student's result"""
    def predict(encoder, decoder, src_tokens, bos, eos, pad, num_steps):
        src = list(src_tokens[:num_steps] if truncate else src_tokens) + [pad] * (num_steps - len(src_tokens))
        with torch.no_grad():
            enc_X = torch.tensor([src], dtype=torch.long)
            state = decoder.init_state(encoder(enc_X), None)
            dec_X, output = torch.tensor([[bos]]), []
            for _ in range(num_steps):
                Y, state = decoder(dec_X, state)
                dec_X = Y.shape[2] - 1 - Y.flip(2).argmax(dim=2) if highest else Y.argmax(dim=2)
                if int(dec_X[0, 0]) == eos:
                    break
                output.append(int(dec_X[0, 0]))
        return output
    return predict


def _bug_hint(got, model, hint, **bug):
    args = (model["sizes"], model["enc_state"], model["dec_state"], model["src"], BOS, EOS, PAD, model["num_steps"])
    buggy = greedy_run({"predict_seq2seq_greedy": _buggy(**bug)}, *args, dtype=torch.float64)
    return hint if got == buggy else None


def _expect_same(got, expected, call, model, hint=None):
    if not (isinstance(got, list) and all(isinstance(t, int) for t in got)):
        fail(f"{call} should return a list of ints (the predicted token indices), but returned {describe(got)}")
    if got == expected:
        return
    n = model["num_steps"]
    if got == expected + [EOS]:
        fail(f"{call} returned {got}, expected {expected}: stop when the predicted token is eos, without adding it")
    if len(got) > n:
        fail(f"{call} returned {len(got)} tokens; decode at most num_steps = {n} steps")
    if hint:
        hint = f"; {hint}"
    elif len(got) >= 2 and len(set(got)) == 1 and len(set(expected[:len(got)])) > 1:
        hint = ("; feed the decoder its own prediction (the argmax of the last logits, shape (1, 1)) at each step, "
                "carrying the state it returns")
    else:
        hint = ("; pad the source with pad to num_steps (truncate longer ones), start the decoder from "
                "init_state(encoder(enc_X, valid_len)) and [[bos]], and at each step feed it the argmax of its logits "
                "(over the vocabulary, dim 2; ties: the lowest index) with the state it returned")
    fail(f"{call} returned {got}, expected {expected}{hint}")


@points(2)
@settings(max_examples=15)
@given(model=models())
def test_matches_reference(student, device, model):
    """The predicted tokens equal the reference's greedy decoding (source padded to num_steps)."""
    got, expected, call = _decode(student, model, device)
    _expect_same(got, expected, call, model)


@points(1)
@settings(max_examples=10)
@given(model=models(eos_bias=(-0.5, 1.5)))
def test_stops_at_eos(student, model):
    """Decoding stops at the first eos, which is not part of the result (a model that predicts eos early)."""
    got, expected, call = _decode(student, model)
    _expect_same(got, expected, call, model)


@points(1)
@settings(max_examples=10)
@given(model=models(long_source=True))
def test_long_source_truncated(student, model):
    """A source longer than num_steps is truncated to num_steps tokens before encoding."""
    got, expected, call = _decode(student, model)
    hint = ("the source is longer than num_steps: encode only its first num_steps tokens (src_tokens[:num_steps]), "
            "then no padding")
    _expect_same(got, expected, call, model, hint=_bug_hint(got, model, hint, truncate=False))


@points(1)
@settings(max_examples=10)
@given(model=models(ties=True))
def test_ties_lowest_index(student, model):
    """Tokens with equal logits: the lowest index wins (as torch.argmax does)."""
    got, expected, call = _decode(student, model)
    hint = ("tokens 2k and 2k + 1 have equal logits in this model: take the lowest index among equal maxima, as "
            "torch.argmax does (a >= comparison or a search from the end takes the highest)")
    _expect_same(got, expected, call, model, hint=_bug_hint(got, model, hint, highest=True))
