"""Mutants (one typical bug each) and correct variants for ps06-cnn.

A mutant's ``fails`` names the hidden tests (without ``test_``) that must
fail, and ``message`` a fragment of the first one's message. A variant is a
correct implementation in another style and must get full marks.
"""
from kit import Mutant, Variant

CORR2D_MUTANTS = [
    Mutant("corr2d", "book_float32_zeros", '''def corr2d(X, K):
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y
''', fails=("matches_reference", "gradient"), message="keep the input's dtype"),
    Mutant("corr2d", "flipped_kernel", '''def corr2d(X, K):
    kh, kw = K.shape
    K = torch.flip(K, dims=(0, 1))
    Y = torch.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1), dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + kh, j:j + kw] * K).sum()
    return Y
''', fails=("matches_reference", "non_square_kernel"), message="flipped the kernel"),
    Mutant("corr2d", "off_by_one", '''def corr2d(X, K):
    kh, kw = K.shape
    Y = torch.zeros((X.shape[0] - kh, X.shape[1] - kw), dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + kh, j:j + kw] * K).sum()
    return Y
''', fails=("matches_reference", "one_by_one_and_full_size_kernels"), message="h - kh + 1 times"),
    Mutant("corr2d", "assumes_square_kernel", '''def corr2d(X, K):
    k = K.shape[0]
    Y = torch.zeros((X.shape[0] - k + 1, X.shape[1] - k + 1), dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + k, j:j + k] * K).sum()
    return Y
''', fails=("non_square_kernel",), message="corr2d("),
    Mutant("corr2d", "uses_conv2d", '''import torch.nn.functional as F

def corr2d(X, K):
    return F.conv2d(X[None, None], K[None, None])[0, 0]
''', fails=("matches_reference", "gradient"), message="from scratch"),
    Mutant("corr2d", "output_on_cpu", '''def corr2d(X, K):
    kh, kw = K.shape
    Y = torch.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1), dtype=X.dtype)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + kh, j:j + kw] * K).sum()
    return Y
''', fails=("matches_reference",), message="input's device", device="cuda"),
]

CORR2D_VARIANTS = [
    Variant("corr2d", "tensor_unfold_windows", '''def corr2d(X, K):
    kh, kw = K.shape
    windows = X.unfold(0, kh, 1).unfold(1, kw, 1)
    return torch.einsum('ijab,ab->ij', windows, K)
'''),
    Variant("corr2d", "shifted_slices", '''def corr2d(X, K):
    kh, kw = K.shape
    oh, ow = X.shape[0] - kh + 1, X.shape[1] - kw + 1
    Y = X.new_zeros((oh, ow))
    for a in range(kh):
        for b in range(kw):
            Y = Y + K[a, b] * X[a:a + oh, b:b + ow]
    return Y
'''),
    Variant("corr2d", "stacked_rows", '''def corr2d(X, K):
    h, w = K.shape
    rows = []
    for i in range(X.shape[0] - h + 1):
        rows.append(torch.stack([torch.sum(X[i:i + h, j:j + w] * K) for j in range(X.shape[1] - w + 1)]))
    return torch.stack(rows)
'''),
]

CONV2D_MUTANTS = [
    Mutant("Conv2D", "plain_tensors", '''class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = torch.rand(kernel_size)
        self.bias = torch.zeros(1)

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias
''', fails=("registers_parameters",), message="nn.Parameter"),
    Mutant("Conv2D", "forgets_bias", '''class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return corr2d(x, self.weight)
''', fails=("forward_matches_reference", "gradients"), message="without the bias"),
    Mutant("Conv2D", "random_bias", '''class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.rand(1))

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias
''', fails=("registers_parameters",), message="start at zero"),
    Mutant("Conv2D", "normal_weight", '''class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias
''', fails=("registers_parameters",), message="uniform on [0, 1)"),
    Mutant("Conv2D", "uses_conv2d", '''class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return torch.nn.functional.conv2d(x[None, None], self.weight[None, None], self.bias)[0, 0]
''', fails=("forward_matches_reference",), message="from scratch"),
]

