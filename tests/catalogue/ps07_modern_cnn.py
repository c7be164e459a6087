"""Mutants and variants of ps07-modern-cnn, graded through the real engine by tests/test_catalogue.py.

A source is a whole solution cell. The notebook's setup cell imports torch,
nn (torch.nn) and F (torch.nn.functional) before these cells; resnet_block
and DenseBlock use the notebook's own Residual and conv_block.
"""
from kit import Mutant, Variant

# --------------------------------------------------------------------------- vgg_block

VGG_BLOCK_MUTANTS = [
    Mutant("vgg_block", "no_padding", '''def vgg_block(num_convs, in_channels, out_channels):
    layers = []
    for _ in range(num_convs):
        layers += [nn.Conv2d(in_channels, out_channels, kernel_size=3), nn.ReLU()]
        in_channels = out_channels
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)
''', fails=("output_shape", "matches_reference"), message="Expected an output of shape"),
    Mutant("vgg_block", "in_channels_for_every_conv", '''def vgg_block(num_convs, in_channels, out_channels):
    layers = []
    for _ in range(num_convs):
        layers += [nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1), nn.ReLU()]
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)
''', fails=("parameters",), message="2.weight has shape"),
    Mutant("vgg_block", "no_relu", '''def vgg_block(num_convs, in_channels, out_channels):
    layers = []
    for _ in range(num_convs):
        layers.append(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))
        in_channels = out_channels
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)
''', fails=("parameters", "matches_reference"), message="Missing parameters"),
    Mutant("vgg_block", "average_pool", '''def vgg_block(num_convs, in_channels, out_channels):
    layers = []
    for _ in range(num_convs):
        layers += [nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1), nn.ReLU()]
        in_channels = out_channels
    layers.append(nn.AvgPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)
''', fails=("matches_reference", "gradients"), message="is wrong"),
]

VGG_BLOCK_VARIANTS = [
    Variant("vgg_block", "add_module_loop", '''def vgg_block(num_convs, in_channels, out_channels):
    blk = nn.Sequential()
    for i in range(num_convs):
        blk.add_module(str(2 * i), nn.Conv2d(in_channels if i == 0 else out_channels, out_channels, 3, 1, 1))
        blk.add_module(str(2 * i + 1), nn.ReLU(inplace=True))
    blk.add_module(str(2 * num_convs), nn.MaxPool2d(2))
    return blk
'''),
    Variant("vgg_block", "ordered_dict", '''from collections import OrderedDict

def vgg_block(num_convs, in_channels, out_channels):
    items, c = [], in_channels
    for i in range(num_convs):
        items.append((str(len(items)), nn.Conv2d(c, out_channels, (3, 3), padding=(1, 1))))
        items.append((str(len(items)), nn.ReLU()))
        c = out_channels
    items.append((str(len(items)), nn.MaxPool2d((2, 2), (2, 2))))
    return nn.Sequential(OrderedDict(items))
'''),
]

# --------------------------------------------------------------------------- nin_block

NIN_BLOCK_MUTANTS = [
    Mutant("nin_block", "no_final_relu", '''def nin_block(in_channels, out_channels, kernel_size, strides, padding):
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride=strides, padding=padding), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1))
''', fails=("matches_reference",), message="is wrong"),
    Mutant("nin_block", "stride_on_1x1_convs", '''def nin_block(in_channels, out_channels, kernel_size, strides, padding):
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride=strides, padding=padding), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1, stride=strides), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1, stride=strides), nn.ReLU())
''', fails=("output_shape",), message="returned shape"),
    Mutant("nin_block", "padding_ignored", '''def nin_block(in_channels, out_channels, kernel_size, strides, padding):
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride=strides), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU())
''', fails=("output_shape",), message="returned shape"),
    Mutant("nin_block", "kernel_size_everywhere", '''def nin_block(in_channels, out_channels, kernel_size, strides, padding):
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride=strides, padding=padding), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size, padding=kernel_size // 2), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size, padding=kernel_size // 2), nn.ReLU())
''', fails=("parameters",), message="2.weight has shape"),
]

