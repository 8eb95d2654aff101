# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
#   language_info:
#     name: python
# ---

# %% [markdown] id="cell-000"
# # 03 · Normalization: batch norm, layer norm, weight norm
#
# A network trains badly when the numbers flowing through it have wildly different scales: the loss surface becomes
# a long narrow valley, and one learning rate is too large along some directions and too small along others.
# Normalization fixes the scale **by construction**: of the inputs (standardization), of each layer's
# pre-activations (batch norm, layer norm) or of each weight vector (weight norm). This notebook implements the three
# layer-wise methods **with PyTorch's conventions**, forward and backward, checked against torch:
#
# | item | you implement | points |
# |---|---|---|
# | `batchnorm` | a BatchNorm module for `(N, C)`, `(N, C, L)` and `(N, C, H, W)`, train and eval, running statistics | 3 |
# | `bn_backward` | batch norm's backward pass by hand (`torch.autograd.Function`) | 3 |
# | `layernorm` | layer norm over the last D dimensions, forward and backward by hand | 3 |
# | `weight_norm` | weight normalization $w=g\,v/\lVert v\rVert$ | 3 |
# | `concept_*` | two multiple-choice checks | 2 × 1 |
# | `written_bn_rnn` | one short written answer (graded by hand) | 2 |
#
# Then you run experiments on the scikit-learn digits: a deep MLP with and without batch norm, batch norm against
# layer norm from batch size 2 to 256, the train/eval gap when the running statistics are wrong, and batch norm
# against the weight-scale sweep of the initialization notebook.
#
# **Rules.** In each solution cell, replace the lines `# YOUR CODE HERE` and `raise NotImplementedError()` by your
# code. Do not change the other lines of the cell, and do not rename anything. Each item is independent (the
# experiments use torch's own layers). Tests run on the CPU in float64 and compare with torch's own implementation
# (`nn.BatchNorm1d/2d`, `F.batch_norm`, `F.layer_norm`, `torch.nn.utils.parametrizations.weight_norm`) and with
# autograd; a failing check tells you the case, the expected and obtained values and by how much they differ.
# Hidden tests probe every input shape the text lists (3-D and 4-D inputs, several normalized dimensions, conv
# weights, any `dim`), non-default hyper-parameters, several training steps followed by evaluation,
# `torch.autograd.gradcheck`, and your code inside small models (nested containers, `.double()`, `state_dict`,
# training steps with backward, residual connections, `permute`d inputs).

# %% nbgrader={"grade": false, "grade_id": "parameters", "locked": true, "schema_version": 3, "solution": false, "task": false} tags=["parameters"] id="parameters"
SEED = 0
DEVICE = "auto"
FAST = False

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false} id="setup"
import math

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

from course import get_device, load_dataset, make_generator, plot_curves, seed_everything
from course.checks import check_close, check_equal, check_raises, check_true, expected
from course.seeding import vary  # the hidden tests' inputs: your own while grading, vary(k) == k elsewhere

seed_everything(SEED)
device = get_device(DEVICE)
print(f"torch {torch.__version__}, device {device}, FAST={FAST}")


# %% [markdown] id="cell-003"
# The next cell holds the helpers of the test cells: float64 random tensors from an explicit generator, and a
# comparison of your function's output and gradients with a reference function's, for the same inputs and the
# same upstream gradient; torch's BatchNorm and weight-norm parametrization as references (for weight norm, $g$
# is scaled randomly so that $w$ is not just the layer's initial weight). Read it, you do not need to change it.

# %% nbgrader={"grade": false, "grade_id": "helpers", "locked": true, "schema_version": 3, "solution": false, "task": false} id="helpers"
def randn(*shape, gen, scale=1.0, shift=0.0, requires_grad=False):
    """A float64 tensor scale * N(0, 1) + shift drawn from the generator `gen`."""
    t = torch.randn(*shape, generator=gen, dtype=torch.float64) * scale + shift
    return t.requires_grad_(requires_grad)


def compare_with_grads(check_id, fn, ref_fn, inputs, names, case, gen, rtol=1e-9, atol=1e-11, hint=""):
    """fn(*inputs) and ref_fn(*inputs): same output, and same gradients of sum(out * R) for a random R."""
    mine_in = [t.detach().clone().requires_grad_() for t in inputs]
    ref_in = expected({name: t.detach().clone().requires_grad_() for name, t in zip(names, inputs)})
    out = fn(*mine_in)
    ref = expected(ref_fn(*ref_in.values()))
    check_close(check_id + "/forward", out.detach(), ref.detach(), case=case, rtol=rtol, atol=atol, hint=hint)
    upstream = torch.randn(inputs[0].shape, generator=gen, dtype=torch.float64)  # the output has x's shape
    (out * upstream).sum().backward()
    expected((ref * upstream).sum().backward())
    for name, a in zip(names, mine_in):
        check_true(check_id + f"/grad_{name}", a.grad is not None, f"no gradient reached {name}", case=case,
                   hint="return one gradient per input of forward (None for the non-tensor ones)")
        check_close(check_id + f"/grad_{name}", a.grad, ref_in[name].grad, case=case, rtol=rtol, atol=atol, hint=hint)


def torch_bn(num_features, dim, momentum, eps, gen):
    """torch's BatchNorm1d/2d in float64 with random weight and bias."""
    cls = nn.BatchNorm1d if dim in (2, 3) else nn.BatchNorm2d
    bn = cls(num_features, eps=eps, momentum=momentum, dtype=torch.float64)
    with torch.no_grad():
        bn.weight.copy_(randn(num_features, gen=gen, scale=0.5, shift=1.0))
        bn.bias.copy_(randn(num_features, gen=gen))
    return bn


def torch_weight_norm_case(layer, dim, gen):
    """(g, v) of torch's weight_norm parametrization of `layer` (float64), with g scaled randomly; torch's w is
    then layer.weight."""
    torch.nn.utils.parametrizations.weight_norm(layer, dim=dim)
    g = layer.parametrizations.weight.original0
    v = layer.parametrizations.weight.original1
    with torch.no_grad():
        g.mul_(torch.rand(g.shape, generator=gen, dtype=torch.float64) + 0.5)
    return g, v


def check_weight_norm(check_id, layer, dim, gen, case, hint=""):
    g, v = torch_weight_norm_case(layer, dim, gen)
    g2, v2 = g.detach().clone().requires_grad_(), v.detach().clone().requires_grad_()
    w = weight_norm(g2, v2, dim=dim)
    check_close(check_id + "/weight", w.detach(), layer.weight.detach(), case=case, rtol=1e-10, atol=1e-12, hint=hint)
    upstream = torch.randn(v.shape, generator=gen, dtype=torch.float64)  # w has v's shape
    (w * upstream).sum().backward()
    expected((layer.weight * upstream).sum().backward())
    check_close(check_id + "/grad_g", g2.grad, g.grad, case=case, rtol=1e-9, atol=1e-11, hint=hint)
    check_close(check_id + "/grad_v", v2.grad, v.grad, case=case, rtol=1e-9, atol=1e-11, hint=hint)


# %% [markdown] id="cell-005"
# ## 1. Why normalize
#
# **Unnormalized inputs hurt optimization.** For a linear model with squared loss the Hessian is
# $\frac1N X^\top X$. If one feature is measured in metres and another in millimetres, or has a mean far from 0, that
# matrix is badly conditioned: the loss contours are long thin ellipses, gradient descent zig-zags across the valley
# and the largest stable learning rate ($<2/\lambda_\max$) makes progress along the flat direction
# ($\propto\lambda_\min$) very slow. A model is **scale invariant** when rescaling a feature (and the matching weight)
# does not change its predictions; the *optimizer* is not: the gradient of a feature scaled by $a$ is scaled by $a$
# while its weight should be scaled by $1/a$.
#
# **Standardization.** Subtract each feature's mean and divide by its standard deviation, both computed **on the
# training split** (and reused unchanged on the test split): $\tilde x_j=(x_j-\mu_j)/\sigma_j$. This removes the
# differences of scale and offset, but not the correlations between features. **PCA whitening**
# $\tilde x=\Lambda^{-1/2}U^\top(x-\mu)$ (with $\Sigma=U\Lambda U^\top$) also decorrelates them, making the
# covariance the identity: the ideal for a linear model, but it costs an eigendecomposition of a $d\times d$ matrix,
# and inside a network it would have to be redone after every update, for every layer.
#
# **Inside the network.** Standardizing the inputs only fixes the first layer: the inputs of every later layer are
# the outputs of the previous one, and their distribution changes whenever the earlier weights change. Ioffe &
# Szegedy (2015) called this **internal covariate shift** and proposed to standardize every layer's
# pre-activations, per unit, cheaply, with statistics of the current mini-batch: **batch normalization**. (Whether
# "covariate shift" is why it works is debated: Santurkar et al. 2018 argue that batch norm mainly makes the loss
# surface smoother, which allows larger learning rates. The algorithm is the same either way.)

