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
# # 01 · Optimizers: how a network actually gets trained
#
# A network's loss $L(\theta)=\frac1N\sum_i \ell(f_\theta(x_i),y_i)$ is minimised by iterating
# $\theta_t=\theta_{t-1}-\eta_t\,u_t$, where the *update direction* $u_t$ is built from gradients. This notebook
# builds the optimizers and tools that PyTorch ships, **exactly as `torch.optim` computes them**, and checks each one
# against torch in float64 over several steps ($\eta$ is the learning rate, `lr`, throughout):
#
# | item | you implement | points |
# |---|---|---|
# | `sgd` | SGD with momentum, dampening, Nesterov and (coupled) weight decay | 3 |
# | `adagrad`, `rmsprop`, `adadelta` | AdaGrad, RMSprop, AdaDelta | 3 + 3 + 3 |
# | `adam`, `adamw` | Adam with bias correction, AdamW with decoupled decay | 3 + 3 |
# | `step_lr`, `cosine`, `warmup_cosine`, `cyclic`, `sgdr` | learning-rate schedules (SGDR: warm restarts) | 5 × 3 |
# | `clip_norm`, `clip_value` | gradient clipping | 3 + 3 |
# | `concept_*` | three multiple-choice checks | 3 × 1 |
# | `written_*` | two short written answers (graded by hand) | 2 + 2 |
#
# Along the way a short run shows why SGD + L2 and SGDW (decoupled decay) differ once momentum is on. Then you run
# experiments: trajectories on a saddle and on Rosenbrock's valley, an MLP on MNIST-1D, batch size
# and learning-rate sweeps.
#
# **Rules.** In each solution cell, replace the two lines `# YOUR CODE HERE` and `raise NotImplementedError()` by
# your code. Do not change the other lines of the cell, and do not rename the classes and functions. Each
# item is independent: a broken item only costs its own points. The test cells use the course's checking API: a
# failing check tells you the case (step, group, parameter), the expected and obtained values and by how much they
# differ. The tests that you see are a subset; hidden tests probe more steps, several parameter groups, non-default
# hyper-parameters, a learning rate changed mid-run, parameters whose `.grad` is `None`, and a real training loop
# (a small `nn.Module` in float64 and in float32 trained with `loss.backward()`, a checkpoint restored with
# `load_state_dict`).
#
# Tests always run on the CPU, in float64 (plus a float32 model where stated); only the experiments use `device`.

# %% nbgrader={"grade": false, "grade_id": "parameters", "locked": true, "schema_version": 3, "solution": false, "task": false} tags=["parameters"] id="parameters"
SEED = 0
DEVICE = "auto"
FAST = False

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false} id="setup"
import math
import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn
from torch.optim import Optimizer

from course import get_device, load_dataset, make_generator, plot_contour_paths, plot_curves, seed_everything
from course.checks import check_close, check_equal, check_true, expected
from course.seeding import vary  # the hidden tests' inputs: your own while grading, vary(k) == k elsewhere

seed_everything(SEED)
device = get_device(DEVICE)
print(f"torch {torch.__version__}, device {device}, FAST={FAST}")


# %% [markdown] id="cell-003"
# The next cell holds the helpers that the test cells use. `run_optimizer(cls, groups, shapes, steps)` creates
# float64 parameters from a fixed generator, builds `cls` with the given parameter groups, and for `steps` steps sets
# every `p.grad` to the gradient of a fixed noisy, non-quadratic loss at the current parameters and calls
# `opt.step()`. It returns the parameters after each step, so your optimizer and torch's can be run on the same
# problem and compared step by step. `train_model(cls, make_groups, steps)` does the same with a real training
# loop: a small model (nested containers, an `Embedding`, a bare `nn.Parameter`, a layer the forward never uses) in
# float64 and one in float32, one optimizer over both, and at each step `opt.zero_grad(set_to_none=False)`,
# `loss.backward()`, `opt.step()`, as training code does (backward then accumulates into the *same* `.grad`
# tensors, step after step). Read them, you do not need to change them.

# %% nbgrader={"grade": false, "grade_id": "helpers", "locked": true, "schema_version": 3, "solution": false, "task": false} id="helpers"
def make_params(shapes, seed):
    """float64 leaf tensors drawn from an explicit generator."""
    gen = make_generator(seed)
    return [torch.randn(s, generator=gen, dtype=torch.float64).requires_grad_() for s in shapes]


def run_optimizer(opt_class, groups, shapes, steps, *, seed=0, none_grad=(), lr_changes=None, defaults=None):
    """Trajectory of `opt_class` on a fixed problem.

    groups: list of (parameter indices, options) -> one param group each.
    none_grad: set of (step, parameter index) whose .grad is None at that step (the parameter must not move).
    lr_changes: {step: factor}: every group's lr is multiplied by factor just before that step.
    defaults: keyword arguments of the constructor (the values a group does not set).
    Returns a list over steps of lists over parameters of detached copies.
    """
    params = make_params(shapes, seed)
    opt = opt_class([{"params": [params[i] for i in idx], **opts} for idx, opts in groups], **(defaults or {}))
    gen = make_generator(seed + 1000)
    scale = [torch.rand(p.shape, generator=gen, dtype=torch.float64) + 0.5 for p in params]
    centre = [torch.randn(p.shape, generator=gen, dtype=torch.float64) for p in params]
    lr_changes = lr_changes or {}
    trajectory = []
    for t in range(1, steps + 1):
        if t in lr_changes:
            for group in opt.param_groups:
                group["lr"] *= lr_changes[t]
        for i, p in enumerate(params):
            noise = torch.randn(p.shape, generator=gen, dtype=torch.float64)
            x = p.detach()
            grad = scale[i] * (x - centre[i]) + 0.3 * torch.sin(3 * x) + 0.2 * noise
            p.grad = None if (t, i) in none_grad else grad
        opt.step()
        trajectory.append([p.detach().clone() for p in params])
    return trajectory


def compare_trajectories(check_id, mine, ref, label, *, rtol=1e-9, atol=1e-12, hint=""):
    """Step by step, parameter by parameter: the first difference is the one reported."""
    check_equal(check_id + "/steps", len(mine), len(ref), case=label)
    for t, ps_mine in enumerate(mine, start=1):
        for i, a in enumerate(ps_mine):
            check_close(check_id, a, ref[t - 1][i], case=f"{label}, after step {t}, parameter {i}", rtol=rtol,
                        atol=atol, hint=hint)


def torch_schedule(make_scheduler, base_lr, steps):
    """[lr at t=0, ..., lr at t=steps] of a torch scheduler (one optimizer step per scheduler step)."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base_lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = make_scheduler(opt)
        lrs = [float(sched.get_last_lr()[0])]
        for _ in range(steps):
            opt.step()
            sched.step()
            lrs.append(float(sched.get_last_lr()[0]))
    return lrs


def params_with_grads(shapes, seed, none=(), grad_scale=3.0):
    """float64 parameters whose .grad is set (None for the indices in `none`)."""
    gen = make_generator(seed)
    params = []
    for i, s in enumerate(shapes):
        p = torch.randn(s, generator=gen, dtype=torch.float64).requires_grad_()
        g = grad_scale * torch.randn(s, generator=gen, dtype=torch.float64)
        p.grad = None if i in none else g
        params.append(p)
    return params


def clone_with_grads(params):
    out = []
    for p in params:
        q = p.detach().clone().requires_grad_()
        q.grad = None if p.grad is None else p.grad.detach().clone()
        out.append(q)
    return out


class TinyNet(nn.Module):
    """A small model built as real ones are: nested containers, an Embedding, a parameter registered directly
    on the module, 1-D and 2-D parameters, and a layer that forward never uses (its .grad stays None)."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(6, 3)
        self.body = nn.Sequential(nn.Linear(5, 8), nn.Sequential(nn.Tanh(), nn.Linear(8, 6, bias=False)))
        self.scale = nn.Parameter(torch.ones(6))
        self.head = nn.Linear(6, 2)
        self.unused = nn.Linear(2, 2)

    def forward(self, tokens, x):
        return self.head(self.scale * torch.tanh(self.body(torch.cat([self.emb(tokens), x], dim=-1))))


