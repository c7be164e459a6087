"""Tests of d2lkit.cnn against torch.nn.functional's convolution and pooling."""
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st

import d2lkit as d2l
from d2lkit_strategies import DEVICES, DTYPES, SETTINGS

TOL64 = dict(rtol=1e-10, atol=1e-12)


@st.composite
def images_and_kernels(draw, channels_in=None, channels_out=None, max_pad=0, max_stride=1):
    """(X (c_i, h, w), K (c_o, c_i, kh, kw), padding, stride) in float64, the kernel fitting the padded image."""
    c_i = channels_in or draw(st.integers(1, 3))
    c_o = channels_out or draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, max_pad)), draw(st.integers(0, max_pad))
    h, w = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    kh, kw = draw(st.integers(1, h + 2 * ph)), draw(st.integers(1, w + 2 * pw))
    sh, sw = draw(st.integers(1, max_stride)), draw(st.integers(1, max_stride))
    seed = draw(st.integers(0, 2**31 - 1))
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(c_i, h, w, generator=g, dtype=torch.float64)
    K = torch.randn(c_o, c_i, kh, kw, generator=g, dtype=torch.float64)
    return X, K, (ph, pw), (sh, sw)


@SETTINGS
@given(case=images_and_kernels(channels_in=1, channels_out=1))
def test_corr2d_matches_conv2d(case):
    """corr2d equals F.conv2d (which cross-correlates) on one channel, for any kernel up to full size."""
    X, K, _, _ = case
    expected = F.conv2d(X[None], K)[0, 0]
    torch.testing.assert_close(d2l.corr2d(X[0], K[0, 0]), expected, **TOL64)


def test_corr2d_does_not_flip():
    """The book's example: corr2d(X, K) for X = 0..8 (3x3) and K = 0..3 (2x2) is [[19, 25], [37, 43]]."""
    X, K = torch.arange(9.0).reshape(3, 3), torch.arange(4.0).reshape(2, 2)
    assert torch.equal(d2l.corr2d(X, K), torch.tensor([[19.0, 25.0], [37.0, 43.0]]))


@pytest.mark.parametrize('device', DEVICES)
@pytest.mark.parametrize('dtype', DTYPES)
def test_functions_keep_dtype_and_device(device, dtype):
    """Every operation returns the input's dtype and device (meta tensors catch CPU allocations)."""
    X = torch.ones(2, 5, 6, dtype=dtype, device=device)
    K = torch.ones(3, 2, 2, 3, dtype=dtype, device=device)
    outputs = [d2l.corr2d(X[0], K[0, 0]), d2l.corr2d_padded(X[0], K[0, 0], (1, 2), (2, 1)),
               d2l.corr2d_multi_in(X, K[0]), d2l.corr2d_multi_in_out(X, K),
               d2l.corr2d_multi_in_out_1x1(X, K[:, :, :1, :1]), d2l.pool2d(X[0], (2, 3), 'max'),
               d2l.pool2d(X[0], (2, 3), 'avg'), d2l.pool2d_padded(X[0], (2, 3), (1, 1), (1, 2), 'max'),
               d2l.pool2d_padded(X[0], (2, 3), (1, 1), None, 'avg')]
    for Y in outputs:
        assert Y.dtype == dtype and Y.device.type == device


@SETTINGS
@given(case=images_and_kernels(channels_in=1, channels_out=1, max_pad=2, max_stride=3))
def test_corr2d_padded_and_output_shape_match_conv2d(case):
    """corr2d_padded equals F.conv2d with padding and stride; conv_output_shape gives its shape."""
    X, K, padding, stride = case
    expected = F.conv2d(X[None], K, padding=padding, stride=stride)[0, 0]
    torch.testing.assert_close(d2l.corr2d_padded(X[0], K[0, 0], padding, stride), expected, **TOL64)
    assert d2l.conv_output_shape(X.shape[1:], K.shape[2:], padding, stride) == tuple(expected.shape)


def test_conv_output_shape_accepts_ints():
    """Ints mean the same value for both axes; the result is a tuple of Python ints."""
    assert d2l.conv_output_shape((8, 8), (3, 3), 1, 2) == (4, 4)
    assert d2l.conv_output_shape((8, 8), (5, 3), (0, 1), (3, 4)) == (2, 2)
    assert all(type(n) is int for n in d2l.conv_output_shape((8, 8), 3))