# %% [markdown] id="cell-006"
# ## 2. Batch normalization, forward
#
# For a mini-batch of pre-activations of one unit (channel) $c$, with $m$ values $x_1,\dots,x_m$:
#
# $$\mu_c=\frac1m\sum_i x_i,\qquad \sigma_c^2=\frac1m\sum_i(x_i-\mu_c)^2,\qquad
# \hat x_i=\frac{x_i-\mu_c}{\sqrt{\sigma_c^2+\varepsilon}},\qquad y_i=\gamma_c\,\hat x_i+\beta_c .$$
#
# The learnable scale $\gamma$ and shift $\beta$ (`weight` and `bias`, initialized to 1 and 0) give back the freedom
# that the standardization took away: with $\gamma_c=\sqrt{\sigma_c^2+\varepsilon}$, $\beta_c=\mu_c$ the layer is the
# identity on that batch (with $\gamma_c=\sigma_c$ it is off by the factor $\sigma_c/\sqrt{\sigma_c^2+\varepsilon}$,
# which matters for channels whose variance is not large against $\varepsilon$). BN is applied to the
# **pre-activation**, `Linear → BN → ReLU` (as in the paper); the Linear's bias is then redundant (BN subtracts it
# again), so it is usually created with `bias=False`.
#
# **Which values are "one channel".** Your module accepts the three input shapes of `nn.BatchNorm1d` and
# `nn.BatchNorm2d`. Input `(N, C)`: the $m=N$ values of column $c$ (`nn.BatchNorm1d`). Input `(N, C, L)` (a
# sequence, for example a `Conv1d` output): the $m=N\cdot L$ values of channel $c$ (`nn.BatchNorm1d` too). Input
# `(N, C, H, W)`: the $m=N\cdot H\cdot W$ values of channel $c$, over the batch **and** all spatial positions, so
# that a convolution's feature map is normalized the same way everywhere (`nn.BatchNorm2d`). In general: reduce
# over dimension 0 and every dimension after 1; one statistic per channel.
#
# **Eval mode uses running statistics.** At test time a prediction must not depend on the other examples of the
# batch (and the batch may have one example), so `model.eval()` replaces $\mu_c,\sigma^2_c$ by estimates of the
# population statistics, kept during training as exponential moving averages. **The PyTorch conventions**, which
# you must follow exactly:
#
# - `running_mean` starts at 0 and `running_var` at **1** (buffers, registered with `register_buffer` under
#   exactly these names, so that they are saved in the `state_dict`, a torch BatchNorm's `state_dict` loads into
#   your module, and `.to()` / `.double()` convert them with the module; they are not parameters, not even frozen
#   ones, so an optimizer never sees them);
# - in train mode, after each forward, with `momentum` $=0.1$ **on the new value**:
#   $\text{running} \leftarrow (1-\text{momentum})\cdot\text{running}+\text{momentum}\cdot\text{batch statistic}$
#   (Keras calls $1-0.1=0.9$ the momentum: the opposite convention);
# - the running variance is updated with the **unbiased** batch variance $\frac{m}{m-1}\sigma^2_c$, while the
#   normalization itself uses the **biased** $\sigma^2_c$;
# - $\varepsilon=10^{-5}$ goes **inside** the square root;
# - in eval mode the output uses `running_mean` and `running_var`, and the buffers do **not** change;
# - in train mode, a channel with a single value ($m=1$) has no variance: torch raises
#   `ValueError("Expected more than 1 value per channel when training, ...")`. Do the same; do not silently
#   return NaN or zeros. (In eval mode a batch of one is fine.)
#
# `self.training` (set by `.train()` / `.eval()`) tells you the mode. Update the buffers **in place** under
# `torch.no_grad()` (`mul_` / `add_` / `copy_` on the existing tensors, as torch does, not `self.running_mean = ...`:
# whoever holds the buffer, a `state_dict` taken earlier for instance, must see the update); they must not become
# part of the autograd graph. The output must still be differentiable with respect to `x`, `weight` and `bias`
# (autograd does the backward here; you write it yourself in the next item): the module must train inside a model
# (`loss.backward()` then an optimizer step), so do not modify in place a tensor that autograd saved for the
# backward, and do not read the parameters through `.data` or `.detach()`.

