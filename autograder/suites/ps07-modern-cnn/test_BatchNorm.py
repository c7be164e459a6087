"""Hidden suite for the BatchNorm(num_features, num_dims) layer: gamma/beta parameters, moving statistics buffers.

The layer runs with a correct ``batch_norm`` swapped into the notebook's
namespace (as ``module_run_with_correct_batch_norm`` does), so a mistake in
the function exercise is not charged twice.
"""
import torch
from hypothesis import example, given, settings, strategies as st

import d2lkit as d2l
from _ps07_helpers import (call_text, check_module, check_state, dtypes, inputs, module_run_with_correct_batch_norm,
                           reference_block)
from autograder.suite import expect_close, expect_close_tree, fail, points

RUN = module_run_with_correct_batch_norm
HINT = ("gamma and beta are nn.Parameters of shape (1, num_features) for num_dims == 2 or (1, num_features, 1, 1) "
        "for num_dims == 4")


@st.composite
def configs(draw):
    return (draw(st.integers(1, 4)), draw(st.sampled_from([2, 4])))


def batch(args, dtype, seed, n=4):
    c, dims = args
    return inputs((n, c) if dims == 2 else (n, c, 3, 2), dtype, seed, -2.0, 4.0)


@points(1)
@settings(max_examples=3)
@given(args=configs())
@example(args=(3, 4))
def test_parameters_and_buffers(student, args):
    """gamma, beta are parameters; moving_mean, moving_var are registered buffers; initial values 1, 0, 0, 1."""
    check_state(student, "BatchNorm", args, {}, d2l.BatchNorm(*args), HINT)
    from autograder import drivers
    got = student.run(drivers.module_state, "BatchNorm", args, {}, describe_as=call_text("BatchNorm", args))
    reference = d2l.BatchNorm(*args)
    expected = {"parameters": dict(reference.named_parameters()), "buffers": dict(reference.named_buffers())}
    expect_close_tree({"parameters": got["parameters"], "buffers": got["buffers"]},
                      {k: {n: t.detach() for n, t in v.items()} for k, v in expected.items()},
                      f"the initial values of {call_text('BatchNorm', args)} (gamma ones, beta zeros, moving_mean "
                      f"zeros, moving_var ones)")


@points(2)
@settings(max_examples=3)
@given(args=configs(), dtype=dtypes(), seed=st.integers(0, 1000))
@example(args=(3, 4), dtype=torch.float64, seed=1)
def test_training_mode(student, device, args, dtype, seed):
    """Training mode, two batches: outputs use the batch statistics and the buffers hold the updated moving ones."""
    X = batch(args, dtype, seed)
    check_module(student, "BatchNorm", args, {}, reference_block(d2l.BatchNorm, args, seed=seed), X, train=True,
                 device=device, calls=2, shape_hint=HINT, driver=RUN)


@points(2)
@settings(max_examples=3)
@given(args=configs(), dtype=dtypes(), seed=st.integers(0, 1000))
@example(args=(3, 4), dtype=torch.float64, seed=2)
def test_evaluation_mode(student, device, args, dtype, seed):
    """Evaluation mode (gradients enabled): the moving statistics normalise X and are not changed."""
    X = batch(args, dtype, seed)
    reference = reference_block(d2l.BatchNorm, args, seed=seed)
    try:
        check_module(student, "BatchNorm", args, {}, reference, X, train=False, device=device, calls=2,
                     shape_hint=HINT, driver=RUN)
    except AssertionError as failure:
        if "moving statistics" in str(failure) or "is wrong" in str(failure):
            fail(f"{failure}\nIn evaluation mode (self.training is False) normalise with moving_mean and "
                 f"moving_var and do not update them, even though gradients are enabled: batch_norm alone "
                 f"looks at torch.is_grad_enabled(), so check self.training in forward.")
        raise


def _train_then_eval(ns, num_features, num_dims, batches, X_eval):
    """BatchNorm(num_features, num_dims) trained on batches, then evaluated"""
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
        module = ns["BatchNorm"](num_features, num_dims).to(device=X_eval.device, dtype=X_eval.dtype)
        module.train()
        for X in batches:
            module(X)
        module.eval()
        Y = module(X_eval)
        state = {key: value.detach().clone() for key, value in module.state_dict().items()}
    return {"eval_output": Y, "state": state}


@points(1)
@settings(max_examples=3)
@given(args=configs(), dtype=dtypes(), seed=st.integers(0, 1000))
@example(args=(2, 2), dtype=torch.float64, seed=3)
def test_train_then_eval(student, device, args, dtype, seed):
    """A fresh layer trained on three batches and then evaluated uses what it accumulated (on the device)."""
    batches = [batch(args, dtype, seed + i).to(device) for i in range(3)]
    X_eval = batch(args, dtype, seed + 10, n=2).to(device)
    reference = d2l.BatchNorm(*args).to(device=device, dtype=dtype)
    for X in batches:
        reference(X)
    reference.eval()
    expected = {"eval_output": reference(X_eval),
                "state": {k: v.detach().clone() for k, v in reference.state_dict().items()}}
    got = student.run(_train_then_eval, *args, batches, X_eval,
                      describe_as=f"{call_text('BatchNorm', args)} trained on 3 batches, then in eval mode")
    expect_close_tree(got, expected, f"{call_text('BatchNorm', args)} after 3 training batches, then eval",
                      X_shape=tuple(X_eval.shape))


@points(1)
@settings(max_examples=3)
@given(args=configs(), seed=st.integers(0, 1000))
@example(args=(3, 4), seed=4)
def test_gradients(student, args, seed):
    """In training mode the gradients of gamma and beta equal the reference's (float64)."""
    X = batch(args, torch.float64, seed)
    check_module(student, "BatchNorm", args, {}, reference_block(d2l.BatchNorm, args, seed=seed), X, train=True,
                 grads=True, seed=seed, shape_hint=HINT, driver=RUN)