@SETTINGS
@given(case=images_and_kernels())
def test_multi_channel_corr2d_matches_conv2d(case):
    """corr2d_multi_in_out equals F.conv2d; corr2d_multi_in is its single-output case."""
    X, K, _, _ = case
    expected = F.conv2d(X[None], K)[0]
    torch.testing.assert_close(d2l.corr2d_multi_in_out(X, K), expected, **TOL64)
    torch.testing.assert_close(d2l.corr2d_multi_in(X, K[0]), expected[0], **TOL64)
    torch.testing.assert_close(d2l.corr2d_multi_in(X, K[0]), sum(d2l.corr2d(x, k) for x, k in zip(X, K[0])), **TOL64)


@SETTINGS
@given(case=images_and_kernels())
def test_1x1_matches_conv2d(case):
    """The matrix-product 1x1 convolution equals F.conv2d with a 1x1 kernel."""
    X, K, _, _ = case
    K = K[:, :, :1, :1].contiguous()
    torch.testing.assert_close(d2l.corr2d_multi_in_out_1x1(X, K), F.conv2d(X[None], K)[0], **TOL64)


@SETTINGS
@given(case=images_and_kernels(channels_in=1, channels_out=1))
def test_pool2d_matches_torch_pooling(case):
    """pool2d (stride 1, no padding) equals F.max_pool2d / F.avg_pool2d with stride 1."""
    X, K, _, _ = case
    size = tuple(K.shape[2:])
    torch.testing.assert_close(d2l.pool2d(X[0], size, 'max'), F.max_pool2d(X, size, stride=1)[0], **TOL64)
    torch.testing.assert_close(d2l.pool2d(X[0], size, 'avg'), F.avg_pool2d(X, size, stride=1)[0], **TOL64)


@SETTINGS
@given(case=images_and_kernels(channels_in=1, channels_out=1, max_pad=2, max_stride=3), default_stride=st.booleans())
def test_pool2d_padded_matches_torch_pooling(case, default_stride):
    """pool2d_padded equals torch's pooling (-inf padding for max, zero padding counted for avg)."""
    X, K, padding, stride = case
    size = tuple(K.shape[2:])
    padding = tuple(min(p, k // 2) for p, k in zip(padding, size))
    if X.shape[1] + 2 * padding[0] < size[0] or X.shape[2] + 2 * padding[1] < size[1]:
        return
    stride_arg = None if default_stride else stride
    torch_stride = size if default_stride else stride
    torch.testing.assert_close(d2l.pool2d_padded(X[0], size, padding, stride_arg, 'max'),
                               F.max_pool2d(X, size, torch_stride, padding)[0], **TOL64)
    torch.testing.assert_close(d2l.pool2d_padded(X[0], size, padding, stride_arg, 'avg'),
                               F.avg_pool2d(X, size, torch_stride, padding, count_include_pad=True)[0], **TOL64)


def test_conv2d_module_and_learn_kernel():
    """Conv2D registers weight and bias; learn_kernel recovers the edge detector [[1, -1]]."""
    layer = d2l.Conv2D((1, 2))
    assert {k: tuple(v.shape) for k, v in layer.state_dict().items()} == {'weight': (1, 2), 'bias': (1,)}
    X = torch.ones(6, 8, dtype=torch.float64)
    X[:, 2:6] = 0
    torch.testing.assert_close(layer.double()(X), F.conv2d(X[None, None], layer.weight[None, None], layer.bias)[0, 0])
    K_true = torch.tensor([[1.0, -1.0]], dtype=torch.float64)
    K, losses = d2l.learn_kernel(X, d2l.corr2d(X, K_true), (1, 2), 3e-2, 30)
    torch.testing.assert_close(K, K_true, atol=1e-4, rtol=0)
    assert len(losses) == 30 and all(type(v) is float for v in losses) and losses[-1] < losses[0]


def test_lenet_shapes():
    """LeNet maps (n, 1, 28, 28) to (n, 10) with 61,706 parameters."""
    net = d2l.lenet()
    assert net(torch.zeros(3, 1, 28, 28)).shape == (3, 10)
    assert sum(p.numel() for p in net.parameters()) == 61706