CONV2D_VARIANTS = [
    Variant("Conv2D", "inline_windows_and_uniform_", '''class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(*kernel_size).uniform_(0, 1))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        kh, kw = self.weight.shape
        return (x.unfold(0, kh, 1).unfold(1, kw, 1) * self.weight).sum(dim=(2, 3)) + self.bias
'''),
    Variant("Conv2D", "register_parameter", '''class Conv2D(torch.nn.Module):
    def __init__(self, kernel_size):
        super(Conv2D, self).__init__()
        self.register_parameter('weight', torch.nn.Parameter(torch.rand(tuple(kernel_size))))
        self.register_parameter('bias', torch.nn.Parameter(torch.tensor([0.0])))

    def forward(self, x):
        out = corr2d(x, self.weight)
        return out + self.bias[0]
'''),
]

LEARN_KERNEL_MUTANTS = [
    Mutant("learn_kernel", "mean_loss", '''def learn_kernel(X, Y, kernel_shape, lr, num_epochs):
    K = torch.zeros(kernel_shape, dtype=X.dtype, device=X.device, requires_grad=True)
    losses = []
    for _ in range(num_epochs):
        loss = ((corr2d(X, K) - Y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            K -= lr * K.grad
        K.grad.zero_()
        losses.append(loss.item())
    return K.detach(), losses
''', fails=("matches_reference", "recovers_edge_detector"), message="not their mean"),
    Mutant("learn_kernel", "no_zero_grad", '''def learn_kernel(X, Y, kernel_shape, lr, num_epochs):
    K = torch.zeros(kernel_shape, dtype=X.dtype, device=X.device, requires_grad=True)
    losses = []
    for _ in range(num_epochs):
        loss = ((corr2d(X, K) - Y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            K -= lr * K.grad
        losses.append(loss.item())
    return K.detach(), losses
''', fails=("matches_reference",), message="zero it after each update"),
    Mutant("learn_kernel", "random_start", '''def learn_kernel(X, Y, kernel_shape, lr, num_epochs):
    K = torch.rand(kernel_shape, dtype=X.dtype, device=X.device, requires_grad=True)
    losses = []
    for _ in range(num_epochs):
        loss = ((corr2d(X, K) - Y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            K -= lr * K.grad
        K.grad.zero_()
        losses.append(loss.item())
    return K.detach(), losses
''', fails=("matches_reference",), message="start from K = 0"),
    Mutant("learn_kernel", "loss_after_update", '''def learn_kernel(X, Y, kernel_shape, lr, num_epochs):
    K = torch.zeros(kernel_shape, dtype=X.dtype, device=X.device, requires_grad=True)
    losses = []
    for _ in range(num_epochs):
        loss = ((corr2d(X, K) - Y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            K -= lr * K.grad
            K.grad.zero_()
            losses.append(float(((corr2d(X, K) - Y) ** 2).sum()))
    return K.detach(), losses
''', fails=("matches_reference",), message="BEFORE that epoch's update"),
    Mutant("learn_kernel", "tensor_losses_and_kernel", '''def learn_kernel(X, Y, kernel_shape, lr, num_epochs):
    K = torch.zeros(kernel_shape, dtype=X.dtype, device=X.device, requires_grad=True)
    losses = []
    for _ in range(num_epochs):
        loss = ((corr2d(X, K) - Y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            K -= lr * K.grad
        K.grad.zero_()
        losses.append(loss.detach())
    return K, losses
''', fails=("returns_detached_kernel_and_floats",), message="Python floats"),
]

LEARN_KERNEL_VARIANTS = [
    Variant("learn_kernel", "torch_optim_sgd", '''def learn_kernel(X, Y, kernel_shape, lr, num_epochs):
    K = torch.nn.Parameter(torch.zeros(*kernel_shape, dtype=X.dtype, device=X.device))
    optimizer = torch.optim.SGD([K], lr=lr)
    history = []
    for epoch in range(num_epochs):
        optimizer.zero_grad()
        l = torch.sum(torch.square(corr2d(X, K) - Y))
        l.backward()
        optimizer.step()
        history.append(float(l))
    return K.detach().clone(), history
'''),
    Variant("learn_kernel", "autograd_grad", '''def learn_kernel(X, Y, kernel_shape, lr, num_epochs):
    K = X.new_zeros(kernel_shape)
    losses = []
    for epoch in range(num_epochs):
        K.requires_grad_(True)
        err = corr2d(X, K) - Y
        loss = (err * err).sum()
        (grad,) = torch.autograd.grad(loss, K)
        K = (K - lr * grad).detach()
        losses.append(loss.item())
    return K, losses
'''),
]

