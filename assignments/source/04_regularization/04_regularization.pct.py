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
# # 04 · Regularization: L1/L2, weight decay, early stopping, label smoothing, augmentation
#
# A model that fits its training set perfectly can still predict new data badly: it **overfits**, and the gap between
# training and validation error grows. Regularization trades a little training error for a smaller gap, by
# minimizing a **regularized objective**
# $$J(\theta)=L(\theta)+\lambda\,R(\theta),$$
# where $L$ is the data loss, $R$ penalizes complexity (large or many non-zero weights) and $\lambda\ge0$ sets the
# trade-off; or by changing the training procedure itself (stopping early, augmenting the data, softening the
# targets). This notebook implements each of them **with PyTorch's conventions**, checked against torch and
# scikit-learn:
#
# | item | you implement | points |
# |---|---|---|
# | `penalty` | `l1_penalty`, `l2_penalty`: weights only, values and gradients | 3 |
# | `groups` | optimizer parameter groups; L2 penalty vs `weight_decay` (SGD, Adam, AdamW) | 3 |
# | `prox` | soft-thresholding and proximal gradient: Lasso, ridge, elastic net | 3 |
# | `early_stopping` | `EarlyStopping(patience, min_delta, mode)` with best weights | 3 |
# | `smoothing` | cross-entropy with label smoothing, and the evaluation loss | 3 |
# | `augment` | per-sample random shifts, applied to training batches only | 3 |
# | `concept_*` | three multiple-choice checks | 3 × 1 |
# | `written_l1_vs_l2` | one short written answer (graded by hand) | 2 |
#
# Then you run experiments: overfitting a tiny training set and the train/validation gap against $\lambda$ for L2
# and L1, sparsity against $\lambda$, an early-stopping curve, and what augmentation and label smoothing do to the
# validation loss and the confidence of a classifier.
#
# **Rules.** In each solution cell, replace the two lines `# YOUR CODE HERE` and `raise NotImplementedError()` by
# your code. Do not change the other lines of the cell, and do not rename the functions. Each item is independent:
# a broken item only costs its own points. The test cells use the course's checking API: a failing check tells you
# the case, the expected and obtained values and by how much they differ. Tests run in float64 on the CPU against
# torch's (or scikit-learn's) own implementation; hidden tests probe more models, hyper-parameters and edge cases.

# %% nbgrader={"grade": false, "grade_id": "parameters", "locked": true, "schema_version": 3, "solution": false, "task": false} tags=["parameters"] id="parameters"
SEED = 0
DEVICE = "auto"
FAST = False

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false} id="setup"
import copy
import math
import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.linear_model import ElasticNet, Lasso
from torch import nn

from course import get_device, load_dataset, make_generator, plot_curves, seed_everything
from course.checks import check_close, check_equal, check_raises, check_true, check_within, expected
from course.seeding import vary  # the hidden tests' inputs: your own while grading, vary(k) == k elsewhere

seed_everything(SEED)
device = get_device(DEVICE)
print(f"torch {torch.__version__}, device {device}, FAST={FAST}")

# %% [markdown] id="cell-003"
# The next cell holds the layer types whose `weight` counts as a **weight** in this notebook, and a helper of the
# test cells that fits scikit-learn models quietly. Read it, you do not need to change it.

# %% nbgrader={"grade": false, "grade_id": "helpers", "locked": true, "schema_version": 3, "solution": false, "task": false} id="helpers"
# The layers whose .weight is decayed/penalized. Biases and the parameters of normalization layers
# (BatchNorm, LayerNorm, GroupNorm: a scale and a shift) are not.
WEIGHT_LAYERS = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)


def param_positions(model, params):
    """Where each of `params` sits in model.parameters() (-1: not a parameter of the model). Positions, not
    id()s: the same in every run, so the grader can compare them with the reference run's."""
    order = list(model.parameters())
    return [next((n for n, q in enumerate(order) if q is p), -1) for p in params]

# float(t) on a tensor that requires grad warns on stderr (once per line); that harmless warning must not cost
# points, so it is silenced. (Prefer t.item() or float(t.detach()) in your own code.)
warnings.filterwarnings("ignore", message="Converting a tensor with requires_grad=True to a scalar")