NIN_BLOCK_VARIANTS = [
    Variant("nin_block", "list_of_layers", '''def nin_block(in_channels, out_channels, kernel_size, strides, padding):
    layers = [nn.Conv2d(in_channels, out_channels, kernel_size=kernel_size, stride=strides, padding=padding)]
    for _ in range(2):
        layers += [nn.ReLU(inplace=True), nn.Conv2d(out_channels, out_channels, 1)]
    layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)
'''),
    Variant("nin_block", "tuple_arguments", '''def nin_block(in_channels, out_channels, kernel_size, strides, padding):
    k, s, p = (kernel_size, kernel_size), (strides, strides), (padding, padding)
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, k, s, p), nn.ReLU(),
                         nn.Conv2d(out_channels, out_channels, (1, 1)), nn.ReLU(),
                         nn.Conv2d(out_channels, out_channels, (1, 1), bias=True), nn.ReLU())
'''),
]

# --------------------------------------------------------------------------- Inception

_INCEPTION_INIT = '''class Inception(nn.Module):
    def __init__(self, in_channels, c1, c2, c3, c4):
        super().__init__()
        self.p1_1 = nn.Conv2d(in_channels, c1, kernel_size=1)
        self.p2_1 = nn.Conv2d(in_channels, c2[0], kernel_size=1)
        self.p2_2 = nn.Conv2d(c2[0], c2[1], kernel_size=3, padding=1)
        self.p3_1 = nn.Conv2d(in_channels, c3[0], kernel_size=1)
        self.p3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2)
        self.p4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.p4_2 = nn.Conv2d(in_channels, c4, kernel_size=1)
'''

INCEPTION_MUTANTS = [
    Mutant("Inception", "paths_in_wrong_order", _INCEPTION_INIT + '''
    def forward(self, x):
        p1 = F.relu(self.p1_1(x))
        p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
        p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
        p4 = F.relu(self.p4_2(self.p4_1(x)))
        return torch.cat((p4, p1, p2, p3), dim=1)
''', fails=("matches_reference",), message="is wrong"),
    Mutant("Inception", "concatenated_on_dim0", _INCEPTION_INIT + '''
    def forward(self, x):
        p1 = F.relu(self.p1_1(x))
        p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
        p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
        p4 = F.relu(self.p4_2(self.p4_1(x)))
        return torch.cat((p1, p2, p3, p4))
''', fails=("output_shape", "matches_reference"), message="RuntimeError"),
    Mutant("Inception", "no_relu_on_pool_path", _INCEPTION_INIT + '''
    def forward(self, x):
        p1 = F.relu(self.p1_1(x))
        p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
        p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
        p4 = self.p4_2(self.p4_1(x))
        return torch.cat((p1, p2, p3, p4), dim=1)
''', fails=("matches_reference",), message="is wrong"),
    Mutant("Inception", "no_reduction_before_3x3", '''class Inception(nn.Module):
    def __init__(self, in_channels, c1, c2, c3, c4):
        super().__init__()
        self.p1_1 = nn.Conv2d(in_channels, c1, kernel_size=1)
        self.p2_1 = nn.Conv2d(in_channels, c2[0], kernel_size=1)
        self.p2_2 = nn.Conv2d(in_channels, c2[1], kernel_size=3, padding=1)
        self.p3_1 = nn.Conv2d(in_channels, c3[0], kernel_size=1)
        self.p3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2)
        self.p4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.p4_2 = nn.Conv2d(in_channels, c4, kernel_size=1)

    def forward(self, x):
        p1 = F.relu(self.p1_1(x))
        p2 = F.relu(self.p2_2(x))
        p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
        p4 = F.relu(self.p4_2(self.p4_1(x)))
        return torch.cat((p1, p2, p3, p4), dim=1)
''', fails=("parameters",), message="p2_2.weight has shape"),
]

