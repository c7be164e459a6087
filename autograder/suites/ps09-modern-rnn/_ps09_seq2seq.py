"""Shared pieces of the ps09 seq2seq suites (Seq2SeqEncoder, Seq2SeqDecoder, predict_seq2seq_greedy).

``seq2seq_run`` runs in the worker: it builds the student's encoder or
decoder, loads the reference's parameters, runs it (the decoder from
``init_state``, on the whole target at once or one step at a time carrying
its state) and returns plain data. ``greedy_run`` builds a fixed, correct
encoder and decoder inside the worker (so that greedy decoding is graded on
its own, whatever the student's classes do), loads the harness's weights and
calls the student's ``predict_seq2seq_greedy``. The harness runs both on
``d2lkit`` the same way.
"""
from __future__ import annotations

import torch
from hypothesis import strategies as st

import d2lkit as d2l
from autograder.suite import describe, expect, expect_close_tree, fail


def seq2seq_run(ns, name, args, state, X, enc=None, valid_len=None, steps=False, device=None, dtype=None,
                output_grad=None):
    """NAME(*args) with the harness's parameters: the encoder on X, or the decoder on X from init_state(enc)"""
    import torch

    def detached(value):
        if isinstance(value, torch.Tensor):
            return value.detach().clone()
        if isinstance(value, (list, tuple)):
            return type(value)(detached(v) for v in value)
        return value

    module = ns[name](*args)
    module = module.to(device=device, dtype=dtype)
    module.load_state_dict(state)
    module.eval()
    if enc is None:
        output = module(X, valid_len)
    else:
        dec_state = module.init_state(tuple(enc), valid_len)
        if steps:
            outs = []
            for t in range(X.shape[1]):
                out, dec_state = module(X[:, t:t + 1], dec_state)
                outs.append(out)
            output = (torch.cat(outs, dim=1) if all(isinstance(o, torch.Tensor) for o in outs) else outs, dec_state)
        else:
            output = module(X, dec_state)
    result = {"output": detached(output)}
    if output_grad is not None:
        first = output
        while isinstance(first, (tuple, list)):
            first = first[0]
        (first * output_grad).sum().backward()
        result["grads"] = {key: None if p.grad is None else p.grad.detach().clone()
                           for key, p in module.named_parameters()}
    return result


def parameter_shapes(ns, name, args):
    """name -> shape of every parameter NAME(*args) registers"""
    module = ns[name](*args)
    return {key: list(p.shape) for key, p in module.named_parameters()}


def expect_parameters(student, name, args):
    got = student.run(parameter_shapes, name, tuple(args))
    want = {k: list(v.shape) for k, v in getattr(d2l, name)(*args).named_parameters()}
    expect(isinstance(got, dict), f"{name}{tuple(args)} could not be built")
    if got != want:
        missing = sorted(set(want) - set(got))
        extra = sorted(set(got) - set(want))
        wrong = {k: (got[k], v) for k, v in want.items() if k in got and got[k] != v}
        fail(f"{name}{tuple(args)} registers the parameters {describe(got)}, expected {describe(want)}"
             + (f"\n  missing: {missing}" if missing else "") + (f"\n  not expected: {extra}" if extra else "")
             + (f"\n  wrong shapes (got, expected): {wrong}" if wrong else "")
             + "\nCreate exactly the submodules the docstring lists (names and sizes).")


def reference_state(name, args, dtype, device, seed):
    torch.manual_seed(seed)
    return {k: v.to(device=device, dtype=dtype) for k, v in getattr(d2l, name)(*args).state_dict().items()}


def run(student, name, **options):
    try:
        return student.run(seq2seq_run, name, **options)
    except AssertionError as error:
        text = str(error)
        if "state_dict" in text or "Missing key" in text or "Unexpected key" in text or "size mismatch" in text:
            fail(f"{text}\n(the reference's parameters could not be loaded into your {name}: create exactly "
                 f"the submodules the docstring lists, with those names and sizes)")
        raise


def reference(name, **options):
    return seq2seq_run({name: getattr(d2l, name)}, name, **options)


@st.composite
def sizes(draw, square=False):
    """vocab_size, embed_size, num_hiddens, num_layers, B, T (B == T when square)"""
    V, E, H, L = draw(st.integers(2, 6)), draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 2))
    B = draw(st.integers(1, 4))
    T = B if square else draw(st.integers(1, 5))
    return V, E, H, L, B, T


def tokens(shape, V, seed, device):
    return torch.randint(0, V, shape, generator=torch.Generator().manual_seed(seed)).to(device)


def seeded(shape, seed, dtype, device):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64).to(
        device=device, dtype=dtype)


def greedy_run(ns, sizes, enc_state, dec_state, src, bos, eos, pad, num_steps, device=None, dtype=None):
    """predict_seq2seq_greedy(encoder, decoder, src, bos, eos, pad, num_steps) with a fixed GRU encoder-decoder"""
    import torch
    from torch import nn

    class Encoder(nn.Module):
        def __init__(self, V, E, H, L):
            super().__init__()
            self.embedding = nn.Embedding(V, E)
            self.rnn = nn.GRU(E, H, L)

        def forward(self, X, *args):
            return self.rnn(self.embedding(X).permute(1, 0, 2))

    class Decoder(nn.Module):
        def __init__(self, V, E, H, L):
            super().__init__()
            self.embedding = nn.Embedding(V, E)
            self.rnn = nn.GRU(E + H, H, L)
            self.dense = nn.Linear(H, V)

        def init_state(self, enc_all_outputs, *args):
            return tuple(enc_all_outputs)

        def forward(self, X, state):
            enc_outputs, hidden = state
            embs = self.embedding(X).permute(1, 0, 2)
            context = enc_outputs[-1].unsqueeze(0).expand(embs.shape[0], -1, -1)
            outputs, hidden = self.rnn(torch.cat((embs, context), dim=-1), hidden)
            return self.dense(outputs).permute(1, 0, 2), (enc_outputs, hidden)

    V_src, V_tgt, E, H, L = sizes
    encoder, decoder = Encoder(V_src, E, H, L), Decoder(V_tgt, E, H, L)
    encoder.load_state_dict(enc_state)
    decoder.load_state_dict(dec_state)
    encoder = encoder.to(device=device, dtype=dtype).eval()
    decoder = decoder.to(device=device, dtype=dtype).eval()
    result = ns["predict_seq2seq_greedy"](encoder, decoder, list(src), bos, eos, pad, num_steps)
    if isinstance(result, torch.Tensor):
        result = result.tolist()
    if isinstance(result, (list, tuple)) and all(
            (isinstance(t, int) and not isinstance(t, bool)) or (isinstance(t, torch.Tensor) and t.numel() == 1
                                                                 and not t.is_floating_point()) for t in result):
        result = [int(t) for t in result]
    return result