CONV_OUTPUT_SHAPE_MUTANTS = [
    Mutant("conv_output_shape", "padding_one_side", '''def conv_output_shape(input_shape, kernel_shape, padding=0, stride=1):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    return ((input_shape[0] - kernel_shape[0] + ph) // sh + 1, (input_shape[1] - kernel_shape[1] + pw) // sw + 1)
''', fails=("matches_reference",), message="AND p at the bottom"),
    Mutant("conv_output_shape", "rounds_up", '''import math

def conv_output_shape(input_shape, kernel_shape, padding=0, stride=1):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    return (math.ceil((input_shape[0] - kernel_shape[0] + 2 * ph) / sh) + 1,
            math.ceil((input_shape[1] - kernel_shape[1] + 2 * pw) / sw) + 1)
''', fails=("matches_reference",), message="round DOWN"),
    Mutant("conv_output_shape", "swapped_axes", '''def conv_output_shape(input_shape, kernel_shape, padding=0, stride=1):
    pw, ph = (padding, padding) if isinstance(padding, int) else padding
    sw, sh = (stride, stride) if isinstance(stride, int) else stride
    return ((input_shape[0] - kernel_shape[0] + 2 * ph) // sh + 1, (input_shape[1] - kernel_shape[1] + 2 * pw) // sw + 1)
''', fails=("asymmetric_padding_and_stride",), message="the height uses p_h"),
    Mutant("conv_output_shape", "float_division", '''def conv_output_shape(input_shape, kernel_shape, padding=0, stride=1):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    return (float((input_shape[0] - kernel_shape[0] + 2 * ph) // sh + 1),
            float((input_shape[1] - kernel_shape[1] + 2 * pw) // sw + 1))
''', fails=("int_arguments_and_python_ints",), message="Python ints"),
    Mutant("conv_output_shape", "pairs_only", '''def conv_output_shape(input_shape, kernel_shape, padding=0, stride=1):
    return ((input_shape[0] - kernel_shape[0] + 2 * padding[0]) // stride[0] + 1,
            (input_shape[1] - kernel_shape[1] + 2 * padding[1]) // stride[1] + 1)
''', fails=("int_arguments_and_python_ints",), message="raised TypeError"),
]

CONV_OUTPUT_SHAPE_VARIANTS = [
    Variant("conv_output_shape", "per_axis_loop", '''def conv_output_shape(input_shape, kernel_shape, padding=0, stride=1):
    padding = [padding] * 2 if isinstance(padding, int) else list(padding)
    stride = [stride] * 2 if isinstance(stride, int) else list(stride)
    out = []
    for n, k, p, s in zip(input_shape, kernel_shape, padding, stride):
        out.append(int((n - k + 2 * p + s) // s))
    return tuple(out)
'''),
    Variant("conv_output_shape", "floor_of_division", '''import math

def conv_output_shape(input_shape, kernel_shape, padding=0, stride=1):
    (h, w), (kh, kw) = input_shape, kernel_shape
    ph, pw = padding if isinstance(padding, (tuple, list)) else (padding, padding)
    sh, sw = stride if isinstance(stride, (tuple, list)) else (stride, stride)
    return math.floor((h + 2 * ph - kh) / sh) + 1, math.floor((w + 2 * pw - kw) / sw) + 1
'''),
]

