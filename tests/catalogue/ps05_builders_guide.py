"""Mutants and variants of ps05-builders-guide, graded through the real engine by tests/test_catalogue.py.

A source is a whole solution cell. The notebook's setup cell imports torch,
nn (torch.nn) and F (torch.nn.functional); anything else a cell needs it
imports itself.
"""
from kit import Mutant, Variant

# --------------------------------------------------------------------------- MySequential

MY_SEQUENTIAL_MUTANTS = [
    Mutant("MySequential", "python_list", '''class MySequential(nn.Module):
    def __init__(self, *modules):
        super().__init__()
        self.layers = list(modules)

    def forward(self, X):
        for layer in self.layers:
            X = layer(X)
        return X
''', fails=("registers_parameters", "state_dict_names", "moves_with_to"), message="add_module"),
    Mutant("MySequential", "reversed_order", '''class MySequential(nn.Module):
    def __init__(self, *modules):
        super().__init__()
        for i, module in enumerate(modules):
            self.add_module(str(i), module)

    def forward(self, X):
        for module in reversed(list(self.children())):
            X = module(X)
        return X
''', fails=("matches_reference",), message="in the order they were given"),
    Mutant("MySequential", "module_list_attribute", '''class MySequential(nn.Module):
    def __init__(self, *modules):
        super().__init__()
        self.layers = nn.ModuleList(modules)

    def forward(self, X):
        for layer in self.layers:
            X = layer(X)
        return X
''', fails=("state_dict_names",), message="'0.weight'"),
    Mutant("MySequential", "returns_inside_loop", '''class MySequential(nn.Module):
    def __init__(self, *modules):
        super().__init__()
        for i, module in enumerate(modules):
            self.add_module(str(i), module)

    def forward(self, X):
        for module in self.children():
            X = module(X)
            return X
''', fails=("matches_reference",), message="return the last output"),
    Mutant("MySequential", "not_chained", '''class MySequential(nn.Module):
    def __init__(self, *modules):
        super().__init__()
        for i, module in enumerate(modules):
            self.add_module(str(i), module)

    def forward(self, X):
        out = X
        for module in self.children():
            out = module(X)
        return out
''', fails=("matches_reference",), message="one after the other"),
    Mutant("MySequential", "book_children_skips_repeats", '''class MySequential(nn.Module):
    def __init__(self, *args):
        super().__init__()
        for idx, module in enumerate(args):
            self.add_module(str(idx), module)

    def forward(self, X):
        for module in self.children():
            X = module(X)
        return X
''', fails=("module_given_twice",), message="should run twice"),
    Mutant("MySequential", "uses_nn_sequential", '''class MySequential(nn.Module):
    def __init__(self, *modules):
        super().__init__()
        self.net = nn.Sequential(*modules)

    def forward(self, X):
        return self.net(X)
''', fails=("matches_reference", "registers_parameters"), message="must be written from scratch"),
]

MY_SEQUENTIAL_VARIANTS = [
    Variant("MySequential", "book_modules_dict", '''class MySequential(nn.Module):
    def __init__(self, *args):
        super().__init__()
        for idx, module in enumerate(args):
            self._modules[str(idx)] = module

    def forward(self, X):
        for block in self._modules.values():
            X = block(X)
        return X
'''),
    Variant("MySequential", "setattr_and_reduce", '''import functools

class MySequential(nn.Module):
    def __init__(self, *modules):
        super().__init__()
        self.count = len(modules)
        for i in range(len(modules)):
            setattr(self, f"{i}", modules[i])

    def forward(self, X):
        layers = [getattr(self, str(i)) for i in range(self.count)]
        return functools.reduce(lambda acc, layer: layer(acc), layers, X)
'''),
]

# --------------------------------------------------------------------------- FixedHiddenMLP