def sklearn_coef(estimator, X, y):
    """Fit a scikit-learn linear model on float64 tensors and return its coefficients as a float64 tensor."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a convergence warning on stderr must not zero a test cell
        estimator.fit(X.numpy(), y.numpy())
    return torch.tensor(estimator.coef_, dtype=torch.float64)


# %% [markdown] id="cell-005"
# ## 1. L1 and L2 penalties
#
# **Generalization and overfitting.** The training loss is measured on the data the parameters were fitted to; the
# validation loss on held-out data. A flexible model with few examples (say 200 weights for 20 examples) can drive
# the training loss to zero while the validation loss grows: it fits the noise. Regularization **restricts the
# effective complexity** of the model (it does *not* "increase the complexity to lower the training error", as one
# of the seed articles says): the training error usually goes *up* a little and the validation error down.
#
# - **L2 (ridge, Hoerl & Kennard 1970; weight decay, Krogh & Hertz 1992)**:
#   $R_2(\theta)=\tfrac12\sum_i w_i^2$, gradient $\lambda w$. It **shrinks** every weight towards 0 in proportion to
#   its size, never to exactly 0; it spreads weight over correlated features and has a closed form for linear
#   regression.
# - **L1 (Lasso, Tibshirani 1996)**: $R_1(\theta)=\sum_i |w_i|$, subgradient $\lambda\operatorname{sign}(w)$. The
#   pull has the same size $\lambda$ whatever the weight, so at the **minimizer** many weights are **exactly 0**
#   (those with $|\partial L/\partial w_i|\le\lambda$ there): L1 gives **sparse** models and does feature selection.
#   An optimizer reaches those zeros only with a **proximal step** (soft-thresholding, section 3). Plain (sub)gradient
#   descent, SGD on the loss plus $\lambda\sum|w|$ included, makes them oscillate around 0 and almost never lands on
#   0.0 (the course's diabetes data, `Lasso(alpha=0.05)`, step $1/L$: proximal gradient ends with the 4 exact zeros
#   of scikit-learn's solution; 5000 steps of `torch.optim.SGD` on the penalized loss end with none, those weights
#   still changing sign, of size up to about $2\eta\lambda$). Ng (2004): with L1 the number of examples needed
#   grows only logarithmically with the number of irrelevant features; with L2 (rotationally invariant) it grows
#   linearly.
#
# **The course convention** (the one of large-model training code): the penalty is applied to the **weights** only,
# here the `weight` of every `nn.Linear` and `nn.ConvNd` (the tuple `WEIGHT_LAYERS`), **not** to biases (a bias
# shifts a unit's output and does not make the function more complex; shrinking it to 0 only adds error) and **not**
# to the scale and shift of normalization layers (their scale sets the size of normalized activations; decaying it
# to 0 fights the normalization). So
#
# $$\texttt{l2\_penalty}(\text{model},\lambda)=\frac\lambda2\sum_{W}\sum_{ij}W_{ij}^2,\qquad
# \texttt{l1\_penalty}(\text{model},\lambda)=\lambda\sum_{W}\sum_{ij}|W_{ij}|,$$
#
# summed over those weights $W$. The rule is by **layer type**: a module `m` counts when `isinstance(m,
# WEIGHT_LAYERS)`, wherever it sits in the model (inside nested `Sequential`, `ModuleList` or custom modules:
# `model.modules()` visits them all, `model.children()` only the first level). It is not a rule by name or by shape:
# an `nn.Embedding` table or a 2-D `nn.Parameter` of a custom module is 2-D but no Linear/Conv weight, so it is not
# penalized. Return a 0-dim tensor that autograd can differentiate (`penalty.backward()` fills the weights' `.grad`
# with $\lambda W$, resp. $\lambda\operatorname{sign}(W)$ with torch's subgradient $\operatorname{sign}(0)=0$, which
# is what `torch.abs` gives). Two mistakes of a seed article (004): it names `nn.L1Loss` and `nn.L2Loss` as the way to
# regularize, but PyTorch has **no** `nn.L2Loss`, and `nn.L1Loss` and `nn.MSELoss` are *data* losses between
# predictions and targets, not penalties on weights; and its code adds `lambda_ * nn.functional.norm(net.parameters(),
# 2)`, which fails three times over: `torch.nn.functional` has no `norm` (and `torch.norm` takes a tensor, while
# `parameters()` is a generator), the 2-norm is not squared (its gradient $\lambda w/\lVert w\rVert$ has the same size
# whatever the weights, unlike $\lambda w$), and `parameters()` includes the biases.

# %% nbgrader={"grade": false, "grade_id": "penalty_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="penalty-impl"
def l2_penalty(model, lam):
    """(lam / 2) * sum of the squared entries of the weights of the Linear/Conv layers of `model`, as a 0-dim
    tensor that autograd can differentiate."""
    ### BEGIN SOLUTION
    weight_ids = {id(m.weight) for m in model.modules() if isinstance(m, WEIGHT_LAYERS)}
    weights = [p for p in model.parameters() if id(p) in weight_ids]  # each weight once, even when tied
    return lam / 2 * sum((w ** 2).sum() for w in weights)
    ### END SOLUTION


def l1_penalty(model, lam):
    """lam * sum of the absolute values of the weights of the Linear/Conv layers of `model`, as a 0-dim tensor
    that autograd can differentiate."""
    ### BEGIN SOLUTION
    weight_ids = {id(m.weight) for m in model.modules() if isinstance(m, WEIGHT_LAYERS)}
    weights = [p for p in model.parameters() if id(p) in weight_ids]  # each weight once, even when tied
    return lam * sum(w.abs().sum() for w in weights)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "penalty__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="penalty--visible"
# Visible test: an MLP with biases, float64; values and gradients against torch.
torch.manual_seed(1)
mlp = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3)).double()
weights = expected([mlp[0].weight, mlp[2].weight])
for name, fn in [("l2", l2_penalty), ("l1", l1_penalty)]:
    want = expected(0.3 / 2 * sum((w ** 2).sum() for w in weights) if name == "l2"
                    else 0.3 * sum(w.abs().sum() for w in weights))
    mlp.zero_grad(set_to_none=True)
    pen = fn(mlp, 0.3)
    check_true(f"penalty/{name}_tensor", isinstance(pen, torch.Tensor) and pen.dim() == 0,
               "the penalty must be a 0-dim tensor", case=f"{name}, MLP", hint="sum tensors, do not call .item()")
    check_close(f"penalty/{name}_value", pen.item(), want.item(), case=f"{name}, lambda 0.3, MLP", rtol=1e-12,
                hint="weights of Linear/Conv layers only, not biases; L2 has the factor 1/2")
    pen.backward()
    for pname, p in mlp.named_parameters():
        got = p.grad if p.grad is not None else torch.zeros_like(p)
        exp = expected((0.3 * p if name == "l2" else 0.3 * torch.sign(p)).detach() if pname.endswith("weight")
                       else torch.zeros_like(p))
        check_close(f"penalty/{name}_grad", got, exp, case=f"{name}, gradient of {pname}", rtol=1e-12, atol=1e-15,
                    hint="d/dW of (lambda/2)||W||^2 is lambda*W; biases get no gradient from the penalty")

# %% nbgrader={"grade": true, "grade_id": "penalty__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="penalty--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
torch.manual_seed(vary(2))
net = nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.ReLU(), nn.Conv1d(3, 2, 1, bias=False),
                    nn.Flatten(), nn.LayerNorm(4), nn.Linear(4, 2), nn.GroupNorm(1, 2)).double()
with torch.no_grad():  # non-trivial normalization parameters, and exact zeros in a weight (a pruned model)
    for m in net.modules():
        if isinstance(m, (nn.BatchNorm2d, nn.LayerNorm, nn.GroupNorm)):
            m.weight.uniform_(0.5, 2.0)
            m.bias.uniform_(-1.0, 1.0)
    net[6].weight[:, :2] = 0.0
    net[0].weight[0] = 0.0
weights = expected([m.weight for m in net.modules() if isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d))])
weight_ids = expected({id(w) for w in weights})
for lam in [0.0, 0.01, 2.5]:
    for name, fn in [("l2", l2_penalty), ("l1", l1_penalty)]:
        want = expected(lam / 2 * sum((w ** 2).sum() for w in weights) if name == "l2"
                        else lam * sum(w.abs().sum() for w in weights))
        net.zero_grad(set_to_none=True)
        pen = fn(net, lam)
        check_close(f"penalty/{name}_conv_norm_value", pen.item(), want.item(), case=f"{name}, lambda {lam}",
                    rtol=1e-12, atol=1e-15,
                    hint="Conv1d/2d/3d weights count, normalization parameters and biases do not")
        pen.backward()
        for pname, p in net.named_parameters():
            got = p.grad if p.grad is not None else torch.zeros_like(p)
            exp = expected((lam * p if name == "l2" else lam * torch.sign(p)).detach() if id(p) in weight_ids
                           else torch.zeros_like(p))
            check_close(f"penalty/{name}_conv_norm_grad", got, exp, case=f"{name}, lambda {lam}, grad of {pname}",
                        rtol=1e-12, atol=1e-15,
                        hint="L1: torch's subgradient sign(0) = 0 at an exact zero (use abs); no gradient on "
                             "biases or normalization parameters")
# a model like real ones: a custom module holding a Sequential holding a ModuleList (modules(), not children());
# an Embedding table and a 2-D Parameter, which are not Linear/Conv weights (the rule is the layer type, not the
# name or the number of dimensions); a Conv3d, a GroupNorm and a registered buffer
class PenaltyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(6, 4)
        self.mix = nn.Parameter(torch.randn(4, 4))
        self.body = nn.Sequential(nn.ModuleList([nn.Linear(4, 5), nn.GroupNorm(1, 5)]), nn.Linear(5, 3, bias=False),
                                  nn.Conv3d(1, 2, 2))
        self.head = nn.Linear(3, 2)
        self.register_buffer("running", torch.ones(3))


torch.manual_seed(vary(4))
deep = PenaltyNet().double()
real_cases = [
    ("nested", deep,
     "find the Linear/Conv layers anywhere in the model (modules(), not children()); an Embedding table or a 2-D "
     "Parameter of a custom module is no Linear/Conv weight")]
penalized = expected({"nested": [deep.body[0][0].weight, deep.body[1].weight, deep.body[2].weight, deep.head.weight]})
lam = 0.7
for label, model, hint in real_cases:
    ws = expected(penalized[label])
    for name, fn in [("l2", l2_penalty), ("l1", l1_penalty)]:
        if name == "l2":
            want = expected(lam / 2 * sum((w ** 2).sum() for w in ws))
        else:
            want = expected(lam * sum(w.abs().sum() for w in ws))
        model.zero_grad(set_to_none=True)
        pen = fn(model, lam)
        check_close(f"penalty/{label}_value", pen.item(), want.item(), case=f"{name}, lambda {lam}, {label} model",
                    rtol=1e-12, atol=1e-15, hint=hint)
        pen.backward()
        for pname, p in model.named_parameters():
            got = p.grad if p.grad is not None else torch.zeros_like(p)
            exp = expected((lam * p if name == "l2" else lam * torch.sign(p)).detach() if any(p is w for w in ws)
                           else torch.zeros_like(p))
            check_close(f"penalty/{label}_grad", got, exp, case=f"{name}, lambda {lam}, {label} model, grad of {pname}",
                        rtol=1e-12, atol=1e-15, hint=hint)
### END HIDDEN TESTS

# %% [markdown] id="cell-009"
# ## 2. Weight decay, parameter groups, and why Adam + L2 is not AdamW
#
# In practice the L2 penalty is rarely written into the loss: the optimizer applies it as **weight decay**. To decay
# the weights only, give the optimizer two **parameter groups** (a list of dicts; each dict's keys override the
# optimizer's defaults for its parameters):
#
# ```python
# [{"params": [weights...], "weight_decay": wd}, {"params": [biases, norm parameters...], "weight_decay": 0.0}]
# ```
#
# **SGD.** `torch.optim.SGD(weight_decay=λ)` adds $\lambda\theta$ to the gradient before the momentum buffer, so it is
# *exactly* the gradient of $\frac\lambda2\lVert\theta\rVert^2$ added to the loss: same trajectory (with or without
# momentum). That is *coupled* decay; decoupled decay with momentum (SGDW, Loshchilov & Hutter 2019:
# $\theta\leftarrow\theta-\eta\lambda\theta$ outside the momentum buffer) is a different algorithm, equal to SGD +
# L2 only without momentum (course note 01).
#
# **Adam.** `torch.optim.Adam(weight_decay=λ)` does the same (coupled), but then the decay
# term is divided by $\sqrt{\hat v}+\epsilon$ like the rest of the gradient: weights with large gradients are
# barely decayed. **AdamW** (Loshchilov & Hutter 2019) **decouples** it: $\theta\leftarrow\theta(1-\eta\lambda)$,
# then the Adam step on the data gradient alone. So Adam + L2 penalty = Adam(`weight_decay`) ≠ AdamW.
#
# Implement
#
# - `decay_param_groups(model, weight_decay)`: the two groups above, in that order: first the `weight` of every layer in
#   `WEIGHT_LAYERS` with `"weight_decay": weight_decay`, then every other parameter (biases, normalization parameters)
#   with `"weight_decay": 0.0`; each parameter exactly once (a weight tied between two layers too), in
#   `model.parameters()` order; the layers are found by type anywhere in the model, as in section 1 (an `nn.Embedding`
#   table goes to the second group).
# - `train_steps(model, x, y, opt_name, lam, coupling, steps, **opt_kwargs)`: `steps` full-batch steps on the mean
#   squared error `F.mse_loss(model(x), y)`, with the optimizer `opt_name` (`"sgd"`, `"adam"`, `"adamw"`: the torch
#   classes, built on the groups, `**opt_kwargs` passed to it, e.g. `lr`, `momentum`) and the regularization applied
#   either as a **penalty** (`coupling="penalty"`: groups with decay 0, and $\frac{\lambda}{2}\sum w^2$ over the decay
#   group added to the loss) or by the **optimizer** (`coupling="optimizer"`: groups with `weight_decay=lam`, nothing
#   added to the loss). With `"penalty"` the optimizer decays nothing (mind `AdamW`'s default `weight_decay=0.01`: build
#   it on the groups, which set 0). Any other `coupling` raises `ValueError`. Return the list of the data losses (MSE
#   without penalty, Python floats) before each step; the model is trained in place.

# %% nbgrader={"grade": false, "grade_id": "groups_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="groups-impl"
def decay_param_groups(model, weight_decay):
    """[{"params": weights, "weight_decay": weight_decay}, {"params": other parameters, "weight_decay": 0.0}]."""
    ### BEGIN SOLUTION
    weight_ids = {id(m.weight) for m in model.modules() if isinstance(m, WEIGHT_LAYERS)}
    decay, no_decay = [], []
    for p in model.parameters():
        (decay if id(p) in weight_ids else no_decay).append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    ### END SOLUTION


def train_steps(model, x, y, opt_name, lam, coupling, steps, **opt_kwargs):
    """Full-batch MSE training with L2 regularization as a loss penalty or as the optimizer's weight decay."""
    ### BEGIN SOLUTION
    if coupling == "penalty":
        groups = decay_param_groups(model, 0.0)
    elif coupling == "optimizer":
        groups = decay_param_groups(model, lam)
    else:
        raise ValueError(f"unknown coupling {coupling!r}")
    optimizers = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}
    opt = optimizers[opt_name](groups, **opt_kwargs)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        data_loss = F.mse_loss(model(x), y)
        loss = data_loss
        if coupling == "penalty":
            loss = loss + lam / 2 * sum((p ** 2).sum() for p in groups[0]["params"])
        loss.backward()
        opt.step()
        losses.append(data_loss.item())
    return losses
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "groups__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="groups--visible"
# Visible test: the groups of an MLP, and SGD with the L2 penalty vs SGD(weight_decay) against torch, float64.
def groups_model(seed):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 2)).double()


def ref_sgd_run(model, x, y, lam, steps, **kw):
    """torch.optim.SGD with weight_decay on the weights only: the reference trajectory."""
    w = [m.weight for m in model.modules() if isinstance(m, WEIGHT_LAYERS)]
    rest = [p for p in model.parameters() if all(p is not q for q in w)]
    opt = torch.optim.SGD([{"params": w, "weight_decay": lam}, {"params": rest, "weight_decay": 0.0}], **kw)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


m = groups_model(0)
groups = decay_param_groups(m, 0.1)
check_equal("groups/count", len(groups), 2, case="MLP", hint="two groups: decayed weights, then the rest")
check_equal("groups/decay_params", param_positions(m, groups[0]["params"]), param_positions(m, [m[0].weight, m[2].weight]),
            case="MLP, decayed group", hint="only the weights of Linear/Conv layers")
check_equal("groups/other_params", param_positions(m, groups[1]["params"]), param_positions(m, [m[0].bias, m[2].bias]),
            case="MLP, non-decayed group", hint="biases go to the group with weight_decay 0")
check_equal("groups/decay_values", [float(groups[0]["weight_decay"]), float(groups[1]["weight_decay"])],
            [0.1, 0.0], case="MLP")
gen = make_generator(3)
x, y = torch.randn(16, 3, generator=gen, dtype=torch.float64), torch.randn(16, 2, generator=gen, dtype=torch.float64)
ref = expected(groups_model(0))
ref_losses = expected(ref_sgd_run(ref, x, y, 0.2, 5, lr=0.1))
for coupling in ["penalty", "optimizer"]:
    m = groups_model(0)
    losses = train_steps(m, x, y, "sgd", 0.2, coupling, 5, lr=0.1)
    check_close("groups/sgd_losses", [float(v) for v in losses], ref_losses, case=f"SGD, {coupling}", rtol=1e-10,
                hint="return the data loss (MSE) before each step")
    for i, (name, p) in enumerate(m.named_parameters()):
        check_close("groups/sgd_params", p.detach(), list(ref.parameters())[i].detach(), case=f"SGD, {coupling}, {name} after 5 steps",
                    rtol=1e-10, atol=1e-12,
                    hint="SGD: the penalty (lambda/2) sum w^2 and weight_decay=lambda give the same trajectory; "
                         "apply it once, on the weights only")


# %% nbgrader={"grade": true, "grade_id": "groups__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="groups--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
def norm_model(seed):
    torch.manual_seed(vary(seed))
    return nn.Sequential(nn.Linear(3, 6), nn.LayerNorm(6), nn.ReLU(), nn.Linear(6, 6, bias=False),
                         nn.BatchNorm1d(6), nn.Linear(6, 2)).double()


def ref_groups(model, lam):
    weight_ids = {id(m.weight) for m in model.modules() if isinstance(m, WEIGHT_LAYERS)}
    w = [p for p in model.parameters() if id(p) in weight_ids]
    rest = [p for p in model.parameters() if id(p) not in weight_ids]
    return [{"params": w, "weight_decay": lam}, {"params": rest, "weight_decay": 0.0}]


def ref_run(model, x, y, cls, lam, coupling, steps, **kw):
    groups = ref_groups(model, lam if coupling == "optimizer" else 0.0)
    opt = cls(groups, **kw)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        data_loss = F.mse_loss(model(x), y)
        loss = data_loss
        if coupling == "penalty":
            loss = loss + lam / 2 * sum((w ** 2).sum() for w in groups[0]["params"])
        loss.backward()
        opt.step()
        losses.append(data_loss.item())
    return [p.detach().clone() for p in model.parameters()], losses


