"""Shared pieces of the ps10-attention suites: the module driver, the reference run, strategies, comparisons.

``attention_run`` runs in the worker (only its source travels: it imports
what it uses and defines, inside its body, correct versions of the earlier
exercises). It builds the student's class NAME, loads the harness's
parameters, calls it and returns plain data: the output, the module's
``attention_weights`` when it has them, parameter and input gradients, and
for the decoder the cache. ``helpers`` names earlier exercises to replace by
correct versions while the module is built and called, so that a layer is
graded on its own (a bug in DotProductAttention does not cost the
MultiHeadAttention points again). ``reference`` runs the same driver in the
harness on a ``d2lkit`` class.
"""
from __future__ import annotations

import contextlib
import copy

import torch
from hypothesis import strategies as st

import d2lkit as d2l
from autograder.suite import describe, expect, expect_close_tree, fail


def attention_run(ns, name, args=(), state=None, inputs=(), call_kwargs=None, train=False, device=None,
                  dtype=None, output_grad=None, input_grads=False, helpers=(), decoder_steps=False):
    """NAME(*args) with the harness's parameters (and correct helpers), called on inputs"""
    import math

    import torch
    from torch import nn

    def masked_softmax(X, valid_lens):
        if valid_lens is None:
            return torch.softmax(X, dim=-1)
        shape = X.shape
        if valid_lens.dim() == 1:
            valid_lens = torch.repeat_interleave(valid_lens, shape[1])
        else:
            valid_lens = valid_lens.reshape(-1)
        mask = torch.arange(shape[-1], device=X.device)[None, :] < valid_lens.to(X.device)[:, None]
        return torch.softmax(X.reshape(-1, shape[-1]).masked_fill(~mask, -1e6).reshape(shape), dim=-1)

    class DotProductAttention(nn.Module):
        def __init__(self, dropout):
            super().__init__()
            self.dropout = nn.Dropout(dropout)

        def forward(self, queries, keys, values, valid_lens=None):
            scores = torch.bmm(queries, keys.transpose(1, 2)) / math.sqrt(queries.shape[-1])
            self.attention_weights = masked_softmax(scores, valid_lens)
            return torch.bmm(self.dropout(self.attention_weights), values)

    def transpose_qkv(X, num_heads):
        X = X.reshape(X.shape[0], X.shape[1], num_heads, -1).permute(0, 2, 1, 3)
        return X.reshape(-1, X.shape[2], X.shape[3])

    def transpose_output(X, num_heads):
        X = X.reshape(-1, num_heads, X.shape[1], X.shape[2]).permute(0, 2, 1, 3)
        return X.reshape(X.shape[0], X.shape[1], -1)

    class MultiHeadAttention(nn.Module):
        def __init__(self, key_size, query_size, value_size, num_hiddens, num_heads, dropout, bias=False):
            super().__init__()
            self.num_heads = num_heads
            self.attention = DotProductAttention(dropout)
            self.W_q = nn.Linear(query_size, num_hiddens, bias=bias)
            self.W_k = nn.Linear(key_size, num_hiddens, bias=bias)
            self.W_v = nn.Linear(value_size, num_hiddens, bias=bias)
            self.W_o = nn.Linear(num_hiddens, num_hiddens, bias=bias)

        def forward(self, queries, keys, values, valid_lens=None):
            queries = transpose_qkv(self.W_q(queries), self.num_heads)
            keys = transpose_qkv(self.W_k(keys), self.num_heads)
            values = transpose_qkv(self.W_v(values), self.num_heads)
            if valid_lens is not None:
                valid_lens = torch.repeat_interleave(valid_lens, repeats=self.num_heads, dim=0)
            output = self.attention(queries, keys, values, valid_lens)
            return self.W_o(transpose_output(output, self.num_heads))

    class PositionWiseFFN(nn.Module):
        def __init__(self, ffn_num_input, ffn_num_hiddens, ffn_num_outputs):
            super().__init__()
            self.dense1 = nn.Linear(ffn_num_input, ffn_num_hiddens)
            self.relu = nn.ReLU()
            self.dense2 = nn.Linear(ffn_num_hiddens, ffn_num_outputs)

        def forward(self, X):
            return self.dense2(self.relu(self.dense1(X)))

    class AddNorm(nn.Module):
        def __init__(self, normalized_shape, dropout):
            super().__init__()
            self.dropout = nn.Dropout(dropout)
            self.ln = nn.LayerNorm(normalized_shape)

        def forward(self, X, Y):
            return self.ln(self.dropout(Y) + X)

    correct = dict(masked_softmax=masked_softmax, DotProductAttention=DotProductAttention,
                   transpose_qkv=transpose_qkv, transpose_output=transpose_output,
                   MultiHeadAttention=MultiHeadAttention, PositionWiseFFN=PositionWiseFFN, AddNorm=AddNorm)

    def detached(value):
        if isinstance(value, torch.Tensor):
            return value.detach().clone()
        if isinstance(value, (list, tuple)):
            return type(value)(detached(v) for v in value)
        return value

    with ns.replaced(**{key: correct[key] for key in helpers}):
        module = ns[name](*args)
        if device is not None or dtype is not None:
            module = module.to(device=device, dtype=dtype)
        if state is not None:
            module.load_state_dict(state)
        module.train(train)
        inputs = [x.detach().clone().requires_grad_(True)
                  if input_grads and isinstance(x, torch.Tensor) and x.is_floating_point() else x for x in inputs]
        result = {}
        if decoder_steps:  # inputs: X, enc_outputs, enc_valid_lens, cache size; one call per time step
            X, enc_outputs, enc_valid_lens, cache_size = inputs
            dec_state = [enc_outputs, enc_valid_lens, [None] * cache_size]
            steps = []
            for t in range(X.shape[1]):
                step, dec_state = module(X[:, t:t + 1], dec_state)
                steps.append(step)
            output = torch.cat(steps, dim=1)
            result["cache"] = detached(list(dec_state[2]))
        else:
            output = module(*inputs, **(call_kwargs or {}))
    result["output"] = detached(output)
    weights = getattr(module, "attention_weights", None)
    result["attention_weights"] = detached(weights) if isinstance(weights, torch.Tensor) else None
    if output_grad is not None:
        first = output
        while isinstance(first, (tuple, list)):
            first = first[0]
        (first * output_grad).sum().backward()
        result["grads"] = {key: None if p.grad is None else p.grad.detach().clone()
                           for key, p in module.named_parameters()}
        if input_grads:
            result["input_grads"] = [x.grad if isinstance(x, torch.Tensor) else None for x in inputs]
    return result