def make_model(seed, dtype=torch.float64):
    """A TinyNet in `dtype` whose parameters come from an explicit generator (the global RNG is left alone)."""
    with torch.random.fork_rng(devices=[]):
        model = TinyNet()
    gen = make_generator(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(0.7 * torch.randn(p.shape, generator=gen, dtype=torch.float64))
    return model.to(dtype)


def train_model(opt_class, make_groups, steps, *, seed=0, defaults=None, resume_at=None):
    """A training loop: a float64 and a float32 TinyNet, ONE optimizer opt_class(make_groups(models), **defaults)
    over both; each step: opt.zero_grad(set_to_none=False), loss.backward() for each model, opt.step().
    resume_at: just before that step the optimizer is rebuilt and restored from opt.state_dict() (a checkpoint).
    Returns, per step, the parameters (copies, with their names), whether every .grad still holds what backward
    left there, whether every parameter still lives in its original storage (updated in place), and whether every
    state tensor of the shape of its parameter has the parameter's dtype and device."""
    models = [make_model(seed, torch.float64), make_model(seed + 1, torch.float32)]
    names = [f"{dt} model {n}" for dt, m in zip(("float64", "float32"), models) for n, _ in m.named_parameters()]
    params = [p for m in models for p in m.parameters()]
    storage = [p.data_ptr() for p in params]
    opt = opt_class(make_groups(models), **(defaults or {}))
    gen = make_generator(seed + 500)
    out = []
    for t in range(1, steps + 1):
        if t == resume_at:
            checkpoint = opt.state_dict()
            opt = opt_class(make_groups(models), **(defaults or {}))
            opt.load_state_dict(checkpoint)
        opt.zero_grad(set_to_none=False)
        tokens = torch.randint(0, 6, (7,), generator=gen)
        x = torch.randn(7, 2, generator=gen, dtype=torch.float64)
        y = torch.randn(7, 2, generator=gen, dtype=torch.float64)
        for m in models:
            dtype = m.head.weight.dtype
            ((m(tokens, x.to(dtype)) - y.to(dtype)) ** 2).mean().backward()
        grads = [None if p.grad is None else p.grad.clone() for p in params]
        opt.step()
        out.append({
            "names": names,
            "params": [p.detach().clone() for p in params],
            "grad_kept": all((g is None and p.grad is None)
                             or (g is not None and p.grad is not None and torch.equal(g, p.grad))
                             for g, p in zip(grads, params)),
            "same_storage": [p.data_ptr() for p in params] == storage,
            "state_like_param": all(v.dtype == p.dtype and v.device == p.device
                                    for p in params for v in opt.state.get(p, {}).values()
                                    if isinstance(v, torch.Tensor) and v.shape == p.shape),
        })
    return out


def compare_training(check_id, mine, ref, label, *, hint=""):
    """Step by step: every parameter (float64 to rtol 1e-9, float32 to rtol 1e-4), then that step() left p.grad
    as backward made it, that every parameter was updated in place and that its state has its dtype and device."""
    item = check_id.split("/")[0]
    check_equal(check_id + "/steps", len(mine), len(ref), case=label)
    for t, a in enumerate(mine, start=1):
        for j, name in enumerate(a["names"]):
            x = a["params"][j]
            tol = dict(rtol=1e-9, atol=1e-12) if x.dtype == torch.float64 else dict(rtol=1e-4, atol=1e-5)
            check_close(check_id, x, ref[t - 1]["params"][j], case=f"{label}, after step {t}, {name}", hint=hint,
                        **tol)
        check_true(item + "/grad_untouched", a["grad_kept"], "step() changed a p.grad: it must only read it",
                   case=f"{label}, step {t}",
                   hint="compute g + wd*p out of place (g = g.add(p, alpha=wd), not g.add_ or g +=)")
        check_true(item + "/in_place", a["same_storage"],
                   "a parameter no longer lives in its storage: update p in place",
                   case=f"{label}, step {t}", hint="p.add_(...), p.mul_(...), p.addcdiv_(...); never p.data = ...")
        check_true(item + "/state_dtype", a["state_like_param"],
                   "a state tensor has another dtype or device than its parameter (a float32 model got float64 "
                   "state, say)", case=f"{label}, step {t}",
                   hint="create the state with torch.zeros_like(p): the parameter's dtype and device, as torch does")


# %% [markdown] id="cell-005"
# ## 1. Stochastic gradient descent and momentum
#
# **Mini-batch SGD** (Robbins & Monro 1951) replaces the full gradient by the average over a random mini-batch
# $B_t$ of size $b$: $g_t=\frac1b\sum_{i\in B_t}\nabla\ell_i(\theta_{t-1})$, an unbiased estimate whose variance falls
# like $1/b$. Batch size and learning rate are tied: one step of size $k\eta$ on a batch of $kb$ examples moves
# about as far as $k$ steps of size $\eta$ on batches of $b$, *if* the gradient changes little over those $k$
# steps. Hence the **linear scaling rule** (Goyal et al. 2017): when the batch is
# multiplied by $k$, multiply the learning rate by $k$, and reach that rate by a **gradual warm-up**, because early
# in training the gradient changes fast and the approximation fails. Goyal et al. ramp the rate linearly from the
# small-batch rate $\eta$ to $k\eta$ over the first 5 epochs; many libraries (and `warmup_cosine_lr` in section 4)
# ramp from 0 instead. Whether large batches generalize worse is section 6.3's question.
#
# **Saddle points, not local minima.** In high dimension a critical point where the Hessian has both positive and
# negative eigenvalues is far more common than a local minimum, and critical points with a high loss are almost all
# saddles (Dauphin et al. 2014). Near a saddle the gradient is tiny, so plain SGD crawls; momentum and adaptive
# rates help to escape. You will see it in the experiments.
#
# **Momentum** (Polyak 1964, "heavy ball") accumulates a velocity so that consistent directions speed up and
# oscillating ones cancel. **Nesterov** momentum (Nesterov 1983; in the deep-learning form of Sutskever et al.
# 2013) evaluates the step with a look-ahead.
#
# **The PyTorch convention (`torch.optim.SGD`)**, with learning rate $\eta$, momentum $\mu$, dampening $\tau$,
# weight decay $\lambda$, for each parameter that has a gradient:
#
# $$
# \begin{aligned}
# g_t &\leftarrow g_t + \lambda\,\theta_{t-1} &&\text{(coupled weight decay = L2 penalty } \tfrac{\lambda}{2}\lVert\theta\rVert^2\text{; only if } \lambda\neq0)\\
# b_t &= \begin{cases} g_t & \text{the first time (the buffer starts at the first gradient, not at 0)}\\
# \mu\,b_{t-1} + (1-\tau)\,g_t & \text{afterwards}\end{cases} &&\text{(only if } \mu\neq0)\\
# d_t &= \begin{cases} g_t + \mu\,b_t & \text{Nesterov}\\ b_t & \text{otherwise}\end{cases}\\
# \theta_t &= \theta_{t-1} - \eta\,d_t
# \end{aligned}
# $$
#
# Note that $\eta$ multiplies the buffer *outside*: the buffer holds gradients, not steps. With a constant
# gradient $g$ the buffer tends to $(1-\tau)g/(1-\mu)$, the fixed point of $b=\mu b+(1-\tau)g$, so the step tends to
# $\eta(1-\tau)g/(1-\mu)$: 10 times the plain SGD step for $\mu=0.9,\ \tau=0$, 7 times with $\tau=0.3$. The weight
# decay term $\lambda\theta$ is added to the gradient *before* the buffer, so it is accumulated by the momentum like
# any gradient (section 3 shows why that makes SGD + L2 differ from decoupled decay, SGDW). The older form
# $v \leftarrow \mu v - \eta g,\ \theta \leftarrow \theta + v$ (Sutskever et al.) is the same only while $\eta$
# is constant; when a schedule changes $\eta$ the two differ. Parameters whose `.grad` is `None` are skipped (not
# moved, their state untouched).
#
# **How to write a `torch.optim.Optimizer`.** `__init__` passes the hyper-parameters as `defaults`; the base class
# builds `self.param_groups`, a list of dicts, each with its `"params"` and its own values of every hyper-parameter
# (read them from the group, not from `self.defaults`, and read `group["lr"]` at every step: schedulers change it;
# AdaGrad's `initial_accumulator_value` is the one exception, see section 2).
# `self.state[p]` is a per-parameter dict for buffers. `step` runs under `torch.no_grad()` and updates `p` in place
# (`p.add_(...)`, `p.mul_(...)`); never replace `p` or `p.data` by a new tensor (whatever shares the
# parameter's storage would no longer see it). As in torch, `step` only *reads* `p.grad`: it never modifies it
# (compute $g+\lambda\theta$ out of place, `g.add(p, alpha=wd)`), and no state tensor may share memory with it:
# a buffer that starts at the gradient starts at a *copy* (`g.clone()`), because a training loop that calls
# `opt.zero_grad(set_to_none=False)` zeroes and refills that same `.grad` tensor at the next step. Keep all
# per-parameter state in `self.state[p]` (it is what `opt.state_dict()` saves and `opt.load_state_dict()`
# restores, so that training resumes exactly from a checkpoint), in the parameter's dtype and device
# (`torch.zeros_like(p)`).

# %% autograder={"forbidden": ["torch.optim.SGD", "torch.optim.sgd"]} nbgrader={"grade": false, "grade_id": "sgd_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="sgd-impl"
class MySGD(Optimizer):
    """SGD with momentum, dampening, Nesterov and coupled weight decay, as torch.optim.SGD."""

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
        if lr < 0.0 or momentum < 0.0 or weight_decay < 0.0:
            raise ValueError("lr, momentum and weight_decay must be >= 0")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        ### BEGIN SOLUTION
        for group in self.param_groups:
            lr, mu, tau = group["lr"], group["momentum"], group["dampening"]
            wd, nesterov = group["weight_decay"], group["nesterov"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                if wd != 0:
                    g = g.add(p, alpha=wd)
                if mu != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = g.detach().clone()
                        state["momentum_buffer"] = buf
                    else:
                        buf.mul_(mu).add_(g, alpha=1 - tau)
                    g = g.add(buf, alpha=mu) if nesterov else buf
                p.add_(g, alpha=-lr)
        ### END SOLUTION
        return loss


# %% nbgrader={"grade": true, "grade_id": "sgd__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="sgd--visible"
# Visible test: one group, momentum 0.9, with and without Nesterov, 3 steps, against torch.optim.SGD.
for nesterov in (False, True):
    groups = [([0, 1], {"lr": 0.1, "momentum": 0.9, "nesterov": nesterov})]
    mine = run_optimizer(MySGD, groups, [(3,), (2, 2)], steps=3)
    ref = expected(run_optimizer(torch.optim.SGD, groups, [(3,), (2, 2)], steps=3))
    compare_trajectories("sgd/momentum", mine, ref, f"lr=0.1, momentum=0.9, nesterov={nesterov}",
                         hint="the buffer starts at the first gradient (b_1 = g_1), then b = mu*b + (1-dampening)*g; "
                              "Nesterov steps along g + mu*b, plain momentum along b")

# %% nbgrader={"grade": true, "grade_id": "sgd__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="sgd--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
groups = [([0], {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.01}),
          ([1, 2], {"lr": 0.2, "momentum": 0.5, "nesterov": True, "weight_decay": 0.1}),
          ([3], {"lr": 0.1})]
shapes = [(4,), (2, 3), (3,), (2,)]
kw = dict(steps=6, seed=vary(1), none_grad={(2, 1), (3, 1), (1, 3)}, lr_changes={4: 0.3})
compare_trajectories("sgd/groups", run_optimizer(MySGD, groups, shapes, **kw),
                     run_optimizer(torch.optim.SGD, groups, shapes, **kw),
                     "3 groups (dampening 0.3 + wd; Nesterov + wd; no momentum), None grads, lr x0.3 at step 4",
                     hint="read lr from the group at every step, keep lr out of the buffer, apply weight decay "
                          "to the gradient before the buffer, skip parameters whose grad is None")
groups = [([0, 1], {"lr": 0.03, "momentum": 0.99, "weight_decay": 0.5})]
kw = dict(steps=8, seed=vary(2), lr_changes={3: 2.0, 6: 0.1})
compare_trajectories("sgd/long", run_optimizer(MySGD, groups, [(5,), (1,)], **kw),
                     run_optimizer(torch.optim.SGD, groups, [(5,), (1,)], **kw),
                     "momentum 0.99, wd 0.5, lr x2 at step 3 and x0.1 at step 6")
# a training loop: backward() accumulates into the same .grad tensors; float64 and float32 models in one optimizer
groups = lambda models: [{"params": models[0].parameters(), "momentum": 0.9},
                         {"params": models[1].parameters(), "momentum": 0.5, "dampening": 0.2, "weight_decay": 0.05}]
compare_training("sgd/model", train_model(MySGD, groups, 4, seed=vary(7), defaults={"lr": 0.1}),
                 train_model(torch.optim.SGD, groups, 4, seed=vary(7), defaults={"lr": 0.1}),
                 "training loop, float64 model (momentum 0.9) + float32 model (dampening 0.2, wd 0.05)",
                 hint="the buffer starts at a COPY of the first gradient (g.clone()): p.grad is zeroed and refilled "
                      "in place by the next backward")
### END HIDDEN TESTS

# %% [markdown] id="cell-009"
# ## 2. Adaptive learning rates: AdaGrad, RMSprop and AdaDelta
#
# A single learning rate is a poor fit when coordinates have very different curvature or gradient frequency.
# **AdaGrad** (Duchi et al. 2011) divides each coordinate's step by the root of the *sum* of its squared gradients,
# so rarely-updated coordinates take larger steps. (`initial_accumulator_value` belongs to the constructor, not
# to a group: torch fills every accumulator with `self.defaults["initial_accumulator_value"]`, and a value set
# in a parameter group is ignored. Read it from `self.defaults`, not from the group.) `torch.optim.Adagrad` (defaults `lr=1e-2`, `lr_decay=0`,
# `weight_decay=0`, `initial_accumulator_value=0`, `eps=1e-10`), with $t$ this parameter's own step count (it counts
# only the steps where the parameter had a gradient):
#
# $$
# g_t \leftarrow g_t+\lambda\theta_{t-1},\qquad
# \tilde\eta_t=\frac{\eta}{1+(t-1)\,\kappa},\qquad
# s_t = s_{t-1}+g_t^2\ \ (s_0=\text{the constructor's initial\_accumulator\_value}),\qquad
# \theta_t=\theta_{t-1}-\tilde\eta_t\,\frac{g_t}{\sqrt{s_t}+\epsilon}
# $$
#
# ($\kappa$ = `lr_decay`, an inverse-time decay of the rate counted in this parameter's steps, section 4; all
# operations elementwise; $\epsilon$ is added **outside** the square root.) Because $s_t$
# only grows, the effective step $\eta/\sqrt{s_t}$ shrinks like $1/\sqrt t$ for a gradient of constant size and
# AdaGrad eventually stops learning: fine for convex problems, harmful for deep networks.
#
# **RMSprop** (Tieleman & Hinton 2012, lecture 6e) replaces the sum by an exponential moving average, so the
# denominator tracks the *recent* gradient size. `torch.optim.RMSprop` (defaults `lr=1e-2`, `alpha=0.99`, `eps=1e-8`,
# `weight_decay=0`; we leave out its `momentum` and `centered` options):
#
# $$
# g_t \leftarrow g_t+\lambda\theta_{t-1},\qquad v_t=\alpha\,v_{t-1}+(1-\alpha)\,g_t^2\ \ (v_0=0),\qquad
# \theta_t=\theta_{t-1}-\eta\,\frac{g_t}{\sqrt{v_t}+\epsilon}
# $$
#
# Note: no bias correction in RMSprop, and $\alpha$ weighs the *old* average.

# %% autograder={"forbidden": ["torch.optim.Adagrad", "torch.optim.adagrad"]} nbgrader={"grade": false, "grade_id": "adagrad_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="adagrad-impl"
class MyAdagrad(Optimizer):
    """AdaGrad as torch.optim.Adagrad (dense gradients)."""

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        ### BEGIN SOLUTION
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["sum"] = torch.full_like(p, self.defaults["initial_accumulator_value"])
                state["step"] += 1
                g = p.grad
                if group["weight_decay"] != 0:
                    g = g.add(p, alpha=group["weight_decay"])
                clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
                state["sum"].addcmul_(g, g, value=1)
                p.addcdiv_(g, state["sum"].sqrt().add_(group["eps"]), value=-clr)
        ### END SOLUTION
        return loss


# %% nbgrader={"grade": true, "grade_id": "adagrad__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="adagrad--visible"
# Visible test: default hyper-parameters except lr, 3 steps, against torch.optim.Adagrad.
groups = [([0, 1], {"lr": 0.1})]
compare_trajectories("adagrad/basic", run_optimizer(MyAdagrad, groups, [(3,), (2, 2)], steps=3),
                     run_optimizer(torch.optim.Adagrad, groups, [(3,), (2, 2)], steps=3), "lr=0.1, defaults",
                     hint="the accumulator is the running SUM of squared gradients (never reset); "
                          "step = lr * g / (sqrt(sum) + eps)")

# %% nbgrader={"grade": true, "grade_id": "adagrad__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="adagrad--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
groups = [([0, 1], {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.1, "eps": 1e-3}),
          ([2], {"lr": 0.3, "lr_decay": 0.2})]
shapes = [(4,), (2, 3), (3,)]
kw = dict(steps=7, seed=vary(3), none_grad={(1, 2), (2, 0), (3, 0)}, lr_changes={5: 0.5},
          defaults={"initial_accumulator_value": 0.5})
compare_trajectories("adagrad/groups", run_optimizer(MyAdagrad, groups, shapes, **kw),
                     run_optimizer(torch.optim.Adagrad, groups, shapes, **kw),
                     "2 groups (lr_decay, wd, initial_accumulator_value 0.5, eps 1e-3), None grads, lr x0.5 at step 5",
                     hint="lr_t = lr / (1 + (t-1)*lr_decay) with t this parameter's own step count; eps outside "
                          "the sqrt; the accumulator starts at initial_accumulator_value")
groups = [([0], {"lr": 0.1, "initial_accumulator_value": 3.0}), ([1, 2], {"lr": 0.2, "weight_decay": 0.1})]
kw = dict(steps=3, seed=vary(8), defaults={"initial_accumulator_value": 0.2})
compare_trajectories("adagrad/group_initial_accumulator", run_optimizer(MyAdagrad, groups, shapes, **kw),
                     run_optimizer(torch.optim.Adagrad, groups, shapes, **kw),
                     "a group sets initial_accumulator_value 3.0, the constructor 0.2",
                     hint="torch reads initial_accumulator_value from the constructor (self.defaults) and "
                          "ignores a value set in a parameter group")
groups = lambda models: [{"params": models[0].parameters(), "weight_decay": 0.05},
                         {"params": models[1].parameters(), "lr_decay": 0.1}]
compare_training("adagrad/model", train_model(MyAdagrad, groups, 4, seed=vary(8), defaults={"lr": 0.1}),
                 train_model(torch.optim.Adagrad, groups, 4, seed=vary(8), defaults={"lr": 0.1}),
                 "training loop, float64 model (wd 0.05) + float32 model (lr_decay 0.1)")
### END HIDDEN TESTS

# %% autograder={"forbidden": ["torch.optim.RMSprop", "torch.optim.rmsprop"]} nbgrader={"grade": false, "grade_id": "rmsprop_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="rmsprop-impl"
class MyRMSprop(Optimizer):
    """RMSprop as torch.optim.RMSprop with momentum=0 and centered=False."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0):
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        ### BEGIN SOLUTION
        for group in self.param_groups:
            alpha = group["alpha"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["square_avg"] = torch.zeros_like(p)
                g = p.grad
                if group["weight_decay"] != 0:
                    g = g.add(p, alpha=group["weight_decay"])
                sq = state["square_avg"]
                sq.mul_(alpha).addcmul_(g, g, value=1 - alpha)
                p.addcdiv_(g, sq.sqrt().add_(group["eps"]), value=-group["lr"])
        ### END SOLUTION
        return loss


# %% nbgrader={"grade": true, "grade_id": "rmsprop__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="rmsprop--visible"
# Visible test: defaults except lr, 3 steps, against torch.optim.RMSprop.
groups = [([0, 1], {"lr": 0.01})]
compare_trajectories("rmsprop/basic", run_optimizer(MyRMSprop, groups, [(3,), (2, 2)], steps=3),
                     run_optimizer(torch.optim.RMSprop, groups, [(3,), (2, 2)], steps=3), "lr=0.01, defaults",
                     hint="v = alpha*v + (1-alpha)*g^2 (alpha weighs the OLD average), v starts at 0, "
                          "step = lr * g / (sqrt(v) + eps)")

# %% nbgrader={"grade": true, "grade_id": "rmsprop__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="rmsprop--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
groups = [([0], {"lr": 0.01, "alpha": 0.9, "eps": 1e-3, "weight_decay": 0.1}),
          ([1, 2], {"lr": 0.003, "alpha": 0.5})]
shapes = [(4,), (2, 3), (3,)]
kw = dict(steps=6, seed=vary(4), none_grad={(1, 1), (3, 2)}, lr_changes={4: 3.0})
compare_trajectories("rmsprop/groups", run_optimizer(MyRMSprop, groups, shapes, **kw),
                     run_optimizer(torch.optim.RMSprop, groups, shapes, **kw),
                     "2 groups (alpha 0.9, eps 1e-3, wd 0.1; alpha 0.5), None grads, lr x3 at step 4",
                     hint="eps is added after the square root; weight decay is added to the gradient first")
groups = lambda models: [{"params": models[0].parameters(), "weight_decay": 0.05, "alpha": 0.9},
                         {"params": models[1].parameters()}]
compare_training("rmsprop/model", train_model(MyRMSprop, groups, 4, seed=vary(9), defaults={"lr": 0.01}),
                 train_model(torch.optim.RMSprop, groups, 4, seed=vary(9), defaults={"lr": 0.01}),
                 "training loop, float64 model (wd 0.05, alpha 0.9) + float32 model (defaults)")
### END HIDDEN TESTS

# %% [markdown] id="cell-adadelta"
# **AdaDelta** (Zeiler 2012) keeps RMSprop's moving average $v$ of squared gradients in the denominator and puts
# in the numerator, where the learning rate was, the root of a moving average $u$ of the squared past *updates*.
# Zeiler's reason is units: the steps of SGD carry the units of the gradient and those of AdaGrad or RMSprop none,
# while a Newton step $H^{-1}g$ has the units of $\theta$. Since $\Delta\theta\approx H^{-1}g$, the ratio
# $\sqrt{u}/\sqrt{v}$ (RMS of updates over RMS of gradients) is a diagonal estimate of $H^{-1}$, and the step gets the
# units of $\theta$ without a hand-set rate. `torch.optim.Adadelta` (defaults `lr=1.0`, `rho=0.9`, `eps=1e-6`,
# `weight_decay=0`, coupled), with $v_0=u_0=0$:
#
# $$
# g_t\leftarrow g_t+\lambda\theta_{t-1},\qquad
# v_t=\rho\,v_{t-1}+(1-\rho)\,g_t^2,\qquad
# \Delta_t=\frac{\sqrt{u_{t-1}+\epsilon}}{\sqrt{v_t+\epsilon}}\;g_t,\qquad
# u_t=\rho\,u_{t-1}+(1-\rho)\,\Delta_t^2,\qquad
# \theta_t=\theta_{t-1}-\eta\,\Delta_t
# $$
#
# * The numerator is the RMS of the past **updates** $u_{t-1}$ (the value before this step: $\Delta_t$ is not known
#   yet), not of the gradients. So *within one step* a large gradient $g_t$ enlarges only the denominator. *Across
#   steps* the numerator adapts as well: $u_t$ averages the squared updates, which grow with the gradients, so large
#   gradients also raise the following numerators, less than the denominators (defaults, $g=1$ except $g=10$ at
#   steps 31-40: after step 50, $\sqrt{u+\epsilon}=5.8\times10^{-3}$ instead of $4.1\times10^{-3}$, and
#   $\sqrt{v+\epsilon}=4.8$ instead of $1.0$). The rate $\sqrt{u_{t-1}+\epsilon}/\sqrt{v_t+\epsilon}$ depends on both
#   histories, and a large gradient does not give a large rate. (Seed 002 reads it the other way round.)
# * $\epsilon$ is **inside both** square roots (Adam and RMSprop add theirs outside). It sets the start: $u_0=0$, so the
#   numerator begins at $\sqrt\epsilon$ and the first step is $\sqrt{\epsilon}\,g_1/\sqrt{(1-\rho)g_1^2+\epsilon}\approx
#   \sqrt{\epsilon/(1-\rho)}\approx3.2\times10^{-3}$ per coordinate with the defaults, whatever the size of $g_1$ (as
#   long as $(1-\rho)g_1^2\gg\epsilon$); the steps then grow as $u$ fills up.
# * The paper has no learning rate; torch multiplies the step by `lr` (default 1.0), and $u$ averages the
#   *unscaled* $\Delta_t$, so `lr` never feeds back into the numerator.
# * As before: parameters whose `.grad` is `None` are skipped (state untouched), state lives in `self.state[p]`
#   in the parameter's dtype and device (`torch.zeros_like(p)`: a float32 model gets float32 averages, not
#   float64 ones), `p` is updated in place and `p.grad` is only read.

# %% autograder={"forbidden": ["torch.optim.Adadelta", "torch.optim.adadelta"]} nbgrader={"grade": false, "grade_id": "adadelta_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="adadelta-impl"
class MyAdadelta(Optimizer):
    """AdaDelta as torch.optim.Adadelta (coupled weight decay)."""

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0):
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        ### BEGIN SOLUTION
        for group in self.param_groups:
            rho, eps = group["rho"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["square_avg"] = torch.zeros_like(p)
                    state["acc_delta"] = torch.zeros_like(p)
                g = p.grad
                if group["weight_decay"] != 0:
                    g = g.add(p, alpha=group["weight_decay"])
                v, u = state["square_avg"], state["acc_delta"]
                v.mul_(rho).addcmul_(g, g, value=1 - rho)
                delta = u.add(eps).sqrt_().div_(v.add(eps).sqrt_()).mul_(g)
                u.mul_(rho).addcmul_(delta, delta, value=1 - rho)
                p.add_(delta, alpha=-group["lr"])
        ### END SOLUTION
        return loss


# %% nbgrader={"grade": true, "grade_id": "adadelta__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="adadelta--visible"
# Visible test: the defaults (lr 1.0, rho 0.9, eps 1e-6), 4 steps, against torch.optim.Adadelta.
groups = [([0, 1], {})]
compare_trajectories("adadelta/basic", run_optimizer(MyAdadelta, groups, [(3,), (2, 2)], steps=4),
                     run_optimizer(torch.optim.Adadelta, groups, [(3,), (2, 2)], steps=4), "defaults",
                     hint="v = rho*v + (1-rho)*g^2 first; delta = sqrt(u + eps) / sqrt(v + eps) * g with u the average "
                          "of the squared past UPDATES (its value before this step); then u = rho*u + (1-rho)*delta^2 "
                          "and p -= lr*delta")

# %% nbgrader={"grade": true, "grade_id": "adadelta__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="adadelta--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
groups = [([0], {"lr": 0.5, "rho": 0.8, "eps": 1e-4, "weight_decay": 0.1}),
          ([1, 2], {"lr": 2.0, "rho": 0.95})]
shapes = [(4,), (2, 3), (3,)]
kw = dict(steps=7, seed=vary(12), none_grad={(1, 2), (2, 1), (3, 1)}, lr_changes={4: 0.5})
compare_trajectories("adadelta/groups", run_optimizer(MyAdadelta, groups, shapes, **kw),
                     run_optimizer(torch.optim.Adadelta, groups, shapes, **kw),
                     "2 groups (lr 0.5, rho 0.8, eps 1e-4, coupled wd 0.1; lr 2, rho 0.95), None grads, "
                     "lr x0.5 at step 4",
                     hint="lr scales the step p -= lr*delta but not what u averages (the unscaled delta); read lr, "
                          "rho and eps from the group at every step; skip parameters whose grad is None")
groups = lambda models: [{"params": models[0].parameters(), "weight_decay": 0.05},
                         {"params": models[1].parameters(), "rho": 0.8}]
for resume_at, label in [(None, "training loop"), (3, "training loop resumed from opt.state_dict() before step 3")]:
    kw = dict(seed=vary(13), defaults={"lr": 0.5}, resume_at=resume_at)
    compare_training("adadelta/model" if resume_at is None else "adadelta/checkpoint",
                     train_model(MyAdadelta, groups, 4, **kw), train_model(torch.optim.Adadelta, groups, 4, **kw),
                     f"{label}, lr 0.5, float64 model (wd 0.05) + float32 model (rho 0.8)",
                     hint="keep both averages in self.state[p]; update p in place")
### END HIDDEN TESTS

# %% [markdown] id="cell-016"
# ## 3. Adam and AdamW
#
# **Adam** (Kingma & Ba 2015) combines momentum (a moving average $m$ of gradients) with RMSprop's moving average
# $v$ of squared gradients. Both start at 0, so early on they are biased towards 0: $\mathbb E[m_t]\approx(1-\beta_1^t)
# \,\mathbb E[g]$. **Bias correction** divides by $1-\beta^t$, $t$ being the parameter's own step count.
# `torch.optim.Adam` (defaults `lr=1e-3`, `betas=(0.9, 0.999)`, `eps=1e-8`, `weight_decay=0`, coupled):
#
# $$
# \begin{aligned}
# g_t &\leftarrow g_t+\lambda\theta_{t-1} \quad\text{(coupled: an L2 penalty)}\\
# m_t &= \beta_1 m_{t-1}+(1-\beta_1)g_t,\qquad v_t=\beta_2 v_{t-1}+(1-\beta_2)g_t^2,\qquad m_0=v_0=0\\
# \hat m_t &= \frac{m_t}{1-\beta_1^t},\qquad \hat v_t=\frac{v_t}{1-\beta_2^t},\qquad
# \theta_t=\theta_{t-1}-\eta\,\frac{\hat m_t}{\sqrt{\hat v_t}+\epsilon}
# \end{aligned}
# $$
#
# with $\epsilon$ **outside** the square root. (Torch computes the same quantity as
# $\theta-\frac{\eta}{1-\beta_1^t}\,m_t/(\sqrt{v_t}/\sqrt{1-\beta_2^t}+\epsilon)$; any algebraically equal form
# passes the tests.)
#
# **AdamW** (Loshchilov & Hutter 2019, "Decoupled weight decay regularization"). With Adam, an L2 penalty's gradient
# $\lambda\theta$ goes through the adaptive denominator, so weights with large gradient history are barely decayed:
# L2 regularisation and weight decay are no longer the same thing. AdamW decays the weights directly and leaves the
# gradient alone. `torch.optim.AdamW` (defaults as Adam but `weight_decay=1e-2`):
#
# $$
# \theta \leftarrow \theta\,(1-\eta\lambda)\quad\text{first, then the Adam step above with } g_t \text{ unchanged.}
# $$
#
# Parameters whose `.grad` is `None` are skipped entirely: no decay, no moment update, no step count.
#
# **Torch decays by the product `lr * weight_decay`.** The factor is $1-\eta\lambda$ with $\eta$ the group's
# *current* `lr`: a schedule on the learning rate schedules the decay with it, and the default $\lambda=10^{-2}$ at
# $\eta=10^{-3}$ shrinks each weight by only $10^{-5}$ per step. Loshchilov & Hutter decouple the decay from the
# learning rate as well: their update is
# $\theta_t=\theta_{t-1}-s_t\bigl(\eta\,\hat m_t/(\sqrt{\hat v_t}+\epsilon)+\lambda\theta_{t-1}\bigr)$ with $s_t$
# a separate schedule multiplier (written $\eta_t$ in the paper), so their decay per step $s_t\lambda$ does not
# change when the learning rate $\eta$ does. Torch's `weight_decay` is therefore their $\lambda/\eta$: tuning `lr`
# in torch also retunes the decay.
#
# In torch 2.14, `torch.optim.Adam(..., weight_decay=λ, decoupled_weight_decay=True)` *is* AdamW (the same update:
# identical parameters after 10 steps in float64; `AdamW` is a subclass of `Adam` with this flag set). The default,
# `decoupled_weight_decay=False`, is the coupled L2 form above. (Neither may be used in the solution cells below.)

# %% autograder={"forbidden": ["torch.optim.Adam", "torch.optim.adam"]} nbgrader={"grade": false, "grade_id": "adam_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="adam-impl"
class MyAdam(Optimizer):
    """Adam as torch.optim.Adam (amsgrad=False, coupled weight decay)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        ### BEGIN SOLUTION
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
                state["step"] += 1
                t = state["step"]
                g = p.grad
                if group["weight_decay"] != 0:
                    g = g.add(p, alpha=group["weight_decay"])
                m, v = state["exp_avg"], state["exp_avg_sq"]
                m.mul_(beta1).add_(g, alpha=1 - beta1)
                v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
                m_hat = m / (1 - beta1 ** t)
                v_hat = v / (1 - beta2 ** t)
                p.addcdiv_(m_hat, v_hat.sqrt().add_(group["eps"]), value=-group["lr"])
        ### END SOLUTION
        return loss


# %% nbgrader={"grade": true, "grade_id": "adam__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="adam--visible"
# Visible test: defaults except lr, 3 steps, against torch.optim.Adam.
groups = [([0, 1], {"lr": 0.01})]
compare_trajectories("adam/bias_correction", run_optimizer(MyAdam, groups, [(3,), (2, 2)], steps=3),
                     run_optimizer(torch.optim.Adam, groups, [(3,), (2, 2)], steps=3), "lr=0.01, defaults",
                     hint="m_hat = m / (1 - beta1**t), v_hat = v / (1 - beta2**t) with t starting at 1; "
                          "step = lr * m_hat / (sqrt(v_hat) + eps)")

# %% nbgrader={"grade": true, "grade_id": "adam__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="adam--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
groups = [([0, 1], {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-4, "weight_decay": 0.1}),
          ([2], {"lr": 0.01})]
shapes = [(4,), (2, 3), (3,)]
kw = dict(steps=7, seed=vary(5), none_grad={(1, 2), (2, 1), (3, 1)}, lr_changes={4: 0.5})
compare_trajectories("adam/groups", run_optimizer(MyAdam, groups, shapes, **kw),
                     run_optimizer(torch.optim.Adam, groups, shapes, **kw),
                     "2 groups (betas (0.8, 0.99), eps 1e-4, coupled wd 0.1; defaults), None grads, lr x0.5 at step 4",
                     hint="eps outside the sqrt; weight decay added to the gradient (coupled); the step count t "
                          "is per parameter and only counts steps where it had a gradient")
groups = lambda models: [{"params": models[0].parameters(), "weight_decay": 0.05},
                         {"params": models[1].parameters(), "betas": (0.8, 0.9)}]
for resume_at, label in [(None, "training loop"), (3, "training loop resumed from opt.state_dict() before step 3")]:
    kw = dict(seed=vary(10), defaults={"lr": 0.01}, resume_at=resume_at)
    compare_training("adam/model" if resume_at is None else "adam/checkpoint",
                     train_model(MyAdam, groups, 4, **kw), train_model(torch.optim.Adam, groups, 4, **kw),
                     f"{label}, float64 model (wd 0.05) + float32 model (betas (0.8, 0.9))",
                     hint="keep every per-parameter buffer and the step count in self.state[p]")
### END HIDDEN TESTS

# %% autograder={"forbidden": ["torch.optim.AdamW", "torch.optim.adamw", "torch.optim.Adam", "torch.optim.adam"]} nbgrader={"grade": false, "grade_id": "adamw_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="adamw-impl"
class MyAdamW(Optimizer):
    """AdamW as torch.optim.AdamW (amsgrad=False): decoupled weight decay, then the Adam step."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        ### BEGIN SOLUTION
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, wd = group["lr"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
                state["step"] += 1
                t = state["step"]
                p.mul_(1 - lr * wd)
                g = p.grad
                m, v = state["exp_avg"], state["exp_avg_sq"]
                m.mul_(beta1).add_(g, alpha=1 - beta1)
                v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
                denom = (v / (1 - beta2 ** t)).sqrt().add_(group["eps"])
                p.addcdiv_(m / (1 - beta1 ** t), denom, value=-lr)
        ### END SOLUTION
        return loss


# %% nbgrader={"grade": true, "grade_id": "adamw__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="adamw--visible"
# Visible test: lr 0.01, weight decay 0.1, 3 steps, against torch.optim.AdamW.
groups = [([0, 1], {"lr": 0.01, "weight_decay": 0.1})]
compare_trajectories("adamw/decoupled", run_optimizer(MyAdamW, groups, [(3,), (2, 2)], steps=3),
                     run_optimizer(torch.optim.AdamW, groups, [(3,), (2, 2)], steps=3), "lr=0.01, weight_decay=0.1",
                     hint="first p *= 1 - lr*weight_decay, then the Adam step with the gradient unchanged "
                          "(the decay never enters m or v)")

# %% nbgrader={"grade": true, "grade_id": "adamw__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="adamw--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
groups = [([0], {"lr": 0.05, "betas": (0.85, 0.98), "eps": 1e-5, "weight_decay": 0.2}),
          ([1, 2], {"lr": 0.02, "weight_decay": 0.0}),
          ([3], {"lr": 0.1})]
shapes = [(4,), (2, 3), (3,), (2,)]
kw = dict(steps=7, seed=vary(6), none_grad={(1, 0), (2, 0), (4, 3), (2, 1)}, lr_changes={3: 0.2})
compare_trajectories("adamw/groups", run_optimizer(MyAdamW, groups, shapes, **kw),
                     run_optimizer(torch.optim.AdamW, groups, shapes, **kw),
                     "3 groups (wd 0.2 + betas + eps; wd 0; default wd 1e-2), None grads, lr x0.2 at step 3",
                     hint="a parameter whose grad is None is skipped entirely: not even decayed")
groups = lambda models: [{"params": models[0].parameters(), "weight_decay": 0.3},
                         {"params": models[1].parameters(), "betas": (0.8, 0.9)}]
for resume_at, label in [(None, "training loop"), (3, "training loop resumed from opt.state_dict() before step 3")]:
    kw = dict(seed=vary(11), defaults={"lr": 0.02}, resume_at=resume_at)
    compare_training("adamw/model" if resume_at is None else "adamw/checkpoint",
                     train_model(MyAdamW, groups, 4, **kw), train_model(torch.optim.AdamW, groups, 4, **kw),
                     f"{label}, float64 model (wd 0.3) + float32 model (default wd, betas (0.8, 0.9))",
                     hint="decay with p.mul_(1 - lr*wd), in place; keep every buffer in self.state[p]")
### END HIDDEN TESTS

# %% [markdown] id="cell-sgdw"
# **Weight decay with momentum: SGD + L2 is not SGDW.** Without momentum an L2 penalty and a decay are the same
# update, $\theta-\eta(g+\lambda\theta)=(1-\eta\lambda)\,\theta-\eta g$: L2 with coefficient $\lambda$ equals a decay by
# the factor $1-\eta\lambda$ per step (the decay rate is the L2 coefficient times the learning rate). With momentum
# they differ. In `torch.optim.SGD(momentum=μ, weight_decay=λ)` the L2 gradient $\lambda\theta$ enters the buffer
# $b$ and is accumulated like any gradient: in the long run it acts about $1/(1-\mu)$ times as strongly (10 times at
# $\mu=0.9$), and it mixes with the gradient history. **SGDW** (Loshchilov & Hutter 2019, Algorithm 1) keeps the
# decay out of the buffer: the buffer gets only the loss gradient and the weights are shrunk directly. In torch's
# conventions (torch has no SGDW class; decay by $\eta\lambda$ as in AdamW):
#
# $$
# \theta\leftarrow(1-\eta\lambda)\,\theta,\qquad b_t=\mu b_{t-1}+(1-\tau)\,g_t\ \ (b_1=g_1),\qquad
# \theta\leftarrow\theta-\eta\,b_t .
# $$
#
# The cell below runs both with $\eta=0.1$, $\lambda=0.01$ for 200 steps on $\theta=(2,1)$ and the loss
# $\tfrac12(\theta_0-1)^2$: $\theta_0$ has a data gradient, $\theta_1$ none (only the decay acts on it). Without
# momentum the two agree up to rounding (about $10^{-16}$). With $\mu=0.9$, SGD + L2 shrinks $\theta_1$ to about
# 0.12 (close to a decay of $\eta\lambda/(1-\mu)$ per step, $e^{-2}\approx0.14$) but SGDW only to
# $(1-\eta\lambda)^{200}\approx0.82$;
# and $\theta_0$ settles at different points: SGD + L2 where $g+\lambda\theta=0$ ($1/(1+\lambda)\approx0.9901$), SGDW
# where the step $\eta\,g/(1-\mu)$ balances the decay $\eta\lambda\theta$ ($1/(1+\lambda(1-\mu))\approx0.9990$).

# %% id="cell-sgdw-demo"
def sgd_l2_vs_sgdw(momentum, lr=0.1, weight_decay=0.01, steps=200):
    """Final theta of SGD + L2 (torch.optim.SGD) and of SGDW (written out) on 0.5*(theta_0 - 1)^2, theta = (2, 1)."""
    target = torch.tensor([1.0, 0.0], dtype=torch.float64)
    mask = torch.tensor([1.0, 0.0], dtype=torch.float64)  # theta_1 gets no gradient from the loss
    p_l2 = torch.tensor([2.0, 1.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p_l2], lr=lr, momentum=momentum, weight_decay=weight_decay)
    p_w, buf = torch.tensor([2.0, 1.0], dtype=torch.float64), None
    for _ in range(steps):
        p_l2.grad = mask * (p_l2.detach() - target)
        opt.step()
        g = mask * (p_w - target)
        p_w.mul_(1 - lr * weight_decay)  # SGDW: the decay never enters the buffer
        if momentum:
            buf = g.clone() if buf is None else buf.mul_(momentum).add_(g)
            g = buf
        p_w.add_(g, alpha=-lr)
    return p_l2.detach(), p_w


for mu in (0.0, 0.9):
    l2, w = sgd_l2_vs_sgdw(mu)
    print(f"momentum {mu}: SGD + L2 theta = ({l2[0]:.4f}, {l2[1]:.4f}),  SGDW theta = ({w[0]:.4f}, {w[1]:.4f}),  "
          f"largest difference {(l2 - w).abs().max().item():.1e}")

# %% [markdown] nbgrader={"grade": true, "grade_id": "written_adam_l2", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false} id="written-adam-l2"
# **Written answer (2 points, graded by hand).** With `torch.optim.Adam(weight_decay=λ)` (L2 added to the
# gradient) versus `torch.optim.AdamW(weight_decay=λ)`: how much is a weight actually shrunk per step in each case,
# and for which weights does the difference matter? Two to five sentences; use the formulas above.
#
# ### BEGIN SOLUTION
# With Adam + L2 the decay term $\lambda\theta$ is added to the gradient and then divided, coordinate by coordinate, by
# $\sqrt{\hat v}+\epsilon$: the shrinkage is about $\eta\lambda\theta/\sqrt{\hat v}$, so weights with a large (or
# noisy) gradient history, large $\hat v$, are hardly decayed, and weights with tiny gradients are decayed strongly;
# the decay also enters the moments $m, v$ and interacts with the gradient signal. AdamW multiplies every weight by
# $1-\eta\lambda$, the same relative shrinkage for all weights, independent of the gradient statistics (Loshchilov
# & Hutter 2019). The two coincide only for plain SGD *without momentum* (L2 with coefficient $\lambda$ equals a
# decay by the factor $1-\eta\lambda$); with momentum the L2 term enters the buffer, so SGD + L2 differs from SGDW
# as well.
# ### END SOLUTION

# %% [markdown] id="cell-024"
# **Concept check (1 point).** With the default betas $(0.9, 0.999)$, $m_0=v_0=0$, and *no* bias correction, the
# very first Adam update has, in each coordinate (ignoring $\epsilon$), a magnitude of about:
#
# - `"a"`: $\eta$ (bias correction changes nothing at step 1)
# - `"b"`: $0.1\,\eta$ (the moments are too small, so the step is too small)
# - `"c"`: $3.16\,\eta$, since $m_1/\sqrt{v_1} = 0.1\,g/\sqrt{0.001\,g^2}$
# - `"d"`: $0$
#
# Set `ANSWER_BIAS` to the letter.

# %% nbgrader={"grade": false, "grade_id": "concept_bias_correction_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="concept-bias-correction-impl"
ANSWER_BIAS = None  # one of "a", "b", "c", "d"
### BEGIN SOLUTION
ANSWER_BIAS = "c"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "concept_bias_correction__visible", "locked": true, "points": 0, "schema_version": 3, "solution": false, "task": false} id="concept-bias-correction--visible"
check_true("concept_bias_correction/format", ANSWER_BIAS in ("a", "b", "c", "d"),
           f'ANSWER_BIAS must be one of "a", "b", "c", "d"; got {ANSWER_BIAS!r}')

# %% nbgrader={"grade": true, "grade_id": "concept_bias_correction__hidden", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="concept-bias-correction--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
check_equal("concept_bias_correction/answer", ANSWER_BIAS, "c",
            hint="compute m_1 = (1-beta1) g and v_1 = (1-beta2) g^2 and their ratio")
### END HIDDEN TESTS

# %% [markdown] id="cell-028"
# **Concept check (1 point).** On a long run with `torch.optim.Adagrad` at its defaults, the effective step sizes
# shrink towards zero. Why?
#
# - `"a"`: because `lr_decay` is on by default
# - `"b"`: because the accumulator $s_t$ is a sum of squared gradients that never decreases
# - `"c"`: because $\epsilon$ grows with the step count
# - `"d"`: because the gradients themselves must go to zero
#
# Set `ANSWER_ADAGRAD` to the letter.

# %% nbgrader={"grade": false, "grade_id": "concept_adagrad_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="concept-adagrad-impl"
ANSWER_ADAGRAD = None  # one of "a", "b", "c", "d"
### BEGIN SOLUTION
ANSWER_ADAGRAD = "b"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "concept_adagrad__visible", "locked": true, "points": 0, "schema_version": 3, "solution": false, "task": false} id="concept-adagrad--visible"
check_true("concept_adagrad/format", ANSWER_ADAGRAD in ("a", "b", "c", "d"),
           f'ANSWER_ADAGRAD must be one of "a", "b", "c", "d"; got {ANSWER_ADAGRAD!r}')

# %% nbgrader={"grade": true, "grade_id": "concept_adagrad__hidden", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="concept-adagrad--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
check_equal("concept_adagrad/answer", ANSWER_ADAGRAD, "b", hint="look at how s_t is updated, and at the defaults")
### END HIDDEN TESTS

# %% [markdown] id="cell-032"
# ## 4. Learning-rate schedules
#
# A constant rate is rarely best: large steps early to move fast, small steps late to settle in a minimum (the
# noise of SGD keeps the iterate in a ball whose size grows with $\eta$). Below, $t=0,1,2,\dots$ counts scheduler
# steps (usually epochs or iterations) and $\eta_0$ is the base rate. Each function returns a Python `float` (use
# `math`, not numpy) and must match torch at **every** step, $t=0$ and the last step included. You write the closed
# form; torch's schedulers are of two kinds. The *chainable* ones update the rate recursively from the current
# `group["lr"]` (`StepLR`, `MultiStepLR`, `ExponentialLR`, `CosineAnnealingLR`, `MultiplicativeLR`, `LinearLR`,
# `ConstantLR`, `PolynomialLR`), so a change made to `group["lr"]` by hand or by another scheduler carries on. The
# others compute it from the base rate and the step count (`LambdaLR`: $\eta_0\,\lambda(t)$; `CyclicLR`,
# `CosineAnnealingWarmRestarts`, `OneCycleLR`) and overwrite such a change at the next step. Both agree with the
# closed form as long as nothing else touches the rate.
#
# * **Step decay** (`torch.optim.lr_scheduler.StepLR`): $\eta_t=\eta_0\,\gamma^{\lfloor t/s\rfloor}$ with step size
#   $s$ and decay factor $\gamma$ (default 0.1).
# * **Exponential decay** (`ExponentialLR(gamma=γ)`): $\eta_t=\eta_0\,\gamma^t$, step decay without the staircase.
#   **Inverse-time decay**: $\eta_t=\eta_0/(1+\kappa t)$ (torch has no class of its own:
#   `LambdaLR(opt, lambda t: 1 / (1 + kappa * t))`; AdaGrad's `lr_decay` is this decay, counted in the parameter's
#   steps). Why both exist: SGD with gradient noise converges when $\sum_t\eta_t=\infty$ (the rate can still reach
#   any distance) and $\sum_t\eta_t^2<\infty$ (the noise it injects stays finite), the conditions of Robbins &
#   Monro (1951). Inverse-time decay meets both; exponential decay has $\sum_t\eta_t=\eta_0/(1-\gamma)$, finite, so
#   a decay that is too fast freezes the parameters before they reach a minimum (in practice training stops long
#   before either matters, and the choice is empirical).
# * **Cosine annealing** (`CosineAnnealingLR`, from SGDR, Loshchilov & Hutter 2017), for $0\le t\le T_{\max}$:
#   $\eta_t=\eta_{\min}+\tfrac12(\eta_0-\eta_{\min})\bigl(1+\cos(\pi t/T_{\max})\bigr)$, so $\eta_0$ at $t=0$ and
#   $\eta_{\min}$ at $t=T_{\max}$.
# * **Linear warm-up then cosine** (torch has no single class for it, so this closed form is the definition), with
#   $W$ warm-up steps and $T$ total steps ($0\le W<T$):
#   $$\eta_t=\begin{cases}\eta_0\,t/W & 0\le t<W\\[2pt]
#   \eta_{\min}+\tfrac12(\eta_0-\eta_{\min})\Bigl(1+\cos\bigl(\pi\frac{t-W}{T-W}\bigr)\Bigr) & W\le t\le T\\[2pt]
#   \eta_{\min} & t>T\end{cases}$$
#   so the rate starts at 0, reaches $\eta_0$ exactly at $t=W$, and ends at $\eta_{\min}$ at $t=T$. With $W=0$ it is
#   plain cosine annealing over $T$ steps. (For $t\ge W$ it equals `CosineAnnealingLR(T_max=T-W)` at step $t-W$.)
#   The ramp from 0 is the common library form (torch's `LinearLR` needs `start_factor > 0`). Goyal et al.
#   (2017), who introduced warm-up for large batches, ramp instead from the small-batch rate $\eta_0/k$ to $\eta_0$
#   over 5 epochs ("gradual warm-up"), then use step decay.
# * **Triangular cyclical rate** (Smith 2017; `CyclicLR(mode="triangular")`): the rate climbs linearly from
#   $\eta_{\text{base}}$ to $\eta_{\max}$ in `step_size_up` steps, falls back in `step_size_down` steps (default: equal
#   to `step_size_up`), and repeats. With $L=$ up + down, the position in the cycle is $x=(t \bmod L)/L$ and
#   $r=\text{up}/L$:
#   $$\eta_t=\eta_{\text{base}}+(\eta_{\max}-\eta_{\text{base}})\cdot\begin{cases}x/r & x\le r\\ (1-x)/(1-r) & x>r\end{cases}$$
# * **Cosine with warm restarts** (SGDR, below).

# %% autograder={"forbidden": ["torch.optim.lr_scheduler"]} nbgrader={"grade": false, "grade_id": "step_lr_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="step-lr-impl"
def step_lr(t, base_lr, step_size, gamma=0.1):
    """Learning rate at scheduler step t >= 0 of StepLR."""
    ### BEGIN SOLUTION
    return base_lr * gamma ** (t // step_size)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "step_lr__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="step-lr--visible"
ref = expected(torch_schedule(lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=3), 0.1, 10))
for t in range(11):
    check_close("step_lr/values", step_lr(t, 0.1, 3), ref[t], case=f"t={t}, base_lr=0.1, step_size=3, gamma=0.1",
                rtol=1e-12, atol=0.0, hint="the exponent is floor(t / step_size): t=0,1,2 keep base_lr")

# %% nbgrader={"grade": true, "grade_id": "step_lr__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="step-lr--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
for base_lr, step_size, gamma, n in [(0.5, 4, 0.5, 17), (2.0, 1, 0.9, 12), (0.01, 7, 0.3, 22)]:
    ref = expected(torch_schedule(lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=step_size, gamma=gamma),
                                  base_lr, n))
    for t in range(n + 1):
        check_close("step_lr/gamma", step_lr(t, base_lr, step_size, gamma), ref[t],
                    case=f"t={t}, base_lr={base_lr}, step_size={step_size}, gamma={gamma}", rtol=1e-12, atol=0.0)
### END HIDDEN TESTS

# %% autograder={"forbidden": ["torch.optim.lr_scheduler"]} nbgrader={"grade": false, "grade_id": "cosine_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="cosine-impl"
def cosine_lr(t, base_lr, T_max, eta_min=0.0):
    """Learning rate at step 0 <= t <= T_max of CosineAnnealingLR."""
    ### BEGIN SOLUTION
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "cosine__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="cosine--visible"
ref = expected(torch_schedule(lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10), 0.1, 10))
for t in range(11):
    check_close("cosine/values", cosine_lr(t, 0.1, 10), ref[t], case=f"t={t}, base_lr=0.1, T_max=10, eta_min=0",
                rtol=1e-9, atol=1e-15, hint="t=0 gives base_lr and t=T_max gives eta_min")

# %% nbgrader={"grade": true, "grade_id": "cosine__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="cosine--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
for base_lr, T_max, eta_min in [(0.3, 7, 0.01), (1.0, 1, 0.2), (0.05, 25, 0.001)]:
    ref = expected(torch_schedule(
        lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=T_max, eta_min=eta_min), base_lr, T_max))
    for t in range(T_max + 1):
        check_close("cosine/eta_min", cosine_lr(t, base_lr, T_max, eta_min), ref[t],
                    case=f"t={t}, base_lr={base_lr}, T_max={T_max}, eta_min={eta_min}", rtol=1e-9, atol=1e-15)
### END HIDDEN TESTS

# %% autograder={"forbidden": ["torch.optim.lr_scheduler"]} nbgrader={"grade": false, "grade_id": "warmup_cosine_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="warmup-cosine-impl"
def warmup_cosine_lr(t, base_lr, warmup_steps, total_steps, eta_min=0.0):
    """Linear warm-up from 0 to base_lr over warmup_steps, then cosine down to eta_min at total_steps."""
    ### BEGIN SOLUTION
    if t < warmup_steps:
        return base_lr * t / warmup_steps
    if t > total_steps:
        return eta_min
    progress = (t - warmup_steps) / (total_steps - warmup_steps)
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * progress)) / 2
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "warmup_cosine__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="warmup-cosine--visible"
W, T, base = 4, 12, 0.1
ref = expected([base * t / W for t in range(W)]
               + torch_schedule(lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=T - W), base, T - W))
for t in range(T + 1):
    check_close("warmup_cosine/values", warmup_cosine_lr(t, base, W, T), ref[t],
                case=f"t={t}, base_lr={base}, warmup_steps={W}, total_steps={T}", rtol=1e-9, atol=1e-15,
                hint="warm-up is base_lr*t/W for t < W; the rate is exactly base_lr at t = W and then follows a "
                     "cosine over the remaining T - W steps")

# %% nbgrader={"grade": true, "grade_id": "warmup_cosine__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="warmup-cosine--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
for base, W, T, eta_min in [(0.3, 5, 20, 0.01), (1.0, 0, 8, 0.0), (0.05, 1, 3, 0.002), (0.2, 9, 10, 0.05)]:
    ref = expected([base * t / W for t in range(W)]
                   + torch_schedule(lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(
                       opt, T_max=T - W, eta_min=eta_min), base, T - W)
                   + [eta_min] * 3)
    for t in range(T + 4):
        check_close("warmup_cosine/edges", warmup_cosine_lr(t, base, W, T, eta_min), ref[t],
                    case=f"t={t}, base_lr={base}, warmup_steps={W}, total_steps={T}, eta_min={eta_min}",
                    rtol=1e-9, atol=1e-15, hint="warmup_steps may be 0; after total_steps the rate stays at eta_min")
### END HIDDEN TESTS

# %% autograder={"forbidden": ["torch.optim.lr_scheduler"]} nbgrader={"grade": false, "grade_id": "cyclic_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="cyclic-impl"
def triangular_lr(t, base_lr, max_lr, step_size_up, step_size_down=None):
    """Learning rate at step t >= 0 of CyclicLR(mode="triangular")."""
    ### BEGIN SOLUTION
    down = step_size_up if step_size_down is None else step_size_down
    total = step_size_up + down
    ratio = step_size_up / total
    x = (t % total) / total
    scale = x / ratio if x <= ratio else (1 - x) / (1 - ratio)
    return base_lr + (max_lr - base_lr) * scale
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "cyclic__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="cyclic--visible"
ref = expected(torch_schedule(lambda opt: torch.optim.lr_scheduler.CyclicLR(opt, base_lr=0.01, max_lr=0.1,
                                                                            step_size_up=4, cycle_momentum=False),
                              0.01, 20))
for t in range(21):
    check_close("cyclic/values", triangular_lr(t, 0.01, 0.1, 4), ref[t],
                case=f"t={t}, base_lr=0.01, max_lr=0.1, step_size_up=4", rtol=1e-9, atol=1e-15,
                hint="a full cycle is step_size_up + step_size_down steps: base_lr at t=0, max_lr at t=step_size_up")

# %% nbgrader={"grade": true, "grade_id": "cyclic__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="cyclic--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
for base, top, up, down, n in [(0.001, 0.01, 3, 5, 30), (0.1, 1.0, 1, 4, 16), (0.5, 0.6, 6, 2, 25)]:
    ref = expected(torch_schedule(lambda opt: torch.optim.lr_scheduler.CyclicLR(
        opt, base_lr=base, max_lr=top, step_size_up=up, step_size_down=down, cycle_momentum=False), base, n))
    for t in range(n + 1):
        check_close("cyclic/asymmetric", triangular_lr(t, base, top, up, down), ref[t],
                    case=f"t={t}, base_lr={base}, max_lr={top}, up={up}, down={down}", rtol=1e-9, atol=1e-15)
### END HIDDEN TESTS

# %% [markdown] id="cell-sgdr"
# **Warm restarts (SGDR)**, Loshchilov & Hutter (2017), `torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(T_0,
# T_mult=1, eta_min=0)`: cosine annealing that starts again from $\eta_0$ at the end of each cycle, each cycle
# $T_{\text{mult}}$ times longer than the one before ($T_{\text{mult}}$ a positive integer). Cycle $i=0,1,\dots$ lasts
# $T_i=T_0\,T_{\text{mult}}^{\,i}$ epochs; with $t_{\text{cur}}$ the epochs since the last restart,
#
# $$\eta_t=\eta_{\min}+\tfrac12(\eta_0-\eta_{\min})\bigl(1+\cos(\pi\,t_{\text{cur}}/T_i)\bigr).$$
#
# The restart is at the first step of the new cycle: at $t=T_0$ the rate is $\eta_0$ again, so $\eta_{\min}$ is
# approached but never reached at an integer epoch. $t$ may be fractional: SGDR updates the rate after every batch,
# `scheduler.step(epoch + i / iters_per_epoch)`, and then $t_{\text{cur}}$ is fractional too ($t=6.25$ with
# $T_0=2$, $T_{\text{mult}}=2$: cycles $[0,2)$, $[2,6)$, $[6,14)$, so $t_{\text{cur}}=0.25$, $T_i=8$). Why: each restart
# raises the rate to leave the basin the previous cycle settled in, and the end of each cycle gives a good model
# early (an "anytime" schedule; the models at the cycle ends can also be ensembled). Your function takes `t` as an
# `int` or a `float` and returns a Python `float`.

# %% autograder={"forbidden": ["torch.optim.lr_scheduler"]} nbgrader={"grade": false, "grade_id": "sgdr_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="sgdr-impl"
def sgdr_lr(t, base_lr, T_0, T_mult=1, eta_min=0.0):
    """Learning rate at epoch t >= 0 (an int, or a float within an epoch) of CosineAnnealingWarmRestarts."""
    ### BEGIN SOLUTION
    T_i, t_cur = T_0, t
    while t_cur >= T_i:
        t_cur -= T_i
        T_i *= T_mult
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t_cur / T_i)) / 2
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "sgdr__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="sgdr--visible"
ref = expected(torch_schedule(lambda opt: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=5), 0.1, 16))
for t in range(17):
    check_close("sgdr/values", sgdr_lr(t, 0.1, 5), ref[t], case=f"t={t}, base_lr=0.1, T_0=5, T_mult=1, eta_min=0",
                rtol=1e-9, atol=1e-15, hint="t_cur counts the epochs since the last restart; the restart comes when "
                                           "t_cur reaches T_i: at t = T_0 the rate is base_lr again")

# %% nbgrader={"grade": true, "grade_id": "sgdr__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="sgdr--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
# inside later cycles first (away from the restart instants): the rate has restarted and follows the new cosine
ref = expected(torch_schedule(lambda opt: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=4), 0.2, 15))
for t in [5, 6, 7, 9, 10, 11, 13, 14, 15]:
    check_close("sgdr/after_restart", sgdr_lr(t, 0.2, 4), ref[t], case=f"t={t}, base_lr=0.2, T_0=4, T_mult=1",
                rtol=1e-9, atol=1e-15, hint="after a restart the cosine starts again from base_lr over T_i epochs")
for base, T_0, T_mult, eta_min, n in [(0.5, 2, 2, 0.01, 40), (1.0, 1, 3, 0.0, 45), (0.05, 3, 1, 0.005, 14),
                                      (0.2, 4, 2, 0.0, 30)]:
    ref = expected(torch_schedule(lambda opt: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        opt, T_0=T_0, T_mult=T_mult, eta_min=eta_min), base, n))
    for t in range(n + 1):
        check_close("sgdr/t_mult", sgdr_lr(t, base, T_0, T_mult, eta_min), ref[t],
                    case=f"t={t}, base_lr={base}, T_0={T_0}, T_mult={T_mult}, eta_min={eta_min}", rtol=1e-9,
                    atol=1e-15, hint="cycle i lasts T_0 * T_mult**i epochs; the cosine runs from base_lr down "
                                     "towards eta_min within each cycle")
# fractional epochs (the rate updated after every batch): torch's scheduler.step(epoch) with a float epoch
def torch_sgdr_at(epochs, base, T_0, T_mult, eta_min):
    """[lr after sched.step(epoch) for each epoch] of torch's CosineAnnealingWarmRestarts."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base)
    sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=T_0, T_mult=T_mult, eta_min=eta_min)
    lrs = []
    for epoch in epochs:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sched.step(epoch)
        lrs.append(float(sched.get_last_lr()[0]))
    return lrs


for base, T_0, T_mult, eta_min in [(0.3, 2, 2, 0.01), (0.1, 3, 1, 0.0), (1.0, 1, 3, 0.02)]:
    epochs = [k / 4 for k in range(60)]
    ref = expected(torch_sgdr_at(epochs, base, T_0, T_mult, eta_min))
    for k, epoch in enumerate(epochs):
        check_close("sgdr/fractional", sgdr_lr(epoch, base, T_0, T_mult, eta_min), ref[k],
                    case=f"t={epoch} (a float), base_lr={base}, T_0={T_0}, T_mult={T_mult}, eta_min={eta_min}",
                    rtol=1e-9, atol=1e-15, hint="t may be a float: t_cur is then fractional too")
### END HIDDEN TESTS

# %% [markdown] id="cell-045"
# **One cycle (1cycle).** Smith (2018) and Smith & Topin (2019, "super-convergence") train with a single cycle: the
# rate rises from a small value to a large $\eta_{\max}$ and falls again to far below where it started, while the
# momentum moves the opposite way; the large rates in the middle regularize and let some networks train in far fewer
# epochs. Smith's own schedule is linear: a cycle a little shorter than the run, up and back down in two equal
# halves, then a short final phase down to a rate orders of magnitude smaller than the starting one,
# with the momentum cycled linearly the other way (for example $0.95\to0.85\to0.95$).
# `torch.optim.lr_scheduler.OneCycleLR(opt, max_lr, total_steps)` (stepped after every batch; not chainable) has
# the defaults of fastai's first version: two phases (`three_phase=False`), cosine annealing in both
# (`anneal_strategy="cos"`), from $\eta_{\max}/25$ (`div_factor=25`) up to $\eta_{\max}$ over the first 30% of the
# steps (`pct_start=0.3`), then down to $\eta_{\max}/25/10^4$ (`final_div_factor=1e4`, relative to the start);
# `cycle_momentum=True` moves `momentum` (or Adam's $\beta_1$) from `max_momentum=0.95` down to
# `base_momentum=0.85` and back. (`three_phase=True, anneal_strategy="linear"` is close to Smith's linear version.)
# fastai's current `fit_one_cycle` differs again: `pct_start=0.25`, `div=25`, `div_final=1e5` (relative to
# $\eta_{\max}$), cosine in both phases, momentum $0.95\to0.85\to0.95$.
#
# The schedules, side by side, with exponential and inverse-time decay and one cycle (torch's `OneCycleLR`) for
# comparison (this cell runs once you have implemented them; it is not graded).

# %% id="cell-046"
try:
    n = 60
    schedules = {
        "step (s=20, gamma=0.3)": [step_lr(t, 0.1, 20, 0.3) for t in range(n + 1)],
        "cosine (T=60)": [cosine_lr(t, 0.1, n, 0.001) for t in range(n + 1)],
        "warm-up 10 + cosine": [warmup_cosine_lr(t, 0.1, 10, n, 0.001) for t in range(n + 1)],
        "triangular (up=10)": [triangular_lr(t, 0.001, 0.1, 10) for t in range(n + 1)],
        "SGDR (T_0=10, T_mult=2)": [sgdr_lr(t, 0.1, 10, 2, 0.001) for t in range(n + 1)],
        "exponential (gamma=0.95)": [0.1 * 0.95 ** t for t in range(n + 1)],
        "inverse time (kappa=0.1)": [0.1 / (1 + 0.1 * t) for t in range(n + 1)],
        "one cycle (OneCycleLR, max_lr=0.1)": torch_schedule(
            lambda opt: torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=n + 1), 0.1, n),
    }
    plot_curves(schedules, title="learning-rate schedules", xlabel="scheduler step t", ylabel="learning rate")
    plt.show()