# %% autograder={"forbidden": ["torch.nn.functional.batch_norm", "torch.batch_norm", "torch.native_batch_norm", "torch.nn.BatchNorm1d", "torch.nn.BatchNorm2d", "torch.nn.BatchNorm3d", "torch.nn.modules.batchnorm"]} nbgrader={"grade": false, "grade_id": "batchnorm_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="batchnorm-impl"
class BatchNorm(nn.Module):
    """Batch normalization over (N, C), (N, C, L) or (N, C, H, W) inputs, as nn.BatchNorm1d / nn.BatchNorm2d.

    running_mean and running_var are registered buffers (state_dict, .to()), updated in place in train mode.
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, dtype=None):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.weight = nn.Parameter(torch.ones(num_features, dtype=dtype))
        self.bias = nn.Parameter(torch.zeros(num_features, dtype=dtype))
        ### BEGIN SOLUTION
        self.register_buffer("running_mean", torch.zeros(num_features, dtype=dtype))
        self.register_buffer("running_var", torch.ones(num_features, dtype=dtype))
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        if x.dim() < 2 or x.shape[1] != self.num_features:
            raise ValueError(f"expected (N, {self.num_features}, ...) input, got {tuple(x.shape)}")
        dims = [0] + list(range(2, x.dim()))  # every dimension but the channel one
        shape = [1, -1] + [1] * (x.dim() - 2)  # a per-channel vector broadcast against x
        if self.training:
            m = x.numel() // x.shape[1]
            if m <= 1:
                raise ValueError("Expected more than 1 value per channel when training, "
                                 f"got input size {tuple(x.shape)}")
            mean = x.mean(dim=dims)
            var = x.var(dim=dims, unbiased=False)
            with torch.no_grad():
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var * m / (m - 1))
        else:
            mean, var = self.running_mean, self.running_var
        x_hat = (x - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + self.eps)
        return self.weight.reshape(shape) * x_hat + self.bias.reshape(shape)
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "batchnorm__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="batchnorm--visible"
# Visible test: an (N, C) = (6, 4) batch, one training step: output and running statistics as nn.BatchNorm1d.
gen = make_generator(1)
ref = torch_bn(4, 2, momentum=0.1, eps=1e-5, gen=gen)
mine = BatchNorm(4, dtype=torch.float64)
with torch.no_grad():
    mine.weight.copy_(ref.weight)
    mine.bias.copy_(ref.bias)
x = randn(6, 4, gen=gen, scale=2.0, shift=3.0)
check_close("batchnorm/train_output", mine(x).detach(), ref(x).detach(), case="(6, 4), train mode, step 1",
            rtol=1e-9, atol=1e-11, hint="normalize with the batch mean and the biased batch variance, eps inside the sqrt")
check_close("batchnorm/running_mean", mine.running_mean, ref.running_mean, case="after 1 step", rtol=1e-9, atol=1e-11,
            hint="running = (1 - momentum) * running + momentum * batch mean, starting from 0")
check_close("batchnorm/running_var", mine.running_var, ref.running_var, case="after 1 step", rtol=1e-9, atol=1e-11,
            hint="start at 1; update with the UNBIASED batch variance m/(m-1) * var")

# %% nbgrader={"grade": true, "grade_id": "batchnorm__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="batchnorm--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
gen = make_generator(vary(2))
# a fresh module in eval mode: running_mean 0, running_var 1
fresh, fresh_ref = BatchNorm(3, dtype=torch.float64), torch_bn(3, 2, 0.1, 1e-5, gen)
with torch.no_grad():
    fresh.weight.copy_(fresh_ref.weight)
    fresh.bias.copy_(fresh_ref.bias)
fresh.eval(), fresh_ref.eval()
x = randn(5, 3, gen=gen)
check_close("batchnorm/fresh_eval", fresh(x).detach(), fresh_ref(x).detach(), case="eval before any training",
            rtol=1e-9, atol=1e-11, hint="running_mean starts at 0 and running_var at 1")
for shape, momentum, eps in [((8, 3), 0.1, 1e-5), ((4, 3, 5, 6), 0.1, 1e-5), ((2, 3, 4, 7), 0.3, 1e-3),
                             ((5, 2, 4), 0.05, 1e-5)]:
    C = shape[1]
    ref = torch_bn(C, len(shape), momentum, eps, gen)
    mine = BatchNorm(C, eps=eps, momentum=momentum, dtype=torch.float64)
    with torch.no_grad():
        mine.weight.copy_(ref.weight)
        mine.bias.copy_(ref.bias)
    label = f"input {shape}, momentum {momentum}, eps {eps}"
    for step in range(1, 4):
        x = randn(*shape, gen=gen, scale=1.0 + step, shift=2.0 - step)
        compare_with_grads("batchnorm/train", lambda t: mine(t), lambda t: ref(t), [x], ["x"],
                           case=f"{label}, train step {step}", gen=gen,
                           hint="reduce over dim 0 and every dim after 1 (N, H, W); biased variance; eps inside")
    check_close("batchnorm/running_mean_steps", mine.running_mean, ref.running_mean, case=f"{label}, after 3 steps",
                rtol=1e-9, atol=1e-11, hint="running = (1 - momentum) * running + momentum * batch mean")
    check_close("batchnorm/running_var_steps", mine.running_var, ref.running_var, case=f"{label}, after 3 steps",
                rtol=1e-9, atol=1e-11, hint="running_var: unbiased batch variance, momentum on the new value")
    check_true("batchnorm/buffers_no_grad", not mine.running_mean.requires_grad and not mine.running_var.requires_grad,
               "the running statistics must not require grad (update them under torch.no_grad())", case=label)
    before = (mine.running_mean.detach().clone(), mine.running_var.detach().clone())
    mine.eval(), ref.eval()
    for n in (shape[0], 1):
        x = randn(n, *shape[1:], gen=gen, scale=3.0, shift=-1.0)
        check_close("batchnorm/eval_output", mine(x).detach(), ref(x).detach(), case=f"{label}, eval, batch of {n}",
                    rtol=1e-9, atol=1e-11, hint="eval mode normalizes with running_mean and running_var")
    # expected: the student's own statistics before eval (a correct update may differ in the last bit from ours)
    check_equal("batchnorm/eval_keeps_running_mean", mine.running_mean.detach(), before[0], case=f"{label}, after eval",
                hint="eval mode must not change the running statistics", depends_on_answer=True)
    check_equal("batchnorm/eval_keeps_running_var", mine.running_var.detach(), before[1], case=f"{label}, after eval",
                hint="eval mode must not change the running statistics", depends_on_answer=True)
# one value per channel in train mode: an error like torch's
one = BatchNorm(3, dtype=torch.float64)
check_raises("batchnorm/single_value", lambda: one(randn(1, 3, gen=gen)), ValueError,
             case="train mode, input (1, 3)", hint="m = 1 value per channel has no variance: raise ValueError")
check_raises("batchnorm/single_value", lambda: one(randn(1, 3, 1, 1, gen=gen)), ValueError,
             case="train mode, input (1, 3, 1, 1)", hint="m = N*H*W = 1: raise ValueError")
out = one(randn(1, 3, 2, 2, gen=gen))  # N = 1 but m = 4 values per channel: allowed, as in torch
check_true("batchnorm/batch_one_spatial", bool(torch.isfinite(out).all()),
           "a (1, 3, 2, 2) input has 4 values per channel and must be normalized", case="train mode, (1, 3, 2, 2)")
check_raises("batchnorm/single_value", lambda: one(randn(1, 3, 1, gen=gen)), ValueError,
             case="train mode, input (1, 3, 1)", hint="m = N*L = 1: raise ValueError")
# the running statistics are registered buffers: in the state_dict, converted by .double(), not parameters
bn = BatchNorm(3)  # default dtype: float32
check_true("batchnorm/buffers_registered", {"running_mean", "running_var"} <= set(dict(bn.named_buffers())),
           "running_mean and running_var are not registered buffers", case="BatchNorm(3), named_buffers()",
           hint="self.register_buffer(name, tensor): a plain attribute is neither saved nor converted by .to()")
check_true("batchnorm/buffers_registered", {"running_mean", "running_var"} <= set(bn.state_dict()),
           "running_mean and running_var are missing from the state_dict", case="BatchNorm(3), state_dict()",
           hint="self.register_buffer(name, tensor)")
check_equal("batchnorm/buffers_not_parameters", sorted(name for name, _ in bn.named_parameters()),
            ["bias", "weight"], case="BatchNorm(3), named_parameters()",
            hint="the running statistics are buffers, not (even frozen) parameters")
bn.double()
check_equal("batchnorm/buffers_follow_module", [str(bn.running_mean.dtype), str(bn.running_var.dtype)],
            ["torch.float64", "torch.float64"], case="BatchNorm(3).double()",
            hint="registered buffers are converted with the module by .to() / .double()")
# the buffers are updated in place: the tensors held before a training step see the step
ref = torch_bn(3, 3, 0.1, 1e-5, gen)
mine = BatchNorm(3, dtype=torch.float64)
held_mean, held_var = mine.running_mean, mine.running_var
x = randn(4, 3, 5, gen=gen, scale=2.0, shift=1.0)
mine(x), expected(ref(x))
check_close("batchnorm/buffers_in_place", held_mean, ref.running_mean, case="(4, 3, 5), tensor held before the step",
            rtol=1e-9, atol=1e-11, hint="update the buffers in place (mul_, add_, copy_), not self.running_mean = ...")
check_close("batchnorm/buffers_in_place", held_var, ref.running_var, case="(4, 3, 5), tensor held before the step",
            rtol=1e-9, atol=1e-11, hint="update the buffers in place (mul_, add_, copy_), not self.running_var = ...")


# inside a model (nested containers, (N, C, L) and (N, C) inputs, built in float32 then .double()): three SGD steps
# in train mode with backward, then eval; and a torch BatchNorm's state_dict loaded into the same model
def bn_model(norm):
    return nn.Sequential(nn.Sequential(nn.Conv1d(2, 3, 3), norm(3)), nn.ReLU(), nn.Flatten(), nn.Linear(15, 4),
                         norm(4), nn.ReLU(), nn.Linear(4, 1))


ref_net, my_net = bn_model(nn.BatchNorm1d), bn_model(BatchNorm)
my_params = dict(my_net.named_parameters())
with torch.no_grad():
    for name, p in ref_net.named_parameters():
        p.copy_(torch.randn(p.shape, generator=gen) * 0.5 + (1.0 if name.endswith("1.weight") or name == "4.weight"
                                                             else 0.0))
        my_params[name].copy_(p)
ref_net.double(), my_net.double()


def train_step(net, x, target):
    net.train()
    net.zero_grad()
    ((net(x) - target) ** 2).mean().backward()


for step in range(1, 4):
    x, target = randn(6, 2, 7, gen=gen, scale=2.0, shift=1.0), randn(6, 1, gen=gen)
    expected(train_step(ref_net, x, target))
    train_step(my_net, x, target)
    for name, p in ref_net.named_parameters():
        check_close("batchnorm/model_grads", my_params[name].grad, p.grad, case=f"model, train step {step}, {name}",
                    rtol=1e-8, atol=1e-10, hint="keep the output differentiable w.r.t. x, weight and bias (no .data, "
                                                "no in-place change of a tensor autograd saved)")
    with torch.no_grad():
        for name, p in ref_net.named_parameters():
            expected(p.sub_(0.1 * p.grad))
            my_params[name] -= 0.1 * my_params[name].grad
ref_net.eval(), my_net.eval()
x = randn(5, 2, 7, gen=gen)
check_close("batchnorm/model_eval", my_net(x).detach(), ref_net(x).detach(), case="model after 3 steps, eval",
            rtol=1e-8, atol=1e-10, hint="the running statistics of both BatchNorm layers, in float64 after .double()")
for name in ("0.1", "4"):
    for buf in ("running_mean", "running_var"):
        check_close("batchnorm/model_running", getattr(my_net.get_submodule(name), buf),
                    getattr(ref_net.get_submodule(name), buf), case=f"model after 3 steps, layer {name}, {buf}",
                    rtol=1e-8, atol=1e-10, hint="buffers: converted by .double(), updated once per training forward")
# the torch model whose state_dict is loaded: random parameters, running statistics of 3 training batches (not
# ref_net, whose trained state is the expected side above and does not exist while grading)
src_net = bn_model(nn.BatchNorm1d).double()
with torch.no_grad():
    for p in src_net.parameters():
        p.copy_(randn(*p.shape, gen=gen, scale=0.5))
    for _ in range(3):
        src_net(randn(6, 2, 7, gen=gen, scale=2.0, shift=1.0))
src_net.eval()
loaded = bn_model(BatchNorm).double()
loaded.load_state_dict({k: v for k, v in src_net.state_dict().items() if not k.endswith("num_batches_tracked")},
                       strict=False)
loaded.eval()
check_close("batchnorm/load_state_dict", loaded(x).detach(), src_net(x).detach(),
            case="torch model's state_dict loaded, eval", rtol=1e-8, atol=1e-10,
            hint="register the buffers under the names running_mean and running_var")
### END HIDDEN TESTS

# %% [markdown] id="cell-010"
# ## 3. Batch normalization, backward by hand
#
# Autograd differentiates the forward above for you, but deriving the backward once shows why BN couples the
# examples of a batch: every $\hat x_i$ depends on all $x_j$ through $\mu$ and $\sigma^2$. With upstream gradient
# $g_i=\partial L/\partial y_i$ (per channel, $m$ values, $\hat\sigma=\sqrt{\sigma^2+\varepsilon}$):
#
# $$\frac{\partial L}{\partial\beta}=\sum_i g_i,\qquad \frac{\partial L}{\partial\gamma}=\sum_i g_i\hat x_i,\qquad
# \frac{\partial L}{\partial x_i}=\frac{1}{m\,\hat\sigma}\Big(m\,\hat g_i-\sum_j\hat g_j-\hat x_i\sum_j\hat g_j\hat x_j\Big),
# \quad \hat g_i=\gamma\,g_i .$$
#
# The first term is the direct path; $-\sum_j\hat g_j$ is the path **through the mean** and
# $-\hat x_i\sum_j\hat g_j\hat x_j$ the path **through the variance**. (Derivation: $\partial\hat x_j/\partial x_i=
# \frac1{\hat\sigma}(\delta_{ij}-\frac1m-\frac1m\hat x_i\hat x_j)$, since $\partial\mu/\partial x_i=\frac1m$ and
# $\partial\sigma^2/\partial x_i=\frac2m(x_i-\mu)$.) Consequences: $\sum_i\partial L/\partial x_i=0$ and
# $\sum_i\hat x_i\,\partial L/\partial x_i=0$ per channel (the second exactly when $\varepsilon=0$, up to a relative
# $\varepsilon/(\sigma^2+\varepsilon)$ otherwise): the gradient cannot move the batch mean or scale, which BN would
# undo anyway.
#
# **The PyTorch way.** A `torch.autograd.Function` has two static methods: `forward(ctx, *inputs)` computes the
# output (autograd does not record what happens inside it) and saves what the backward needs with
# `ctx.save_for_backward(...)` (tensors) or as attributes of `ctx` (anything else); `backward(ctx, grad_output)`
# returns **one gradient per input of forward**, `None` for the non-tensor ones (here `eps`). Call it with
# `BatchNormFunction.apply(x, weight, bias, eps)`. `torch.autograd.gradcheck` then compares your backward with
# finite differences, in float64.
#
# Implement the **training-mode** normalization with batch statistics (no running statistics here), for `(N, C)`,
# `(N, C, L)` and `(N, C, H, W)` inputs, with the same reduction axes as in item 2 and `weight`, `bias` of shape
# `(C,)`. Two rules of `torch.autograd.Function` that hold inside any model: `forward` must not modify its inputs
# in place (`x` belongs to the caller: compute `x - mean`, not `x -= mean`), and `backward` must not modify
# `grad_out` in place (autograd may hand the same tensor to another branch, for example the skip path of a residual
# connection `y = bn(h) + h`).

# %% autograder={"forbidden": ["torch.nn.functional.batch_norm", "torch.batch_norm", "torch.native_batch_norm", "torch.nn.BatchNorm1d", "torch.nn.BatchNorm2d", "torch.nn.BatchNorm3d", "torch.autograd.grad"]} nbgrader={"grade": false, "grade_id": "bn_backward_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="bn-backward-impl"
class BatchNormFunction(torch.autograd.Function):
    """Training-mode batch norm y = weight * (x - mean) / sqrt(var + eps) + bias, with a hand-written backward.

    x: (N, C), (N, C, L) or (N, C, H, W); neither x (in forward) nor grad_out (in backward) is modified.
    """

    @staticmethod
    def forward(ctx, x, weight, bias, eps=1e-5):
        ### BEGIN SOLUTION
        dims = [0] + list(range(2, x.dim()))
        shape = [1, -1] + [1] * (x.dim() - 2)
        mean = x.mean(dim=dims, keepdim=True)
        var = x.var(dim=dims, unbiased=False, keepdim=True)
        inv_std = 1.0 / torch.sqrt(var + eps)
        x_hat = (x - mean) * inv_std
        ctx.save_for_backward(x_hat, inv_std, weight)
        ctx.dims, ctx.shape = dims, shape
        return weight.reshape(shape) * x_hat + bias.reshape(shape)
        ### END SOLUTION

    @staticmethod
    def backward(ctx, grad_out):
        ### BEGIN SOLUTION
        x_hat, inv_std, weight = ctx.saved_tensors
        dims, shape = ctx.dims, ctx.shape
        m = grad_out.numel() // grad_out.shape[1]
        grad_bias = grad_out.sum(dim=dims)
        grad_weight = (grad_out * x_hat).sum(dim=dims)
        g = grad_out * weight.reshape(shape)
        grad_x = inv_std / m * (m * g - g.sum(dim=dims, keepdim=True)
                                - x_hat * (g * x_hat).sum(dim=dims, keepdim=True))
        return grad_x, grad_weight, grad_bias, None
        ### END SOLUTION


def batch_norm_train(x, weight, bias, eps=1e-5):
    return BatchNormFunction.apply(x, weight, bias, eps)


# %% nbgrader={"grade": true, "grade_id": "bn_backward__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="bn-backward--visible"
# Visible test: (N, C) = (8, 3), weight 1, bias 0: output and gradients as autograd through F.batch_norm.
gen = make_generator(3)
x = randn(8, 3, gen=gen, scale=2.0, shift=1.0)
w, b = torch.ones(3, dtype=torch.float64), torch.zeros(3, dtype=torch.float64)
compare_with_grads("bn_backward/basic", lambda x, w, b: batch_norm_train(x, w, b),
                   lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True, eps=1e-5),
                   [x, w, b], ["x", "weight", "bias"], case="(8, 3), weight 1, bias 0", gen=gen,
                   hint="dx = inv_std/m * (m*g - sum(g) - x_hat*sum(g*x_hat)) with g = weight * grad_out")

# %% nbgrader={"grade": true, "grade_id": "bn_backward__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="bn-backward--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
gen = make_generator(vary(4))
for shape, eps in [((8, 3), 1e-5), ((5, 4), 1e-3), ((3, 2, 4, 5), 1e-5), ((2, 3, 6), 1e-5)]:
    C = shape[1]
    x = randn(*shape, gen=gen, scale=2.0, shift=-1.0)
    w, b = randn(C, gen=gen, scale=0.7, shift=0.5), randn(C, gen=gen)
    compare_with_grads("bn_backward/general", lambda x, w, b: batch_norm_train(x, w, b, eps),
                       lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True, eps=eps),
                       [x, w, b], ["x", "weight", "bias"], case=f"{shape}, random weight and bias, eps {eps}",
                       gen=gen, hint="multiply the upstream gradient by weight before the x-gradient formula; "
                                     "sum over N and the spatial dimensions")
# forward leaves its input alone
gen_in = make_generator(vary(40))
x = randn(4, 3, 2, 2, gen=gen_in, scale=2.0, shift=1.0, requires_grad=True)
x_before = expected(x.detach().clone())
w, b = randn(3, gen=gen_in, shift=1.0), randn(3, gen=gen_in)
batch_norm_train(x, w, b)
check_equal("bn_backward/input_unchanged", x.detach(), x_before, case="x (4, 3, 2, 2) after forward",
            hint="x belongs to the caller: compute x - mean, not x -= mean")
for shape in [(5, 2), (2, 2, 3, 2)]:
    inputs = (randn(*shape, gen=gen, requires_grad=True), randn(shape[1], gen=gen, shift=1.0, requires_grad=True),
              randn(shape[1], gen=gen, requires_grad=True))
    ok = torch.autograd.gradcheck(lambda x, w, b: batch_norm_train(x, w, b, 1e-3), inputs, eps=1e-6, atol=1e-6,
                                  raise_exception=False)
    check_true("bn_backward/gradcheck", ok, "torch.autograd.gradcheck failed: backward disagrees with finite "
               "differences", case=f"{shape}, float64", hint="return (grad_x, grad_weight, grad_bias, None)")
# inside a model with a residual connection: Conv1d -> batch norm (N, C, L) -> + skip; the skip path receives the
# same upstream gradient tensor as your backward
conv = nn.Conv1d(2, 3, 3, dtype=torch.float64)
with torch.no_grad():
    conv.weight.copy_(randn(3, 2, 3, gen=gen, scale=0.5))
    conv.bias.copy_(randn(3, gen=gen))
x, w, b = randn(4, 2, 6, gen=gen), randn(3, gen=gen, scale=0.5, shift=1.0), randn(3, gen=gen)
upstream = randn(4, 3, 4, gen=gen)


def residual_grads(bn_fn):
    conv.zero_grad()
    w_, b_ = w.clone().requires_grad_(), b.clone().requires_grad_()
    h = conv(x)
    ((bn_fn(h, w_, b_) + h) * upstream).sum().backward()
    return {"conv.weight": conv.weight.grad, "conv.bias": conv.bias.grad, "weight": w_.grad, "bias": b_.grad}


ref_grads = expected(residual_grads(lambda h, w_, b_: F.batch_norm(h, None, None, w_, b_, training=True, eps=1e-5)))
got = residual_grads(batch_norm_train)
for name in got:
    check_close("bn_backward/residual", got[name], ref_grads[name], case=f"Conv1d -> batch norm + skip, grad of {name}",
                rtol=1e-9, atol=1e-11, hint="backward must not modify grad_out in place (g = grad_out * weight, "
                                            "not grad_out *= weight)")
### END HIDDEN TESTS

# %% [markdown] id="cell-014"
# ## 4. Layer normalization
#
# **BN's limits.** Its statistics come from the batch: with small batches (2-8 examples, common for large images or
# models) they are noisy and the running averages are poor estimates, so accuracy drops; a channel needs more than one
# value in train mode, so a fully connected layer (input `(N, C)`) cannot be trained on a batch of one (an image batch
# `(1, C, H, W)` can: it has $H\cdot W$ values per channel, and the statistics then come from one image); the output
# of one example depends on the others; and train and eval compute different functions. In **recurrent** networks the
# statistics of the pre-activations differ at every time step, so BN would need separate statistics per step, and
# sequences have different lengths (test sequences can be longer than any seen in training). **Layer normalization**
# (Ba et al. 2016) normalizes **each example on its own**, over its features: no batch dependence, the same
# computation in train and eval, no running statistics.
#
# **Definition (PyTorch's `F.layer_norm(x, normalized_shape, weight, bias, eps=1e-5)`).** `normalized_shape` is
# the shape of the last $D$ dimensions of $x$; for every index of the leading dimensions, the mean and the biased
# variance are taken over those last $D$ dimensions ($n=\prod$ `normalized_shape` values):
#
# $$\hat x=\frac{x-\mu}{\sqrt{\sigma^2+\varepsilon}},\qquad y=\gamma\odot\hat x+\beta,$$
#
# with **elementwise affine** parameters $\gamma$ (`weight`) and $\beta$ (`bias`) of shape `normalized_shape`: one
# scale per normalized *element*, not per channel. The backward has the same form as BN's, with the sums taken over
# the normalized dimensions (per example) for $\partial L/\partial x$, and over the leading dimensions for
# $\partial L/\partial\gamma=\sum g\odot\hat x$ and $\partial L/\partial\beta=\sum g$.
#
# **BN vs LN in practice.** CNNs normalize each channel over $(N,H,W)$ with BN (a per-channel statistic suits
# convolutions, whose channels have very different scales, and large batches are available); for small batches
# GroupNorm (Wu & He 2018) normalizes per example over groups of channels. Transformers use LN over the feature
# dimension of each token (`normalized_shape = (d_model,)`): batches of variable-length sequences, padding, and
# autoregressive decoding one token at a time all rule out batch statistics. For a `(N, C, H, W)` image,
# `normalized_shape = (C, H, W)` normalizes each image over all its channels and positions.
#
# Implement `LayerNormFunction` (forward and backward by hand) for any $D\ge1$; `normalized_shape` is a tuple of
# ints. `x` may have any number of leading dimensions, none included (`x.shape == normalized_shape`: a single
# example, as `F.layer_norm` accepts), and need not be contiguous (a `permute`d feature map, as in ConvNeXt, which
# applies LN to `(N, H, W, C)`: use `reshape`, not `view`). As for batch norm: `forward` must not modify `x` in
# place, and `backward` must not modify `grad_out` in place (LN usually sits next to a residual connection).

# %% autograder={"forbidden": ["torch.nn.functional.layer_norm", "torch.layer_norm", "torch.native_layer_norm", "torch.nn.LayerNorm"]} nbgrader={"grade": false, "grade_id": "layernorm_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="layernorm-impl"
class LayerNormFunction(torch.autograd.Function):
    """Layer norm over the last len(normalized_shape) dims, elementwise affine, hand-written backward.

    x: any number of leading dims (none too), contiguous or not; neither x nor grad_out is modified.
    """

    @staticmethod
    def forward(ctx, x, normalized_shape, weight, bias, eps=1e-5):
        ### BEGIN SOLUTION
        dims = tuple(range(x.dim() - len(normalized_shape), x.dim()))
        mean = x.mean(dim=dims, keepdim=True)
        var = x.var(dim=dims, unbiased=False, keepdim=True)
        inv_std = 1.0 / torch.sqrt(var + eps)
        x_hat = (x - mean) * inv_std
        ctx.save_for_backward(x_hat, inv_std, weight)
        ctx.dims = dims
        return weight * x_hat + bias
        ### END SOLUTION

    @staticmethod
    def backward(ctx, grad_out):
        ### BEGIN SOLUTION
        x_hat, inv_std, weight = ctx.saved_tensors
        dims = ctx.dims
        n = weight.numel()
        grad_weight = (grad_out * x_hat).reshape(-1, *weight.shape).sum(dim=0)
        grad_bias = grad_out.reshape(-1, *weight.shape).sum(dim=0)
        g = grad_out * weight
        grad_x = inv_std / n * (n * g - g.sum(dim=dims, keepdim=True)
                                - x_hat * (g * x_hat).sum(dim=dims, keepdim=True))
        return grad_x, None, grad_weight, grad_bias, None
        ### END SOLUTION


def layer_norm(x, normalized_shape, weight, bias, eps=1e-5):
    return LayerNormFunction.apply(x, tuple(normalized_shape), weight, bias, eps)


# %% nbgrader={"grade": true, "grade_id": "layernorm__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="layernorm--visible"
# Visible test: x of shape (4, 6), normalized_shape (6,), random weight and bias, against F.layer_norm.
gen = make_generator(5)
x = randn(4, 6, gen=gen, scale=2.0, shift=1.0)
w, b = randn(6, gen=gen, scale=0.5, shift=1.0), randn(6, gen=gen)
compare_with_grads("layernorm/basic", lambda x, w, b: layer_norm(x, (6,), w, b),
                   lambda x, w, b: F.layer_norm(x, (6,), w, b), [x, w, b], ["x", "weight", "bias"],
                   case="x (4, 6), normalized_shape (6,)", gen=gen,
                   hint="statistics per example over the last dimension; biased variance; eps inside the sqrt")

# %% nbgrader={"grade": true, "grade_id": "layernorm__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="layernorm--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
gen = make_generator(vary(6))
for shape, nshape, eps in [((3, 4, 5), (4, 5), 1e-5), ((2, 3, 4, 5), (5,), 1e-5), ((2, 3, 2, 3), (3, 2, 3), 1e-3),
                           ((5, 7), (7,), 1e-2), ((1, 6), (6,), 1e-5)]:
    x = randn(*shape, gen=gen, scale=3.0, shift=-2.0)
    w, b = randn(*nshape, gen=gen, scale=0.5, shift=1.0), randn(*nshape, gen=gen)
    compare_with_grads("layernorm/general", lambda x, w, b: layer_norm(x, nshape, w, b, eps),
                       lambda x, w, b: F.layer_norm(x, nshape, w, b, eps), [x, w, b], ["x", "weight", "bias"],
                       case=f"x {shape}, normalized_shape {nshape}, eps {eps}", gen=gen,
                       hint="normalize over the LAST len(normalized_shape) dims, per example; "
                            "weight/bias gradients sum over the leading dims")
# forward leaves its input alone
gen_in = make_generator(vary(60))
x = randn(3, 5, gen=gen_in, scale=2.0, shift=1.0, requires_grad=True)
x_before = expected(x.detach().clone())
layer_norm(x, (5,), randn(5, gen=gen_in, shift=1.0), randn(5, gen=gen_in))
check_equal("layernorm/input_unchanged", x.detach(), x_before, case="x (3, 5) after forward",
            hint="x belongs to the caller: compute x - mean, not x -= mean")
inputs = (randn(3, 2, 3, gen=gen, requires_grad=True), randn(2, 3, gen=gen, shift=1.0, requires_grad=True),
          randn(2, 3, gen=gen, requires_grad=True))
ok = torch.autograd.gradcheck(lambda x, w, b: layer_norm(x, (2, 3), w, b, 1e-3), inputs, eps=1e-6, atol=1e-6,
                              raise_exception=False)
check_true("layernorm/gradcheck", ok, "torch.autograd.gradcheck failed: backward disagrees with finite differences",
           case="x (3, 2, 3), normalized_shape (2, 3)", hint="return (grad_x, None, grad_weight, grad_bias, None)")
# x without leading dimensions (one example), and x that is not contiguous (channels-last, as in ConvNeXt)
for shape, nshape in [((6,), (6,)), ((2, 3), (2, 3))]:
    x = randn(*shape, gen=gen, scale=2.0, shift=1.0)
    w, b = randn(*nshape, gen=gen, scale=0.5, shift=1.0), randn(*nshape, gen=gen)
    compare_with_grads("layernorm/no_leading_dims", lambda x, w, b: layer_norm(x, nshape, w, b),
                       lambda x, w, b: F.layer_norm(x, nshape, w, b), [x, w, b], ["x", "weight", "bias"],
                       case=f"x {shape}, normalized_shape {nshape}", gen=gen,
                       hint="with no leading dims, the weight/bias gradients sum over nothing (careful: "
                            "t.sum(dim=()) sums over ALL dims)")
x = randn(2, 4, 3, 3, gen=gen, scale=2.0, shift=1.0).permute(0, 2, 3, 1)
w, b = randn(4, gen=gen, scale=0.5, shift=1.0), randn(4, gen=gen)
compare_with_grads("layernorm/non_contiguous", lambda x, w, b: layer_norm(x, (4,), w, b),
                   lambda x, w, b: F.layer_norm(x, (4,), w, b), [x, w, b], ["x", "weight", "bias"],
                   case="x = (2, 4, 3, 3).permute(0, 2, 3, 1), normalized_shape (4,)", gen=gen,
                   hint="x need not be contiguous: reshape, not view")
# inside a model with a residual connection: Linear -> layer norm -> + skip
lin = nn.Linear(6, 6, dtype=torch.float64)
with torch.no_grad():
    lin.weight.copy_(randn(6, 6, gen=gen, scale=0.4))
    lin.bias.copy_(randn(6, gen=gen))
x, w, b = randn(2, 3, 6, gen=gen), randn(6, gen=gen, scale=0.5, shift=1.0), randn(6, gen=gen)
upstream = randn(2, 3, 6, gen=gen)


def residual_grads(ln_fn):
    lin.zero_grad()
    w_, b_ = w.clone().requires_grad_(), b.clone().requires_grad_()
    h = lin(x)
    ((ln_fn(h, (6,), w_, b_) + h) * upstream).sum().backward()
    return {"linear.weight": lin.weight.grad, "linear.bias": lin.bias.grad, "weight": w_.grad, "bias": b_.grad}


ref_grads = expected(residual_grads(F.layer_norm))
got = residual_grads(layer_norm)
for name in got:
    check_close("layernorm/residual", got[name], ref_grads[name], case=f"Linear -> layer norm + skip, grad of {name}",
                rtol=1e-9, atol=1e-11, hint="backward must not modify grad_out in place (g = grad_out * weight, "
                                            "not grad_out *= weight)")
### END HIDDEN TESTS

# %% [markdown] id="cell-018"
# ## 5. Weight normalization
#
# Salimans & Kingma (2016) normalize the **weights** instead of the activations: each weight vector is
# reparameterized by a direction $v$ and a length $g$,
#
# $$w=g\,\frac{v}{\lVert v\rVert},$$
#
# and the optimizer updates $g$ and $v$. The length of $w$ is now $|g|$, whatever $v$: this decouples the scale from
# the direction, which improves the conditioning of the problem, and it costs nothing per example (no batch
# statistics: usable with any batch size, in RNNs, in reinforcement learning, in generative models). Gradient:
# $\nabla_g L=\nabla_w L\cdot v/\lVert v\rVert$ and $\nabla_v L=\frac{g}{\lVert v\rVert}\big(I-\frac{ww^\top}
# {\lVert w\rVert^2}\big)\nabla_w L$: the gradient of $v$ is orthogonal to $w$ (the direction only rotates).
#
# **The PyTorch convention** (`torch.nn.utils.parametrizations.weight_norm(module, name="weight", dim=0)`): the
# module's weight becomes `g * v / norm_except_dim(v, dim)`, where the norm runs over **all dimensions except
# `dim`** and keeps them as size-1 dimensions. With the default `dim=0` and a Linear weight `(out, in)` there is one
# norm per output unit (per row), $g$ has shape `(out, 1)`; for a Conv2d weight `(out, in, kh, kw)` one norm per
# output channel over `in·kh·kw` values, $g$ of shape `(out, 1, 1, 1)`. `dim=None` uses the norm of the whole tensor
# and a scalar $g$. torch stores $g$ as `parametrizations.weight.original0` and $v$ as `original1`, initialized so
# that $w$ is unchanged ($g=\lVert v\rVert$, $v=w$).
#
# **Not regularizers.** Layer norm and weight norm add no penalty and no noise, and compute the same function in
# training and evaluation: they are there to make optimization easier, not to shrink the gap between training
# and test error. (One of the seed
# articles lists LayerNorm and WeightNorm among the regularizers of large models: they are not.) Batch norm has a
# mild regularizing side effect only through the noise of its mini-batch statistics (Ioffe & Szegedy 2015 removed
# dropout from their BN-Inception network without more over-fitting).
#
# Implement `weight_norm(g, v, dim=0)` returning $w$ (differentiable in $g$ and $v$: plain tensor operations, autograd
# does the backward). `dim` is a non-negative int or `None`. A 1-D `v` (a bias or a LayerNorm weight) with `dim=0`
# has no other dimension, so each entry is its own norm and $w=g\,\mathrm{sign}(v)$, as in torch. Beware that
# PyTorch's `sum(dim=[])` sums over *every* dimension, not over none.

# %% autograder={"forbidden": ["torch.nn.utils.weight_norm", "torch.nn.utils.parametrizations.weight_norm", "torch._weight_norm", "torch.norm_except_dim"]} nbgrader={"grade": false, "grade_id": "weight_norm_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="weight-norm-impl"
def weight_norm(g, v, dim=0):
    """w = g * v / ||v||, the norm over all dimensions of v except `dim` (over the whole tensor if dim is None)."""
    ### BEGIN SOLUTION
    if dim is None:
        norm = torch.sqrt((v * v).sum())
    elif v.dim() == 1:  # no dimension but dim: each entry is its own norm (sum(dim=[]) would sum them all)
        norm = v.abs()
    else:
        dims = [d for d in range(v.dim()) if d != dim]
        norm = torch.sqrt((v * v).sum(dim=dims, keepdim=True))
    return g * v / norm
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "weight_norm__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="weight-norm--visible"
# Visible test: nn.Linear(5, 3), dim=0 (one norm per output row).
gen = make_generator(7)
torch.manual_seed(7)
check_weight_norm("weight_norm/linear", nn.Linear(5, 3, dtype=torch.float64), 0, gen, case="Linear(5, 3), dim=0",
                  hint="the norm runs over every dimension except dim, kept as size 1 (keepdim=True)")

# %% nbgrader={"grade": true, "grade_id": "weight_norm__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="weight-norm--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
gen = make_generator(vary(8))
torch.manual_seed(vary(8))
for layer, dim, label in [(nn.Conv2d(3, 4, 3, dtype=torch.float64), 0, "Conv2d(3, 4, 3), dim=0"),
                          (nn.Conv1d(2, 5, 4, dtype=torch.float64), 0, "Conv1d(2, 5, 4), dim=0"),
                          (nn.Linear(5, 3, dtype=torch.float64), 1, "Linear(5, 3), dim=1"),
                          (nn.Conv2d(3, 4, 2, dtype=torch.float64), 1, "Conv2d(3, 4, 2), dim=1"),
                          (nn.Linear(4, 6, dtype=torch.float64), None, "Linear(4, 6), dim=None")]:
    check_weight_norm("weight_norm/general", layer, dim, gen, case=label,
                      hint="norm over ALL dimensions except dim (a conv weight has 4); dim=None: the whole tensor")
# any dim of a conv weight, and other layers' 2-D and 4-D weights (ConvTranspose2d: (in, out, kh, kw); Embedding)
for layer, dim, check_id, label in [
        (nn.Conv2d(2, 3, (4, 5), dtype=torch.float64), 2, "weight_norm/any_dim", "Conv2d(2, 3, (4, 5)), dim=2"),
        (nn.Conv2d(2, 3, (4, 5), dtype=torch.float64), 3, "weight_norm/any_dim", "Conv2d(2, 3, (4, 5)), dim=3"),
        (nn.ConvTranspose2d(3, 4, 2, dtype=torch.float64), 1, "weight_norm/other_layers", "ConvTranspose2d(3, 4, 2), dim=1"),
        (nn.Embedding(7, 4, dtype=torch.float64), 0, "weight_norm/other_layers", "Embedding(7, 4), dim=0")]:
    check_weight_norm(check_id, layer, dim, gen, case=label,
                      hint="dim can be any dimension of v: the norm runs over all the others, kept as size 1")
# a 1-D v (LayerNorm's weight, random signs) with dim=0: one norm per entry, w = g * sign(v)
vector = nn.LayerNorm(6, dtype=torch.float64)
with torch.no_grad():
    vector.weight.copy_(torch.randn(6, generator=gen, dtype=torch.float64))
check_weight_norm("weight_norm/vector", vector, 0, gen, case="LayerNorm(6) weight (1-D), dim=0",
                  hint="a 1-D v with dim=0 has no other dimension: each entry is its own norm (sum(dim=[]) sums all)")
### END HIDDEN TESTS

# %% [markdown] id="cell-022"
# **Concept check (1 point).** A network with `nn.BatchNorm1d` layers has been trained. You call `model.eval()` and
# predict on a test batch of 10 examples. Each BN layer normalizes with:
#
# - `"a"`: the mean and variance of these 10 test examples
# - `"b"`: the mean and variance of the last training mini-batch
# - `"c"`: `running_mean` and `running_var`, exponential moving averages (momentum 0.1) of the batch statistics seen
#   in training, which eval mode leaves unchanged
# - `"d"`: mean 0 and variance 1, since $\gamma$ and $\beta$ have learnt the scale
#
# Set `ANSWER_EVAL_STATS` to the letter.

# %% nbgrader={"grade": false, "grade_id": "concept_eval_stats_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="concept-eval-stats-impl"
ANSWER_EVAL_STATS = None  # one of "a", "b", "c", "d"
### BEGIN SOLUTION
ANSWER_EVAL_STATS = "c"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "concept_eval_stats__visible", "locked": true, "points": 0, "schema_version": 3, "solution": false, "task": false} id="concept-eval-stats--visible"
check_true("concept_eval_stats/format", ANSWER_EVAL_STATS in ("a", "b", "c", "d"),
           f'ANSWER_EVAL_STATS must be one of "a", "b", "c", "d"; got {ANSWER_EVAL_STATS!r}')

# %% nbgrader={"grade": true, "grade_id": "concept_eval_stats__hidden", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="concept-eval-stats--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
check_equal("concept_eval_stats/answer", ANSWER_EVAL_STATS, "c",
            hint="eval mode must not depend on the other test examples: it uses the running statistics")
### END HIDDEN TESTS

# %% [markdown] id="cell-026"
# **Concept check (1 point).** In `Linear(W, bias=False) → BatchNorm1d → ReLU`, in train mode, you multiply $W$ by
# 10. Ignoring $\varepsilon$:
#
# - `"a"`: the output is multiplied by 10 and so is the gradient with respect to $W$
# - `"b"`: the output is unchanged and the gradient with respect to $W$ is unchanged
# - `"c"`: the output is unchanged and the gradient with respect to $W$ is divided by 10
# - `"d"`: the output is divided by 10 and the gradient with respect to $W$ is multiplied by 10
#
# Set `ANSWER_SCALE` to the letter.

# %% nbgrader={"grade": false, "grade_id": "concept_scale_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="concept-scale-impl"
ANSWER_SCALE = None  # one of "a", "b", "c", "d"
### BEGIN SOLUTION
ANSWER_SCALE = "c"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "concept_scale__visible", "locked": true, "points": 0, "schema_version": 3, "solution": false, "task": false} id="concept-scale--visible"
check_true("concept_scale/format", ANSWER_SCALE in ("a", "b", "c", "d"),
           f'ANSWER_SCALE must be one of "a", "b", "c", "d"; got {ANSWER_SCALE!r}')

# %% nbgrader={"grade": true, "grade_id": "concept_scale__hidden", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="concept-scale--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
check_equal("concept_scale/answer", ANSWER_SCALE, "c",
            hint="BN(aWx) = BN(Wx) for a > 0; differentiate f(aW) = f(W): a * grad(aW) = grad(W)")
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": true, "grade_id": "written_bn_rnn", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false} id="written-bn-rnn"
# **Written answer (2 points, graded by hand).** Why is batch normalization awkward in a recurrent network, and why
# do transformers use layer normalization rather than batch normalization? Three to six sentences.
#
# ### BEGIN SOLUTION
# In an RNN the same weights are applied at every time step, but the pre-activations have different statistics at
# each step, so BN would need separate statistics (and running averages) per time step; sequences have different
# lengths, so late steps have few examples (noisy statistics), and at test time a sequence may be longer than any
# seen in training, leaving no statistics at all for those steps. BN also makes each example's output depend on the
# rest of the batch and behave differently in train and eval. Layer norm computes its statistics per example (per
# token) over the features, so it works at any time step, any sequence length and any batch size, including 1, and
# does the same thing in training and inference (Ba et al. 2016). Transformers face the same problems: variable-length
# padded sequences (padding would pollute batch statistics), small per-device batches of long sequences, and
# autoregressive decoding one token at a time; LN over `d_model` per token avoids all of them.
# ### END SOLUTION

# %% [markdown] id="cell-031"
# ## 6. Experiments
#
# The experiments below are not graded. They use torch's `nn.BatchNorm1d` and `nn.LayerNorm` (so they run even
# before you finish the items; swap in your `BatchNorm` once its tests pass). With `FAST=True` they are shortened.
# The data are the scikit-learn digits (8×8 images flattened to 64 features in $[0,1]$, 10 classes), standardized
# with the training split's statistics.
#
# ### 6.1 A deep MLP with and without batch norm
#
# Ten hidden layers of 64 ReLU units, torch's default initialization, plain SGD with the same learning rate; the
# BN version puts `BatchNorm1d` after every hidden `Linear` (before the ReLU).

# %% id="cell-032"
if device.type == "cpu":
    # Models this small run faster on one CPU thread: synchronising threads costs more than it saves.
    torch.set_num_threads(1)

data = load_dataset("digits")
x_train, x_test = data.x_train.reshape(len(data.x_train), -1), data.x_test.reshape(len(data.x_test), -1)
mu, sd = x_train.mean(0), x_train.std(0) + 1e-3  # standardize with the TRAIN statistics (some pixels are constant)
x_train, x_test = ((x_train - mu) / sd).to(device), ((x_test - mu) / sd).to(device)
y_train, y_test = data.y_train.to(device), data.y_test.to(device)
n_in = x_train.shape[1]


def make_mlp(norm=None, depth=10, width=64, seed=SEED, init_std=None):
    """depth hidden layers Linear -> [norm] -> ReLU; norm is None, "bn" or "ln"; init_std: N(0, std^2) weights."""
    torch.manual_seed(seed)
    layers, d = [], n_in
    for _ in range(depth):
        layers.append(nn.Linear(d, width, bias=norm is None))
        if norm == "bn":
            layers.append(nn.BatchNorm1d(width))
        elif norm == "ln":
            layers.append(nn.LayerNorm(width))
        layers.append(nn.ReLU())
        d = width
    layers.append(nn.Linear(d, data.num_classes))
    net = nn.Sequential(*layers)
    if init_std is not None:  # the hidden layers only; the output layer keeps torch's default
        gen = make_generator(seed)
        for m in list(net.modules())[:-1]:
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0.0, init_std, generator=gen)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
    return net.to(device)


def train(net, epochs, lr=0.05, batch_size=64, opt="sgd", max_steps=None):
    """Training loss per epoch (a diverging run is drawn at 10); max_steps: stop after that many steps in all
    (an "epoch" then lasts until the steps run out, cycling through the data)."""
    optim = torch.optim.SGD(net.parameters(), lr=lr) if opt == "sgd" else torch.optim.Adam(net.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(SEED)
    losses, steps = [], 0
    for _ in range(epochs):
        net.train()
        total, count = 0.0, 0
        while count == 0 or (max_steps is not None and steps < max_steps):
            perm = torch.randperm(len(x_train), generator=gen).to(device)
            for i in range(0, len(x_train) - batch_size + 1, batch_size):  # drop the last incomplete batch
                if max_steps is not None and steps >= max_steps:
                    break
                idx = perm[i:i + batch_size]
                loss = F.cross_entropy(net(x_train[idx]), y_train[idx])
                optim.zero_grad()
                loss.backward()
                optim.step()
                total, count, steps = total + float(loss.detach()), count + 1, steps + 1
            if max_steps is None:
                break
        avg = total / count
        losses.append(min(avg, 10.0) if math.isfinite(avg) else 10.0)
    return losses


@torch.no_grad()
def accuracy(net, x, y, batch_size=None):
    """Accuracy in the net's current mode, on complete batches of batch_size (all at once when None)."""
    batch_size = batch_size or len(x)
    starts = range(0, len(x) - batch_size + 1, batch_size)  # a last batch of 1 would break BN in train mode
    correct = sum(int((net(x[i:i + batch_size]).argmax(1) == y[i:i + batch_size]).sum()) for i in starts)
    return correct / (len(starts) * batch_size)


