"""Hidden suite for my_init(module), applied with net.apply(my_init).

A driver builds nn.Sequential(Linear(40, 50), LayerNorm(50), ReLU(),
Linear(50, 30)) in the worker (moved to the device and dtype), applies the
student's my_init and returns the parameters before and after. The weights
are random, so the checks are statistical with about six standard errors of
slack: every Linear weight entry is 0 or has 5 <= |w| <= 10, about half are 0,
the others are spread uniformly over [5, 10] with random signs.
"""
import torch

from _ps05_helpers import run_with_hints
from autograder.suite import expect, fail, points

CALL = "net.apply(my_init)"
RULE = ("draw the weight from U(-10, 10) (nn.init.uniform_(module.weight, -10, 10)), then set the entries with "
        "|w| < 5 to 0 (module.weight *= module.weight.abs() >= 5), in place under torch.no_grad()")
HINTS = (("a leaf Variable that requires grad", "change the weight in place inside torch.no_grad() (or through "
          "nn.init functions)"),
         ("cannot assign", "update the existing parameter in place (nn.init.uniform_, weight.copy_, weight *= mask) "
          "instead of assigning a new tensor to module.weight"))


def _apply_init(ns, device, dtype):
    """net.apply(my_init) on nn.Sequential(Linear(40, 50), LayerNorm(50), ReLU(), Linear(50, 30))"""
    import torch
    from torch import nn
    net = nn.Sequential(nn.Linear(40, 50), nn.LayerNorm(50), nn.ReLU(), nn.Linear(50, 30))
    net = net.to(device=device, dtype=getattr(torch, dtype))
    with torch.no_grad():
        net[1].weight.uniform_(0.5, 1.5)
        net[1].bias.uniform_(-0.5, 0.5)
    params = dict(net.named_parameters())
    before = {k: v.detach().clone() for k, v in params.items()}
    returned = net.apply(ns["my_init"])
    after = dict(net.named_parameters())
    return {"before": before, "after": {k: v.detach().clone() for k, v in after.items()},
            "same_objects": all(after.get(k) is v for k, v in params.items()),
            "leaves": all(v.is_leaf and v.requires_grad for v in after.values()),
            "returned_net": returned is net}


def run(student, device="cpu", dtype="float32"):
    got = run_with_hints(student, _apply_init, device, dtype, hints=HINTS)
    expect(isinstance(got, dict), f"{CALL} could not be run")
    return got


def check_weights(got, device, dtype):
    """Both Linear weights follow the rule, with their dtype and device kept."""
    for name in ("0.weight", "3.weight"):
        W, before = got["after"].get(name), got["before"][name]
        expect(isinstance(W, torch.Tensor) and W.shape == before.shape,
               f"after {CALL} the Linear layers' weights should keep their shapes; {RULE}")
        expect(W.dtype == getattr(torch, dtype),
               f"after {CALL} on a {dtype} net, {name} is {W.dtype}; change the weight in place so it keeps its dtype")
        expect(W.device.type == torch.device(device).type,
               f"after {CALL} on a net on {device}, {name} is on {W.device}; change the weight in place (a tensor "
               f"made by torch.rand(...) is on the CPU)")
        expect(not torch.equal(W, before), f"{CALL} left {name} unchanged; {RULE}")
    W = torch.cat([got["after"]["0.weight"].flatten(), got["after"]["3.weight"].flatten()]).double().cpu()
    n = W.numel()  # 3500 entries
    magnitude = W.abs()
    nonzero = W[W != 0]
    bad = ((magnitude > 0) & (magnitude < 5 - 1e-4)) | (magnitude > 10 + 1e-4)
    if bad.any():
        example = float(W[bad][0])
        fail(f"after {CALL} the Linear weights should be 0 or have 5 <= |w| <= 10, but {int(bad.sum())} of {n} "
             f"entries are not (e.g. {example:.4g}); {RULE}")
    zeros = 1 - len(nonzero) / n
    expect(abs(zeros - 0.5) < 6 * (0.25 / n) ** 0.5,
           f"after {CALL}, {zeros:.1%} of the Linear weights are 0, expected about 50% (|w| < 5 for w ~ U(-10, 10)); "
           f"{RULE}")
    mean_magnitude = float(nonzero.abs().mean())
    expect(abs(mean_magnitude - 7.5) < 6 * (25 / 12 / len(nonzero)) ** 0.5,
           f"after {CALL}, the nonzero weights have a mean |w| of {mean_magnitude:.3g}, expected about 7.5 (uniform "
           f"over 5 <= |w| <= 10); {RULE}")
    positive = float((nonzero > 0).double().mean())
    expect(abs(positive - 0.5) < 6 * (0.25 / len(nonzero)) ** 0.5,
           f"after {CALL}, {positive:.1%} of the nonzero weights are positive, expected about half; {RULE}")


@points(2)
def test_weight_distribution(student, device):
    """Linear weights: about half exactly 0, the rest uniform over 5 <= |w| <= 10; dtype and device kept."""
    for dtype in ("float32", "float64"):
        check_weights(run(student, device, dtype), device, dtype)


@points(1)
def test_leaves_bias_and_other_modules(student):
    """Biases and the LayerNorm's weight and bias are unchanged (only nn.Linear weights are re-initialised)."""
    got = run(student)
    for name in ("0.bias", "3.bias", "1.weight", "1.bias"):
        after = got["after"].get(name)
        if not (isinstance(after, torch.Tensor) and torch.equal(after, got["before"][name])):
            what = "a Linear layer's bias" if name.endswith("bias") and name != "1.bias" else "a LayerNorm parameter"
            fail(f"{CALL} changed {name} ({what}); change only the weight of nn.Linear modules "
                 f"(isinstance(module, nn.Linear)) and leave everything else as it is")
    check_weights(got, "cpu", "float32")


@points(1)
def test_updates_parameters_in_place(student):
    """The weights stay the same nn.Parameter objects (leaves requiring grad), changed in place."""
    got = run(student)
    expect(got["same_objects"], f"{CALL} replaced a parameter by a new one; change module.weight in place "
                                f"(an optimizer built before would still hold the old tensor)")
    expect(got["leaves"], f"after {CALL} a parameter is no longer a leaf requiring grad; change it in place under "
                          f"torch.no_grad()")
    check_weights(got, "cpu", "float32")