m = norm_model(1)
groups = decay_param_groups(m, 0.05)
check_equal("groups/norm_decay_params", param_positions(m, groups[0]["params"]),
            param_positions(m, [m[0].weight, m[3].weight, m[5].weight]), case="model with LayerNorm and BatchNorm1d",
            hint="the weight of a normalization layer is a scale, not a Linear/Conv weight: no decay")
check_equal("groups/norm_other_params", param_positions(m, groups[1]["params"]),
            param_positions(m, [m[0].bias, m[1].weight, m[1].bias, m[4].weight, m[4].bias, m[5].bias]),
            case="model with LayerNorm and BatchNorm1d", hint="every other parameter, in model.parameters() order")
check_raises("groups/bad_coupling", lambda: train_steps(norm_model(1), torch.zeros(4, 3, dtype=torch.float64),
             torch.zeros(4, 2, dtype=torch.float64), "sgd", 0.1, "both", 1, lr=0.1), ValueError,
             case="coupling='both'")
gen = make_generator(vary(4))
x, y = torch.randn(12, 3, generator=gen, dtype=torch.float64), torch.randn(12, 2, generator=gen, dtype=torch.float64)
final = {}
cases = [("sgd", torch.optim.SGD, "penalty", dict(lr=0.05, momentum=0.9)),
         ("sgd", torch.optim.SGD, "optimizer", dict(lr=0.05, momentum=0.9)),
         ("adam", torch.optim.Adam, "penalty", dict(lr=0.01)),
         ("adam", torch.optim.Adam, "optimizer", dict(lr=0.01)),
         ("adamw", torch.optim.AdamW, "optimizer", dict(lr=0.01)),
         ("adamw", torch.optim.AdamW, "penalty", dict(lr=0.01))]
for opt_name, cls, coupling, kw in cases:
    m = norm_model(1)
    losses = train_steps(m, x, y, opt_name, 0.5, coupling, 6, **kw)
    ref, ref_losses = expected(ref_run(norm_model(1), x, y, cls, 0.5, coupling, 6, **kw))
    check_equal("groups/loss_type", [type(v).__name__ for v in losses], ["float"] * 6, case=f"{opt_name}, {coupling}",
                hint="return a list of Python floats (loss.item()), not tensors")
    final[(opt_name, coupling)] = [p.detach().clone() for p in m.parameters()]
    for i, (name, p) in enumerate(m.named_parameters()):
        check_close("groups/trajectory", p.detach(), ref[i], case=f"{opt_name}, {coupling}, {kw}, {name} after 6 steps",
                    rtol=1e-10, atol=1e-12,
                    hint=f"use torch.optim.{cls.__name__} on the groups; regularize once, weights only")
    check_close("groups/losses_more", [float(v) for v in losses], ref_losses, case=f"{opt_name}, {coupling}, {kw}",
                rtol=1e-10, hint="the data loss (MSE, without the penalty) before each step")


def gap(a, b):
    return max(float((p - q).abs().max()) for p, q in zip(a, b))


# shown numerically: SGD + penalty == SGD(weight_decay); Adam + penalty == Adam(weight_decay) != AdamW
check_within("groups/sgd_same", gap(final[("sgd", "penalty")], final[("sgd", "optimizer")]), 0.0, 1e-12,
             case="SGD with momentum: penalty vs weight_decay", why="the same update up to rounding")
check_within("groups/adam_same", gap(final[("adam", "penalty")], final[("adam", "optimizer")]), 0.0, 1e-12,
             case="Adam: penalty vs weight_decay", why="torch's Adam weight_decay is the coupled L2 penalty")
check_true("groups/adam_not_adamw", gap(final[("adam", "penalty")], final[("adamw", "optimizer")]) > 1e-4,
           "Adam with an L2 penalty must differ from AdamW (decoupled decay)", case="Adam + L2 vs AdamW",
           hint="'adamw' must build torch.optim.AdamW")
# models like real ones: nested containers with an Embedding table and a 2-D Parameter (no Linear/Conv weights), a
# Conv1d and a GroupNorm; and a weight tied between two Linear layers (one parameter: in one group, once)
class GroupsNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(5, 3)
        self.mix = nn.Parameter(torch.randn(3, 3))
        self.body = nn.Sequential(nn.ModuleList([nn.Conv1d(3, 4, 1), nn.GroupNorm(2, 4)]), nn.Linear(4, 4, bias=False))
        self.head = nn.Linear(4, 2)


class TiedNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Linear(3, 3)
        self.dec = nn.Linear(3, 3)
        self.dec.weight = self.enc.weight  # weight tying
        self.head = nn.Linear(3, 2)

    def forward(self, inp):
        return self.head(torch.tanh(self.dec(torch.tanh(self.enc(inp)))))


def tied_model(seed):
    torch.manual_seed(vary(seed))
    return TiedNet().double()


torch.manual_seed(vary(6))
m = GroupsNet().double()
groups = decay_param_groups(m, 0.05)
case = "custom module > Sequential > ModuleList, with Embedding, 2-D Parameter, Conv1d, GroupNorm"
check_equal("groups/nested_decay_params", param_positions(m, groups[0]["params"]),
            sorted(param_positions(m, [m.body[0][0].weight, m.body[1].weight, m.head.weight])), case=case,
            hint="find the Linear/Conv layers anywhere in the model (modules()); select by layer type, not by name "
                 "or number of dimensions")
check_equal("groups/nested_other_params", param_positions(m, groups[1]["params"]),
            sorted(param_positions(m, [m.mix, m.emb.weight, m.body[0][0].bias, m.body[0][1].weight,
                                       m.body[0][1].bias, m.head.bias])), case=case,
            hint="every other parameter, in model.parameters() order")
m = tied_model(7)
groups = decay_param_groups(m, 0.05)
check_equal("groups/tied_decay_params", param_positions(m, groups[0]["params"]),
            sorted(param_positions(m, [m.enc.weight, m.head.weight])), case="weight tied between two Linear layers",
            hint="each parameter exactly once: model.parameters() lists a shared weight once")
check_equal("groups/tied_other_params", param_positions(m, groups[1]["params"]),
            sorted(param_positions(m, [m.enc.bias, m.dec.bias, m.head.bias])), case="weight tied between two Linear layers")
for coupling in ["optimizer"]:  # the penalty coupling sums over the decay group, checked above
    m = tied_model(7)
    train_steps(m, x, y, "sgd", 0.5, coupling, 6, lr=0.05, momentum=0.9)
    ref, _ = expected(ref_run(tied_model(7), x, y, torch.optim.SGD, 0.5, coupling, 6, lr=0.05, momentum=0.9))
    for i, (name, p) in enumerate(m.named_parameters()):
        check_close("groups/tied_trajectory", p.detach(), ref[i], case=f"tied weight, sgd, {coupling}, {name} after 6 steps",
                    rtol=1e-10, atol=1e-12, hint="regularize a tied weight once (as the optimizer's groups do)")
### END HIDDEN TESTS

# %% [markdown] id="cell-013"
# ## 3. L1 by proximal gradient: Lasso, ridge, elastic net
#
# The L1 penalty is not differentiable at 0, and a plain (sub)gradient step $w\leftarrow w-\eta(\nabla L+\lambda
# \operatorname{sign}w)$ makes the small weights oscillate around 0 instead of reaching it. **Proximal gradient**
# (ISTA, Daubechies, Defrise & De Mol 2004) takes a gradient step on the smooth part only, then solves the penalty
# exactly:
#
# $$w\leftarrow \operatorname{prox}_{\eta\lambda_1\lVert\cdot\rVert_1}\bigl(w-\eta\nabla L(w)\bigr),\qquad
# \operatorname{prox}_{t\lVert\cdot\rVert_1}(v)_i=S_t(v_i)=\operatorname{sign}(v_i)\max(|v_i|-t,\,0),$$
#
# the **soft-thresholding** operator (torch: `F.softshrink(v, t)`): every coordinate with $|v_i|\le t$ becomes
# **exactly 0**. With an L2 term as well, $\operatorname{prox}$ of $t\lVert\cdot\rVert_1+\frac{s}{2}\lVert\cdot\rVert^2$ is
# $S_t(v)/(1+s)$.
#
# For linear regression we use **scikit-learn's objective** (no intercept: the course's diabetes data are
# standardized):
#
# $$J(w)=\frac1{2n}\lVert y-Xw\rVert^2+\lambda_1\lVert w\rVert_1+\frac{\lambda_2}2\lVert w\rVert^2,\qquad
# \nabla L(w)=\tfrac1n X^\top(Xw-y).$$
#
# `Lasso(alpha)` is $\lambda_1=\alpha$, $\lambda_2=0$ (mind the $\frac1{2n}$: without it the same $\alpha$ means a
# different problem); `ElasticNet(alpha, l1_ratio)` (Zou & Hastie 2005) is $\lambda_1=\alpha\rho$,
# $\lambda_2=\alpha(1-\rho)$; $\lambda_1=0$ is **ridge**, whose minimizer has the closed form
# $w^\ast=(X^\top X/n+\lambda_2I)^{-1}X^\top y/n$.
#
# Implement `soft_threshold(v, t)` (elementwise, any shape; a new tensor of the dtype of `v`, `v` itself unchanged) and
# `proximal_gradient(X, y, l1=0.0, l2=0.0, steps=1000)`: start from $w=0$, step size $\eta=1/L$ with $L$ the largest
# eigenvalue of $X^\top X/n$ (`torch.linalg.eigvalsh`), and per step $w\leftarrow S_{\eta\lambda_1}(w-\eta\nabla
# L(w))/(1+\eta\lambda_2)$. Return $w$ after exactly `steps` steps (`steps=0`: the zeros), of shape `(d,)` and the dtype
# of `X`. The tests compare with scikit-learn (coordinate descent run to `tol=1e-12`) and with the closed form to an
# absolute tolerance of $10^{-6}$, and the zero pattern must match exactly. ISTA with step $1/L$ converges linearly at a
# rate set by $L$ and by the smallest curvature on the active coordinates (plus $\lambda_2$); on the tested problems
# 1000 steps reach within about $10^{-9}$ of the minimizer (checked). Unregularized least squares on these data
# (condition number of $X^\top X/n$ about 430) would need far more steps.

# %% autograder={"forbidden": ["sklearn"]} nbgrader={"grade": false, "grade_id": "prox_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="prox-impl"
def soft_threshold(v, t):
    """sign(v) * max(|v| - t, 0), elementwise (t >= 0): a new tensor of the shape and dtype of v; v is not modified."""
    ### BEGIN SOLUTION
    return torch.sign(v) * torch.clamp(v.abs() - t, min=0.0)
    ### END SOLUTION


def proximal_gradient(X, y, l1=0.0, l2=0.0, steps=1000):
    """Minimize 1/(2n)||y - Xw||^2 + l1 ||w||_1 + (l2/2)||w||^2 by proximal gradient (ISTA), step 1/L."""
    ### BEGIN SOLUTION
    n = X.shape[0]
    lipschitz = torch.linalg.eigvalsh(X.T @ X / n).max()
    lr = 1.0 / lipschitz
    w = torch.zeros(X.shape[1], dtype=X.dtype)
    for _ in range(steps):
        grad = X.T @ (X @ w - y) / n
        w = soft_threshold(w - lr * grad, lr * l1) / (1 + lr * l2)
    return w
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "prox__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="prox--visible"
# Visible test: soft-thresholding against F.softshrink; Lasso on diabetes against scikit-learn.
v = torch.tensor([-2.0, -0.5, -0.2, 0.0, 0.1, 0.3, 1.5], dtype=torch.float64)
check_close("prox/soft_threshold", soft_threshold(v, 0.3), F.softshrink(v, 0.3), case="t = 0.3", atol=1e-15,
            hint="sign(v) * max(|v| - t, 0): everything in [-t, t] becomes 0")