epochs = 2 if FAST else 20
nets = {"no norm": make_mlp(None), "BatchNorm": make_mlp("bn")}
curves = {name: train(net, epochs) for name, net in nets.items()}
for name, net in nets.items():
    net.eval()
    print(f"{name:>10}: final training loss {curves[name][-1]:.3f}, test accuracy {accuracy(net, x_test, y_test):.3f}")
plot_curves(curves, title="10-layer ReLU MLP on digits, SGD lr 0.05", xlabel="epoch", ylabel="training loss",
            logy=True)
plt.show()

# %% [markdown] id="cell-033"
# What to see: without normalization the deep MLP does not move in these epochs: its loss stays at
# $\ln 10\approx2.30$, chance level (torch's default initialization, $U(\pm1/\sqrt{n_\text{in}})$, shrinks the signal
# and the gradients through the ten ReLU layers, as in the initialization notebook); with BN every layer's
# pre-activations are standardized and the loss falls at once, with the same learning rate.
#
# ### 6.2 Batch size: batch norm against layer norm
#
# The same MLP (4 hidden layers) trained with Adam for a fixed number of steps at batch sizes from 2 to 256, with
# BN or with LN; test accuracy in eval mode. BN's statistics from 2 examples are very noisy, and its running
# averages (used in eval) describe those noisy batches poorly; LN does not depend on the batch at all.