INCEPTION_VARIANTS = [
    Variant("Inception", "relu_module_and_list_cat", _INCEPTION_INIT + '''        self.relu = nn.ReLU()

    def forward(self, x):
        r = self.relu
        outs = [r(self.p1_1(x)), r(self.p2_2(r(self.p2_1(x)))), r(self.p3_2(r(self.p3_1(x)))),
                r(self.p4_2(self.p4_1(x)))]
        return torch.cat(outs, 1)
'''),
    Variant("Inception", "clamp_and_functional_pool", '''class Inception(nn.Module):
    def __init__(self, in_channels, c1, c2, c3, c4, **kwargs):
        super(Inception, self).__init__(**kwargs)
        self.p1_1 = nn.Conv2d(in_channels, c1, 1)
        self.p2_1, self.p2_2 = nn.Conv2d(in_channels, c2[0], 1), nn.Conv2d(c2[0], c2[1], 3, padding=1)
        self.p3_1, self.p3_2 = nn.Conv2d(in_channels, c3[0], 1), nn.Conv2d(c3[0], c3[1], 5, padding=2)
        self.p4_1 = nn.MaxPool2d(3, 1, 1)
        self.p4_2 = nn.Conv2d(in_channels, c4, 1)

    def forward(self, x):
        pooled = F.max_pool2d(x, 3, stride=1, padding=1)
        paths = (self.p1_1(x), self.p2_2(self.p2_1(x).clamp(min=0)), self.p3_2(self.p3_1(x).clamp(min=0)),
                 self.p4_2(pooled))
        return torch.cat([p.clamp(min=0) for p in paths], dim=1)
'''),
]

# --------------------------------------------------------------------------- batch_norm

_BN_TEMPLATE = '''def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
    if not torch.is_grad_enabled():
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
        return gamma * X_hat + beta, moving_mean, moving_var
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    X_hat = (X - mean) / torch.sqrt(var + eps)
    moving_mean = momentum * moving_mean + (1.0 - momentum) * mean
    moving_var = momentum * moving_var + (1.0 - momentum) * var
    return gamma * X_hat + beta, moving_mean, moving_var
'''

BATCH_NORM_MUTANTS = [
    Mutant("batch_norm", "unbiased_variance", _BN_TEMPLATE.replace(
        "var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)", "var = X.var(dim=dims, keepdim=True)"),
        fails=("training_matches_reference", "moving_statistics"), message="is wrong"),
    Mutant("batch_norm", "momentum_weights_the_new_value", _BN_TEMPLATE.replace(
        "moving_mean = momentum * moving_mean + (1.0 - momentum) * mean",
        "moving_mean = (1.0 - momentum) * moving_mean + momentum * mean").replace(
        "moving_var = momentum * moving_var + (1.0 - momentum) * var",
        "moving_var = (1.0 - momentum) * moving_var + momentum * var"),
        fails=("training_matches_reference", "moving_statistics"), message="weight of the OLD moving value"),
    Mutant("batch_norm", "per_pixel_statistics", _BN_TEMPLATE.replace(
        "dims = (0,) if X.dim() == 2 else (0, 2, 3)", "dims = (0,)"),
        fails=("convolutional_over_channels",), message="normalised every pixel separately"),
    Mutant("batch_norm", "rows_of_2d_input", _BN_TEMPLATE.replace(
        "dims = (0,) if X.dim() == 2 else (0, 2, 3)", "dims = (1,) if X.dim() == 2 else (0, 2, 3)"),
        fails=("fully_connected_over_dim0",), message="instead of each feature"),
    Mutant("batch_norm", "ignores_prediction_mode", _BN_TEMPLATE.replace(
        "if not torch.is_grad_enabled():", "if False:"),
        fails=("prediction_mode",), message="used the batch statistics under torch.no_grad()"),
    Mutant("batch_norm", "updates_moving_stats_in_place", _BN_TEMPLATE.replace(
        "moving_mean = momentum * moving_mean + (1.0 - momentum) * mean",
        "moving_mean.mul_(momentum).add_((1.0 - momentum) * mean.detach())"),
        fails=("does_not_modify_inputs",), message="modified moving_mean in place"),
    Mutant("batch_norm", "eps_tensor_built_on_the_cpu", _BN_TEMPLATE.replace(
        "X_hat = (X - mean) / torch.sqrt(var + eps)", "X_hat = (X - mean) / torch.sqrt(var + torch.full(var.shape, eps))"),
        fails=("training_matches_reference",), message="same device", device="cuda"),
]