CORR2D_PADDED_MUTANTS = [
    Mutant("corr2d_padded", "pads_one_side", '''def corr2d_padded(X, K, padding=0, stride=1):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    h, w = X.shape
    kh, kw = K.shape
    Xp = torch.zeros((h + ph, w + pw), dtype=X.dtype, device=X.device)
    Xp[ph:, pw:] = X
    Y = torch.zeros(((h + ph - kh) // sh + 1, (w + pw - kw) // sw + 1), dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (Xp[i * sh:i * sh + kh, j * sw:j * sw + kw] * K).sum()
    return Y
''', fails=("matches_reference",), message="AND at the bottom"),
    Mutant("corr2d_padded", "ignores_stride", '''def corr2d_padded(X, K, padding=0, stride=1):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    h, w = X.shape
    kh, kw = K.shape
    Xp = torch.zeros((h + 2 * ph, w + 2 * pw), dtype=X.dtype, device=X.device)
    Xp[ph:ph + h, pw:pw + w] = X
    Y = torch.zeros((h + 2 * ph - kh + 1, w + 2 * pw - kw + 1), dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (Xp[i:i + kh, j:j + kw] * K).sum()
    return Y
''', fails=("matches_reference",), message="(the stride)"),
    Mutant("corr2d_padded", "height_padding_for_both", '''def corr2d_padded(X, K, padding=0, stride=1):
    p = padding if isinstance(padding, int) else padding[0]
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    h, w = X.shape
    kh, kw = K.shape
    Xp = torch.zeros((h + 2 * p, w + 2 * p), dtype=X.dtype, device=X.device)
    Xp[p:p + h, p:p + w] = X
    Y = torch.zeros(((h + 2 * p - kh) // sh + 1, (w + 2 * p - kw) // sw + 1), dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (Xp[i * sh:i * sh + kh, j * sw:j * sw + kw] * K).sum()
    return Y
''', fails=("asymmetric_padding_and_stride",), message="returned shape"),
    Mutant("corr2d_padded", "book_float32_buffers", '''def corr2d_padded(X, K, padding=0, stride=1):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    h, w = X.shape
    kh, kw = K.shape
    Xp = torch.zeros((h + 2 * ph, w + 2 * pw), device=X.device)
    Xp[ph:ph + h, pw:pw + w] = X
    Y = torch.zeros(((h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1), device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (Xp[i * sh:i * sh + kh, j * sw:j * sw + kw] * K).sum()
    return Y
''', fails=("matches_reference", "gradient"), message="keep the input's dtype"),
]

CORR2D_PADDED_VARIANTS = [
    Variant("corr2d_padded", "pad_then_subsample", '''import torch.nn.functional as F

def corr2d_padded(X, K, padding=0, stride=1):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    Xp = F.pad(X, (pw, pw, ph, ph))
    return corr2d(Xp, K)[::sh, ::sw]
'''),
    Variant("corr2d_padded", "strided_windows", '''def corr2d_padded(X, K, padding=0, stride=1):
    if isinstance(padding, int):
        padding = (padding, padding)
    if isinstance(stride, int):
        stride = (stride, stride)
    ph, pw = padding
    Xp = torch.cat([X.new_zeros(ph, X.shape[1]), X, X.new_zeros(ph, X.shape[1])], dim=0)
    Xp = torch.cat([Xp.new_zeros(Xp.shape[0], pw), Xp, Xp.new_zeros(Xp.shape[0], pw)], dim=1)
    windows = Xp.unfold(0, K.shape[0], stride[0]).unfold(1, K.shape[1], stride[1])
    return (windows * K).sum(dim=(-1, -2))
'''),
]

CORR2D_MULTI_IN_MUTANTS = [
    Mutant("corr2d_multi_in", "no_channel_sum", '''def corr2d_multi_in(X, K):
    return torch.stack([corr2d(x, k) for x, k in zip(X, K)])
''', fails=("matches_reference", "single_channel"), message="one result per input channel"),
    Mutant("corr2d_multi_in", "channel_mean", '''def corr2d_multi_in(X, K):
    return torch.stack([corr2d(x, k) for x, k in zip(X, K)]).mean(dim=0)
''', fails=("matches_reference",), message="averaged over the channels"),
    Mutant("corr2d_multi_in", "first_channel_only", '''def corr2d_multi_in(X, K):
    return corr2d(X[0], K[0])
''', fails=("matches_reference",), message="a single channel"),
    Mutant("corr2d_multi_in", "float32_result", '''def corr2d_multi_in(X, K):
    return sum(corr2d(x.float(), k.float()) for x, k in zip(X, K))
''', fails=("matches_reference", "gradient"), message="keep the input's dtype"),
]