except NotImplementedError:
    print("implement the five schedules to see them")


# %% [markdown] id="cell-060"
# **Concept check (1 point).** A model trains well with SGD at batch size 256 and learning rate 0.1. You move to 32
# GPUs with 256 examples each (effective batch 8192) and keep the number of epochs. Following Goyal et al. (2017),
# which setting should you start from? (Section 1 states the rule; `warmup_cosine_lr`
# above ramps the rate up.)
#
# - `"a"`: learning rate 0.1, unchanged: the batch size does not matter for SGD
# - `"b"`: learning rate 3.2 (×32), reached by a gradual warm-up over the first few epochs
# - `"c"`: learning rate 3.2 from the very first step
# - `"d"`: learning rate 0.1/32, since each step averages over more examples
#
# Set `ANSWER_SCALING` to the letter.

# %% nbgrader={"grade": false, "grade_id": "concept_linear_scaling_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="concept-linear-scaling-impl"
ANSWER_SCALING = None  # one of "a", "b", "c", "d"
### BEGIN SOLUTION
ANSWER_SCALING = "b"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "concept_linear_scaling__visible", "locked": true, "points": 0, "schema_version": 3, "solution": false, "task": false} id="concept-linear-scaling--visible"
check_true("concept_linear_scaling/format", ANSWER_SCALING in ("a", "b", "c", "d"),
           f'ANSWER_SCALING must be one of "a", "b", "c", "d"; got {ANSWER_SCALING!r}')