FIXED_HIDDEN_MLP_MUTANTS = [
    Mutant("FixedHiddenMLP", "plain_tensor_attribute", '''class FixedHiddenMLP(nn.Module):
    def __init__(self, num_hiddens=20):
        super().__init__()
        self.rand_weight = torch.rand(num_hiddens, num_hiddens)
        self.linear = nn.Linear(num_hiddens, num_hiddens)

    def forward(self, X):
        X = self.linear(X)
        X = F.relu(X @ self.rand_weight + 1)
        X = self.linear(X)
        while X.abs().sum() > 1:
            X /= 2
        return X.sum()
''', fails=("registers_fixed_weight", "matches_reference"), message="buffers"),
    Mutant("FixedHiddenMLP", "trainable_parameter", '''class FixedHiddenMLP(nn.Module):
    def __init__(self, num_hiddens=20):
        super().__init__()
        self.rand_weight = nn.Parameter(torch.rand(num_hiddens, num_hiddens))
        self.linear = nn.Linear(num_hiddens, num_hiddens)

    def forward(self, X):
        X = self.linear(X)
        X = F.relu(X @ self.rand_weight + 1)
        X = self.linear(X)
        while X.abs().sum() > 1:
            X /= 2
        return X.sum()
''', fails=("registers_fixed_weight", "matches_reference"), message="must not be trained"),
    Mutant("FixedHiddenMLP", "if_not_while", '''class FixedHiddenMLP(nn.Module):
    def __init__(self, num_hiddens=20):
        super().__init__()
        self.register_buffer('rand_weight', torch.rand(num_hiddens, num_hiddens))
        self.linear = nn.Linear(num_hiddens, num_hiddens)

    def forward(self, X):
        X = self.linear(X)
        X = F.relu(X @ self.rand_weight + 1)
        X = self.linear(X)
        if X.abs().sum() > 1:
            X = X / 2
        return X.sum()
''', fails=("halves_until_small",), message="a while loop"),
    Mutant("FixedHiddenMLP", "two_linear_layers", '''class FixedHiddenMLP(nn.Module):
    def __init__(self, num_hiddens=20):
        super().__init__()
        self.register_buffer('rand_weight', torch.rand(num_hiddens, num_hiddens))
        self.linear = nn.Linear(num_hiddens, num_hiddens)
        self.linear2 = nn.Linear(num_hiddens, num_hiddens)

    def forward(self, X):
        X = self.linear(X)
        X = F.relu(X @ self.rand_weight + 1)
        X = self.linear2(X)
        while X.abs().sum() > 1:
            X = X / 2
        return X.sum()
''', fails=("matches_reference", "registers_fixed_weight"), message="call it twice"),
    Mutant("FixedHiddenMLP", "signed_sum_condition", '''class FixedHiddenMLP(nn.Module):
    def __init__(self, num_hiddens=20):
        super().__init__()
        self.register_buffer('rand_weight', torch.rand(num_hiddens, num_hiddens))
        self.linear = nn.Linear(num_hiddens, num_hiddens)

    def forward(self, X):
        X = self.linear(X)
        X = F.relu(X @ self.rand_weight + 1)
        X = self.linear(X)
        while X.sum().abs() > 1:
            X = X / 2
        return X.sum()
''', fails=("halves_until_small",), message="halve X while X.abs().sum() > 1"),
    Mutant("FixedHiddenMLP", "halves_once_first", '''class FixedHiddenMLP(nn.Module):
    def __init__(self, num_hiddens=20):
        super().__init__()
        self.register_buffer('rand_weight', torch.rand(num_hiddens, num_hiddens))
        self.linear = nn.Linear(num_hiddens, num_hiddens)

    def forward(self, X):
        X = self.linear(X)
        X = F.relu(X @ self.rand_weight + 1)
        X = self.linear(X)
        X = X / 2
        while X.abs().sum() > 1:
            X = X / 2
        return X.sum()
''', fails=("small_output_not_halved",), message="no halving"),
]

FIXED_HIDDEN_MLP_VARIANTS = [
    Variant("FixedHiddenMLP", "book_in_place_halving", '''class FixedHiddenMLP(nn.Module):
    def __init__(self, num_hiddens=20):
        super().__init__()
        self.register_buffer("rand_weight", torch.rand((num_hiddens, num_hiddens)), persistent=True)
        self.linear = nn.Linear(num_hiddens, num_hiddens)

    def forward(self, X):
        X = self.linear(X)
        X = torch.relu(torch.mm(X, self.rand_weight) + 1)
        X = self.linear(X)
        while X.abs().sum() > 1:
            X /= 2
        return X.sum()
'''),
    Variant("FixedHiddenMLP", "counted_halvings", '''class FixedHiddenMLP(nn.Module):
    def __init__(self, num_hiddens=20):
        super().__init__()
        self.linear = nn.Linear(num_hiddens, num_hiddens)
        fixed = torch.rand(num_hiddens, num_hiddens)
        self.register_buffer('rand_weight', fixed)

    def forward(self, X):
        H = self.linear(X)
        H = (H.matmul(self.rand_weight) + 1).clamp(min=0)
        H = self.linear(H)
        halvings = 0
        while float(torch.sum(torch.abs(H))) / 2 ** halvings > 1:
            halvings += 1
        return (H / 2 ** halvings).sum()
'''),
]

