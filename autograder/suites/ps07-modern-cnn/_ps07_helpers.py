"""Shared by the ps07-modern-cnn suites: reference blocks with random parameters and statistics, the student's
block run in the worker with the same ``state_dict``, and comparisons with messages a student can act on.

The harness builds the ``d2lkit`` block, randomises its batch-norm weights and
statistics (so evaluation mode is not an identity), sends its ``state_dict``
to the worker, where ``autograder.drivers.module_run`` builds the student's
block, loads it strictly, moves it to the device and dtype, and runs it.
"""
import copy
import inspect

import torch
from hypothesis import strategies as st
from torch import nn

import d2lkit as d2l
from autograder import drivers
from autograder.suite import Failure, expect, expect_close, expect_close_tree, fail


def call_text(name, args=(), kwargs=None) -> str:
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in (kwargs or {}).items()]
    return f"{name}({', '.join(parts)})"


def randomise(module: nn.Module, seed: int) -> nn.Module:
    """Random batch-norm scales, shifts and statistics (the convolutions keep their seeded default init)."""
    generator = torch.Generator().manual_seed(seed)

    def rand(tensor, low, high):
        values = low + (high - low) * torch.rand(tensor.shape, generator=generator, dtype=torch.float64)
        tensor.copy_(values.to(tensor.dtype))

    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                rand(m.weight, 0.5, 1.5), rand(m.bias, -0.5, 0.5)
                rand(m.running_mean, -0.5, 0.5), rand(m.running_var, 0.5, 2.0)
            elif isinstance(m, d2l.BatchNorm):
                rand(m.gamma, 0.5, 1.5), rand(m.beta, -0.5, 0.5)
                rand(m.moving_mean, -0.5, 0.5), rand(m.moving_var, 0.5, 2.0)
    return module


def reference_block(factory, args=(), kwargs=None, seed=0) -> nn.Module:
    """``factory(*args, **kwargs)`` built under a fixed seed, in float64, its statistics randomised."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        module = factory(*args, **(kwargs or {}))
    return randomise(module.double(), seed)


def inputs(shape, dtype, seed, low=-2.0, high=2.0):
    generator = torch.Generator().manual_seed(seed)
    return (low + (high - low) * torch.rand(shape, generator=generator, dtype=torch.float64)).to(dtype)


def check_state(student, name, args, kwargs, reference, hint="", sources=()):
    """The student's freshly built block registers the reference's parameters (names and shapes) and buffers."""
    call = call_text(name, args, kwargs)
    if sources:
        got = student.run(module_state_with, name, args, kwargs, sources=list(sources), describe_as=call)
    else:
        got = student.run(drivers.module_state, name, args, kwargs, describe_as=call)
    expected = {key: tuple(p.shape) for key, p in reference.named_parameters()}
    got_params = got["parameters"] if isinstance(got, dict) else {}
    got_shapes = {key: tuple(value.shape) for key, value in got_params.items()}
    count = sum(p.numel() for p in reference.parameters())
    got_count = sum(value.numel() for value in got_params.values())
    if got_shapes != expected:
        missing = sorted(set(expected) - set(got_shapes))
        extra = sorted(set(got_shapes) - set(expected))
        wrong = {k: (got_shapes[k], expected[k]) for k in set(expected) & set(got_shapes)
                 if got_shapes[k] != expected[k]}
        lines = [f"{call} registers {got_count} parameters, expected {count}."]
        if missing:
            lines.append(f"Missing parameters (name: shape): {', '.join(f'{k}: {expected[k]}' for k in missing)}.")
        if extra:
            lines.append(f"Unexpected parameters: {', '.join(f'{k}: {got_shapes[k]}' for k in extra)}.")
        for key, (g, e) in sorted(wrong.items()):
            lines.append(f"{key} has shape {g}, expected {e}.")
        lines.append("Build the submodules with the names, order and sizes the docstring gives"
                     + (f" ({hint})" if hint else "") + ".")
        fail(" ".join(lines))
    expected_keys = sorted(reference.state_dict())
    got_keys = sorted(got.get("state_dict", [])) if isinstance(got, dict) else []
    if got_keys != expected_keys:
        fail(f"{call}'s state_dict has the keys {got_keys}, expected {expected_keys}: register statistics "
             f"with register_buffer (not as plain tensor attributes) and use the docstring's names")


def module_run_with_correct_batch_norm(ns, name, args=(), kwargs=None, state=None, inputs=(), train=False,
                                       device=None, dtype=None, output_grad=None, calls=1):
    """NAME(*args, **kwargs) with the harness's parameters, called on inputs (with a correct batch_norm)"""
    import torch

    def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):  # correct, so only the layer is graded
        if not torch.is_grad_enabled():
            return gamma * (X - moving_mean) / torch.sqrt(moving_var + eps) + beta, moving_mean, moving_var
        dims = (0,) if X.dim() == 2 else (0, 2, 3)
        mean = X.mean(dim=dims, keepdim=True)
        var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
        Y = gamma * (X - mean) / torch.sqrt(var + eps) + beta
        return (Y, momentum * moving_mean + (1.0 - momentum) * mean.detach(),
                momentum * moving_var + (1.0 - momentum) * var.detach())

    with ns.replaced(batch_norm=batch_norm):
        module = ns[name](*args, **(kwargs or {}))
        if device is not None or dtype is not None:
            module = module.to(device=device, dtype=dtype)
        if state is not None:
            module.load_state_dict(state)
        module.train(train)
        outputs = [module(*inputs) for _ in range(calls)]
        result = {"output": outputs[0] if calls == 1 else outputs, "training": bool(module.training),
                  "state_after": {key: value.detach().clone() for key, value in module.state_dict().items()}}
        if output_grad is not None:
            (outputs[0] * output_grad).sum().backward()
            result["grads"] = {key: None if p.grad is None else p.grad.detach().clone()
                               for key, p in module.named_parameters()}
    return result