BATCH_NORM_VARIANTS = [
    Variant("batch_norm", "book_style_branches", '''def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
    if not torch.is_grad_enabled():
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
    else:
        assert len(X.shape) in (2, 4)
        if len(X.shape) == 2:
            mean = X.mean(dim=0)
            var = ((X - mean) ** 2).mean(dim=0)
        else:
            mean = X.mean(dim=(0, 2, 3), keepdim=True)
            var = ((X - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
        X_hat = (X - mean) / torch.sqrt(var + eps)
        moving_mean = momentum * moving_mean + (1.0 - momentum) * mean
        moving_var = momentum * moving_var + (1.0 - momentum) * var
    Y = gamma * X_hat + beta
    return Y, moving_mean.data, moving_var.data
'''),
    Variant("batch_norm", "var_mean_and_rsqrt", '''def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
    if torch.is_grad_enabled():
        axes = [0] + list(range(2, X.ndim))
        var, mean = torch.var_mean(X, dim=axes, unbiased=False, keepdim=True)
        with torch.no_grad():
            new_mean = torch.lerp(mean.reshape(moving_mean.shape), moving_mean, momentum)
            new_var = torch.lerp(var.reshape(moving_var.shape), moving_var, momentum)
    else:
        mean, var, new_mean, new_var = moving_mean, moving_var, moving_mean, moving_var
    return (X - mean) * torch.rsqrt(var + eps) * gamma + beta, new_mean, new_var
'''),
]

# --------------------------------------------------------------------------- BatchNorm

_BN_MODULE = '''class BatchNorm(nn.Module):
    def __init__(self, num_features, num_dims):
        super().__init__()
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.register_buffer('moving_mean', torch.zeros(shape))
        self.register_buffer('moving_var', torch.ones(shape))

    def forward(self, X):
        if not self.training:
            return self.gamma * (X - self.moving_mean) / torch.sqrt(self.moving_var + 1e-5) + self.beta
        Y, self.moving_mean, self.moving_var = batch_norm(X, self.gamma, self.beta, self.moving_mean,
                                                          self.moving_var, eps=1e-5, momentum=0.9)
        return Y
'''

BATCHNORM_MUTANTS = [
    Mutant("BatchNorm", "plain_tensor_attributes", _BN_MODULE.replace(
        "self.register_buffer('moving_mean', torch.zeros(shape))", "self.moving_mean = torch.zeros(shape)").replace(
        "self.register_buffer('moving_var', torch.ones(shape))", "self.moving_var = torch.ones(shape)"),
        fails=("parameters_and_buffers", "training_mode"), message="register_buffer"),
    Mutant("BatchNorm", "eval_decided_by_grad_mode_only", _BN_MODULE.replace(
        "if not self.training:", "if False:"),
        fails=("evaluation_mode",), message="check self.training"),
    Mutant("BatchNorm", "forgets_to_store_moving_stats", _BN_MODULE.replace(
        "Y, self.moving_mean, self.moving_var = batch_norm(", "Y, _, _ = batch_norm("),
        fails=("training_mode", "train_then_eval"), message="moving statistics of batch normalization are updated"),
    Mutant("BatchNorm", "moving_var_starts_at_zero", _BN_MODULE.replace(
        "self.register_buffer('moving_var', torch.ones(shape))", "self.register_buffer('moving_var', torch.zeros(shape))"),
        fails=("parameters_and_buffers", "train_then_eval"), message="initial values"),
]

