"""Hidden suite for lenet(): LeNet-5 as an nn.Sequential of 12 layers (two conv/sigmoid/avg-pool blocks,
flatten, three dense layers), graded on the shape after every layer, the parameters, and the output under
the reference's parameters."""
import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.strategies import dtypes, tensors
from autograder.suite import describe, expect, expect_close, fail, points

LAYERS = ("Conv2d(1, 6, kernel_size=5, padding=2)", "Sigmoid()", "AvgPool2d(kernel_size=2, stride=2)",
          "Conv2d(6, 16, kernel_size=5)", "Sigmoid()", "AvgPool2d(kernel_size=2, stride=2)", "Flatten()",
          "Linear(400, 120)", "Sigmoid()", "Linear(120, 84)", "Sigmoid()", "Linear(84, 10)")


def _layer_shapes(ns, n):
    """lenet() applied layer by layer to a batch of n images (n, 1, 28, 28)"""
    import torch

    net = ns["lenet"]()
    X = torch.rand(n, 1, 28, 28)
    shapes, names = [], []
    children = list(net.children()) if isinstance(net, torch.nn.Module) else []
    error = None
    for layer in children:
        names.append(type(layer).__name__)
        try:
            X = layer(X)
        except Exception as exc:  # the shapes so far tell which layer is wrong
            error = f"{type(exc).__name__}: {exc}"
            shapes.append(None)
            break
        shapes.append(list(X.shape) if isinstance(X, torch.Tensor) else None)
    return {"is_sequential": isinstance(net, torch.nn.Sequential), "names": names, "shapes": shapes, "error": error}


def _parameters(ns):
    """the parameters of lenet() (lazy layers materialised by one forward pass)"""
    import torch

    net = ns["lenet"]()
    with torch.no_grad():
        net(torch.zeros(1, 1, 28, 28))
    return {key: list(value.shape) for key, value in net.state_dict().items()}


def _output(ns, state, X, device, dtype):
    """lenet() with the harness's parameters, called on X"""
    import torch

    net = ns["lenet"]()
    with torch.no_grad():
        net(torch.zeros(1, 1, 28, 28))
    net.load_state_dict(state)
    net = net.to(device=device, dtype=dtype)
    net.eval()
    with torch.no_grad():
        return net(X)


def reference_shapes(n):
    X = torch.rand(n, 1, 28, 28)
    shapes = []
    for layer in d2l.lenet():
        X = layer(X)
        shapes.append(list(X.shape))
    return shapes


@points(2)
@given(n=st.integers(1, 4))
def test_layer_shapes(student, n):
    """lenet() is an nn.Sequential of 12 layers whose outputs have the reference shapes, (n, 10) at the end."""
    got = student.run(_layer_shapes, n, describe_as="lenet() layer by layer")
    expected = reference_shapes(n)
    expect(got["is_sequential"], "lenet() should return an nn.Sequential of the 12 layers listed in its docstring")
    for index, (name, shape, want) in enumerate(zip(got["names"], got["shapes"], expected)):
        if shape != want:
            got_text = f"the shape is {shape}" if shape is not None else f"it raised {got['error']}"
            fail(f"after layer {index} ({name}) of lenet() {got_text}, expected the shape {want}; layer {index} "
                 f"should be {LAYERS[index]}", n=n)
    expect(len(got["shapes"]) == len(expected),
           f"lenet() has {len(got['shapes'])} layers ({', '.join(got['names'])}); it should have the 12 layers "
           f"{', '.join(LAYERS)}", n=n)


@points(1)
def test_parameters(student):
    """The parameters have the reference's names and shapes (61,706 numbers in all)."""
    got = student.run(_parameters, describe_as="lenet().state_dict()")
    expected = {key: list(value.shape) for key, value in d2l.lenet().state_dict().items()}
    total = sum(int(torch.tensor(shape).prod()) for shape in got.values())
    if got != expected:
        fail(f"lenet() has the parameters {describe(got)} ({total} numbers); expected {describe(expected)} "
             f"(61706 numbers): use the 12 layers of the docstring, in that order, in one nn.Sequential")


@points(1)
@settings(max_examples=4)
@given(n=st.integers(1, 3), dtype=dtypes(), seed=st.integers(0, 2**31 - 1), data=st.data())
def test_output_with_reference_parameters(student, device, n, dtype, seed, data):
    """With the reference's parameters loaded, lenet()(X) equals the reference's output (eval mode)."""
    torch.manual_seed(seed)
    reference = d2l.lenet()
    state = reference.state_dict()
    X = data.draw(tensors((n, 1, 28, 28), dtype=dtype, min_value=0.0, max_value=1.0, noncontiguous=False)).to(device)
    reference = reference.to(device=device, dtype=dtype).eval()
    with torch.no_grad():
        expected = reference(X)
    got = student.run(_output, state, X, device, dtype, describe_as="lenet() with the reference's parameters")
    expect_close(got, expected, "lenet()(X) with the reference's parameters", rtol=1e-4, atol=1e-5, n=n)