data = load_dataset("diabetes")
X, y = data.x_train.double(), data.y_train.double()
w = proximal_gradient(X, y, l1=0.05)
ref = expected(sklearn_coef(Lasso(alpha=0.05, fit_intercept=False, tol=1e-12, max_iter=100000), X, y))
check_close("prox/lasso", w, ref, case="diabetes, Lasso(alpha=0.05)", atol=1e-6, rtol=0.0,
            hint="gradient (1/n) X^T (Xw - y), step 1/L, then soft-threshold at lr * l1")
check_equal("prox/lasso_zeros", (w == 0).tolist(), (ref == 0).tolist(), case="diabetes, Lasso(alpha=0.05)",
            hint="soft-thresholding gives exact zeros where scikit-learn's coefficients are 0")

# %% nbgrader={"grade": true, "grade_id": "prox__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="prox--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
gen = make_generator(vary(5))
v = torch.randn(50, generator=gen, dtype=torch.float64)
for t in [0.0, 0.7, 5.0]:
    check_close("prox/soft_threshold_more", soft_threshold(v, t), F.softshrink(v, t), case=f"t = {t}", atol=1e-15)
data = load_dataset("diabetes")
X, y = data.x_train.double(), data.y_train.double()
n, d = expected(X.shape)  # used by the reference iterates only
# exactly `steps` steps of the stated rule: from w = 0, step 1/L with L the largest eigenvalue of X^T X / n
eta = expected(1.0 / torch.linalg.eigvalsh(X.T @ X / n).max())  # the reference iterates
w_k = expected(torch.zeros(d, dtype=torch.float64))
for k in range(4):
    if k != 2:
        check_close("prox/few_steps", proximal_gradient(X, y, l1=0.05, l2=0.1, steps=k), w_k.clone(),
                    case=f"steps = {k}, l1 0.05, l2 0.1", rtol=1e-9, atol=1e-12,
                    hint="start from w = 0; step 1/L with L the largest eigenvalue of X^T X / n; exactly `steps` "
                         "steps, each a gradient step then the prox")
    w_k = expected(F.softshrink(w_k - eta * (X.T @ (X @ w_k - y) / n), float(eta * 0.05)) / (1 + eta * 0.1))
for alpha in [0.01, 0.2]:
    w = proximal_gradient(X, y, l1=alpha)
    ref = expected(sklearn_coef(Lasso(alpha=alpha, fit_intercept=False, tol=1e-12, max_iter=100000), X, y))
    check_close("prox/lasso_more", w, ref, case=f"Lasso(alpha={alpha})", atol=1e-6, rtol=0.0)
    check_equal("prox/lasso_more_zeros", (w == 0).tolist(), (ref == 0).tolist(), case=f"Lasso(alpha={alpha})")
for l2 in [0.1, 1.0]:
    w = proximal_gradient(X, y, l2=l2)
    closed = expected(torch.linalg.solve(X.T @ X / n + l2 * torch.eye(d, dtype=torch.float64), X.T @ y / n))
    check_close("prox/ridge", w, closed, case=f"ridge, l2 = {l2}", atol=1e-6, rtol=0.0,
                hint="the prox of (s/2)||w||^2 with s = lr * l2 divides by (1 + lr * l2)")
for alpha, rho in [(0.05, 0.5), (0.1, 0.2)]:
    w = proximal_gradient(X, y, l1=alpha * rho, l2=alpha * (1 - rho))
    ref = expected(sklearn_coef(ElasticNet(alpha=alpha, l1_ratio=rho, fit_intercept=False, tol=1e-12,
                                           max_iter=100000), X, y))
    check_close("prox/elastic_net", w, ref, case=f"ElasticNet(alpha={alpha}, l1_ratio={rho})", atol=1e-6, rtol=0.0,
                hint="l1 = alpha * l1_ratio, l2 = alpha * (1 - l1_ratio)")
    check_equal("prox/elastic_net_zeros", (w == 0).tolist(), (ref == 0).tolist(),
                case=f"ElasticNet(alpha={alpha}, l1_ratio={rho})")
# soft_threshold: any shape and dtype, exact zeros up to |v| = t; a new tensor, v unchanged
vm = torch.tensor([[-1.0, -0.5, 0.25], [0.5, 0.75, 2.0]], dtype=torch.float32)
vm_before = vm.clone()
got = soft_threshold(vm, 0.5)
check_close("prox/soft_threshold_shapes", got, F.softshrink(vm_before, 0.5), case="(2, 3) float32, t = 0.5",
            atol=1e-7, hint="elementwise on any shape; keep the dtype of v")
check_true("prox/soft_threshold_input_unchanged", torch.equal(vm, vm_before),
           "soft_threshold must return a new tensor and leave v unchanged", case="(2, 3) float32, t = 0.5",
           hint="no in-place writes into v (v[mask] = 0 changes the caller's tensor)")
# float32 data: w has the dtype of X
wf = proximal_gradient(X.float(), y.float(), l1=0.05)
check_equal("prox/dtype", (str(wf.dtype), tuple(wf.shape)), ("torch.float32", (d,)), case="float32 X and y",
            hint="w has the dtype of X (start from torch.zeros(d, dtype=X.dtype))")
ref = expected(sklearn_coef(Lasso(alpha=0.05, fit_intercept=False, tol=1e-12, max_iter=100000), X, y))
check_close("prox/float32", wf, ref.float(), case="float32 X and y, Lasso(alpha=0.05)", atol=1e-4, rtol=0.0,
            hint="the same algorithm in float32")
### END HIDDEN TESTS

# %% [markdown] id="cell-017"
# ## 4. Early stopping
#
# Training longer first lowers both losses, then only the training loss: the validation loss turns back up. **Early
# stopping** watches a validation metric after every epoch, keeps the weights of the best epoch, and stops when the
# metric has not improved for `patience` epochs. For gradient descent on a quadratic, stopping after $t$ steps acts
# much like an L2 penalty with $\lambda\approx1/(\eta t)$: the number of steps is a regularization parameter, tuned
# for free while training.
#
# Implement `EarlyStopping(patience, min_delta=0.0, mode="min")` (the convention of Keras and PyTorch Lightning):
#
# - `step(value, model=None)` is called once per epoch (epochs counted from 0) with the validation metric.
#   The value **improves** if it is the first one, or, in mode `"min"`, if `value < best - min_delta`; in mode
#   `"max"`, if `value > best + min_delta`. A tie (or a gain of at most `min_delta`) is **not** an improvement.
# - On an improvement: `best = value`, `best_epoch` = this epoch, `counter = 0`, and, if a model is given, a **copy**
#   of its `state_dict()` is saved: the parameters **and the buffers** (e.g. BatchNorm's running statistics), as
#   cloned tensors (the live ones keep changing). Otherwise `counter += 1`.
# - `step` returns `True` (stop) when `counter >= patience`, else `False`.
# - `restore(model)` loads the saved best state, buffers included, into `model` (`load_state_dict`) and returns it.
# - A `mode` other than `"min"` or `"max"` raises `ValueError`.

# %% nbgrader={"grade": false, "grade_id": "early_stopping_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="early-stopping-impl"
class EarlyStopping:
    """Stop when the validation metric has not improved for `patience` epochs; remember the best weights."""

    def __init__(self, patience, min_delta=0.0, mode="min"):
        ### BEGIN SOLUTION
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        self.patience = patience
        self.min_delta = min_delta
        self.mode = mode
        self.best = None
        self.best_epoch = None
        self.best_state = None
        self.counter = 0
        self.epoch = -1
        ### END SOLUTION

    def step(self, value, model=None):
        ### BEGIN SOLUTION
        self.epoch += 1
        value = float(value)
        if self.best is None:
            improved = True
        elif self.mode == "min":
            improved = value < self.best - self.min_delta
        else:
            improved = value > self.best + self.min_delta
        if improved:
            self.best, self.best_epoch, self.counter = value, self.epoch, 0
            if model is not None:
                self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            self.counter += 1
        return self.counter >= self.patience
        ### END SOLUTION

    def restore(self, model):
        ### BEGIN SOLUTION
        if self.best_state is not None:
            model.load_state_dict(self.best_state)
        return model
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "early_stopping__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="early-stopping--visible"
# Visible test: a scripted validation loss, mode "min", patience 2.
def run_curve(stopper, curve, model_at=None):
    """Feed the curve to stopper.step until it says stop; return (stop epoch or None, list of returns)."""
    returned = []
    for epoch, value in enumerate(curve):
        out = stopper.step(value, None if model_at is None else model_at(epoch))
        returned.append(out)
        if out is True:
            return epoch, returned
    return None, returned


curve = [1.0, 0.8, 0.7, 0.75, 0.72, 0.6, 0.5]
es = EarlyStopping(patience=2)
stop, returned = run_curve(es, curve)
check_equal("early_stopping/stop_epoch", stop, 4, case=f"patience 2, curve {curve}",
            hint="best at epoch 2 (0.7); epochs 3 and 4 do not improve: stop when counter >= patience")
check_equal("early_stopping/returns", returned, [False, False, False, False, True], case="patience 2",
            hint="step returns a bool: True only when training should stop")
check_equal("early_stopping/best", (float(es.best), es.best_epoch), (0.7, 2), case="patience 2")

# %% nbgrader={"grade": true, "grade_id": "early_stopping__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="early-stopping--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
cases = [  # (kwargs, curve)
    (dict(patience=2), [1.0, 0.9, 0.9, 0.9, 0.5]),                                    # ties do not improve
    (dict(patience=1), [3.0, 2.0, 2.5]),
    (dict(patience=3, min_delta=0.1), [1.0, 0.95, 0.92, 0.85, 0.8, 0.79, 0.76, 0.7]),  # gains <= 0.1 do not count
    (dict(patience=2, min_delta=0.1), [1.0, 0.9, 0.8, 0.75, 0.72]),                   # 0.9: exactly min_delta
    (dict(patience=2, mode="max"), [0.5, 0.6, 0.6, 0.55, 0.9]),
    (dict(patience=3, mode="max", min_delta=0.05), [0.1, 0.2, 0.22, 0.3, 0.31, 0.34, 0.345]),
    (dict(patience=2), [1.0, 0.9, 0.8, 0.7, 0.6]),                                    # never stops
]
answers = expected([  # per case: (stop epoch, best, best epoch)
    (3, 0.9, 1), (2, 2.0, 1), (6, 0.85, 3), (4, 0.8, 2), (3, 0.6, 1), (6, 0.3, 3), (None, 0.6, 4)])
for k, (kw, curve) in enumerate(cases):
    es = EarlyStopping(**kw)
    stop, returned = run_curve(es, curve)
    check_equal("early_stopping/stop_more", stop, answers[k][0], case=f"{kw}, curve {curve}",
                hint="improvement: value < best - min_delta (min) or value > best + min_delta (max); ties do not "
                     "count; stop when counter >= patience")
    check_close("early_stopping/best_more", [float(es.best), float(es.best_epoch)], [answers[k][1], float(answers[k][2])],
                case=f"{kw}, curve {curve}", rtol=1e-12)
check_raises("early_stopping/bad_mode", lambda: EarlyStopping(2, mode="lowest"), ValueError, case="mode='lowest'")

# restoring the best weights: the model changes after every epoch (in place, as an optimizer does)
model = nn.Linear(3, 2).double()


def model_at(epoch):
    with torch.no_grad():
        model.weight.fill_(float(epoch))
        model.bias.fill_(-float(epoch))
    return model


es = EarlyStopping(patience=3)
stop, _ = run_curve(es, [5.0, 4.0, 3.0, 3.5, 3.2, 3.1, 1.0], model_at)
check_equal("early_stopping/restore_stop", stop, 5, case="patience 3")
out = es.restore(model)
check_true("early_stopping/restore_returns", out is model, "restore must return the model it was given")
check_equal("early_stopping/restore_weight", model.weight.detach(), torch.full((2, 3), 2.0, dtype=torch.float64),
            case="best epoch 2", hint="save a copy (clone) of the state_dict at the best epoch and load it back")