# %% id="cell-034"
batch_sizes = [2, 16, 256] if FAST else [2, 4, 8, 32, 128, 256]
bs_steps = 60 if FAST else 400
results = {"BatchNorm": [], "LayerNorm": []}
for bs in batch_sizes:
    for name, norm in [("BatchNorm", "bn"), ("LayerNorm", "ln")]:
        net = make_mlp(norm, depth=4)
        train(net, 1, lr=3e-3, batch_size=bs, opt="adam", max_steps=bs_steps)
        net.eval()
        results[name].append(accuracy(net, x_test, y_test))
    print(f"batch size {bs:>3}: BN {results['BatchNorm'][-1]:.3f}, LN {results['LayerNorm'][-1]:.3f}")
fig, ax = plt.subplots(figsize=(6, 4))
for name, accs in results.items():
    ax.semilogx(batch_sizes, accs, "o-", label=name, base=2)
ax.set_xlabel("batch size")
ax.set_ylabel("test accuracy (eval mode)")
ax.set_title(f"Adam, {bs_steps} steps")
ax.grid(True, alpha=0.3)
ax.legend()
plt.show()

# %% [markdown] id="cell-035"
# (With a fixed number of steps, large batches also see more data, which helps both; compare BN with LN at the same
# batch size. At batch size 2, BN's training batches and its running statistics disagree most.)
#
# ### 6.3 The train/eval gap when the running statistics are wrong
#
# Take the BN network trained in 6.1 and evaluate it on the test set in several ways:
#
# 1. eval mode with its running statistics (correct);
# 2. train mode on the whole test set at once (batch statistics of all 449 test examples: close to the population);
# 3. train mode on test batches of 4 (noisy batch statistics: a forgotten `model.eval()`);
# 4. eval mode after `reset_running_stats()` (running mean 0, variance 1: statistics never collected);
# 5. eval mode after the running statistics were refreshed on inputs whose scale differs (a data-pipeline change:
#    inputs multiplied by 3);
# 6. eval mode after re-estimating the running statistics on the training set with `momentum=None` (a cumulative
#    average) in train mode under `torch.no_grad()`: the usual repair (also what one does after changing
#    the weights, for example by averaging them).
#
# Train mode updates the running statistics, so each case starts from a copy of the trained network.