# --------------------------------------------------------------------------- CenteredLayer

CENTERED_LAYER_MUTANTS = [
    Mutant("CenteredLayer", "column_mean", '''class CenteredLayer(nn.Module):
    def forward(self, X):
        return X - X.mean(dim=0, keepdim=True)
''', fails=("centres_all_elements",), message="over dim 0"),
    Mutant("CenteredLayer", "row_mean", '''class CenteredLayer(nn.Module):
    def forward(self, X):
        return X - X.mean(dim=-1, keepdim=True)
''', fails=("centres_all_elements", "matches_reference"), message="over dim 1"),
    Mutant("CenteredLayer", "in_place", '''class CenteredLayer(nn.Module):
    def forward(self, X):
        X -= X.mean()
        return X
''', fails=("no_parameters_and_pure",), message="modified X in place"),
    Mutant("CenteredLayer", "float32_always", '''class CenteredLayer(nn.Module):
    def forward(self, X):
        X = X.float()
        return X - X.mean()
''', fails=("matches_reference",), message="dtype"),
    Mutant("CenteredLayer", "registers_a_parameter", '''class CenteredLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.shift = nn.Parameter(torch.zeros(1))

    def forward(self, X):
        return X - X.mean() + self.shift.to(X.dtype)
''', fails=("no_parameters_and_pure",), message="no parameters"),
    Mutant("CenteredLayer", "divides_by_wrong_count", '''class CenteredLayer(nn.Module):
    def forward(self, X):
        return X - X.sum() / X.shape[0]
''', fails=("matches_reference", "centres_all_elements"), message="mean of ALL elements"),
]

CENTERED_LAYER_VARIANTS = [
    Variant("CenteredLayer", "sum_over_numel", '''class CenteredLayer(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, X):
        return torch.sub(X, X.sum() / X.numel())
'''),
    Variant("CenteredLayer", "mean_over_all_dims_keepdim", '''class CenteredLayer(nn.Module):
    def forward(self, X):
        centre = torch.mean(X, dim=tuple(range(X.dim())), keepdim=True)
        return X - centre
'''),
]

# --------------------------------------------------------------------------- MyLinear

MY_LINEAR_MUTANTS = [
    Mutant("MyLinear", "uses_data", '''class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units,))

    def forward(self, X):
        linear = torch.matmul(X, self.weight.data) + self.bias.data
        return F.relu(linear)
''', fails=("gradients",), message="not self.weight.data"),
    Mutant("MyLinear", "plain_tensors", '''class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = torch.randn(in_units, units, requires_grad=True)
        self.bias = torch.randn(units, requires_grad=True)

    def forward(self, X):
        return F.relu(X @ self.weight + self.bias)
''', fails=("parameters_registered", "matches_reference", "init_standard_normal"), message="nn.Parameter"),
    Mutant("MyLinear", "nn_linear_layout", '''class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(units, in_units))
        self.bias = nn.Parameter(torch.randn(units))

    def forward(self, X):
        return F.relu(X @ self.weight.T + self.bias)
''', fails=("parameters_registered", "matches_reference"), message="expected {'weight': (5, 3)"),
    Mutant("MyLinear", "no_relu", '''class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units))

    def forward(self, X):
        return X @ self.weight + self.bias
''', fails=("matches_reference", "gradients"), message="relu(X @ weight + bias)"),
    Mutant("MyLinear", "uniform_init", '''class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(in_units, units))
        self.bias = nn.Parameter(torch.rand(units))

    def forward(self, X):
        return F.relu(X @ self.weight + self.bias)
''', fails=("init_standard_normal",), message="N(0, 1)"),
    Mutant("MyLinear", "uses_nn_linear", '''class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.inner = nn.Linear(in_units, units)

    def forward(self, X):
        return F.relu(self.inner(X))
''', fails=("matches_reference", "parameters_registered"), message="must be written from scratch"),
]