check_equal("early_stopping/restore_bias", model.bias.detach(), torch.full((2,), -2.0, dtype=torch.float64),
            case="best epoch 2", hint="save a copy (clone) of the state_dict at the best epoch and load it back")
# a real model: its state_dict holds buffers too (BatchNorm's running statistics), which change every epoch
bn_model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).double()


def bn_at(epoch):
    with torch.no_grad():  # what an epoch of training does, in place: new weights and new running statistics
        bn_model[0].weight.fill_(float(epoch))
        bn_model[1].running_mean.fill_(float(epoch))
        bn_model[1].running_var.fill_(1.0 + epoch)
        bn_model[1].num_batches_tracked.fill_(10 * epoch)
    return bn_model


es = EarlyStopping(patience=2)
stop, _ = run_curve(es, [2.0, 1.0, 1.5, 1.25], bn_at)
check_equal("early_stopping/bn_stop", stop, 3, case="patience 2, Linear + BatchNorm1d")
es.restore(bn_model)
check_equal("early_stopping/restore_buffers",
            [bn_model[1].running_mean, bn_model[1].running_var, bn_model[1].num_batches_tracked],
            [torch.full((4,), 1.0, dtype=torch.float64), torch.full((4,), 2.0, dtype=torch.float64), torch.tensor(10)],
            case="Linear + BatchNorm1d, best epoch 1: running_mean, running_var, num_batches_tracked",
            hint="save a copy of the whole state_dict(): parameters and buffers")
check_equal("early_stopping/restore_bn_weight", bn_model[0].weight.detach(), torch.full((4, 3), 1.0, dtype=torch.float64),
            case="Linear + BatchNorm1d, best epoch 1")
### END HIDDEN TESTS

# %% [markdown] id="cell-021"
# ## 5. Label smoothing
#
# A one-hot target asks the network for probability 1 on the true class, i.e. an infinite logit gap: the logits keep
# growing and the model becomes over-confident. **Label smoothing** (Szegedy et al. 2016) trains against the mixture
# of the one-hot target and the uniform distribution over the $K$ classes:
#
# $$q_k=(1-\varepsilon)\,\mathbb 1[k=y]+\frac{\varepsilon}{K},\qquad
# \ell=-\sum_k q_k\log p_k=(1-\varepsilon)\bigl(-\log p_y\bigr)+\varepsilon\cdot\frac1K\sum_k\bigl(-\log p_k\bigr).$$
#
# This **eps/K** convention is PyTorch's (`F.cross_entropy(logits, y, label_smoothing=eps)`): the true class gets
# $1-\varepsilon+\varepsilon/K$. The seed article that gives a formula (003) writes this same $\varepsilon/K$. Other
# code (fairseq's `label_smoothed_nll_loss`, for one) puts $\varepsilon/(K-1)$ on each wrong class and $1-\varepsilon$
# on the true one: a different loss for the same $\varepsilon$, so check which one a value of $\varepsilon$ was tuned
# for. The loss is minimized at a *finite* logit gap, so predictions stay calibrated rather than saturated.
#
# Smoothing is a **training** criterion. The **evaluation** loss (validation, test, early stopping) is the plain
# cross-entropy of the real labels: a smoothed evaluation loss is not comparable across values of $\varepsilon$ and
# cannot be zero even for a perfect model.
#
# Implement `label_smoothing_ce(logits, target, eps=0.0, reduction="mean")` for logits `(N, K)` of any floating dtype
# (the loss has the dtype of the logits, as torch's) and integer targets `(N,)`; $K$ is `logits.shape[1]`, whether or
# not every class occurs in `target` (`reduction` `"mean"`, `"sum"` or `"none"`, as torch; use `F.log_softmax` for
# stability), and `make_losses(eps)` returning the pair `(train_loss, eval_loss)` of functions `(logits, target) -> mean
# loss` (a 0-dim tensor; training calls `.backward()` on it): smoothed for training, plain cross-entropy for evaluation.

# %% autograder={"forbidden": ["torch.nn.functional.cross_entropy", "torch.nn.CrossEntropyLoss"]} nbgrader={"grade": false, "grade_id": "smoothing_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="smoothing-impl"
def label_smoothing_ce(logits, target, eps=0.0, reduction="mean"):
    """Cross-entropy against (1 - eps) * one_hot + eps / K, as F.cross_entropy(..., label_smoothing=eps)."""
    ### BEGIN SOLUTION
    logp = F.log_softmax(logits, dim=1)
    nll = -logp.gather(1, target.unsqueeze(1)).squeeze(1)
    uniform = -logp.mean(dim=1)
    loss = (1 - eps) * nll + eps * uniform
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss
    ### END SOLUTION


def make_losses(eps):
    """(train_loss, eval_loss): smoothed cross-entropy for training, plain cross-entropy for evaluation."""
    ### BEGIN SOLUTION
    def train_loss(logits, target):
        return label_smoothing_ce(logits, target, eps)

    def eval_loss(logits, target):
        return label_smoothing_ce(logits, target, 0.0)

    return train_loss, eval_loss
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "smoothing__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="smoothing--visible"
# Visible test: value and gradient against F.cross_entropy(label_smoothing=0.1), float64, K = 5.
gen = make_generator(6)
logits = torch.randn(8, 5, generator=gen, dtype=torch.float64)
target = torch.randint(0, 5, (8,), generator=gen)
a = logits.clone().requires_grad_(True)
b = expected(logits.clone().requires_grad_(True))
got = label_smoothing_ce(a, target, 0.1)
exp = expected(F.cross_entropy(b, target, label_smoothing=0.1))
check_close("smoothing/value", got.item(), exp.item(), case="eps 0.1, K 5, mean", rtol=1e-12,
            hint="q = (1 - eps) one_hot + eps / K (torch's convention, not eps / (K - 1))")
got.backward()
expected(exp.backward())
check_close("smoothing/grad", a.grad, b.grad, case="eps 0.1, K 5, gradient w.r.t. the logits", rtol=1e-10,
            atol=1e-14)
train_loss, _ = make_losses(0.1)
check_close("smoothing/train_loss", float(train_loss(logits, target)), float(exp), case="make_losses(0.1)[0]",
            rtol=1e-12, hint="the training loss is the smoothed one")

# %% nbgrader={"grade": true, "grade_id": "smoothing__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="smoothing--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
gen = make_generator(vary(7))
for n, k, eps, reduction in [(6, 2, 0.2, "mean"), (4, 10, 0.0, "mean"), (5, 3, 0.3, "sum"), (7, 4, 0.25, "none"),
                             (1, 6, 1.0, "mean"), (3, 5, 0.1, "none")]:
    logits = 4 * torch.randn(n, k, generator=gen, dtype=torch.float64)
    target = torch.randint(0, k, (n,), generator=gen)
    a = logits.clone().requires_grad_(True)
    b = expected(logits.clone().requires_grad_(True))
    got = label_smoothing_ce(a, target, eps, reduction=reduction)
    exp = expected(F.cross_entropy(b, target, label_smoothing=eps, reduction=reduction))
    case = f"N {n}, K {k}, eps {eps}, {reduction}"
    check_close("smoothing/value_more", got.detach(), exp.detach(), case=case, rtol=1e-12, atol=1e-14,
                hint="eps/K on every class; reduction as torch")
    got.sum().backward()
    expected(exp.sum().backward())
    check_close("smoothing/grad_more", a.grad, b.grad, case=case, rtol=1e-10, atol=1e-14)
# large logits: no overflow
logits = torch.tensor([[1000.0, 0.0, -1000.0], [0.0, 800.0, 1.0]], dtype=torch.float64)
target = torch.tensor([0, 2])
check_close("smoothing/stable", float(label_smoothing_ce(logits, target, 0.1)),
            float(F.cross_entropy(logits, target, label_smoothing=0.1)), case="logits of size 1000", rtol=1e-12,
            hint="use F.log_softmax, not log(softmax)")
for eps in [0.1, 0.3]:
    logits = torch.randn(9, 4, generator=gen, dtype=torch.float64)
    target = torch.randint(0, 4, (9,), generator=gen)
    train_loss, eval_loss = make_losses(eps)
    check_close("smoothing/make_train", float(train_loss(logits, target)),
                float(F.cross_entropy(logits, target, label_smoothing=eps)), case=f"make_losses({eps})[0]", rtol=1e-12)
    check_close("smoothing/make_eval", float(eval_loss(logits, target)), float(F.cross_entropy(logits, target)),
                case=f"make_losses({eps})[1]", rtol=1e-12,
                hint="evaluate with the plain cross-entropy: smoothing is for training only")
# every floating dtype: float32 logits give a float32 loss, value and gradient as torch's
logits = 3 * torch.randn(6, 4, generator=gen)
target = torch.randint(0, 4, (6,), generator=gen)
a = logits.clone().requires_grad_(True)
b = expected(logits.clone().requires_grad_(True))
got = label_smoothing_ce(a, target, 0.2)
exp = expected(F.cross_entropy(b, target, label_smoothing=0.2))
check_close("smoothing/float32_value", got.detach(), exp.detach(), case="float32 logits, N 6, K 4, eps 0.2",
            rtol=1e-5, atol=1e-6, hint="compute in the dtype of the logits (e.g. a target distribution .to(logits.dtype))")
got.backward()
expected(exp.backward())
check_close("smoothing/float32_grad", a.grad, b.grad, case="float32 logits, gradient", rtol=1e-5, atol=1e-6)
# K is logits.shape[1] even when the largest classes do not occur in the batch
logits = torch.randn(4, 7, generator=gen, dtype=torch.float64)
target = torch.tensor([0, 2, 1, 2])
for reduction in ["mean", "none"]:
    a = logits.clone().requires_grad_(True)
    b = expected(logits.clone().requires_grad_(True))
    got = label_smoothing_ce(a, target, 0.3, reduction=reduction)
    exp = expected(F.cross_entropy(b, target, label_smoothing=0.3, reduction=reduction))
    case = f"K 7, targets {target.tolist()}, eps 0.3, {reduction}"
    check_close("smoothing/absent_classes", got.detach(), exp.detach(), case=case, rtol=1e-12, atol=1e-14,
                hint="K = logits.shape[1] (F.one_hot needs num_classes)")
    got.sum().backward()
    expected(exp.sum().backward())
    check_close("smoothing/absent_classes_grad", a.grad, b.grad, case=case, rtol=1e-10, atol=1e-14)
# the training loss is used for training: a 0-dim tensor that backpropagates
train_loss, _ = make_losses(0.2)
logits = torch.randn(5, 3, generator=gen, dtype=torch.float64)
target = torch.randint(0, 3, (5,), generator=gen)
a = logits.clone().requires_grad_(True)
b = expected(logits.clone().requires_grad_(True))
out = train_loss(a, target)
check_true("smoothing/train_differentiable", isinstance(out, torch.Tensor) and out.dim() == 0 and out.requires_grad,
           "the training loss must be a 0-dim tensor that autograd can differentiate", case="make_losses(0.2)[0]",
           hint="training calls loss.backward(): return the tensor, not .item() or float()")
out.backward()
expected(F.cross_entropy(b, target, label_smoothing=0.2).backward())
check_close("smoothing/train_grad", a.grad, b.grad, case="make_losses(0.2)[0], gradient w.r.t. the logits",
            rtol=1e-10, atol=1e-14)
### END HIDDEN TESTS