CORR2D_MULTI_IN_VARIANTS = [
    Variant("corr2d_multi_in", "index_loop", '''def corr2d_multi_in(X, K):
    total = corr2d(X[0], K[0])
    for c in range(1, X.shape[0]):
        total = total + corr2d(X[c], K[c])
    return total
'''),
    Variant("corr2d_multi_in", "einsum_windows", '''def corr2d_multi_in(X, K):
    c, kh, kw = K.shape
    windows = X.unfold(1, kh, 1).unfold(2, kw, 1)
    return torch.einsum('cijab,cab->ij', windows, K)
'''),
]

CORR2D_MULTI_IN_OUT_MUTANTS = [
    Mutant("corr2d_multi_in_out", "sums_output_channels", '''def corr2d_multi_in_out(X, K):
    return sum(corr2d_multi_in(X, k) for k in K)
''', fails=("matches_reference", "single_output_channel"), message="do not add them up"),
    Mutant("corr2d_multi_in_out", "kernel_columns", '''def corr2d_multi_in_out(X, K):
    return torch.stack([corr2d_multi_in(X, K[:, o]) for o in range(K.shape[0])], 0)
''', fails=("as_many_outputs_as_inputs",), message="K[:, o]"),
    Mutant("corr2d_multi_in_out", "channels_last", '''def corr2d_multi_in_out(X, K):
    return torch.stack([corr2d_multi_in(X, k) for k in K], dim=-1)
''', fails=("matches_reference",), message="returned shape"),
    Mutant("corr2d_multi_in_out", "squeezed", '''def corr2d_multi_in_out(X, K):
    return torch.stack([corr2d_multi_in(X, k) for k in K], 0).squeeze()
''', fails=("single_output_channel",), message="squeeze"),
]

CORR2D_MULTI_IN_OUT_VARIANTS = [
    Variant("corr2d_multi_in_out", "preallocated", '''def corr2d_multi_in_out(X, K):
    c_o, c_i, kh, kw = K.shape
    Y = torch.zeros((c_o, X.shape[1] - kh + 1, X.shape[2] - kw + 1), dtype=X.dtype, device=X.device)
    for o in range(c_o):
        for c in range(c_i):
            Y[o] += corr2d(X[c], K[o, c])
    return Y
'''),
    Variant("corr2d_multi_in_out", "einsum", '''def corr2d_multi_in_out(X, K):
    kh, kw = K.shape[2:]
    return torch.einsum('cijab,ocab->oij', X.unfold(1, kh, 1).unfold(2, kw, 1), K)
'''),
]

ONE_BY_ONE_MUTANTS = [
    Mutant("corr2d_multi_in_out_1x1", "transposed_kernel", '''def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    c_o = K.shape[0]
    return torch.matmul(K.reshape(c_i, c_o).T, X.reshape(c_i, h * w)).reshape(c_o, h, w)
''', fails=("as_many_outputs_as_inputs",), message="K transposed"),
    Mutant("corr2d_multi_in_out_1x1", "column_major_pixels", '''def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    c_o = K.shape[0]
    X = X.transpose(1, 2).reshape(c_i, h * w)
    return (K.reshape(c_o, c_i) @ X).reshape(c_o, h, w)
''', fails=("non_square_images",), message="wrong order"),
    Mutant("corr2d_multi_in_out_1x1", "view_needs_contiguous", '''def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    c_o = K.shape[0]
    return (K.view(c_o, c_i) @ X.view(c_i, h * w)).view(c_o, h, w)
''', fails=("matches_reference",), message="view"),
    Mutant("corr2d_multi_in_out_1x1", "float32_product", '''def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    c_o = K.shape[0]
    return (K.reshape(c_o, c_i).float() @ X.reshape(c_i, h * w).float()).reshape(c_o, h, w)
''', fails=("matches_reference", "gradient"), message="keep the input's dtype"),
    Mutant("corr2d_multi_in_out_1x1", "uses_conv2d", '''from torch.nn import functional as F

def corr2d_multi_in_out_1x1(X, K):
    return F.conv2d(X.unsqueeze(0), K).squeeze(0)
''', fails=("matches_reference",), message="from scratch"),
]