MY_LINEAR_VARIANTS = [
    Variant("MyLinear", "register_parameter_and_clamp", '''class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.register_parameter("weight", nn.Parameter(torch.normal(0.0, 1.0, size=(in_units, units))))
        self.register_parameter("bias", nn.Parameter(torch.normal(0.0, 1.0, size=(units,))))

    def forward(self, X):
        return torch.clamp(torch.matmul(X, self.weight) + self.bias, min=0)
'''),
    Variant("MyLinear", "einsum_and_where", '''class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(in_units, units).normal_())
        self.bias = nn.Parameter(torch.empty(units).normal_())

    def forward(self, X):
        Z = torch.einsum("nd,dq->nq", X, self.weight) + self.bias
        return torch.where(Z > 0, Z, torch.zeros_like(Z))
'''),
]

# --------------------------------------------------------------------------- tied_mlp

TIED_MLP_MUTANTS = [
    Mutant("tied_mlp", "two_separate_layers", '''def tied_mlp(num_inputs, num_hiddens, num_outputs):
    return nn.Sequential(nn.Linear(num_inputs, num_hiddens), nn.ReLU(),
                         nn.Linear(num_hiddens, num_hiddens), nn.ReLU(),
                         nn.Linear(num_hiddens, num_hiddens), nn.ReLU(),
                         nn.Linear(num_hiddens, num_outputs))
''', fails=("shares_storage", "gradients_add_up"), message="do not share their parameters"),
    Mutant("tied_mlp", "deep_copy", '''import copy

def tied_mlp(num_inputs, num_hiddens, num_outputs):
    shared = nn.Linear(num_hiddens, num_hiddens)
    return nn.Sequential(nn.Linear(num_inputs, num_hiddens), nn.ReLU(),
                         shared, nn.ReLU(), copy.deepcopy(shared), nn.ReLU(),
                         nn.Linear(num_hiddens, num_outputs))
''', fails=("shares_storage", "gradients_add_up"), message="a copy"),
    Mutant("tied_mlp", "weight_only_tied", '''def tied_mlp(num_inputs, num_hiddens, num_outputs):
    first = nn.Linear(num_hiddens, num_hiddens)
    second = nn.Linear(num_hiddens, num_hiddens)
    second.weight = first.weight
    return nn.Sequential(nn.Linear(num_inputs, num_hiddens), nn.ReLU(),
                         first, nn.ReLU(), second, nn.ReLU(),
                         nn.Linear(num_hiddens, num_outputs))
''', fails=("shares_storage", "gradients_add_up"), message="do not share"),
    Mutant("tied_mlp", "missing_relu", '''def tied_mlp(num_inputs, num_hiddens, num_outputs):
    shared = nn.Linear(num_hiddens, num_hiddens)
    return nn.Sequential(nn.Linear(num_inputs, num_hiddens), nn.ReLU(),
                         shared, shared, nn.ReLU(),
                         nn.Linear(num_hiddens, num_outputs))
''', fails=("architecture", "matches_reference"), message="has the layers"),
    Mutant("tied_mlp", "shared_output_size", '''def tied_mlp(num_inputs, num_hiddens, num_outputs):
    shared = nn.Linear(num_hiddens, num_hiddens)
    return nn.Sequential(nn.Linear(num_inputs, num_hiddens), nn.ReLU(),
                         shared, nn.ReLU(), shared, nn.ReLU(),
                         nn.Linear(num_hiddens, 1))
''', fails=("architecture",), message="maps names to shapes"),
]

TIED_MLP_VARIANTS = [
    Variant("tied_mlp", "layer_list", '''def tied_mlp(num_inputs, num_hiddens, num_outputs):
    layers = [nn.Linear(num_inputs, num_hiddens), nn.ReLU()]
    shared = nn.Linear(num_hiddens, num_hiddens)
    for _ in range(2):
        layers += [shared, nn.ReLU()]
    layers.append(nn.Linear(num_hiddens, num_outputs))
    return nn.Sequential(*layers)
'''),
    Variant("tied_mlp", "add_module", '''def tied_mlp(num_inputs, num_hiddens, num_outputs):
    net = nn.Sequential()
    net.add_module("0", nn.Linear(num_inputs, num_hiddens))
    net.add_module("1", nn.ReLU())
    middle = nn.Linear(num_hiddens, num_hiddens)
    net.add_module("2", middle)
    net.add_module("3", nn.ReLU())
    net.add_module("4", middle)
    net.add_module("5", nn.ReLU())
    net.add_module("6", nn.Linear(num_hiddens, num_outputs))
    return net
'''),
]

# --------------------------------------------------------------------------- my_init