# %% [markdown] id="cell-025"
# ## 6. Data augmentation
#
# Augmentation enlarges the training set with label-preserving transformations: a digit shifted by a pixel is the
# same digit. It encodes an **invariance** the model should have, and acts as a regularizer. Rules:
#
# - **Labels unchanged**, so the transformation must really preserve the class: small shifts and crops for digits,
#   but no horizontal flip (a mirrored 3 is no digit; flips suit natural images); additive noise or small shifts for a
#   1-D signal like MNIST-1D.
# - **Per-sample random draws**: each sample of a batch gets its own transformation, and a new one each epoch. Beware:
#   `torchvision.transforms.v2.RandomCrop(8, padding=1)` applied to a whole batch tensor `(N, C, H, W)` draws **one**
#   crop for the whole batch; apply it per sample (e.g. in the `Dataset`) or draw per-sample parameters yourself.
# - **Training split only**: validation and test data stay as they are, otherwise the validation metric measures
#   something else (and changes from epoch to epoch).
# - **Seeded**: the draws come from a `torch.Generator`, so a run can be reproduced. torchvision's `v2` transforms
#   take no `generator` argument: they draw from torch's global RNG (`torch.manual_seed`), which is one more reason
#   to draw the shifts yourself here.
#
# Implement
#
# - `random_shift(x, max_shift, generator=None)` for a batch `x` of shape `(N, C, H, W)` (`H` and `W` may differ): for
#   each sample draw its own `(dy, dx)`, each uniform on $\{0,\dots,2s\}$ with $s$ = `max_shift` (`torch.randint(...,
#   generator=generator)`), zero-pad the sample by $s$ on every side (`F.pad`) and crop the `H × W` window starting at
#   row `dy`, column `dx` (this is `RandomCrop(size=(H, W), padding=s)`: a shift by $s-dy$ rows and $s-dx$ columns with
#   zero fill). Return a new tensor (also for `max_shift=0`) of the same shape and dtype; do not modify `x`. When a
#   `generator` is given, draw only from it, itself (not a copy re-seeded with its seed): the global RNG is neither
#   used nor reseeded. `generator=None` means torch's global generator (pass it on), not a fresh
#   `torch.Generator()`, whose default seed is the same in every run.
# - `make_batches(x, y, batch_size, train, transform=None, generator=None)`: the list of `(xb, yb)` batches of one
#   epoch. If `train`: shuffle with `torch.randperm(n, generator=generator)`, cut into consecutive batches and, if
#   `transform` is given, replace `xb` by `transform(xb, generator)`. The same seed gives the same epoch (order and
#   transforms), a second epoch with the same generator is another epoch, the global RNG is not touched when a
#   generator is given and is used when it is `None`. If not `train`: the data in order, in
#   batches, **never** transformed. The labels are never changed, and each `yb` belongs to its `xb`.

# %% autograder={"forbidden": ["torchvision.transforms"]} nbgrader={"grade": false, "grade_id": "augment_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="augment-impl"
def random_shift(x, max_shift, generator=None):
    """Each sample of x (N, C, H, W) shifted by its own random offset in [-max_shift, max_shift]^2, zero fill.
    A new tensor (x unchanged); the draws come from `generator` only."""
    ### BEGIN SOLUTION
    n, _, h, w = x.shape
    s = max_shift
    padded = F.pad(x, (s, s, s, s))
    offsets = torch.randint(0, 2 * s + 1, (n, 2), generator=generator)
    out = torch.empty_like(x)
    for i in range(n):
        dy, dx = int(offsets[i, 0]), int(offsets[i, 1])
        out[i] = padded[i, :, dy:dy + h, dx:dx + w]
    return out
    ### END SOLUTION


def make_batches(x, y, batch_size, train, transform=None, generator=None):
    """One epoch of (xb, yb) batches: shuffled and transformed for training, as is for evaluation."""
    ### BEGIN SOLUTION
    n = len(x)
    order = torch.randperm(n, generator=generator) if train else torch.arange(n)
    batches = []
    for start in range(0, n, batch_size):
        idx = order[start:start + batch_size]
        xb, yb = x[idx], y[idx]
        if train and transform is not None:
            xb = transform(xb, generator)
        batches.append((xb, yb))
    return batches
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "augment__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="augment--visible"
# Visible test: every output sample is a zero-filled shift of its input sample; same seed, same result.
def shift_candidates(sample, s):
    """All (2s+1)^2 zero-filled shifts of one (C, H, W) sample, as RandomCrop(padding=s) would give."""
    c, h, w = sample.shape
    padded = F.pad(sample, (s, s, s, s))
    return [padded[:, dy:dy + h, dx:dx + w] for dy in range(2 * s + 1) for dx in range(2 * s + 1)]


def shift_index(out, sample, s):
    """Which candidate shift `out` is (-1 if none)."""
    for k, cand in enumerate(shift_candidates(sample, s)):
        if cand.shape == out.shape and torch.equal(cand, out):
            return k
    return -1


gen = make_generator(8)
x = torch.rand(6, 1, 5, 5, generator=gen, dtype=torch.float64) + 1.0
x_before = expected(x.clone())
out = random_shift(x, 1, generator=make_generator(9))
check_equal("augment/shape", (tuple(out.shape), str(out.dtype)), ((6, 1, 5, 5), "torch.float64"), case="(6, 1, 5, 5)")
check_equal("augment/input_unchanged", x, x_before, hint="random_shift must not modify its input")
for i in range(6):
    check_true("augment/is_shift", shift_index(out[i], x[i], 1) >= 0,
               "the output sample is not a zero-filled shift by at most max_shift of the input sample",
               case=f"sample {i}, max_shift 1", hint="pad by s with zeros, crop H x W at (dy, dx) in [0, 2s]")
again = random_shift(x, 1, generator=make_generator(9))
check_equal("augment/seeded", again, out, case="the same seed twice", hint="draw from the generator passed in",
            depends_on_answer=True)

# %% nbgrader={"grade": true, "grade_id": "augment__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="augment--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
# per-sample draws: with N = 300 samples and s = 1 every one of the 9 shifts appears, unless the draws are not
# per-sample: for independent uniform draws P(some shift missing) <= 9 (8/9)^300 < 1e-14.
gen = make_generator(vary(10))
x = torch.rand(300, 3, 4, 4, generator=gen, dtype=torch.float64) + 1.0
out = random_shift(x, 1, generator=make_generator(vary(11)))
idx = [shift_index(out[i], x[i], 1) for i in range(300)]
check_true("augment/all_channels", all(k >= 0 for k in idx),
           "every sample must be shifted as a whole (the same shift for all its channels)", case="(300, 3, 4, 4)")
check_equal("augment/per_sample", sorted(set(idx)), list(range(9)), case="300 samples, max_shift 1",
            hint="draw a separate (dy, dx) for every sample, not one for the whole batch")
check_true("augment/new_seed", not torch.equal(random_shift(x, 1, generator=make_generator(vary(12))), out),
           "a different seed must give different shifts", case="seeds 11 and 12")
x2 = torch.rand(40, 1, 6, 6, generator=gen, dtype=torch.float64) + 1.0
out2 = random_shift(x2, 2, generator=make_generator(vary(13)))
check_true("augment/max_shift_2", all(shift_index(out2[i], x2[i], 2) >= 0 for i in range(40)),
           "every sample must be a shift by at most 2 pixels", case="max_shift 2")
check_equal("augment/zero_shift", random_shift(x2, 0, generator=make_generator(vary(14))), x2, case="max_shift 0")

# make_batches: sample i is the constant image i + 1 with label i % 7, so each (xb, yb) pair can be checked
n = 23
xs = torch.arange(1, n + 1, dtype=torch.float64).reshape(n, 1, 1, 1).expand(n, 1, 3, 3).clone()
ys = torch.arange(n) % 7
calls = []


def marker(xb, g):
    calls.append(len(xb))
    return -xb  # an obvious "transformation"


for bs in [5, 23]:
    calls.clear()
    batches = make_batches(xs, ys, bs, train=False, transform=marker, generator=make_generator(vary(15)))
    check_equal("augment/eval_untouched", torch.cat([xb for xb, _ in batches]), xs, case=f"train=False, batch {bs}",
                hint="never transform (or shuffle) evaluation data")
    check_equal("augment/eval_labels", torch.cat([yb for _, yb in batches]), ys, case=f"train=False, batch {bs}")
    check_equal("augment/eval_no_calls", calls, [], case=f"train=False, batch {bs}",
                hint="the transform must not be called on evaluation data")
calls.clear()
batches = make_batches(xs, ys, 5, train=True, transform=marker, generator=make_generator(vary(16)))
check_equal("augment/train_calls", calls, [5, 5, 5, 5, 3], case="train=True, 23 samples, batch 5",
            hint="call the transform once on every training batch")
ids = torch.cat([(-xb).amax(dim=(1, 2, 3)) for xb, _ in batches]).long() - 1
labels = torch.cat([yb for _, yb in batches])
check_equal("augment/train_pairs", labels, ids % 7, case="train=True", hint="keep each label with its sample")
check_equal("augment/train_permutation", sorted(ids.tolist()), list(range(n)), case="train=True",
            hint="one epoch visits every sample once")
# every input shape: H != W; a new tensor even for max_shift 0; draws from the generator passed in only
x3 = torch.rand(7, 2, 3, 6, generator=gen, dtype=torch.float64) + 1.0
out3 = random_shift(x3, 1, generator=make_generator(vary(18)))
check_equal("augment/non_square_shape", tuple(out3.shape), (7, 2, 3, 6), case="(7, 2, 3, 6)")
check_true("augment/non_square", all(shift_index(out3[i], x3[i], 1) >= 0 for i in range(7)),
           "every sample must be a zero-filled shift of its input sample", case="(7, 2, 3, 6), max_shift 1",
           hint="H and W may differ: crop H rows and W columns")
out0 = random_shift(x2, 0, generator=make_generator(vary(14)))
check_true("augment/new_tensor", out0 is not x2 and out0.data_ptr() != x2.data_ptr(),
           "random_shift must return a new tensor, also for max_shift 0", case="max_shift 0",
           hint="the caller may modify the output in place: return a copy, not x itself")
rng_before = torch.get_rng_state()
random_shift(x2, 2, generator=make_generator(vary(19)))
check_true("augment/global_rng_shift", torch.equal(torch.get_rng_state(), rng_before),
           "with a generator given, random_shift must draw only from it (the global RNG was used or reseeded)",
           case="random_shift, max_shift 2", hint="torch.randint(..., generator=generator); no torch.manual_seed")
shift1 = lambda xb, g: random_shift(xb, 1, generator=g)  # noqa: E731
rng_before = torch.get_rng_state()
b1 = make_batches(xs, ys, 5, train=True, transform=shift1, generator=make_generator(vary(20)))
check_true("augment/global_rng_batches", torch.equal(torch.get_rng_state(), rng_before),
           "with a generator given, make_batches must draw only from it (the global RNG was used or reseeded)",
           case="make_batches, train=True", hint="torch.randperm(n, generator=generator)")
b2 = make_batches(xs, ys, 5, train=True, transform=shift1, generator=make_generator(vary(20)))
check_true("augment/batches_seeded",
           len(b1) == len(b2) and all(torch.equal(p[0], q[0]) and torch.equal(p[1], q[1]) for p, q in zip(b1, b2)),
           "the same seed must give the same epoch (order and transforms)", case="train=True, seed 20 twice",
           hint="shuffle with torch.randperm(n, generator=generator) and pass the generator to the transform")
# the generator itself: a second epoch with one generator is another epoch (not a copy re-seeded with its seed)
gen21 = make_generator(vary(21))
e1, e2 = (make_batches(xs, ys, 5, train=True, transform=shift1, generator=gen21) for _ in range(2))
check_true("augment/epochs_continue", not torch.equal(torch.cat([b[0] for b in e1]), torch.cat([b[0] for b in e2])),
           "two epochs drawn with one generator were the same epoch", case="train=True, one generator, two epochs",
           hint="draw from the generator you are given, not from a copy re-seeded with its seed")