BATCHNORM_VARIANTS = [
    # the layer is graded with a correct batch_norm swapped in: a wrong function exercise is not charged twice
    Variant("BatchNorm", "correct_layer_on_a_wrong_batch_norm", _BN_MODULE,
            extra={"batch_norm": _BN_TEMPLATE.replace("var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)",
                                                      "var = X.var(dim=dims, keepdim=True)")}),
    Variant("BatchNorm", "copy_under_no_grad", '''class BatchNorm(nn.Module):
    def __init__(self, num_features, num_dims):
        super().__init__()
        shape = [1, num_features] + [1] * (num_dims - 2)
        self.gamma = nn.Parameter(torch.ones(*shape))
        self.beta = nn.Parameter(torch.zeros(*shape))
        self.register_buffer("moving_mean", torch.zeros(*shape))
        self.register_buffer("moving_var", torch.ones(*shape))

    def forward(self, X):
        if self.training and torch.is_grad_enabled():
            Y, mm, mv = batch_norm(X, self.gamma, self.beta, self.moving_mean, self.moving_var, 1e-5, 0.9)
            with torch.no_grad():
                self.moving_mean.copy_(mm)
                self.moving_var.copy_(mv)
            return Y
        X_hat = (X - self.moving_mean) / (self.moving_var + 1e-5).sqrt()
        return X_hat * self.gamma + self.beta
'''),
    Variant("BatchNorm", "book_style_with_buffers_and_device_move", '''class BatchNorm(nn.Module):
    def __init__(self, num_features, num_dims):
        super().__init__()
        if num_dims == 2:
            shape = (1, num_features)
        else:
            shape = (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.register_buffer('moving_mean', torch.zeros(shape))
        self.register_buffer('moving_var', torch.ones(shape))

    def forward(self, X):
        if self.moving_mean.device != X.device:
            self.moving_mean = self.moving_mean.to(X.device)
            self.moving_var = self.moving_var.to(X.device)
        if not self.training:
            return self.gamma * (X - self.moving_mean) / torch.sqrt(self.moving_var + 1e-5) + self.beta
        Y, self.moving_mean, self.moving_var = batch_norm(
            X, self.gamma, self.beta, self.moving_mean, self.moving_var, eps=1e-5, momentum=0.9)
        self.moving_mean = self.moving_mean.detach()
        self.moving_var = self.moving_var.detach()
        return Y
'''),
]

# --------------------------------------------------------------------------- Residual

_RESIDUAL_INIT = '''class Residual(nn.Module):
    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
        self.conv3 = nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides) if use_1x1conv else None
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)
'''
_RESIDUAL_FORWARD = '''
    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3:
            X = self.conv3(X)
        return F.relu(Y + X)
'''

RESIDUAL_MUTANTS = [
    Mutant("Residual", "shortcut_after_final_relu", _RESIDUAL_INIT + _RESIDUAL_FORWARD.replace(
        "return F.relu(Y + X)", "return F.relu(Y) + X"),
        fails=("evaluation_mode", "identity_shortcut"), message="is wrong"),
    Mutant("Residual", "stride_on_conv2", _RESIDUAL_INIT.replace(
        "kernel_size=3, padding=1, stride=strides)", "kernel_size=3, padding=1)").replace(
        "nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)",
        "nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1, stride=strides)") + _RESIDUAL_FORWARD,
        fails=("1x1conv_with_stride_2",), message="is wrong"),
    Mutant("Residual", "shortcut_without_stride", _RESIDUAL_INIT.replace(
        "kernel_size=1, stride=strides)", "kernel_size=1)") + _RESIDUAL_FORWARD,
        fails=("1x1conv_with_stride_2",), message="RuntimeError"),
    Mutant("Residual", "one_batch_norm_for_both", _RESIDUAL_INIT.replace(
        "        self.bn2 = nn.BatchNorm2d(num_channels)\n", "") + _RESIDUAL_FORWARD.replace("self.bn2", "self.bn1"),
        fails=("parameters",), message="Missing parameters"),
]