# %% nbgrader={"grade": true, "grade_id": "concept_linear_scaling__hidden", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="concept-linear-scaling--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
check_equal("concept_linear_scaling/answer", ANSWER_SCALING, "b",
            hint="k times the batch: k times the rate, and warm-up because early gradients change fast")
### END HIDDEN TESTS

# %% [markdown] id="cell-047"
# ## 5. Gradient clipping
#
# Near cliffs of the loss surface (recurrent networks, early training, too large a rate) one gradient can be huge
# and throw the parameters far away. **Clipping by global norm** (Pascanu et al. 2013) rescales *all* gradients
# together so that their joint norm is at most `max_norm`; the direction of the full gradient is kept.
# `torch.nn.utils.clip_grad_norm_(parameters, max_norm, norm_type=2.0)`:
#
# $$
# N=\Bigl\lVert\bigl(\lVert g_1\rVert_p,\dots,\lVert g_k\rVert_p\bigr)\Bigr\rVert_p \ \text{(the $p$-norm of all grads as one vector; $p=\infty$: the largest $|g|$)},
# \qquad c=\min\Bigl(\frac{\text{max\_norm}}{N+10^{-6}},\,1\Bigr),\qquad g_i\leftarrow c\,g_i
# $$
#
# over the parameters whose `.grad` is not `None`; `parameters` may be a single tensor or any iterable (a
# generator such as `model.parameters()` can be iterated only once); the gradients are scaled **in place**; the
# function returns $N$, the total norm **before** clipping, as a 0-dim tensor (dtype of the gradients;
# `torch.tensor(0.0)` when no parameter has a gradient, an empty list included). "In place" means that
# each existing `p.grad` tensor is multiplied (`g.mul_(c)`): whoever holds a reference to it sees the clipped
# values; assigning a new tensor to `p.grad` is not in place. Log it: it is
# the best early warning of instability.
#
# **Clipping by value** (`clip_grad_value_(parameters, clip_value)`) clamps each gradient entry to
# $[-\text{clip\_value}, \text{clip\_value}]$ in place (the same `p.grad` tensors), returns `None`; it changes the direction of the gradient.