# generator=None: torch's global generator, so seed_everything fixes the draws and another seed changes them
def follows_global_seed(draw):
    runs = []
    for seed in (22, 22, 23):
        seed_everything(vary(seed))
        runs.append(draw())
    return torch.equal(runs[0], runs[1]) and not torch.equal(runs[0], runs[2])


check_true("augment/shift_global_when_none", follows_global_seed(lambda: random_shift(x2, 2)),
           "with generator=None random_shift does not follow torch's global generator (seed_everything)",
           case="random_shift, max_shift 2, generator=None",
           hint="pass generator=None on to torch.randint; a fresh torch.Generator() has the same seed in every run")
check_true("augment/batches_global_when_none",
           follows_global_seed(lambda: torch.cat([b[0] for b in make_batches(xs, ys, 5, train=True)])),
           "with generator=None make_batches does not follow torch's global generator (seed_everything)",
           case="make_batches, train=True, generator=None",
           hint="pass generator=None on to torch.randperm; a fresh torch.Generator() has the same seed in every run")
### END HIDDEN TESTS

# %% [markdown] id="cell-029"
# **Concept check (1 point).** One of the seed articles says that regularization "increases the model's complexity so
# that it can reduce the training error". Which statement is correct?
#
# - `"a"`: right: the penalty term adds capacity, so the training error goes down
# - `"b"`: regularization restricts the effective complexity (e.g. pulls the weights towards 0); the training error
#   usually goes *up* a little, and the validation error down when the model was overfitting
# - `"c"`: regularization lowers both the training and the validation error, whatever $\lambda$
# - `"d"`: regularization only matters for linear models
#
# Set `ANSWER_COMPLEXITY` to the letter.

# %% nbgrader={"grade": false, "grade_id": "concept_complexity_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="concept-complexity-impl"
ANSWER_COMPLEXITY = None  # one of "a", "b", "c", "d"
### BEGIN SOLUTION
ANSWER_COMPLEXITY = "b"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "concept_complexity__visible", "locked": true, "points": 0, "schema_version": 3, "solution": false, "task": false} id="concept-complexity--visible"
check_true("concept_complexity/format", ANSWER_COMPLEXITY in ("a", "b", "c", "d"),
           f'ANSWER_COMPLEXITY must be one of "a", "b", "c", "d"; got {ANSWER_COMPLEXITY!r}')

# %% nbgrader={"grade": true, "grade_id": "concept_complexity__hidden", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="concept-complexity--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
check_equal("concept_complexity/answer", ANSWER_COMPLEXITY, "b",
            hint="the penalty constrains the weights: it trades training error for a smaller generalization gap")
### END HIDDEN TESTS

# %% [markdown] id="cell-033"
# **Concept check (1 point).** A seed article (004) says that PyTorch implements L1 and L2 regularization with
# `torch.nn.L1Loss` and `torch.nn.L2Loss`, and its code adds `lambda_ * nn.functional.norm(net.parameters(), 2)` to
# the loss (section 1 lists what is wrong with that line). About `nn.L2Loss`, what is true?
#
# - `"a"`: `nn.L2Loss` is PyTorch's ridge penalty on the weights
# - `"b"`: `nn.L2Loss` is an alias of `nn.MSELoss`, so it regularizes the weights
# - `"c"`: PyTorch has no `nn.L2Loss`; `nn.MSELoss` is a data loss on predictions and targets. L2 regularization is a
#   penalty $\frac\lambda2\sum w^2$ on the weights added to the loss, or the optimizer's `weight_decay`
# - `"d"`: `nn.L2Loss` exists and is the same as `weight_decay` in AdamW
#
# Set `ANSWER_L2LOSS` to the letter.

# %% nbgrader={"grade": false, "grade_id": "concept_l2loss_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="concept-l2loss-impl"
ANSWER_L2LOSS = None  # one of "a", "b", "c", "d"
### BEGIN SOLUTION
ANSWER_L2LOSS = "c"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "concept_l2loss__visible", "locked": true, "points": 0, "schema_version": 3, "solution": false, "task": false} id="concept-l2loss--visible"
check_true("concept_l2loss/format", ANSWER_L2LOSS in ("a", "b", "c", "d"),
           f'ANSWER_L2LOSS must be one of "a", "b", "c", "d"; got {ANSWER_L2LOSS!r}')

# %% nbgrader={"grade": true, "grade_id": "concept_l2loss__hidden", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="concept-l2loss--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
check_equal("concept_l2loss/answer", ANSWER_L2LOSS, "c",
            hint="try hasattr(nn, 'L2Loss'); a penalty acts on the weights, MSE on the predictions")
### END HIDDEN TESTS

# %% [markdown] id="cell-037"
# **Concept check (1 point).** Which line computes this course's L2 penalty of a network `net` (weights only; `net` has
# no tied weights) and runs without error?
#
# - `"a"`: `lam / 2 * torch.norm(net.parameters()) ** 2`
# - `"b"`: `lam / 2 * torch.cat(list(net.parameters())).norm() ** 2`
# - `"c"`: `lam / 2 * sum(m.weight.pow(2).sum() for m in net.modules() if isinstance(m, WEIGHT_LAYERS))`
# - `"d"`: `lam / 2 * sum(p.pow(2).sum() for p in net.parameters())`
#
# Set `ANSWER_PARAM_NORM` to the letter.

# %% nbgrader={"grade": false, "grade_id": "concept_param_norm_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="concept-param-norm-impl"
ANSWER_PARAM_NORM = None  # one of "a", "b", "c", "d"
### BEGIN SOLUTION
ANSWER_PARAM_NORM = "c"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "concept_param_norm__visible", "locked": true, "points": 0, "schema_version": 3, "solution": false, "task": false} id="concept-param-norm--visible"
check_true("concept_param_norm/format", ANSWER_PARAM_NORM in ("a", "b", "c", "d"),
           f'ANSWER_PARAM_NORM must be one of "a", "b", "c", "d"; got {ANSWER_PARAM_NORM!r}')

# %% nbgrader={"grade": true, "grade_id": "concept_param_norm__hidden", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="concept-param-norm--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
check_equal("concept_param_norm/answer", ANSWER_PARAM_NORM, "c",
            hint="parameters() is a generator (a), tensors of different shapes cannot be concatenated (b), "
                 "and (d) also decays biases and normalization parameters")
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": true, "grade_id": "written_l1_vs_l2", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false} id="written-l1-vs-l2"
# **Written answer (2 points, graded by hand).** When would you prefer an L1 penalty, and when an L2 penalty (or
# both)? Explain from the shape of the penalty why L1 gives exact zeros and L2 does not. Three to six sentences.
#
# ### BEGIN SOLUTION
# The L1 penalty pulls every weight towards 0 with a force of constant size $\lambda$ (subgradient
# $\lambda\operatorname{sign}w$); its prox, soft-thresholding, sets to exactly 0 every weight whose data gradient is
# smaller than $\lambda$ (geometrically, the L1 ball has corners on the axes where the loss contours touch it).
# The L2 pull $\lambda w$ fades as $w\to0$, so weights shrink proportionally but stay non-zero. Prefer **L1** when
# you expect few relevant features or want a sparse, interpretable model (feature selection, Lasso); prefer **L2**
# when many features each carry a little signal or are correlated (ridge spreads the weight over them and is stable,
# with a closed form), and as the default weight decay of neural networks. L1 picks one feature of a correlated group
# more or less arbitrarily and selects at most $n$ features when $d>n$; **elastic net** (L1 + L2) keeps the sparsity
# and groups correlated features.
# ### END SOLUTION

# %% [markdown] id="cell-042"
# ## 7. Experiments
#
# The experiments below are not graded. They use torch and scikit-learn directly (so they run even before you finish
# the items; swap in yours once your tests pass). With `FAST=True` they are shortened.
#
# ### 7.1 Overfitting a tiny training set: the gap against λ
#
# The d2l setting: $d=200$ features, only 20 training examples (100 for validation),
# $y=0.05+\sum_{i=1}^{d}0.01\,x_i+\mathcal N(0,0.01^2)$, a linear model with weights started from $\mathcal N(0,1)$
# (as d2l does) and a bias started at 0, trained by full-batch gradient descent on the objective of section 3 (step
# $1/L$), with an L2 penalty (gradient step, `weight_decay`-style) or an L1 penalty (proximal step, soft-thresholding),
# for a range of $\lambda$. With 20 examples the data only see a 20-dimensional subspace of the weights: without
# regularization the other 180 directions keep their random initial values forever, the training error goes to 0
# and the validation error stays large.

# %% id="cell-043"
if device.type == "cpu":
    # Models this small run faster on one CPU thread: synchronising threads costs more than it saves.
    torch.set_num_threads(1)

gen = make_generator(SEED)
d_feat, n_tr, n_val = 200, 20, 100
true_w = torch.full((d_feat,), 0.01, dtype=torch.float64)


def synthetic(n):
    x = torch.randn(n, d_feat, generator=gen, dtype=torch.float64)
    return x, 0.05 + x @ true_w + 0.01 * torch.randn(n, generator=gen, dtype=torch.float64)


(x_tr, y_tr), (x_va, y_va) = synthetic(n_tr), synthetic(n_val)
w_init = torch.randn(d_feat, generator=gen, dtype=torch.float64)
lr = 1.0 / float(torch.linalg.eigvalsh(x_tr.T @ x_tr / n_tr).max() + 1.0)  # 1/L, with room for the bias
steps = 200 if FAST else 2000
lams = np.logspace(-3, 1, 5 if FAST else 17)


def fit_linear(lams, kind):
    """Gradient descent (L2) or proximal gradient (L1) for every lambda at once: row k of w uses lams[k]."""
    lam = torch.as_tensor(lams, dtype=torch.float64)[:, None]
    w, b = w_init.repeat(len(lams), 1), torch.zeros(len(lams), dtype=torch.float64)
    for _ in range(steps):
        r = w @ x_tr.T + b[:, None] - y_tr  # residuals, (lambdas, n_tr)
        gw, gb = r @ x_tr / n_tr, r.mean(1)
        b = b - lr * gb  # the bias is never penalized
        if kind == "L2":
            w = w - lr * (gw + lam * w)
        else:  # L1: proximal step, soft-thresholding at lr * lambda
            v = w - lr * gw
            w = torch.sign(v) * torch.clamp(v.abs() - lr * lam, min=0.0)
    return w, b


def mse(x, y, w, b):
    return (((w @ x.T + b[:, None] - y) ** 2).mean(1)).tolist()


results = {}
for kind in ["L2", "L1"]:
    w, b = fit_linear(lams, kind)
    results[kind] = {"train": mse(x_tr, y_tr, w, b), "validation": mse(x_va, y_va, w, b)}
    if kind == "L1":
        nonzero = (w != 0).sum(1).tolist()

fig, axes = plt.subplots(1, 3, figsize=(15, 4))
for ax, kind in zip(axes, ["L2", "L1"]):
    for split, marker in [("train", "o-"), ("validation", "s-")]:
        ax.loglog(lams, np.maximum(results[kind][split], 1e-12), marker, label=split)
    ax.set(title=f"{kind} penalty, {steps} steps", xlabel="lambda", ylabel="MSE")
    ax.legend()
axes[2].semilogx(lams, nonzero, "o-")
axes[2].set(title="L1: non-zero weights (of 200)", xlabel="lambda", ylabel="count")
plt.tight_layout()
plt.show()
for kind in ["L2", "L1"]:
    va = results[kind]["validation"]
    k = int(np.argmin(va))
    print(f"{kind}: lambda {lams[0]:.0e}: train {results[kind]['train'][0]:.2e}, val {va[0]:.2e}; "
          f"best lambda {lams[k]:.3g}: train {results[kind]['train'][k]:.2e}, val {va[k]:.2e}")