class _Namespace:
    """What the driver sees of a notebook, for running it on a reference class in the harness."""

    def __init__(self, **names):
        self.names = names

    def __getitem__(self, name):
        return self.names[name]

    def replaced(self, **values):
        return contextlib.nullcontext()


def reference(name, **options):
    """attention_run on d2lkit's NAME, in the harness (the same keys as the student's result)."""
    options = copy.deepcopy(options)  # the reference's forward may fill the decoder state in place
    options.pop("helpers", None)
    return attention_run(_Namespace(**{name: getattr(d2l, name)}), name, **options)


def reference_state(name, args, dtype, device, seed=0):
    """A seeded reference module's state_dict in dtype on device, every entry perturbed by noise.

    The noise makes LayerNorm weights differ from 1 and 0, so that two
    AddNorms swapped or one used twice give a different output.
    """
    torch.manual_seed(seed)
    state = getattr(d2l, name)(*args).state_dict()
    return {k: (v + 0.2 * torch.randn(v.shape, dtype=v.dtype)).to(device=device, dtype=dtype)
            for k, v in state.items()}


def run(student, name, helpers=(), **options):
    """The student's result, with hints for state_dicts that do not load."""
    try:
        return student.run(attention_run, name, helpers=tuple(helpers), **options)
    except AssertionError as error:
        text = str(error)
        if "state_dict" in text or "Missing key" in text or "Unexpected key" in text or "size mismatch" in text:
            fail(f"{text}\n(the reference's parameters could not be loaded into your {name}: create exactly "
                 f"the submodules the docstring lists, with those names and sizes)")
        raise


def compare(student, name, keys=("output",), call=None, helpers=(), **options):
    """Run the student's and the reference's NAME the same way and compare the given result keys."""
    got = run(student, name, helpers, **options)
    expected = reference(name, **options)
    call = call or f"{name}{tuple(options.get('args', ()))}"
    shown = {k: v for k, v in (("inputs", options.get("inputs")), ("call_kwargs", options.get("call_kwargs")))
             if v is not None}
    for key in keys:
        expect(isinstance(got, dict) and key in got, f"{call} could not be run")
        expect_close_tree(got[key], expected[key], f"{call}: {key}", **shown)
    return got, expected


def parameter_shapes(ns, name, args=()):
    """name -> shape of each parameter NAME(*args) registers (None while a lazy module's is uninitialised)"""
    from torch.nn.parameter import is_lazy

    module = ns[name](*args)
    return {key: None if is_lazy(p) else list(p.shape) for key, p in module.named_parameters()}


def expect_parameters(student, name, args):
    """The student's module registers the reference's parameters (names and shapes) and nothing else.

    Lazy layers (nn.LazyLinear, as in the book's newer edition) have no shape
    before their first call: only their names are checked here (the other
    tests load the reference's parameters into them).
    """
    got = student.run(parameter_shapes, name, tuple(args))
    expected = getattr(d2l, name)(*args)
    want = {k: tuple(v.shape) for k, v in expected.named_parameters()}
    expect(isinstance(got, dict), f"{name}{tuple(args)} could not be built")
    have = {k: want.get(k) if v is None else tuple(v) for k, v in got.items()}
    if have != want:
        missing = {k: v for k, v in want.items() if k not in have}
        extra = {k: v for k, v in have.items() if k not in want}
        wrong = {k: (have[k], v) for k, v in want.items() if k in have and have[k] != v}
        fail(f"{name}{tuple(args)} registers the parameters {describe(have)}, expected {describe(want)}"
             + (f"\n  missing: {missing}" if missing else "") + (f"\n  not expected: {extra}" if extra else "")
             + (f"\n  wrong shapes (got, expected): {wrong}" if wrong else "")
             + "\nName the submodules and size the layers exactly as the docstring says.")


def seeded(shape, seed, dtype=torch.float64, scale=1.0):
    generator = torch.Generator().manual_seed(seed)
    return (torch.randn(*shape, generator=generator, dtype=torch.float64) * scale).to(dtype)


@st.composite
def valid_lens(draw, B, Q, K, kind=None, min_len=0, max_len=None):
    """None, (B,) or (B, Q) int64 valid lengths in [min_len, max_len] (default K + 1)."""
    kind = kind or draw(st.sampled_from(["none", "1d", "2d"]))
    if kind == "none":
        return None
    shape = (B,) if kind == "1d" else (B, Q)
    values = draw(st.lists(st.integers(min_len, K + 1 if max_len is None else max_len), min_size=shape[0] * (Q if kind == "2d" else 1),
                           max_size=shape[0] * (Q if kind == "2d" else 1)))
    return torch.tensor(values, dtype=torch.int64).reshape(shape)