# %% autograder={"forbidden": ["torch.nn.utils.clip_grad_norm_", "torch.nn.utils.clip_grad_norm", "torch.nn.utils.clip_grad", "torch.nn.utils.get_total_norm", "torch.nn.utils.clip_grads_with_norm_"]} nbgrader={"grade": false, "grade_id": "clip_norm_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="clip-norm-impl"
def clip_grad_norm(parameters, max_norm, norm_type=2.0):
    """As torch.nn.utils.clip_grad_norm_: scale all grads in place so their total norm <= max_norm;
    return the total norm before clipping (a 0-dim tensor)."""
    ### BEGIN SOLUTION
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return torch.tensor(0.0)
    norm_type = float(norm_type)
    norms = torch.stack([torch.linalg.vector_norm(g, norm_type) for g in grads])
    total = torch.linalg.vector_norm(norms, norm_type)
    coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    for g in grads:
        g.mul_(coef)
    return total
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "clip_norm__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="clip-norm--visible"
params = params_with_grads([(3,), (2, 2)], seed=0)
ref_params = expected(clone_with_grads(params))
total = clip_grad_norm(params, 1.0)
ref_total = expected(torch.nn.utils.clip_grad_norm_(ref_params, 1.0))
check_close("clip_norm/returned", total, ref_total, case="2 parameters, max_norm=1.0 (norm about 7)", rtol=1e-10,
            atol=1e-14, hint="return the total norm over ALL gradients, computed before clipping, as a tensor")