RESIDUAL_VARIANTS = [
    Variant("Residual", "inplace_relu_module", '''class Residual(nn.Module):
    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels, 3, strides, 1)
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(num_channels, num_channels, 3, 1, 1)
        self.bn2 = nn.BatchNorm2d(num_channels)
        self.conv3 = None
        if use_1x1conv:
            self.conv3 = nn.Conv2d(input_channels, num_channels, 1, strides)

    def forward(self, X):
        identity = X if self.conv3 is None else self.conv3(X)
        out = self.relu(self.bn1(self.conv1(X)))
        out = self.bn2(self.conv2(out))
        out += identity
        return self.relu(out)
'''),
    Variant("Residual", "functional_relu_torch_add", _RESIDUAL_INIT + '''
    def forward(self, X):
        shortcut = self.conv3(X) if self.conv3 is not None else X
        Y = torch.relu(self.bn1(self.conv1(X)))
        return torch.relu(torch.add(self.bn2(self.conv2(Y)), shortcut))
'''),
]

# --------------------------------------------------------------------------- resnet_block

RESNET_BLOCK_MUTANTS = [
    Mutant("resnet_block", "ignores_first_block", '''def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    blk = []
    for i in range(num_residuals):
        if i == 0:
            blk.append(Residual(input_channels, num_channels, use_1x1conv=True, strides=2))
        else:
            blk.append(Residual(num_channels, num_channels))
    return nn.Sequential(*blk)
''', fails=("parameters",), message="Unexpected parameters"),
    Mutant("resnet_block", "every_block_strided", '''def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    blk = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blk.append(Residual(input_channels, num_channels, use_1x1conv=True, strides=2))
        else:
            blk.append(Residual(num_channels, num_channels, use_1x1conv=True, strides=2))
    return nn.Sequential(*blk)
''', fails=("parameters",), message="Unexpected parameters"),
    Mutant("resnet_block", "no_downsampling", '''def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    blk = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blk.append(Residual(input_channels, num_channels, use_1x1conv=True))
        else:
            blk.append(Residual(num_channels, num_channels))
    return nn.Sequential(*blk)
''', fails=("output_shape", "matches_reference"), message="returned shape"),
    Mutant("resnet_block", "returns_a_list", '''def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    blk = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blk.append(Residual(input_channels, num_channels, use_1x1conv=True, strides=2))
        else:
            blk.append(Residual(num_channels, num_channels))
    return blk
''', fails=("parameters", "output_shape", "matches_reference"), message="list"),
]

RESNET_BLOCK_VARIANTS = [
    # the stage is graded with a correct Residual swapped in: a wrong Residual is not charged twice
    Variant("resnet_block", "correct_stage_on_a_wrong_Residual", '''def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    blk = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blk.append(Residual(input_channels, num_channels, use_1x1conv=True, strides=2))
        else:
            blk.append(Residual(num_channels, num_channels))
    return nn.Sequential(*blk)
''', extra={"Residual": _RESIDUAL_INIT.replace("        self.bn2 = nn.BatchNorm2d(num_channels)\n", "")
                        + _RESIDUAL_FORWARD.replace("self.bn2", "self.bn1")}),
    Variant("resnet_block", "comprehension", '''def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    first = (Residual(num_channels, num_channels) if first_block else
             Residual(input_channels, num_channels, use_1x1conv=True, strides=2))
    return nn.Sequential(first, *[Residual(num_channels, num_channels) for _ in range(num_residuals - 1)])
'''),
    Variant("resnet_block", "add_module", '''def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    stage = nn.Sequential()
    for i in range(num_residuals):
        downsample = i == 0 and not first_block
        stage.add_module(str(i), Residual(input_channels if downsample else num_channels, num_channels,
                                          use_1x1conv=downsample, strides=2 if downsample else 1))
    return stage
'''),
]

# --------------------------------------------------------------------------- conv_block

CONV_BLOCK_MUTANTS = [
    Mutant("conv_block", "post_activation_order", '''def conv_block(input_channels, num_channels):
    return nn.Sequential(nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1),
                         nn.BatchNorm2d(num_channels), nn.ReLU())
''', fails=("parameters",), message="Missing parameters"),
    Mutant("conv_block", "relu_first", '''def conv_block(input_channels, num_channels):
    return nn.Sequential(nn.ReLU(), nn.BatchNorm2d(input_channels),
                         nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1))
''', fails=("parameters",), message="Missing parameters"),
    Mutant("conv_block", "no_padding", '''def conv_block(input_channels, num_channels):
    return nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(),
                         nn.Conv2d(input_channels, num_channels, kernel_size=3))
''', fails=("evaluation_mode", "training_mode"), message="returned shape"),
    Mutant("conv_block", "batch_norm_momentum_0_9", '''def conv_block(input_channels, num_channels):
    return nn.Sequential(nn.BatchNorm2d(input_channels, momentum=0.9), nn.ReLU(),
                         nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1))
''', fails=("training_mode",), message="the state_dict"),
]