def module_run_with(ns, name, args=(), kwargs=None, state=None, inputs=(), train=False, device=None, dtype=None,
                    output_grad=None, calls=1, sources=()):
    """NAME(*args, **kwargs) with the harness's parameters, called on inputs (with correct building blocks)"""
    import torch
    from torch import nn
    from torch.nn import functional as F

    env = {"torch": torch, "nn": nn, "F": F}
    for source in sources:  # correct versions of the blocks NAME builds on, so only NAME itself is graded
        exec(source, env)
    names = [line.split()[1].split("(")[0] for source in sources for line in source.splitlines()
             if line.startswith(("def ", "class "))]
    with ns.replaced(**{key: env[key] for key in names}):
        module = ns[name](*args, **(kwargs or {}))
        if device is not None or dtype is not None:
            module = module.to(device=device, dtype=dtype)
        if state is not None:
            module.load_state_dict(state)
        module.train(train)
        outputs = [module(*inputs) for _ in range(calls)]
        result = {"output": outputs[0] if calls == 1 else outputs, "training": bool(module.training),
                  "state_after": {key: value.detach().clone() for key, value in module.state_dict().items()}}
        if output_grad is not None:
            (outputs[0] * output_grad).sum().backward()
            result["grads"] = {key: None if p.grad is None else p.grad.detach().clone()
                               for key, p in module.named_parameters()}
    return result


def module_state_with(ns, name, args=(), kwargs=None, sources=()):
    """the parameters and buffers NAME(*args, **kwargs) registers (with correct building blocks)"""
    import torch
    from torch import nn
    from torch.nn import functional as F

    env = {"torch": torch, "nn": nn, "F": F}
    for source in sources:
        exec(source, env)
    names = [line.split()[1].split("(")[0] for source in sources for line in source.splitlines()
             if line.startswith(("def ", "class "))]
    with ns.replaced(**{key: env[key] for key in names}):
        module = ns[name](*args, **(kwargs or {}))
    return {
        "parameters": {key: value.detach().clone() for key, value in module.named_parameters()},
        "buffers": {key: value.detach().clone() for key, value in module.named_buffers()},
        "state_dict": list(module.state_dict()),
        "training": bool(module.training),
    }