MY_INIT_MUTANTS = [
    Mutant("my_init", "no_mask", '''def my_init(module):
    if type(module) == nn.Linear:
        nn.init.uniform_(module.weight, -10, 10)
''', fails=("weight_distribution", "updates_parameters_in_place"), message="should be 0 or have 5 <= |w| <= 10"),
    Mutant("my_init", "mask_inverted", '''def my_init(module):
    if type(module) == nn.Linear:
        nn.init.uniform_(module.weight, -10, 10)
        module.weight.data *= module.weight.data.abs() < 5
''', fails=("weight_distribution",), message="5 <= |w| <= 10"),
    Mutant("my_init", "also_zeroes_bias", '''def my_init(module):
    if isinstance(module, nn.Linear):
        nn.init.uniform_(module.weight, -10, 10)
        module.weight.data *= module.weight.data.abs() >= 5
        nn.init.zeros_(module.bias)
''', fails=("leaves_bias_and_other_modules",), message="a Linear layer's bias"),
    Mutant("my_init", "every_module_with_weight", '''def my_init(module):
    if hasattr(module, "weight"):
        nn.init.uniform_(module.weight, -10, 10)
        module.weight.data *= module.weight.data.abs() >= 5
''', fails=("leaves_bias_and_other_modules",), message="LayerNorm"),
    Mutant("my_init", "in_place_without_no_grad", '''def my_init(module):
    if isinstance(module, nn.Linear):
        module.weight.uniform_(-10, 10)
        module.weight.mul_(module.weight.abs() >= 5)
''', fails=("weight_distribution",), message="torch.no_grad()"),
    Mutant("my_init", "new_parameter", '''def my_init(module):
    if isinstance(module, nn.Linear):
        w = torch.empty_like(module.weight).uniform_(-10, 10)
        module.weight = nn.Parameter(w * (w.abs() >= 5))
''', fails=("updates_parameters_in_place",), message="replaced a parameter"),
    Mutant("my_init", "float32_cpu_data", '''def my_init(module):
    if isinstance(module, nn.Linear):
        w = torch.rand(module.weight.shape) * 20 - 10
        module.weight.data = w * (w.abs() >= 5)
''', fails=("weight_distribution",), message="keeps its dtype"),
]

MY_INIT_VARIANTS = [
    Variant("my_init", "no_grad_copy_where", '''def my_init(module):
    if isinstance(module, nn.Linear):
        with torch.no_grad():
            w = torch.empty_like(module.weight).uniform_(-10, 10)
            module.weight.copy_(torch.where(w.abs() >= 5, w, torch.zeros_like(w)))
'''),
    Variant("my_init", "book_style_with_masked_fill", '''def my_init(module):
    if type(module) == nn.Linear:
        print("Init", *[(name, param.shape) for name, param in module.named_parameters()][0])
        nn.init.uniform_(module.weight, -10, 10)
        module.weight.data.masked_fill_(module.weight.data.abs() < 5, 0.0)
'''),
]

# --------------------------------------------------------------------------- save_and_reload

SAVE_AND_RELOAD_MUTANTS = [
    Mutant("save_and_reload", "saves_whole_module", '''def save_and_reload(net, make_net, path):
    torch.save(net, path)
    clone = make_net()
    clone.load_state_dict(torch.load(path, weights_only=False).state_dict())
    clone.to(next(net.parameters()).device)
    clone.eval()
    return clone
''', fails=("file_holds_state_dict",), message="not the module itself"),
    Mutant("save_and_reload", "returns_net", '''def save_and_reload(net, make_net, path):
    torch.save(net.state_dict(), path)
    net.eval()
    return net
''', fails=("clone_matches",), message="returned net itself"),
    Mutant("save_and_reload", "no_eval", '''def save_and_reload(net, make_net, path):
    torch.save(net.state_dict(), path)
    clone = make_net()
    clone.load_state_dict(torch.load(path))
    return clone.to(next(net.parameters()).device)
''', fails=("clone_in_eval_mode", "clone_matches"), message="training mode"),
    Mutant("save_and_reload", "skips_the_file", '''def save_and_reload(net, make_net, path):
    clone = make_net()
    clone.load_state_dict(net.state_dict())
    clone.to(next(net.parameters()).device)
    return clone.eval()
''', fails=("file_holds_state_dict",), message="wrote no file"),
    Mutant("save_and_reload", "never_loads", '''def save_and_reload(net, make_net, path):
    torch.save(net.state_dict(), path)
    clone = make_net()
    clone.to(next(net.parameters()).device)
    return clone.eval()
''', fails=("clone_matches", "clone_in_eval_mode"), message="load_state_dict"),
    Mutant("save_and_reload", "stays_on_cpu", '''def save_and_reload(net, make_net, path):
    torch.save(net.state_dict(), path)
    clone = make_net()
    clone.load_state_dict(torch.load(path))
    return clone.eval()
''', fails=("clone_matches",), message="move the clone to the device", device="cuda"),
]