for i, p in enumerate(params):
    check_close("clip_norm/grads", p.grad.detach().clone(), ref_params[i].grad.detach().clone(),
                case=f"parameter {i}, max_norm=1.0", rtol=1e-10, atol=1e-14,
                hint="scale every gradient by the same factor min(max_norm / (total_norm + 1e-6), 1)")

# %% nbgrader={"grade": true, "grade_id": "clip_norm__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="clip-norm--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
cases = [
    ("None grad among 4, max_norm=2", [(3,), (2, 2), (5,), (1,)], {1}, 2.0, 2.0, "list"),
    ("norm below max_norm: unchanged", [(3,), (2,)], set(), 100.0, 2.0, "list"),
    ("norm_type=inf", [(3,), (2, 2)], {0}, 0.5, math.inf, "list"),
    ("norm_type=1", [(4,), (2, 3)], set(), 3.0, 1.0, "list"),
    ("a generator of parameters", [(3,), (2, 2), (2,)], {2}, 1.5, 2.0, "generator"),
    ("a single tensor", [(2, 3)], set(), 0.7, 2.0, "tensor"),
]
for k, (label, shapes, none, max_norm, norm_type, kind) in enumerate(cases):
    params = params_with_grads(shapes, seed=vary(10 + k), none=none)
    ref_params = expected(clone_with_grads(params))
    arg = {"list": params, "generator": (p for p in params), "tensor": params[0]}[kind]
    grads_before = [p.grad for p in params]
    total = clip_grad_norm(arg, max_norm, norm_type)
    check_true("clip_norm/in_place", all(p.grad is g for p, g in zip(params, grads_before)),
               "p.grad must be scaled in place (the same tensor), not replaced by a new one", case=label,
               hint="g.mul_(coef) on each existing gradient; never p.grad = ...")
    ref_total = expected(torch.nn.utils.clip_grad_norm_(ref_params, max_norm, norm_type))
    check_close("clip_norm/edge_returned", total, ref_total, case=label, rtol=1e-10, atol=1e-14)
    for i, p in enumerate(params):
        if i in none:
            check_true("clip_norm/edge_none", p.grad is None, "a None grad must stay None", case=f"{label}, param {i}")
        else:
            check_close("clip_norm/edge_grads", p.grad.detach().clone(), ref_params[i].grad.detach().clone(),
                        case=f"{label}, parameter {i}", rtol=1e-10, atol=1e-14)