# %% id="cell-036"
import copy

bn_net = nets["BatchNorm"]


def bn_layers(net):
    return [m for m in net.modules() if isinstance(m, nn.BatchNorm1d)]


@torch.no_grad()
def refresh_running_stats(net, x, batch_size=64):
    """Re-estimate every BN layer's running statistics as a cumulative average over x (train mode, no grad)."""
    for m in bn_layers(net):
        m.reset_running_stats()
        m.momentum = None  # cumulative moving average
    net.train()
    for i in range(0, len(x) - batch_size + 1, batch_size):
        net(x[i:i + batch_size])
    for m in bn_layers(net):
        m.momentum = 0.1
    net.eval()
    return net


rows = []
net = copy.deepcopy(bn_net).eval()
rows.append(("eval, running statistics", accuracy(net, x_test, y_test)))
net = copy.deepcopy(bn_net).train()
rows.append(("train mode, whole test set", accuracy(net, x_test, y_test)))
net = copy.deepcopy(bn_net).train()
rows.append(("train mode, test batches of 4", accuracy(net, x_test, y_test, batch_size=4)))
net = copy.deepcopy(bn_net)
for m in bn_layers(net):
    m.reset_running_stats()
rows.append(("eval, reset running statistics", accuracy(net.eval(), x_test, y_test)))
net = refresh_running_stats(copy.deepcopy(bn_net), 3 * x_train)
rows.append(("eval, statistics of inputs x 3", accuracy(net, x_test, y_test)))
net = refresh_running_stats(copy.deepcopy(bn_net), x_train)
rows.append(("eval, statistics re-estimated", accuracy(net, x_test, y_test)))
for label, acc in rows:
    print(f"{label:>32}: test accuracy {acc:.3f}")