SAVE_AND_RELOAD_VARIANTS = [
    Variant("save_and_reload", "file_object_and_map_location", '''def save_and_reload(net, make_net, path):
    device = next(iter(net.parameters())).device
    with open(path, "wb") as f:
        torch.save(net.state_dict(), f)
    clone = make_net().to(device)
    with open(path, "rb") as f:
        clone.load_state_dict(torch.load(f, map_location=device))
    clone.train(False)
    return clone
'''),
    Variant("save_and_reload", "dict_copy_and_strict", '''def save_and_reload(net, make_net, path):
    params = {name: tensor.detach().clone() for name, tensor in net.state_dict().items()}
    torch.save(params, path)
    loaded = torch.load(path, map_location="cpu", weights_only=True)
    clone = make_net()
    clone.load_state_dict(loaded, strict=True)
    return clone.to(device=next(net.parameters()).device).eval()
'''),
]

# --------------------------------------------------------------------------- run_on_device

RUN_ON_DEVICE_MUTANTS = [
    Mutant("run_on_device", "no_eval", '''def run_on_device(net, X, device):
    net.to(device)
    with torch.no_grad():
        Y = net(X.to(device))
    return Y.to(X.device)
''', fails=("eval_and_no_grad",), message="call net.eval()"),
    Mutant("run_on_device", "no_no_grad", '''def run_on_device(net, X, device):
    net = net.to(device)
    net.eval()
    return net(X.to(device)).to(X.device)
''', fails=("eval_and_no_grad",), message="torch.no_grad()"),
    Mutant("run_on_device", "forgets_to_move_X", '''def run_on_device(net, X, device):
    net.to(device)
    net.eval()
    with torch.no_grad():
        return net(X).to(X.device)
''', fails=("moves_net",), message="move both net", device="cuda"),
    Mutant("run_on_device", "output_left_on_device", '''def run_on_device(net, X, device):
    net.to(device)
    net.eval()
    with torch.no_grad():
        return net(X.to(device))
''', fails=("moves_net",), message="returned a tensor on", device="cuda"),
    Mutant("run_on_device", "always_returns_cpu", '''def run_on_device(net, X, device):
    net.to(device)
    net.eval()
    with torch.no_grad():
        return net(X.to(device)).cpu()
''', fails=("output_on_inputs_device",), message="returned a tensor on", device="cuda"),
    Mutant("run_on_device", "moves_a_copy", '''import copy

def run_on_device(net, X, device):
    model = copy.deepcopy(net).to(device)
    model.eval()
    with torch.no_grad():
        return model(X.to(device)).to(X.device)
''', fails=("eval_and_no_grad",), message="still in training mode"),
]

RUN_ON_DEVICE_VARIANTS = [
    Variant("run_on_device", "detach_and_torch_device", '''def run_on_device(net, X, device):
    device = torch.device(device)
    original = X.device
    net = net.to(device)
    net.train(False)
    X_on = X.to(device, non_blocking=False)
    return net(X_on).detach().to(original)
'''),
    Variant("run_on_device", "inference_mode_helper", '''def _move(t, d):
    return t if t.device == torch.device(d) else t.to(d)

def run_on_device(net, X, device):
    net.to(device)
    net.eval()
    with torch.inference_mode():
        out = net(_move(X, device))
    return out.to(X.device).clone()
'''),
]

MUTANTS = (MY_SEQUENTIAL_MUTANTS + FIXED_HIDDEN_MLP_MUTANTS + CENTERED_LAYER_MUTANTS + MY_LINEAR_MUTANTS
           + TIED_MLP_MUTANTS + MY_INIT_MUTANTS + SAVE_AND_RELOAD_MUTANTS + RUN_ON_DEVICE_MUTANTS)
VARIANTS = (MY_SEQUENTIAL_VARIANTS + FIXED_HIDDEN_MLP_VARIANTS + CENTERED_LAYER_VARIANTS + MY_LINEAR_VARIANTS
            + TIED_MLP_VARIANTS + MY_INIT_VARIANTS + SAVE_AND_RELOAD_VARIANTS + RUN_ON_DEVICE_VARIANTS)