for label, arg in [("an empty list", []),
                   ("every grad None", params_with_grads([(3,), (2,)], seed=vary(30), none={0, 1}))]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        total = clip_grad_norm(arg, 1.0)
        ref_total = expected(torch.nn.utils.clip_grad_norm_(clone_with_grads(arg), 1.0))
    check_equal("clip_norm/no_grads", total, ref_total, case=label,
                hint="with no gradient at all, return torch.tensor(0.0)")
# a float32 model after backward(): model.parameters() is a generator; the unused layer's grads are None
for max_norm in (0.3, 50.0):
    model = make_model(31, torch.float32)
    gen = make_generator(vary(32))
    tokens, x = torch.randint(0, 6, (9,), generator=gen), torch.randn(9, 2, generator=gen)
    (model(tokens, x) ** 2).sum().backward()
    ref_params = expected(clone_with_grads(model.parameters()))
    grads_before = [p.grad for p in model.parameters()]
    total = clip_grad_norm(model.parameters(), max_norm)
    ref_total = expected(torch.nn.utils.clip_grad_norm_(ref_params, max_norm))
    label = f"float32 model after backward, max_norm={max_norm}"
    check_close("clip_norm/model_returned", total, ref_total, case=label, rtol=1e-5, atol=1e-7,
                hint="the norm is a 0-dim tensor in the gradients' dtype")
    check_true("clip_norm/in_place", all(p.grad is g for p, g in zip(model.parameters(), grads_before)),
               "p.grad must be scaled in place (the same tensor)", case=label)
    for i, (name, p) in enumerate(model.named_parameters()):
        if grads_before[i] is None:
            check_true("clip_norm/edge_none", p.grad is None, "a None grad must stay None", case=f"{label}, {name}")
        else:
            check_close("clip_norm/model_grads", p.grad.detach().clone(), ref_params[i].grad.detach().clone(),
                        case=f"{label}, {name}", rtol=1e-5, atol=1e-7)
### END HIDDEN TESTS

# %% autograder={"forbidden": ["torch.nn.utils.clip_grad_value_", "torch.nn.utils.clip_grad"]} nbgrader={"grade": false, "grade_id": "clip_value_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="clip-value-impl"
def clip_grad_value(parameters, clip_value):
    """As torch.nn.utils.clip_grad_value_: clamp every grad entry to [-clip_value, clip_value] in place."""
    ### BEGIN SOLUTION
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    for p in parameters:
        if p.grad is not None:
            p.grad.clamp_(min=-clip_value, max=clip_value)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "clip_value__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="clip-value--visible"
params = params_with_grads([(3,), (2, 2)], seed=1)
ref_params = expected(clone_with_grads(params))
check_true("clip_value/returns_none", clip_grad_value(params, 1.0) is None, "clip_grad_value must return None",
           case="2 parameters")
expected(torch.nn.utils.clip_grad_value_(ref_params, 1.0))  # clips the copies in place
for i, p in enumerate(params):
    check_close("clip_value/grads", p.grad.detach().clone(), ref_params[i].grad.detach().clone(),
                case=f"parameter {i}, clip_value=1.0", rtol=0.0, atol=0.0,
                hint="clamp both sides: every entry ends in [-clip_value, clip_value], in place")

# %% nbgrader={"grade": true, "grade_id": "clip_value__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="clip-value--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
for k, (label, shapes, none, value, kind) in enumerate([
        ("None grad among 3", [(3,), (2, 2), (4,)], {0}, 0.5, "list"),
        ("a generator", [(3,), (5,)], {1}, 2.0, "generator"),
        ("a single tensor", [(2, 3)], set(), 0.1, "tensor")]):
    params = params_with_grads(shapes, seed=vary(20 + k), none=none)
    ref_params = expected(clone_with_grads(params))
    arg = {"list": params, "generator": (p for p in params), "tensor": params[0]}[kind]
    grads_before = [p.grad for p in params]
    clip_grad_value(arg, value)
    check_true("clip_value/in_place", all(p.grad is g for p, g in zip(params, grads_before)),
               "p.grad must be clamped in place (the same tensor), not replaced by a new one", case=label,
               hint="clamp_ each existing gradient; never p.grad = ...")
    expected(torch.nn.utils.clip_grad_value_(ref_params if kind != "tensor" else ref_params[0], value))
    for i, p in enumerate(params):
        if i in none:
            check_true("clip_value/edge_none", p.grad is None, "a None grad must stay None", case=f"{label}, param {i}")
        else:
            check_close("clip_value/edge", p.grad.detach().clone(), ref_params[i].grad.detach().clone(),
                        case=f"{label}, parameter {i}", rtol=0.0, atol=0.0)
# a float32 model after backward(): model.parameters() is a generator; the unused layer's grads are None
model = make_model(33, torch.float32)
gen = make_generator(vary(34))
(model(torch.randint(0, 6, (9,), generator=gen), torch.randn(9, 2, generator=gen)) ** 2).sum().backward()
ref_grads = expected([None if p.grad is None else p.grad.clamp(-0.05, 0.05) for p in model.parameters()])
grads_before = [p.grad for p in model.parameters()]
clip_grad_value(model.parameters(), 0.05)
check_true("clip_value/in_place", all(p.grad is g for p, g in zip(model.parameters(), grads_before)),
           "p.grad must be clamped in place (the same tensor)", case="float32 model after backward, clip_value=0.05")
for i, (name, p) in enumerate(model.named_parameters()):
    if grads_before[i] is None:
        check_true("clip_value/edge_none", p.grad is None, "a None grad must stay None", case=f"model, {name}")
    else:
        check_close("clip_value/model", p.grad.detach().clone(), ref_grads[i],
                    case=f"float32 model, clip_value=0.05, {name}",
                    rtol=0.0, atol=0.0)
### END HIDDEN TESTS

# %% [markdown] id="cell-054"
# ## 6. Experiments (not graded)
#
# The experiments use torch's own optimizers (so they run even before your implementations are done) and
# `device`. With `FAST=True` they are shortened.
#
# ### 6.1 Trajectories on two 2-D surfaces
#
# * A **saddle**: $f(x,y)=x^2+\tfrac14y^4-\tfrac12y^2$ has a saddle at the origin and minima at $(0,\pm1)$. Starting
#   almost exactly on the ridge, $(1.5,\,10^{-3})$, the $y$-gradient is tiny, and plain gradient descent needs many
#   steps to leave; momentum accumulates the tiny push, and Adam rescales it to a full-size step.
# * **Rosenbrock's valley**: $f(x,y)=(1-x)^2+100\,(y-x^2)^2$, minimum at $(1,1)$ at the bottom of a long, curved,
#   narrow valley: at the minimum the Hessian $\begin{pmatrix}802&-400\\-400&200\end{pmatrix}$ has eigenvalues
#   about 1002 (across the valley) and 0.40 (along it), a condition number of about 2500. SGD zig-zags across;
#   momentum and Adam move along it.

# %% id="cell-055"
def saddle(x, y):
    return x ** 2 + 0.25 * y ** 4 - 0.5 * y ** 2


def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def optimise_2d(f, start, make_opt, steps):
    """Path (steps+1, 2) of an optimizer on f, starting at `start`."""
    xy = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = make_opt([xy])
    path = [xy.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        f(xy[0], xy[1]).backward()
        opt.step()
        path.append(xy.detach().clone())
    return torch.stack(path).numpy()


n_steps = 100 if FAST else 300
optimisers_2d = {  # (params, lr for SGD-type, lr for Adam) -> optimizer
    "SGD": lambda p, lr, lr_adam: torch.optim.SGD(p, lr=lr),
    "SGD + momentum 0.9": lambda p, lr, lr_adam: torch.optim.SGD(p, lr=lr, momentum=0.9),
    "Nesterov 0.9": lambda p, lr, lr_adam: torch.optim.SGD(p, lr=lr, momentum=0.9, nesterov=True),
    "Adam": lambda p, lr, lr_adam: torch.optim.Adam(p, lr=lr_adam),
}
fig, axes = plt.subplots(1, 2, figsize=(13, 5))
for ax, (f, start, lr, lr_adam, xlim, ylim, name) in zip(axes, [
        (saddle, (1.5, 1e-3), 0.05, 0.05, (-2, 2), (-1.6, 1.6), "saddle"),
        (rosenbrock, (-1.5, 2.0), 1e-3, 0.1, (-2, 2), (-1, 3), "Rosenbrock")]):
    paths = {k: optimise_2d(f, start, lambda p, m=m: m(p, lr, lr_adam), n_steps) for k, m in optimisers_2d.items()}
    plot_contour_paths(f, paths, xlim, ylim, title=f"{name}: {n_steps} steps, lr={lr} (Adam {lr_adam})", ax=ax)
    for k, pth in paths.items():
        print(f"{name:10s} {k:20s} end=({pth[-1, 0]:+.3f}, {pth[-1, 1]:+.3f})  f={f(*pth[-1]):.3g}")
plt.show()

# %% [markdown] id="cell-056"
# ### 6.2 An MLP on MNIST-1D: SGD, momentum, Adam
#
# MNIST-1D (Greydanus 2020) is a small procedurally generated 1-D dataset (4000 training and 1000 test
# sequences of length 40, 10 classes) on which optimizers already differ clearly. We train the same MLP, from the
# same initialisation, with three optimizers.

# %% id="cell-057"
if device.type == "cpu":
    # Models this small run faster on one CPU thread: synchronising threads costs more than it saves, and far
    # more when other processes share the cores.
    torch.set_num_threads(1)
data = load_dataset("mnist1d")
x_train, y_train = torch.as_tensor(data.x_train).to(device), torch.as_tensor(data.y_train).to(device)
x_test, y_test = torch.as_tensor(data.x_test).to(device), torch.as_tensor(data.y_test).to(device)


def make_mlp(seed=SEED):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(40, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(),
                         nn.Linear(128, data.num_classes)).to(device)


def train(model, opt, epochs, batch_size=64, seed=SEED, max_loss=1e3, step_losses=None):
    """Mini-batch training; returns (train loss per epoch, test accuracy per epoch). Stops if the loss explodes.
    step_losses: a list that receives the loss of every step."""
    gen = torch.Generator().manual_seed(seed)
    losses, accs = [], []
    for _ in range(epochs):
        perm = torch.randperm(len(x_train), generator=gen).to(device)
        total = 0.0
        for i in range(0, len(x_train), batch_size):
            idx = perm[i:i + batch_size]
            loss = nn.functional.cross_entropy(model(x_train[idx]), y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            value = loss.item()
            total += value * len(idx)
            if step_losses is not None:
                step_losses.append(value)
        losses.append(total / len(x_train))
        with torch.no_grad():
            accs.append((model(x_test).argmax(1) == y_test).double().mean().item())
        if not math.isfinite(losses[-1]) or losses[-1] > max_loss:
            break
    return losses, accs


epochs = 4 if FAST else 25
runs = {
    "SGD lr=0.05": lambda m: torch.optim.SGD(m.parameters(), lr=0.05),
    "SGD+momentum 0.9 lr=0.05": lambda m: torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9),
    "Adam lr=1e-3": lambda m: torch.optim.Adam(m.parameters(), lr=1e-3),
}
loss_curves, acc_curves = {}, {}
for name, make_opt in runs.items():
    model = make_mlp()
    loss_curves[name], acc_curves[name] = train(model, make_opt(model), epochs)
    print(f"{name:26s} final train loss {loss_curves[name][-1]:.3f}  test acc {acc_curves[name][-1]:.3f}")
fig, axes = plt.subplots(1, 2, figsize=(13, 4))
plot_curves(loss_curves, title="MNIST-1D MLP: training loss", xlabel="epoch", ylabel="loss", logy=True, ax=axes[0])
plot_curves(acc_curves, title="test accuracy", xlabel="epoch", ylabel="accuracy", ax=axes[1])
plt.show()

# %% [markdown] id="cell-058"
# ### 6.3 Batch size and the linear scaling rule; too large and too small learning rates
#
# For a fixed number of *epochs*, a larger batch means fewer steps. Below: SGD with momentum 0.9 at batch sizes 16,
# 64, 256 and 1024 (FAST: 16, 64, 1024) for the same number of epochs, first with the same rate $\eta=0.02$, then
# with the rate scaled linearly with the batch, $\eta=0.02\cdot b/64$. The right panel plots the accuracy on held-out
# data (MNIST-1D's test split, used here as a validation set) against the number of optimizer **steps**, with the
# largest batch run once more for as many steps as batch 64 made ($b/64$ times the epochs).
#
# **Do large batches generalize worse?** Keskar et al. (2017) found that large-batch training ends at a worse test
# error for the same training loss (the "generalization gap") and linked it to **sharp minima** (large Hessian
# eigenvalues), which the noise of small batches avoids. The counterpoint: Hoffer, Hubara & Soudry (2017) showed that
# much of the gap comes from making fewer updates in the same epochs: with the rate raised with the batch (they use
# $\sqrt k$) and as many *steps* ("train longer, generalize better") most of it closes; Goyal et al. (2017) trained
# ImageNet at batch 8192 to the accuracy of batch 256 with the linear rule and warm-up. Smith & Le (2018) explain why
# the rate and the batch go
# together: the scale of SGD's noise is $g\approx\eta N/B$ ($N$ training examples, batch $B$; $\eta N/(B(1-\mu))$
# with momentum $\mu$), and $g$, not $B$ alone, governs which minima SGD settles in. Linear scaling keeps $\eta/B$
# and hence $g$ constant; and Smith, Kindermans, Ying & Le (2018), "Don't decay the learning rate, increase the batch
# size": multiplying $B$ by $k$ lowers the noise as dividing $\eta$ by $k$ does, with $k$ times fewer steps. Both
# rules hold only up to a problem-dependent batch size (and a rate that is still stable: see below).
#
# What the full run shows (FAST shortens it): with the same rate, larger batches learn much less per epoch. With the
# scaled rate, $b=16$ and $b=64$ follow nearly the same curve (the linear rule works), while $b=256$ and $b=1024$ fall
# behind after 10 epochs (training accuracy about 0.60 and 0.54 against 0.66, validation about 0.52 and 0.49 against
# 0.57): they are behind on the training set as much as on held-out data, so this is **too few steps**, not a
# generalization gap (the train-validation gap is in fact smaller, 0.06 at $b=1024$ against 0.09 at $b=64$). Given the
# same 640 steps as $b=64$, $b=1024$ reaches about 0.64 validation accuracy (having seen 16 times as many examples),
# and fits the training set completely. A small MLP on MNIST-1D shows no sharp-minimum gap; Keskar et al. measured
# theirs on larger networks trained to the same training loss.

# %% id="cell-059"
bs_epochs = 2 if FAST else 10
batch_sizes = [16, 64, 1024] if FAST else [16, 64, 256, 1024]


def accuracy(model, x, y):
    with torch.no_grad():
        return (model(x).argmax(1) == y).double().mean().item()


same_lr, scaled_lr, scaled_acc = {}, {}, {}
for b in batch_sizes:
    model = make_mlp()
    same_lr[f"b={b}, lr=0.02"] = train(model, torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9),
                                       bs_epochs, batch_size=b)[0]
    model = make_mlp()
    lr = 0.02 * b / 64
    scaled_lr[f"b={b}, lr={lr:g}"], scaled_acc[b] = train(
        model, torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9), bs_epochs, batch_size=b)
    print(f"b={b:<5d} lr={lr:<5g} {bs_epochs:3d} epochs = {bs_epochs * math.ceil(len(x_train) / b):5d} steps: "
          f"train acc {accuracy(model, x_train, y_train):.3f}, validation acc {scaled_acc[b][-1]:.3f}")