CONV_BLOCK_VARIANTS = [
    Variant("conv_block", "ordered_dict", '''from collections import OrderedDict

def conv_block(input_channels, num_channels):
    return nn.Sequential(OrderedDict([("0", nn.BatchNorm2d(input_channels)), ("1", nn.ReLU(inplace=False)),
                                      ("2", nn.Conv2d(input_channels, num_channels, (3, 3), 1, 1))]))
'''),
    Variant("conv_block", "appended", '''def conv_block(input_channels, num_channels):
    block = nn.Sequential()
    block.append(nn.BatchNorm2d(input_channels, eps=1e-5, momentum=0.1))
    block.append(nn.ReLU())
    block.append(nn.Conv2d(input_channels, num_channels, kernel_size=3, stride=1, padding=1, bias=True))
    return block
'''),
]

# --------------------------------------------------------------------------- DenseBlock

DENSE_BLOCK_MUTANTS = [
    Mutant("DenseBlock", "new_output_first", '''class DenseBlock(nn.Module):
    def __init__(self, num_convs, input_channels, num_channels):
        super().__init__()
        self.net = nn.Sequential(*[conv_block(input_channels + i * num_channels, num_channels)
                                   for i in range(num_convs)])

    def forward(self, X):
        for blk in self.net:
            X = torch.cat((blk(X), X), dim=1)
        return X
''', fails=("evaluation_mode", "training_mode"), message="is wrong"),
    Mutant("DenseBlock", "channels_do_not_grow", '''class DenseBlock(nn.Module):
    def __init__(self, num_convs, input_channels, num_channels):
        super().__init__()
        self.net = nn.Sequential(*[conv_block(input_channels, num_channels) for i in range(num_convs)])

    def forward(self, X):
        for blk in self.net:
            X = torch.cat((X, blk(X)), dim=1)
        return X
''', fails=("parameters",), message="has shape"),
    Mutant("DenseBlock", "returns_last_output_only", '''class DenseBlock(nn.Module):
    def __init__(self, num_convs, input_channels, num_channels):
        super().__init__()
        self.net = nn.Sequential(*[conv_block(input_channels + i * num_channels, num_channels)
                                   for i in range(num_convs)])

    def forward(self, X):
        for blk in self.net:
            Y = blk(X)
            X = torch.cat((X, Y), dim=1)
        return Y
''', fails=("output_shape", "evaluation_mode"), message="returned shape"),
    Mutant("DenseBlock", "blocks_attribute_name", '''class DenseBlock(nn.Module):
    def __init__(self, num_convs, input_channels, num_channels):
        super().__init__()
        self.blocks = nn.ModuleList([conv_block(input_channels + i * num_channels, num_channels)
                                     for i in range(num_convs)])

    def forward(self, X):
        for blk in self.blocks:
            X = torch.cat((X, blk(X)), dim=1)
        return X
''', fails=("parameters", "evaluation_mode"), message="Missing parameters"),
]