# %% [markdown] id="cell-037"
# ### 6.4 Batch norm against the weight scale
#
# The initialization notebook showed that a deep ReLU MLP without normalization trains only when the weight scale is
# close to Kaiming's $\sqrt{2/n_\text{in}}$ ($\approx0.18$ here). BN undoes any scale of the preceding weights
# (concept check above), so with BN no scale should stall or diverge (whether the curve is also flat is the
# question below). Weights $\mathcal N(0,s^2)$, biases 0,
# 6 hidden layers of 64 (the output layer keeps torch's default initialization), SGD; final training loss
# (10 = diverged).

# %% id="cell-038"
scales = [0.03, 0.18, 1.0] if FAST else [0.01, 0.03, 0.1, 0.18, 0.3, 1.0, 3.0]
sweep_epochs = 2 if FAST else 8
final = {"no norm": [], "BatchNorm": []}
for s in scales:
    for name, norm in [("no norm", None), ("BatchNorm", "bn")]:
        final[name].append(train(make_mlp(norm, depth=6, init_std=s), sweep_epochs, lr=0.05)[-1])
    print(f"std {s:<5}: no norm {final['no norm'][-1]:.3f}, BN {final['BatchNorm'][-1]:.3f}")
fig, ax = plt.subplots(figsize=(6, 4))
for name, vals in final.items():
    ax.loglog(scales, vals, "o-", label=name)