def sources_of(*objects):
    """Source texts of d2lkit blocks, for :func:`module_run_with`."""
    return [inspect.getsource(obj) for obj in objects]


def run_both(student, name, args, kwargs, reference, X, *, train, device="cpu", grads=False, calls=1, seed=0,
             shape_hint="", driver=drivers.module_run, sources=()):
    """(got, expected): the student's and the reference's block with the same parameters on input X."""
    call = call_text(name, args, kwargs)
    X = X.to(device)
    state = {key: value.clone() for key, value in reference.state_dict().items()}
    G = None
    if grads:
        with torch.no_grad():
            shape = copy.deepcopy(reference).to(device=device, dtype=X.dtype).eval()(X).shape
        G = inputs(tuple(shape), X.dtype, seed + 1).to(device)
    options = dict(state=state, inputs=[X], train=train, device=device, dtype=X.dtype, output_grad=G, calls=calls)
    expected = drivers.reference_run(copy.deepcopy(reference), **options)
    try:
        if sources:
            got = student.run(module_run_with, name, args, kwargs, describe_as=call, sources=list(sources),
                              **options)
        else:
            got = student.run(driver, name, args, kwargs, describe_as=call, **options)
    except Failure as failure:
        text = str(failure)
        if "state_dict" in text or "Missing key" in text or "Unexpected key" in text or "size mismatch" in text:
            fail(f"{text}\nThe harness loads its own parameters into your {call} with load_state_dict: name the "
                 f"submodules and parameters exactly as the docstring says, with the same shapes.")
        output = expected["output"][0] if calls > 1 else expected["output"]
        fail(f"{text}\nExpected an output of shape {tuple(output.shape)} for an input of shape {tuple(X.shape)}"
             + (f": {shape_hint}." if shape_hint else "."))
    expect(isinstance(got, dict), f"{call} could not be run")
    return got, expected


def check_module(student, name, args, kwargs, reference, X, *, train, device="cpu", grads=False, calls=1,
                 seed=0, shape_hint="", driver=drivers.module_run, sources=()):
    """Outputs (and gradients, and the state after the calls) of the student's block equal the reference's."""
    call = call_text(name, args, kwargs)
    got, expected = run_both(student, name, args, kwargs, reference, X, train=train, device=device, grads=grads,
                             calls=calls, seed=seed, shape_hint=shape_hint, driver=driver, sources=sources)
    mode = "training" if train else "evaluation"
    where = dict(X_shape=tuple(X.shape), X_dtype=X.dtype, mode=mode)
    out, ref = got["output"], expected["output"]
    if calls > 1:
        expect(isinstance(out, list) and len(out) == calls, f"{call} did not return outputs", **where)
        out, ref = out[-1], ref[-1]
    if isinstance(out, torch.Tensor) and out.shape != ref.shape and shape_hint:
        fail(f"{call}(X) returned shape {tuple(out.shape)}, expected {tuple(ref.shape)}: {shape_hint}", **where)
    expect_close(out, ref, f"{call}(X) in {mode} mode (with the harness's parameters)", **where)
    if grads:
        expect_close_tree(got.get("grads"), expected["grads"],
                          f"the parameter gradients of {call} after backpropagating through its output", **where)
    state_message = f"the state_dict of {call} after {calls} forward pass(es) in {mode} mode"
    if not train:
        state_message += " (evaluation mode must use the moving statistics and leave them unchanged)"
    else:
        state_message += " (the moving statistics of batch normalization are updated in training mode)"
    expect_close_tree(got["state_after"], expected["state_after"], state_message, **where)
    return got, expected


def image_sizes(min_side=2, max_side=7):
    return st.tuples(st.integers(min_side, max_side), st.integers(min_side, max_side))


def dtypes():
    return st.sampled_from([torch.float32, torch.float64])