DENSE_BLOCK_VARIANTS = [
    # the dense block is graded with a correct conv_block swapped in: a wrong conv_block is not charged twice
    Variant("DenseBlock", "correct_block_on_a_wrong_conv_block", '''class DenseBlock(nn.Module):
    def __init__(self, num_convs, input_channels, num_channels):
        super().__init__()
        self.net = nn.Sequential(*[conv_block(input_channels + i * num_channels, num_channels)
                                   for i in range(num_convs)])

    def forward(self, X):
        for blk in self.net:
            X = torch.cat((X, blk(X)), dim=1)
        return X
''', extra={"conv_block": '''def conv_block(input_channels, num_channels):
    return nn.Sequential(nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1),
                         nn.BatchNorm2d(num_channels), nn.ReLU())
'''}),
    Variant("DenseBlock", "feature_list", '''class DenseBlock(nn.Module):
    def __init__(self, num_convs, input_channels, num_channels):
        super().__init__()
        self.net = nn.Sequential()
        for i in range(num_convs):
            self.net.append(conv_block(input_channels + i * num_channels, num_channels))

    def forward(self, X):
        features = [X]
        for blk in self.net:
            features.append(blk(torch.cat(features, 1)))
        return torch.cat(features, 1)
'''),
    Variant("DenseBlock", "module_list", '''class DenseBlock(nn.Module):
    def __init__(self, num_convs, input_channels, num_channels):
        super().__init__()
        self.net = nn.ModuleList(conv_block(input_channels + i * num_channels, num_channels)
                                 for i in range(num_convs))

    def forward(self, X):
        for i in range(len(self.net)):
            X = torch.cat([X, self.net[i](X)], dim=1)
        return X
'''),
]

# --------------------------------------------------------------------------- transition_block

TRANSITION_BLOCK_MUTANTS = [
    Mutant("transition_block", "max_pool", '''def transition_block(input_channels, num_channels):
    return nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(),
                         nn.Conv2d(input_channels, num_channels, kernel_size=1), nn.MaxPool2d(kernel_size=2, stride=2))
''', fails=("evaluation_mode", "training_mode"), message="is wrong"),
    Mutant("transition_block", "no_pooling", '''def transition_block(input_channels, num_channels):
    return nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(),
                         nn.Conv2d(input_channels, num_channels, kernel_size=1))
''', fails=("evaluation_mode", "training_mode"), message="returned shape"),
    Mutant("transition_block", "batch_norm_after_conv", '''def transition_block(input_channels, num_channels):
    return nn.Sequential(nn.Conv2d(input_channels, num_channels, kernel_size=1), nn.BatchNorm2d(num_channels),
                         nn.ReLU(), nn.AvgPool2d(kernel_size=2, stride=2))
''', fails=("parameters",), message="Missing parameters"),
    Mutant("transition_block", "kernel_3", '''def transition_block(input_channels, num_channels):
    return nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(),
                         nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1),
                         nn.AvgPool2d(kernel_size=2, stride=2))
''', fails=("parameters",), message="2.weight has shape"),
]

TRANSITION_BLOCK_VARIANTS = [
    Variant("transition_block", "default_pool_stride", '''def transition_block(input_channels, num_channels):
    return nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(inplace=True),
                         nn.Conv2d(input_channels, num_channels, 1), nn.AvgPool2d(2))
'''),
    Variant("transition_block", "ordered_dict_tuple_sizes", '''from collections import OrderedDict

def transition_block(input_channels, num_channels):
    return nn.Sequential(OrderedDict([
        ("0", nn.BatchNorm2d(input_channels)), ("1", nn.ReLU()),
        ("2", nn.Conv2d(input_channels, num_channels, kernel_size=(1, 1))),
        ("3", nn.AvgPool2d(kernel_size=(2, 2), stride=(2, 2)))]))
'''),
]

MUTANTS = (VGG_BLOCK_MUTANTS + NIN_BLOCK_MUTANTS + INCEPTION_MUTANTS + BATCH_NORM_MUTANTS + BATCHNORM_MUTANTS
           + RESIDUAL_MUTANTS + RESNET_BLOCK_MUTANTS + CONV_BLOCK_MUTANTS + DENSE_BLOCK_MUTANTS
           + TRANSITION_BLOCK_MUTANTS)
VARIANTS = (VGG_BLOCK_VARIANTS + NIN_BLOCK_VARIANTS + INCEPTION_VARIANTS + BATCH_NORM_VARIANTS + BATCHNORM_VARIANTS
            + RESIDUAL_VARIANTS + RESNET_BLOCK_VARIANTS + CONV_BLOCK_VARIANTS + DENSE_BLOCK_VARIANTS
            + TRANSITION_BLOCK_VARIANTS)