ONE_BY_ONE_VARIANTS = [
    Variant("corr2d_multi_in_out_1x1", "einsum", '''def corr2d_multi_in_out_1x1(X, K):
    return torch.einsum('oc,chw->ohw', K[:, :, 0, 0], X)
'''),
    Variant("corr2d_multi_in_out_1x1", "flatten_and_mm", '''def corr2d_multi_in_out_1x1(X, K):
    c_o, c_i = K.shape[:2]
    Y = torch.mm(K.flatten(1), X.flatten(1))
    return Y.unflatten(1, X.shape[1:])
'''),
]

POOL2D_MUTANTS = [
    Mutant("pool2d", "always_max", '''def pool2d(X, pool_size, mode='max'):
    p_h, p_w = pool_size
    Y = torch.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1), dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = X[i:i + p_h, j:j + p_w].max()
    return Y
''', fails=("average_pooling",), message="computed max pooling"),
    Mutant("pool2d", "average_is_sum", '''def pool2d(X, pool_size, mode='max'):
    p_h, p_w = pool_size
    Y = torch.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1), dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = X[i:i + p_h, j:j + p_w]
            Y[i, j] = window.max() if mode == 'max' else window.sum()
    return Y
''', fails=("average_pooling",), message="the window's sum"),
    Mutant("pool2d", "book_float32_zeros", '''def pool2d(X, pool_size, mode='max'):
    p_h, p_w = pool_size
    Y = torch.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            if mode == 'max':
                Y[i, j] = X[i: i + p_h, j: j + p_w].max()
            elif mode == 'avg':
                Y[i, j] = X[i: i + p_h, j: j + p_w].mean()
    return Y
''', fails=("max_pooling", "average_pooling"), message="keep the input's dtype"),
    Mutant("pool2d", "window_transposed", '''def pool2d(X, pool_size, mode='max'):
    p_w, p_h = pool_size
    Y = torch.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1), dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = X[i:i + p_h, j:j + p_w]
            Y[i, j] = window.max() if mode == 'max' else window.mean()
    return Y
''', fails=("non_square_window",), message="p_h = pool_size[0] rows"),
    Mutant("pool2d", "stride_is_pool_size", '''def pool2d(X, pool_size, mode='max'):
    p_h, p_w = pool_size
    Y = torch.zeros(((X.shape[0] - p_h) // p_h + 1, (X.shape[1] - p_w) // p_w + 1), dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = X[i * p_h:i * p_h + p_h, j * p_w:j * p_w + p_w]
            Y[i, j] = window.max() if mode == 'max' else window.mean()
    return Y
''', fails=("max_pooling",), message="stride 1, no padding"),
    Mutant("pool2d", "uses_max_pool2d", '''import torch.nn.functional as F

def pool2d(X, pool_size, mode='max'):
    pool = F.max_pool2d if mode == 'max' else F.avg_pool2d
    return pool(X[None], pool_size, stride=1)[0]
''', fails=("max_pooling",), message="from scratch"),
]

POOL2D_VARIANTS = [
    Variant("pool2d", "windows_amax_mean", '''def pool2d(X, pool_size, mode='max'):
    windows = X.unfold(0, pool_size[0], 1).unfold(1, pool_size[1], 1)
    if mode == 'avg':
        return windows.mean(dim=(-2, -1))
    return windows.amax(dim=(-2, -1))
'''),
    Variant("pool2d", "shifted_slices", '''def pool2d(X, pool_size, mode='max'):
    p_h, p_w = pool_size
    oh, ow = X.shape[0] - p_h + 1, X.shape[1] - p_w + 1
    parts = [X[a:a + oh, b:b + ow] for a in range(p_h) for b in range(p_w)]
    stacked = torch.stack(parts)
    if mode == 'max':
        return stacked.max(dim=0).values
    return stacked.sum(dim=0) / (p_h * p_w)
'''),
]