# the largest batch again, for as many STEPS as batch 64 made: b/64 times the epochs (Hoffer et al.: train longer)
b_big = batch_sizes[-1]
long_epochs = bs_epochs * b_big // 64
model = make_mlp()
long_acc = train(model, torch.optim.SGD(model.parameters(), lr=0.02 * b_big / 64, momentum=0.9), long_epochs,
                 batch_size=b_big)[1]
print(f"b={b_big:<5d} lr={0.02 * b_big / 64:<5g} {long_epochs:3d} epochs = "
      f"{long_epochs * math.ceil(len(x_train) / b_big):5d} steps: train acc {accuracy(model, x_train, y_train):.3f}, "
      f"validation acc {long_acc[-1]:.3f} (best {max(long_acc):.3f})")

fig, axes = plt.subplots(1, 3, figsize=(18, 4))
plot_curves(same_lr, title="same lr for every batch size", xlabel="epoch", ylabel="train loss", ax=axes[0])
plot_curves(scaled_lr, title="lr scaled with the batch (linear rule)", xlabel="epoch", ylabel="train loss",
            ax=axes[1])
acc_runs = [(f"b={b}, {bs_epochs} epochs", b, accs) for b, accs in scaled_acc.items()]
acc_runs.append((f"b={b_big}, {long_epochs} epochs", b_big, long_acc))
for label, b, accs in acc_runs:
    per_epoch = math.ceil(len(x_train) / b)
    axes[2].plot([per_epoch * (k + 1) for k in range(len(accs))], accs, "--" if accs is long_acc else "-",
                 label=label)
axes[2].set(xscale="log", title="validation accuracy against optimizer steps (scaled lr)", xlabel="steps",
            ylabel="validation accuracy")
axes[2].legend()
axes[2].grid(True, alpha=0.3)
plt.show()

# %% [markdown] id="cell-lr-sweep"
# **Too large and too small learning rates.** On a quadratic with largest curvature $L$ (the largest Hessian
# eigenvalue), one gradient step multiplies the error along the top eigenvector by $1-\eta L$: gradient descent
# converges for $\eta<2/L$ and **diverges** for $\eta>2/L$, geometrically, by the factor $|1-\eta L|$ per step. The
# left panel shows it exactly: least squares on MNIST-1D (a linear map to one-hot targets, full batch, float64,
# $L=\lambda_{\max}(X^\top X/n)\approx9.6$) at $\eta=0.5/L$, $1.9/L$ and $2.1/L$: the first two settle at the same
# loss, the last blows up by the factor $1.1^2$ per step. The right panel sweeps the rate of the MLP (SGD with
# momentum 0.9, batch 64, the loss of every step): $10^{-4}$ barely leaves $\ln10\approx2.30$, $10^{-2}$ is slow,
# $0.1$ is best here, and $0.3$ (full run) is already too large: noisy and stuck near 1.8. At $1$ and $3$ training
# is **unstable**: the loss jumps (to about 9 and 38 within the first 30 steps), the large steps kill the second
# layer's ReLUs (99-100% of them never fire again on the training set) and the loss then stays at chance level or
# above (about 2.3-2.6). A ReLU network rarely diverges to infinity the way the quadratic does: dead units stop the
# gradient, so "too large" shows up as spikes followed by a loss that no longer falls. The best rate is usually a
# little below the largest stable one; sweep it on a log scale.

# %% id="cell-lr-sweep-run"
x_ls = x_train.double().cpu()
y_ls = nn.functional.one_hot(y_train.cpu(), data.num_classes).double()
L_ls = float(torch.linalg.eigvalsh(x_ls.T @ x_ls / len(x_ls)).max())
quad_curves = {}
for factor in (0.5, 1.9, 2.1):
    W, eta, losses = torch.zeros(x_ls.shape[1], data.num_classes, dtype=torch.float64), factor / L_ls, []
    for _ in range(101):
        residual = x_ls @ W - y_ls
        losses.append(0.5 * float((residual ** 2).sum()) / len(x_ls))
        W = W - eta * x_ls.T @ residual / len(x_ls)
    quad_curves[f"eta = {factor} / L"] = losses
    print(f"least squares, eta = {factor}/L: loss at step 0, 50, 100: "
          + ", ".join(f"{losses[t]:.3g}" for t in (0, 50, 100)))
print(f"L = {L_ls:.2f}, 2/L = {2 / L_ls:.3f}")

lr_epochs = 2 if FAST else 8
lrs = [1e-4, 1e-2, 1e-1, 1.0, 3.0] if FAST else [1e-4, 1e-3, 1e-2, 1e-1, 0.3, 1.0, 3.0]
lr_curves = {}
for lr in lrs:
    model = make_mlp()
    steps = []
    losses = train(model, torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9), lr_epochs, step_losses=steps)[0]
    with torch.no_grad():
        dead = ((model[:4](x_train) > 0).sum(0) == 0).double().mean().item()  # second-layer ReLUs that never fire
    lr_curves[f"lr={lr:g}"] = [min(v, 1e3) if math.isfinite(v) else 1e3 for v in steps]
    top = max(range(len(steps)), key=lambda k: steps[k] if math.isfinite(steps[k]) else math.inf)
    print(f"lr={lr:<7g} largest loss {steps[top]:.3g} at step {top + 1}; last epoch {losses[-1]:.3g}; "
          f"dead ReLUs in layer 2: {dead:.0%}")

fig, axes = plt.subplots(1, 2, figsize=(14, 4))
plot_curves(quad_curves, title=f"least squares, full batch: 2/L = {2 / L_ls:.3f}", xlabel="step", ylabel="loss",
            logy=True, ax=axes[0])
plot_curves(lr_curves, title="MLP, learning-rate sweep (batch 64, momentum 0.9)", xlabel="step",
            ylabel="train loss (each step)", logy=True, ax=axes[1])
plt.show()

# %% [markdown] nbgrader={"grade": true, "grade_id": "written_saddle", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false} id="written-saddle"
# **Written answer (2 points, graded by hand).** In experiment 6.1, why does plain SGD stay so long near the saddle
# while Adam leaves it quickly? Relate your answer to Dauphin et al. (2014) and to what Adam's denominator does to a
# small but consistent gradient. Two to five sentences.
#
# ### BEGIN SOLUTION
# At the start $y=10^{-3}$, the $y$-gradient $y^3-y\approx-10^{-3}$ is tiny, so SGD moves $y$ by a factor
# $(1+\eta)$ per step only, an exponential escape that takes on the order of $\ln(10^3)/\eta$ steps, while $x$
# converges quickly to 0: the iterate sits at the saddle where the gradient nearly vanishes. Adam divides by
# $\sqrt{\hat v}$, the running size of the gradient, so a small but consistent gradient gives a step of size about
# $\eta$ in that coordinate (the update is roughly $\eta\,\mathrm{sign}(g)$): it leaves along the negative
# curvature direction at once. Momentum also helps by accumulating the consistent push. Dauphin et al. (2014)
# argue that in high dimension such saddles, not bad local minima, are what slows training, which is why methods that
# rescale small-gradient directions matter.
# ### END SOLUTION

# %% [markdown] id="cell-065"
# ## Summary and references
#
# | method | update (PyTorch convention) | key hyper-parameters |
# |---|---|---|
# | SGD + momentum | $b_1=g_1,\ b_t=\mu b_{t-1}+(1-\tau)g_t$; $\theta\mathrel{-}=\eta b_t$ (Nesterov: $\eta(g_t+\mu b_t)$) | $\eta,\mu$ |
# | AdaGrad | $s\mathrel{+}=g^2$; $\theta\mathrel{-}=\frac{\eta}{1+(t-1)\kappa}\,g/(\sqrt s+\epsilon)$ | $\eta$, $\kappa$ (`lr_decay`), $\epsilon=10^{-10}$ |
# | RMSprop | $v=\alpha v+(1-\alpha)g^2$; $\theta\mathrel{-}=\eta g/(\sqrt v+\epsilon)$ | $\alpha=0.99$ |
# | AdaDelta | $v=\rho v+(1-\rho)g^2$; $\Delta=\sqrt{u+\epsilon}\,g/\sqrt{v+\epsilon}$; $u=\rho u+(1-\rho)\Delta^2$; $\theta\mathrel{-}=\eta\Delta$ | $\eta=1$, $\rho=0.9$, $\epsilon=10^{-6}$ |
# | Adam | moments + bias correction; $\theta\mathrel{-}=\eta\hat m/(\sqrt{\hat v}+\epsilon)$ | $\beta=(0.9,0.999)$ |
# | AdamW | $\theta\mathrel{*}=1-\eta\lambda$, then Adam | $\lambda=10^{-2}$ |
# | SGDW (no torch class) | $\theta\mathrel{*}=1-\eta\lambda$, then SGD + momentum without L2 | $\eta,\mu,\lambda$ |
#
# - H. Robbins, S. Monro (1951). A stochastic approximation method. *Ann. Math. Statist.*
# - B. T. Polyak (1964). Some methods of speeding up the convergence of iteration methods. *USSR Computational
#   Mathematics and Mathematical Physics* 4(5), 1-17.
# - Y. Nesterov (1983). A method for solving the convex programming problem with convergence rate $O(1/k^2)$.
#   *Soviet Mathematics Doklady* 27, 372-376.
# - I. Sutskever, J. Martens, G. Dahl, G. Hinton (2013). On the importance of initialization and momentum in deep learning. ICML.
# - J. Duchi, E. Hazan, Y. Singer (2011). Adaptive subgradient methods for online learning and stochastic optimization. JMLR.
# - T. Tieleman, G. Hinton (2012). Lecture 6.5, RMSprop. COURSERA: Neural Networks for Machine Learning.
# - M. D. Zeiler (2012). ADADELTA: an adaptive learning rate method. arXiv:1212.5701.
# - D. P. Kingma, J. Ba (2015). Adam: a method for stochastic optimization. ICLR.
# - I. Loshchilov, F. Hutter (2017). SGDR: stochastic gradient descent with warm restarts. ICLR.
# - I. Loshchilov, F. Hutter (2019). Decoupled weight decay regularization. ICLR.
# - L. N. Smith (2017). Cyclical learning rates for training neural networks. WACV.
# - P. Goyal et al. (2017). Accurate, large minibatch SGD: training ImageNet in 1 hour. arXiv:1706.02677.
# - N. S. Keskar, D. Mudigere, J. Nocedal, M. Smelyanskiy, P. T. P. Tang (2017). On large-batch training for deep
#   learning: generalization gap and sharp minima. ICLR.
# - E. Hoffer, I. Hubara, D. Soudry (2017). Train longer, generalize better: closing the generalization gap in large
#   batch training of neural networks. NeurIPS.
# - S. L. Smith, Q. V. Le (2018). A Bayesian perspective on generalization and stochastic gradient descent. ICLR.
# - S. L. Smith, P.-J. Kindermans, C. Ying, Q. V. Le (2018). Don't decay the learning rate, increase the batch
#   size. ICLR.
# - L. N. Smith (2018). A disciplined approach to neural network hyper-parameters: part 1, learning rate, batch size,
#   momentum, and weight decay. arXiv:1803.09820.
# - L. N. Smith, N. Topin (2019). Super-convergence: very fast training of neural networks using large learning rates.
#   Proc. SPIE 11006 (Artificial Intelligence and Machine Learning for Multi-Domain Operations Applications).
# - Y. Dauphin et al. (2014). Identifying and attacking the saddle point problem in high-dimensional non-convex optimization. NeurIPS.
# - R. Pascanu, T. Mikolov, Y. Bengio (2013). On the difficulty of training recurrent neural networks. ICML.
# - S. Greydanus (2020). Scaling down deep learning (MNIST-1D). arXiv:2011.14439.
#
# The course note `course/notes/01_optimizers.md` summarises all of this, with a glossary of English and Chinese terms.
