"""Drivers shared by hidden suites: functions that run in the worker (see ``Student.run``).

A driver receives the student's namespace first and returns plain data
(tensors, numbers, strings, None, lists/tuples/dicts of those). Only its
source travels to the worker, so it imports what it uses inside its body and
calls no other function of this module.

Modules (``nn.Module`` subclasses the students write) are graded with
:func:`module_run`: the worker constructs the student's class, loads the
parameters the harness sends (the reference module's ``state_dict``, so both
compute with the same weights), moves it to the device and dtype, calls it, and sends
back outputs, parameter gradients and input gradients. The harness runs the
reference the same way and compares. :func:`module_state` reports what a
freshly constructed module registers (names, shapes, dtypes, devices).
"""
from __future__ import annotations


def module_state(ns, name, args=(), kwargs=None, device=None, dtype=None):
    """the parameters and buffers NAME(*args, **kwargs) registers"""
    module = ns[name](*args, **(kwargs or {}))
    if device is not None or dtype is not None:
        module = module.to(device=device, dtype=dtype)
    return {
        "parameters": {key: value.detach().clone() for key, value in module.named_parameters()},
        "buffers": {key: value.detach().clone() for key, value in module.named_buffers()},
        "state_dict": list(module.state_dict()),
        "training": bool(module.training),
    }


def module_run(ns, name, args=(), kwargs=None, state=None, inputs=(), train=False, device=None, dtype=None,
               output_grad=None, input_grads=False, calls=1, call_kwargs=None):
    """NAME(*args, **kwargs) with the harness's parameters, called on inputs"""
    import torch

    module = ns[name](*args, **(kwargs or {}))
    if device is not None or dtype is not None:
        module = module.to(device=device, dtype=dtype)
    if state is not None:
        module.load_state_dict(state)
    module.train(train)
    inputs = [x.detach().clone().requires_grad_(True)
              if input_grads and isinstance(x, torch.Tensor) and x.is_floating_point() else x for x in inputs]
    outputs = [module(*inputs, **(call_kwargs or {})) for _ in range(calls)]
    output = outputs[0] if calls == 1 else outputs
    result = {"output": output, "training": bool(module.training),
              "state_after": {key: value.detach().clone() for key, value in module.state_dict().items()}}
    if output_grad is not None:
        first = outputs[0]
        while isinstance(first, (tuple, list)):
            first = first[0]
        (first * output_grad).sum().backward()
        result["grads"] = {key: None if p.grad is None else p.grad.detach().clone()
                           for key, p in module.named_parameters()}
        if input_grads:
            result["input_grads"] = [x.grad if isinstance(x, torch.Tensor) else None for x in inputs]
    return result


def reference_run(module, state=None, inputs=(), train=False, device=None, dtype=None, output_grad=None,
                  input_grads=False, calls=1, call_kwargs=None):
    """In the harness: run a reference ``module`` exactly as :func:`module_run` runs the student's.

    ``module`` is an instance (of a ``d2lkit`` class); the result has the
    same keys as :func:`module_run`'s, so the two compare leaf by leaf.
    """
    return module_run({"reference": lambda: module}, "reference", state=state, inputs=inputs, train=train,
                      device=device, dtype=dtype, output_grad=output_grad, input_grads=input_grads, calls=calls,
                      call_kwargs=call_kwargs)