POOL2D_PADDED_MUTANTS = [
    Mutant("pool2d_padded", "zero_padding_for_max", '''def pool2d_padded(X, pool_size, padding=0, stride=None, mode='max'):
    k_h, k_w = pool_size
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    sh, sw = pool_size if stride is None else ((stride, stride) if isinstance(stride, int) else stride)
    h, w = X.shape
    Xp = torch.zeros((h + 2 * ph, w + 2 * pw), dtype=X.dtype, device=X.device)
    Xp[ph:ph + h, pw:pw + w] = X
    Y = torch.zeros(((h + 2 * ph - k_h) // sh + 1, (w + 2 * pw - k_w) // sw + 1), dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = Xp[i * sh:i * sh + k_h, j * sw:j * sw + k_w]
            Y[i, j] = window.max() if mode == 'max' else window.mean()
    return Y
''', fails=("max_padding_never_wins",), message="-inf"),
    Mutant("pool2d_padded", "average_excludes_padding", '''def pool2d_padded(X, pool_size, padding=0, stride=None, mode='max'):
    k_h, k_w = pool_size
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    sh, sw = pool_size if stride is None else ((stride, stride) if isinstance(stride, int) else stride)
    h, w = X.shape
    Y = torch.zeros(((h + 2 * ph - k_h) // sh + 1, (w + 2 * pw - k_w) // sw + 1), dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            r0, c0 = i * sh - ph, j * sw - pw
            window = X[max(r0, 0):max(r0 + k_h, 0), max(c0, 0):max(c0 + k_w, 0)]
            Y[i, j] = window.max() if mode == 'max' else window.mean()
    return Y
''', fails=("average_counts_padding",), message="number of real"),
    Mutant("pool2d_padded", "default_stride_one", '''def pool2d_padded(X, pool_size, padding=0, stride=None, mode='max'):
    k_h, k_w = pool_size
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    sh, sw = (1, 1) if stride is None else ((stride, stride) if isinstance(stride, int) else stride)
    h, w = X.shape
    fill = float('-inf') if mode == 'max' else 0.0
    Xp = torch.full((h + 2 * ph, w + 2 * pw), fill, dtype=X.dtype, device=X.device)
    Xp[ph:ph + h, pw:pw + w] = X
    Y = torch.zeros(((h + 2 * ph - k_h) // sh + 1, (w + 2 * pw - k_w) // sw + 1), dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = Xp[i * sh:i * sh + k_h, j * sw:j * sw + k_w]
            Y[i, j] = window.max() if mode == 'max' else window.sum() / (k_h * k_w)
    return Y
''', fails=("default_stride_and_int_arguments",), message="stride=None means"),
    Mutant("pool2d_padded", "pads_one_side", '''def pool2d_padded(X, pool_size, padding=0, stride=None, mode='max'):
    k_h, k_w = pool_size
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    sh, sw = pool_size if stride is None else ((stride, stride) if isinstance(stride, int) else stride)
    h, w = X.shape
    fill = float('-inf') if mode == 'max' else 0.0
    Xp = torch.full((h + ph, w + pw), fill, dtype=X.dtype, device=X.device)
    Xp[ph:, pw:] = X
    Y = torch.zeros(((h + ph - k_h) // sh + 1, (w + pw - k_w) // sw + 1), dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = Xp[i * sh:i * sh + k_h, j * sw:j * sw + k_w]
            Y[i, j] = window.max() if mode == 'max' else window.sum() / (k_h * k_w)
    return Y
''', fails=("matches_reference",), message="returned shape"),
    Mutant("pool2d_padded", "uses_torch_pooling", '''import torch.nn.functional as F

def pool2d_padded(X, pool_size, padding=0, stride=None, mode='max'):
    if mode == 'max':
        return F.max_pool2d(X[None], pool_size, stride, padding)[0]
    return F.avg_pool2d(X[None], pool_size, stride, padding)[0]
''', fails=("matches_reference",), message="from scratch"),
]

POOL2D_PADDED_VARIANTS = [
    Variant("pool2d_padded", "pad_and_unfold", '''import torch.nn.functional as F

def pool2d_padded(X, pool_size, padding=0, stride=None, mode='max'):
    p = (padding, padding) if isinstance(padding, int) else tuple(padding)
    s = tuple(pool_size) if stride is None else ((stride, stride) if isinstance(stride, int) else tuple(stride))
    value = -float('inf') if mode == 'max' else 0.0
    Xp = F.pad(X, (p[1], p[1], p[0], p[0]), value=value)
    windows = Xp.unfold(0, pool_size[0], s[0]).unfold(1, pool_size[1], s[1])
    windows = windows.reshape(*windows.shape[:2], -1)
    return windows.max(dim=-1).values if mode == 'max' else windows.mean(dim=-1)
'''),
    Variant("pool2d_padded", "clipped_windows", '''def pool2d_padded(X, pool_size, padding=0, stride=None, mode='max'):
    kh, kw = pool_size
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    if stride is None:
        stride = pool_size
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    h, w = X.shape
    rows = []
    for i in range(0, h + 2 * ph - kh + 1, sh):
        row = []
        for j in range(0, w + 2 * pw - kw + 1, sw):
            r0, c0 = i - ph, j - pw
            window = X[max(r0, 0):r0 + kh, max(c0, 0):c0 + kw]
            row.append(window.max() if mode == 'max' else window.sum() / (kh * kw))
        rows.append(torch.stack(row))
    return torch.stack(rows)
'''),
]