print("L1 non-zero weights:", nonzero)

# %% [markdown] id="cell-044"
# What to see: at small $\lambda$ the training error is near 0 and the validation error large (overfitting: the
# random weights in the unseen directions add noise to every prediction); as $\lambda$ grows the penalty removes them,
# the training error rises and the validation error falls: choose $\lambda$ on validation data. With L2 the
# validation error is lowest at a moderate $\lambda$ and rises only slightly beyond it. The L1 penalty, applied by the
# proximal step, sets weights to **exactly** zero and leaves fewer and fewer non-zero weights as $\lambda$ grows,
# until at the larger $\lambda$ of the sweep every weight is zero: the model is just the bias, and both errors stay at the constant predictor's
# level. Here the truth is dense (all 200 weights are 0.01) and 20 examples cannot recover it: L1, which looks for a
# few large weights, finds nothing better than the constant, while L2 shrinks all weights evenly. This dense case is
# where L2 does at least as well as L1; with a few large true weights L1 would win.
#
# ### 7.2 Early stopping
#
# An MLP on a subset of 300 digits trained with Adam, full batch; the validation loss (plain cross-entropy) is recorded
# every epoch. The dashed line marks the epoch that early stopping with patience 10 keeps.

# %% id="cell-045"
digits = load_dataset("digits")
n_sub = 300
xd_tr, yd_tr = digits.x_train[:n_sub].to(device), digits.y_train[:n_sub].to(device)
xd_va, yd_va = digits.x_test.to(device), digits.y_test.to(device)


def digits_mlp(seed=SEED, width=128):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(64, width), nn.ReLU(), nn.Linear(width, 10)).to(device)


def fit(model, epochs, data, train_loss=F.cross_entropy, augment=None, lr=3e-3):
    """Full-batch Adam; per-epoch training and validation losses (plain cross-entropy), and the model.
    `data` = (x_train, y_train, x_val, y_val); `augment(x, generator)` transforms the training inputs only."""
    x_t, y_t, x_v, y_v = data
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    g = make_generator(SEED)  # on the CPU: the augmentation draws its random numbers there
    hist = {"train": [], "validation": []}
    for _ in range(epochs):
        model.train()
        xb = x_t if augment is None else augment(x_t.cpu(), g).to(device)
        loss = train_loss(model(xb), y_t)
        opt.zero_grad()
        loss.backward()
        opt.step()
        model.eval()
        with torch.no_grad():
            hist["train"].append(float(F.cross_entropy(model(x_t), y_t)))
            hist["validation"].append(float(F.cross_entropy(model(x_v), y_v)))
    return hist, model


epochs = 80 if FAST else 400
hist, _ = fit(digits_mlp(), epochs, (xd_tr, yd_tr, xd_va, yd_va))
# early stopping with patience 10 (the rule of section 4, written inline)
best, best_epoch, counter = float("inf"), 0, 0
for epoch, v in enumerate(hist["validation"]):
    if v < best:
        best, best_epoch, counter = v, epoch, 0
    else:
        counter += 1
        if counter >= 10:
            break
ax = plot_curves(hist, title="MLP on 300 digits", xlabel="epoch", ylabel="cross-entropy", logy=True)
ax.axvline(best_epoch, ls="--", c="k")
plt.show()
print(f"stopped at epoch {epoch}, best epoch {best_epoch}: validation loss {best:.3f} "
      f"(last epoch {hist['validation'][-1]:.3f}, train {hist['train'][-1]:.4f})")

# %% [markdown] id="cell-046"
# ### 7.3 Augmentation and label smoothing
#
# MNIST-1D (Greydanus 2020): 1-D signals of length 40, each a digit template that was randomly padded, scaled,
# shifted and sheared, plus correlated and independent noise. Its classes are invariant to small shifts and noise by construction, so random
# shifts (±4 positions, zero fill, a new draw per sample and epoch) plus Gaussian noise (std 0.1) are
# label-preserving augmentations. A horizontal flip would not be label-preserving: a mirrored template is not a template of the same class. An MLP is
# trained on 1000 training signals with: nothing; the augmentation (training data only); label smoothing
# $\varepsilon=0.1$; and both. We report the validation cross-entropy (plain, not smoothed), the validation accuracy
# and the mean confidence (the largest predicted probability) on the validation set.

# %% id="cell-047"
m1d = load_dataset("mnist1d")
n_m1d = 1000
m1d_data = (m1d.x_train[:n_m1d].to(device), m1d.y_train[:n_m1d].to(device), m1d.x_test.to(device),
            m1d.y_test.to(device))


def shift_and_noise(x, g, s=4, std=0.1):
    """Per-sample random shift in [-s, s] (zero fill) plus Gaussian noise, for a batch of 1-D signals (N, L)."""
    n, length = x.shape
    padded = F.pad(x, (s, s))
    offsets = torch.randint(0, 2 * s + 1, (n,), generator=g)
    shifted = padded.gather(1, offsets[:, None] + torch.arange(length))
    return shifted + std * torch.randn(x.shape, generator=g)


def m1d_mlp(seed=SEED, width=64 if FAST else 256):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(40, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(),
                         nn.Linear(width, 10)).to(device)


epochs = 30 if FAST else 300
smooth = lambda logits, y: F.cross_entropy(logits, y, label_smoothing=0.1)
runs = {"none": {}, "shift + noise": {"augment": shift_and_noise}, "smoothing 0.1": {"train_loss": smooth},
        "both": {"augment": shift_and_noise, "train_loss": smooth}}
curves = {}
for name, kw in runs.items():
    hist, model = fit(m1d_mlp(), epochs, m1d_data, lr=1e-3, **kw)
    curves[name] = hist["validation"]
    with torch.no_grad():
        prob = F.softmax(model(m1d_data[2]), dim=1)
    acc = float((prob.argmax(1) == m1d_data[3]).float().mean())
    print(f"{name:>14}: val loss {hist['validation'][-1]:.3f} (best {min(hist['validation']):.3f}), "
          f"val accuracy {acc:.3f}, mean confidence {float(prob.max(1).values.mean()):.3f}, "
          f"train loss {hist['train'][-1]:.3f}")
plot_curves(curves, title="MNIST-1D, 1000 training signals", xlabel="epoch", ylabel="validation cross-entropy")
plt.show()


# %% [markdown] id="cell-048"
# What to see (`FAST=False`): without regularization the training loss goes to 0 while the validation loss
# reaches its minimum early and then climbs far above it: the model grows over-confident on the signals it gets
# wrong. The augmentation acts as more data: the validation loss stays low and the accuracy is much higher. Label
# smoothing caps the confidence (the mean confidence drops), which keeps the validation cross-entropy from blowing
# up, without changing the accuracy much: it regularizes the *confidence*, not the features. With `FAST=True` the
# runs are too short to overfit and the differences are small.
#
# ### 7.4 L2 penalty vs `weight_decay`, numerically
#
# The same small MLP trained for 20 steps from the same start, with the penalty $\frac\lambda2\sum w^2$ in the loss or
# with the optimizer's `weight_decay` on the weights group (section 2): the largest difference between the final
# parameters.

# %% id="cell-049"
def tiny_mlp():
    torch.manual_seed(SEED)
    return nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 1)).double()


gen = make_generator(SEED)
xs, ys = torch.randn(32, 4, generator=gen, dtype=torch.float64), torch.randn(32, 1, generator=gen, dtype=torch.float64)
lam_demo = 0.1


def run_demo(cls, coupling, **kw):
    net = tiny_mlp()
    w = [m.weight for m in net.modules() if isinstance(m, WEIGHT_LAYERS)]
    rest = [p for p in net.parameters() if all(p is not q for q in w)]
    wd = lam_demo if coupling == "optimizer" else 0.0
    opt = cls([{"params": w, "weight_decay": wd}, {"params": rest, "weight_decay": 0.0}], **kw)
    for _ in range(20):
        loss = F.mse_loss(net(xs), ys)
        if coupling == "penalty":
            loss = loss + lam_demo / 2 * sum((v ** 2).sum() for v in w)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return torch.cat([p.detach().flatten() for p in net.parameters()])


pairs = [("SGD + penalty vs SGD(weight_decay)", (torch.optim.SGD, "penalty"), (torch.optim.SGD, "optimizer"),
          dict(lr=0.1, momentum=0.9)),
         ("Adam + penalty vs Adam(weight_decay)", (torch.optim.Adam, "penalty"), (torch.optim.Adam, "optimizer"),
          dict(lr=0.01)),
         ("Adam + penalty vs AdamW(weight_decay)", (torch.optim.Adam, "penalty"), (torch.optim.AdamW, "optimizer"),
          dict(lr=0.01))]
for label, a, b, kw in pairs:
    gap = float((run_demo(*a, **kw) - run_demo(*b, **kw)).abs().max())
    print(f"{label:>40}: max |difference| = {gap:.2e}")

# %% [markdown] id="cell-050"
# The first two differences are at the level of rounding (about $10^{-16}$): the penalty and the coupled
# `weight_decay` are the same algorithm. The third is as large as the distance the parameters moved: AdamW's decoupled decay
# $\theta\leftarrow\theta(1-\eta\lambda)$ is not rescaled by Adam's $1/(\sqrt{\hat v}+\epsilon)$.
#
# ## Summary and references
#
# | method | objective or rule | PyTorch | effect |
# |---|---|---|---|
# | L2 / ridge / weight decay | $+\frac\lambda2\sum w^2$ (weights only) | penalty, or `weight_decay` in param groups (SGD: same) | shrinks weights |
# | AdamW | $\theta\leftarrow\theta(1-\eta\lambda)$, then Adam | `torch.optim.AdamW` | decoupled decay |
# | L1 / Lasso | $+\lambda\sum|w|$; prox = soft-thresholding | `F.softshrink` | exact zeros, feature selection |
# | elastic net | $+\lambda\rho\lVert w\rVert_1+\frac{\lambda(1-\rho)}2\lVert w\rVert^2$ | `ElasticNet(alpha, l1_ratio)` | sparse + grouped |
# | early stopping | stop after `patience` epochs without improvement > `min_delta`, restore best | - | number of steps as regularizer |
# | label smoothing | $q=(1-\varepsilon)\,\text{one-hot}+\varepsilon/K$ | `F.cross_entropy(label_smoothing=eps)` | calibrated confidence |
# | augmentation | label-preserving random transforms, per sample, training only | `torchvision.transforms.v2` | invariance, more data |
#
# - A. E. Hoerl, R. W. Kennard (1970). Ridge regression: biased estimation for nonorthogonal problems. *Technometrics*.
# - R. Tibshirani (1996). Regression shrinkage and selection via the lasso. *J. R. Stat. Soc. B*.
# - A. Krogh, J. A. Hertz (1992). A simple weight decay can improve generalization. NeurIPS.
# - A. Y. Ng (2004). Feature selection, L1 vs. L2 regularization, and rotational invariance. ICML.
# - H. Zou, T. Hastie (2005). Regularization and variable selection via the elastic net. *J. R. Stat. Soc. B*.
# - I. Loshchilov, F. Hutter (2019). Decoupled weight decay regularization. ICLR.
# - C. Szegedy, V. Vanhoucke, S. Ioffe, J. Shlens, Z. Wojna (2016). Rethinking the Inception architecture for
#   computer vision (label smoothing). CVPR.
# - I. Daubechies, M. Defrise, C. De Mol (2004). An iterative thresholding algorithm for linear inverse problems with
#   a sparsity constraint (ISTA). *Comm. Pure Appl. Math.*
# - A. Beck, M. Teboulle (2009). A fast iterative shrinkage-thresholding algorithm for linear inverse problems
#   (FISTA, and the $1/L$ step analysis of ISTA). *SIAM J. Imaging Sci.*
#
# The course note `course/notes/04_regularization.md` summarises all of this, with a glossary of English and Chinese
# terms.