ax.axvline(math.sqrt(2 / 64), color="gray", ls="--", label="Kaiming sqrt(2/64)")
ax.set_xlabel("weight std s")
ax.set_ylabel(f"training loss after {sweep_epochs} epochs")
ax.grid(True, alpha=0.3)
ax.legend()
plt.show()

# %% [markdown] id="cell-039"
# What to see: without normalization only scales near Kaiming's train (too small: the signal and the gradients
# vanish; too large: the loss explodes). With BN no scale stalls or diverges, but the curve is not flat: since
# $\mathrm{BN}(sWx)=\mathrm{BN}(Wx)$, the gradient with respect to $W$ scales as $1/s$ while $W$ scales as $s$, so a
# step of SGD changes the *direction* of $W$ by an amount $\propto\eta/s^2$ ($\eta$ the learning rate): the **effective learning rate**
# of a normalized layer depends on its weight norm, and small weights train faster (this is also why weight decay
# still matters with BN: it keeps the norms, and so the effective learning rate, from drifting).

# %% [markdown] id="cell-040"
# ## Summary and references
#
# | method | statistics over | per-element parameters | train vs eval | batch dependence |
# |---|---|---|---|---|
# | batch norm, `(N, C)` / `(N, C, L)` / `(N, C, H, W)` | $N$ / $N,L$ / $N,H,W$, per channel | $\gamma,\beta$ per channel | batch stats / running stats | yes |
# | layer norm, `normalized_shape` | last $D$ dims, per example | $\gamma,\beta$ of shape `normalized_shape` | same | no |
# | weight norm, `dim=0` | the weight: all dims except 0 | $g$ per output unit | same | no |
#
# PyTorch's BN: `momentum=0.1` on the new value, `running = (1-m)·running + m·batch`; running variance from the
# unbiased batch variance, normalization with the biased one; `eps=1e-5` inside the square root; `running_mean`
# starts at 0 and `running_var` at 1; `ValueError` for one value per channel in train mode.
#
# - S. Ioffe, C. Szegedy (2015). Batch normalization: accelerating deep network training by reducing internal
#   covariate shift. ICML.
# - J. L. Ba, J. R. Kiros, G. E. Hinton (2016). Layer normalization. arXiv:1607.06450.
# - T. Salimans, D. P. Kingma (2016). Weight normalization: a simple reparameterization to accelerate training of
#   deep neural networks. NeurIPS.
# - S. Santurkar, D. Tsipras, A. Ilyas, A. Madry (2018). How does batch normalization help optimization? NeurIPS.
# - Y. Wu, K. He (2018). Group normalization. ECCV.
#
# The course note `course/notes/03_normalization.md` summarises all of this, with a glossary of English and Chinese
# terms.