_LENET_LAYERS = '''nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(), nn.Linear(400, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10)'''


def _lenet(layers):
    return f'''def lenet():
    return nn.Sequential(
        {layers})
'''


LENET_MUTANTS = [
    Mutant("lenet", "max_pooling", _lenet(_LENET_LAYERS.replace("nn.AvgPool2d", "nn.MaxPool2d")),
           fails=("output_with_reference_parameters",), message="largest error"),
    Mutant("lenet", "no_padding", _lenet(_LENET_LAYERS.replace(", padding=2", "")),
           fails=("layer_shapes", "parameters"), message="after layer 0"),
    Mutant("lenet", "relu", _lenet(_LENET_LAYERS.replace("nn.Sigmoid()", "nn.ReLU()")),
           fails=("output_with_reference_parameters",), message="largest error"),
    Mutant("lenet", "no_dense_sigmoids", _lenet(_LENET_LAYERS.replace(
        "nn.Linear(400, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid()", "nn.Linear(400, 120), nn.Linear(120, 84)")),
           fails=("layer_shapes", "parameters"), message="after layer 8"),
]

LENET_VARIANTS = [
    Variant("lenet", "lazy_layers", '''def lenet():
    return nn.Sequential(
        nn.LazyConv2d(6, kernel_size=5, padding=2), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.LazyConv2d(16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.LazyLinear(120), nn.Sigmoid(),
        nn.LazyLinear(84), nn.Sigmoid(),
        nn.LazyLinear(10))
'''),
    Variant("lenet", "list_of_layers", '''def lenet():
    layers = []
    for c_in, c_out, pad in ((1, 6, 2), (6, 16, 0)):
        layers += [nn.Conv2d(c_in, c_out, (5, 5), padding=(pad, pad)), nn.Sigmoid(), nn.AvgPool2d(2)]
    layers.append(nn.Flatten(start_dim=1))
    sizes = [16 * 5 * 5, 120, 84]
    for a, b in zip(sizes, sizes[1:]):
        layers += [nn.Linear(a, b), nn.Sigmoid()]
    layers.append(nn.Linear(84, 10))
    return nn.Sequential(*layers)
'''),
]

MUTANTS = (CORR2D_MUTANTS + CONV2D_MUTANTS + LEARN_KERNEL_MUTANTS + CONV_OUTPUT_SHAPE_MUTANTS + CORR2D_PADDED_MUTANTS
           + CORR2D_MULTI_IN_MUTANTS + CORR2D_MULTI_IN_OUT_MUTANTS + ONE_BY_ONE_MUTANTS + POOL2D_MUTANTS
           + POOL2D_PADDED_MUTANTS + LENET_MUTANTS)
VARIANTS = (CORR2D_VARIANTS + CONV2D_VARIANTS + LEARN_KERNEL_VARIANTS + CONV_OUTPUT_SHAPE_VARIANTS
            + CORR2D_PADDED_VARIANTS + CORR2D_MULTI_IN_VARIANTS + CORR2D_MULTI_IN_OUT_VARIANTS + ONE_BY_ONE_VARIANTS
            + POOL2D_VARIANTS + POOL2D_PADDED_VARIANTS + LENET_VARIANTS)

MUTANTS.append(Mutant("corr2d_padded", "fpad_order_swapped", '''import torch.nn.functional as F

def corr2d_padded(X, K, padding=0, stride=1):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    Xp = F.pad(X, (ph, ph, pw, pw))
    return corr2d(Xp, K)[::sh, ::sw]
''', fails=("asymmetric_padding_and_stride",), message="LAST dimension"))
