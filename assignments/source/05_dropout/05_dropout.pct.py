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
# # 05 · Dropout: training many thinned networks at once
#
# A large network trained on little data **over-fits**: hidden units learn to fix each other's mistakes on the
# training set (*co-adaptation*), and those fixes do not generalize. **Dropout** (Hinton et al. 2012; Srivastava et
# al. 2014) removes every unit at random, with probability $p$, independently at every training step, so that no unit
# can rely on the presence of any other. Each step trains a different **thinned** sub-network; all of them share
# weights, so a network with $n$ droppable units trains an ensemble of up to $2^n$ networks at the cost of one. At
# test time we want the *average* of that ensemble, not one random member of it.
#
# This notebook implements dropout and its variants **with PyTorch's conventions**, checked statistically against
# their definition:
#
# | item | you implement | points |
# |---|---|---|
# | `dropout` | inverted dropout as a `torch.autograd.Function` with an explicit mask | 3 |
# | `channel_dropout` | channel dropout (`nn.Dropout2d` semantics): whole feature maps dropped | 3 |
# | `model` | an MLP that uses dropout correctly in `train()` and `eval()` | 3 |
# | `locked_dropout` | locked (variational) dropout for sequences: one mask per sequence | 3 |
# | `mc_predict` | Monte Carlo dropout: predictive mean and standard deviation | 3 |
# | `concept_*` | two multiple-choice checks | 2 × 1 |
# | `written_weight_scaling` | one short written answer (graded by hand) | 2 |
#
# Then you run experiments on MNIST-1D: a dropout-rate sweep (train and validation curves), dropout against no
# dropout for several training-set sizes, and MC-dropout uncertainty on in- and out-of-distribution inputs.
#
# **Rules.** In each solution cell, replace the two lines `# YOUR CODE HERE` and `raise NotImplementedError()` by
# your code. Do not change the other lines of the cell, and do not rename the functions. Each item is independent:
# the later items may use torch's `nn.Dropout`, so a broken `dropout` only costs its own points. A random mask cannot
# be compared with torch's bit for bit, so the tests check **properties**: the exact values of the kept entries, the
# fraction of dropped entries within a stated statistical bound (6 standard errors, so a correct solution fails with
# probability below $10^{-8}$), the gradient against the mask read back from the output, two calls giving different
# masks. Draw your masks from the `generator` argument (a `torch.Generator`, or `None` for torch's global one), as in
# `torch.rand(shape, generator=generator)`: two generators seeded alike give the same mask, and when a generator is
# given torch's global generator is not used at all. Never modify the input tensor in place (`x *= mask` changes
# the caller's tensor): return a new tensor. Hidden tests probe more shapes and dtypes, other values of `p` (including
# 0 and 1), gradients, the generator, and models with batch normalization, nested containers and other dropout
# modules.

# %% nbgrader={"grade": false, "grade_id": "parameters", "locked": true, "schema_version": 3, "solution": false, "task": false} tags=["parameters"] id="parameters"
SEED = 0
DEVICE = "auto"
FAST = False

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false} id="setup"
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from course import get_device, load_dataset, make_generator, plot_curves, seed_everything
from course.checks import check_close, check_equal, check_raises, check_true, check_within, expected
from course.seeding import vary  # the hidden tests' inputs: your own while grading, vary(k) == k elsewhere

seed_everything(SEED)
device = get_device(DEVICE)
print(f"torch {torch.__version__}, device {device}, FAST={FAST}")

# %% [markdown] id="cell-003"
# The next cell holds the helpers that the test cells use. `compare_fraction` checks that a fraction of dropped
# entries out of $n$ independent draws lies within 6 standard errors $6\sqrt{p(1-p)/n}$ of $p$.
# `check_kept_or_zero` checks that every entry of `out` is either exactly 0 or $x/(1-p)$ (to float rounding) and
# returns the mask of kept entries read back from the output (the inputs in the tests are never 0).
# `DROPOUT_TYPES` is the base class of every torch dropout module (`nn.Dropout`, `nn.Dropout1d/2d/3d`,
# `nn.AlphaDropout`, ...). Read it, you do not need to change it.

# %% nbgrader={"grade": false, "grade_id": "helpers", "locked": true, "schema_version": 3, "solution": false, "task": false} id="helpers"
DROPOUT_TYPES = nn.modules.dropout._DropoutNd  # base class of nn.Dropout, nn.Dropout1d/2d/3d, nn.AlphaDropout, ...


def nonzero_input(shape, seed, dtype=torch.float64):
    """Entries in [0.5, 1.5) with a random sign: never 0, so a kept entry is never mistaken for a dropped one."""
    gen = make_generator(seed)
    x = torch.rand(shape, generator=gen, dtype=dtype) + 0.5
    sign = torch.where(torch.rand(shape, generator=gen) < 0.5, -1.0, 1.0).to(dtype)
    return x * sign


def compare_fraction(check_id, dropped, p, case, hint=""):
    """`dropped` a bool tensor of n independent Bernoulli(p) draws: its mean within 6 sqrt(p(1-p)/n) of p."""
    n = expected(dropped.numel())  # used only by the bounds, the expected side
    bound = expected(6 * math.sqrt(p * (1 - p) / n))  # p is the expected side (withheld while grading)
    check_within(check_id, float(dropped.double().mean()), p - bound, p + bound, case=case,
                 why=expected(f"fraction dropped of {n} independent draws: 6 standard errors of p = {p}"), hint=hint)


def check_kept_or_zero(check_id, out, x, p, case, hint=""):
    """Every entry of out is 0 or x / (1 - p); returns the kept mask (bool) read back from out."""
    out = out.detach()
    check_equal(check_id + "/shape", tuple(out.shape), tuple(x.shape), case=case, hint="same shape as the input")
    check_equal(check_id + "/dtype", str(out.dtype), str(x.dtype), case=case, hint="same dtype as the input")
    kept = out != 0
    want = torch.where(kept, x / (1 - p), torch.zeros_like(x))
    check_close(check_id + "/values", out, want, case=case, rtol=1e-6, atol=0.0, depends_on_answer=True,
                hint="every entry is either dropped (exactly 0) or kept and scaled: x / (1 - p)")
    return kept


# %% [markdown] id="cell-005"
# ## 1. Dropout, at training and at inference
#
# **Training.** For a layer with activations $h$, draw a mask $m_j\sim\text{Bernoulli}(q)$ independently for every
# unit and every example, where $q=1-p$ is the **keep** probability and $p$ the **drop** probability, and use
# $\tilde h=m\odot h$. The gradient flows only through the kept units: $\partial\tilde h_j/\partial h_j=m_j$.
#
# **Inference: the two conventions.** The expected training activation is $\mathbb E[m_jh_j]=q\,h_j$, so a network
# used at test time without a mask would see activations $1/q$ times larger than in training. There are two exact
# ways to fix this. Texts also differ on what $p$ means: Srivastava et al. (2014) and *Neural Networks and Deep
# Learning* (邱锡鹏, ch. 7) write $p$ for the **keep** (retain) probability, so their "multiply by $p$ at test time" is
# the factor $q$ below; the seed notes read that $p$ as a drop probability, which gives the wrong factor. Here, as in
# PyTorch, $p$ is the **drop** probability:
#
# | convention | training | test time |
# |---|---|---|
# | **original** dropout (Srivastava et al. 2014) | $\tilde h=m\odot h$, no scaling | no mask; multiply by $q=1-p$ (the outgoing weights $W\to qW$) |
# | **inverted** dropout (PyTorch, `nn.Dropout`) | $\tilde h=m\odot h/(1-p)$ | no mask, **no scaling**: the identity |
#
# Both give $\mathbb E[\tilde h]=$ the test-time activation; inverted dropout does the scaling during training so that
# the deployed network is untouched (and `p` can change without re-scaling weights). **PyTorch's convention**, used
# everywhere below: `p` is the **drop** probability (`nn.Dropout(p=0.5)` drops half the units), kept entries are
# multiplied by $1/(1-p)$ in `train()` mode, `eval()` mode is the identity; `p = 0` is the identity, `p = 1` gives
# zeros; `0 <= p <= 1` or `ValueError`.
#
# **Why this is the ensemble average.** For a linear unit $y=\sum_j w_j\tilde h_j$, the expectation over masks (the average over
# all $2^n$ masks weighted by their probabilities $\prod_j q^{m_j}p^{1-m_j}$) is exactly $\sum_j w_jh_j$, the eval
# output (the **weight-scaling inference rule**). With nonlinearities between
# dropout layers it is only an approximation of the ensemble's average prediction, but an excellent one in practice
# (Srivastava et al. 2014, section 7.5).
#
# **Variance.** With inverted dropout, $\tilde h_j=m_jh_j/q$ has mean $h_j$ and variance $h_j^2\,p/(1-p)$: dropout
# injects multiplicative noise (for $p=0.5$, as large as the signal).
#
# **Where to put it.** After the nonlinearity of hidden fully connected layers, $p\approx0.5$ for hidden units and
# $p\approx0.2$ or less on the inputs (Srivastava et al. 2014); rarely on the output layer. In convolutional layers
# neighbouring pixels are strongly correlated, so dropping single pixels does little: drop whole channels instead
# (section 3). Dropout and batch normalization interact badly when dropout comes *before* a BN layer: BN's running
# variance is estimated under dropout noise and is wrong in eval (Li et al. 2019); put dropout after the last BN
# layer.
#
# ## 2. Inverted dropout with an explicit mask
#
# Implement the two halves:
#
# - `DropoutFunction`, a `torch.autograd.Function`: `forward(ctx, x, mask, p)` returns $x\odot\text{mask}/(1-p)$
#   (0 when $p=1$) for a given 0/1 `mask` of the dtype and shape of `x`, and saves what the backward pass needs;
#   `backward(ctx, grad_output)` returns the gradient with respect to `x`, $\text{grad\_output}\odot\text{mask}/(1-p)$,
#   **with the same mask as the forward pass**, and `None` for `mask` and `p`.
# - `dropout(x, p=0.5, training=True, generator=None)`: checks `0 <= p <= 1` (else `ValueError`); returns `x`
#   unchanged when not training or when $p=0$ (`x` itself, or an equal copy); otherwise draws a **new** mask on
#   every call, keeping each entry with probability $1-p$ (for instance
#   `torch.rand(x.shape, generator=generator) >= p`), and applies `DropoutFunction.apply(x, mask, p)`. Any shape,
#   any floating dtype (`float16`, `bfloat16`, `float32`, `float64`: the output has the dtype of `x`). `x` itself
#   is never modified (no `x *= mask`, also not inside `forward`).

# %% autograder={"forbidden": ["torch.nn.functional.dropout", "torch.dropout", "torch.nn.Dropout", "torch.nn.modules.dropout"]} nbgrader={"grade": false, "grade_id": "dropout_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="dropout-impl"
class DropoutFunction(torch.autograd.Function):
    """y = x * mask / (1 - p) for a given 0/1 mask; the backward pass reuses the forward pass's mask."""

    @staticmethod
    def forward(ctx, x, mask, p):
        ### BEGIN SOLUTION
        scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
        ctx.save_for_backward(mask)
        ctx.scale = scale
        ctx.p = p
        return x * mask * scale
        ### END SOLUTION

    @staticmethod
    def backward(ctx, grad_output):
        ### BEGIN SOLUTION
        (mask,) = ctx.saved_tensors
        return grad_output * mask * ctx.scale, None, None
        ### END SOLUTION


def dropout(x, p=0.5, training=True, generator=None):
    """Inverted dropout, as torch.nn.functional.dropout: p is the drop probability."""
    ### BEGIN SOLUTION
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return x
    keep = torch.rand(x.shape, generator=generator) >= p
    mask = keep.to(device=x.device, dtype=x.dtype)
    return DropoutFunction.apply(x, mask, p)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "dropout__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="dropout--visible"
# Visible test: p = 0.5 on a (200, 500) float64 tensor; eval and p = 0 are the identity.
# every call gets a copy of x: the expected values are computed from x itself
x = nonzero_input((200, 500), seed=1)
out = dropout(x.clone(), 0.5, training=True, generator=make_generator(2))
kept = check_kept_or_zero("dropout/train", out, x, 0.5, case="p=0.5, training",
                          hint="inverted dropout: kept entries are x / (1 - p), dropped ones exactly 0")
compare_fraction("dropout/fraction", ~kept, 0.5, case="p=0.5, training",
                 hint="keep each entry with probability 1 - p: torch.rand(shape, generator=generator) >= p")
check_close("dropout/eval", dropout(x.clone(), 0.5, training=False), x, case="p=0.5, training=False", rtol=0, atol=0,
            hint="in eval mode inverted dropout is the identity: no mask and no scaling")
check_close("dropout/p0", dropout(x.clone(), 0.0, training=True, generator=make_generator(3)), x, case="p=0, training",
            rtol=0, atol=0, hint="p = 0 drops nothing: the identity")

# %% nbgrader={"grade": true, "grade_id": "dropout__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="dropout--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
# other drop probabilities: fraction and scaling (p is the DROP probability)
for k, p in enumerate([0.2, 0.7, 0.9]):
    x = nonzero_input((100, 1000), seed=vary(10 + k))
    out = dropout(x, p, training=True, generator=make_generator(vary(20 + k)))
    kept = check_kept_or_zero("dropout/other_p", out, x, p, case=f"p={p}",
                              hint="p is the drop probability: keep with probability 1 - p, scale by 1 / (1 - p)")
    compare_fraction("dropout/other_p_fraction", ~kept, p, case=f"p={p}",
                     hint="p is the drop probability: keep with probability 1 - p")
# mean preserved and variance p / (1 - p) on a constant input (6 standard errors)
p, n = 0.4, 200_000
q = expected(1 - p)
y = dropout(torch.ones(n, dtype=torch.float64), p, training=True, generator=make_generator(vary(30)))
var = expected(p / q)
mean_bound = expected(6 * math.sqrt(var / n))
check_within("dropout/mean", float(y.mean()), 1 - mean_bound, 1 + mean_bound, case=f"x = 1, p={p}, n={n}",
             why="E[y] = x: 6 standard errors of the mean", hint="scale the kept entries by 1 / (1 - p)")
mu4 = expected(q * (1 - q) * (1 - 3 * q + 3 * q * q) / q ** 4)  # 4th central moment of Bernoulli(q) / q
var_bound = expected(6 * math.sqrt((mu4 - var ** 2) / n))
check_within("dropout/variance", float(y.var()), var - var_bound, var + var_bound, case=f"x = 1, p={p}, n={n}",
             why="Var[y] = x^2 p / (1 - p): 6 standard errors of the sample variance",
             hint="keep with probability 1 - p and scale by 1 / (1 - p)")
# eval is the identity for any p; invalid p raises
x = nonzero_input((30, 40), seed=vary(31))
for p in [0.3, 0.9, 1.0]:
    check_close("dropout/eval_more", dropout(x, p, training=False), x, case=f"p={p}, training=False", rtol=0,
                atol=0, hint="eval mode: the identity, no scaling")
for p in [-0.1, 1.5]:
    check_raises("dropout/bad_p", lambda: dropout(x, p, training=True), ValueError, case=f"p={p}",
                 hint="0 <= p <= 1, else ValueError (as torch)")
# p = 1: zeros (no NaN), zero gradient
xg = nonzero_input((20, 30), seed=vary(32)).requires_grad_()
out = dropout(xg, 1.0, training=True, generator=make_generator(vary(33)))
check_close("dropout/p1", out.detach(), torch.zeros(20, 30, dtype=torch.float64), case="p=1", rtol=0, atol=0,
            hint="p = 1 drops everything: zeros, without dividing by 1 - p = 0")
out.sum().backward()
check_close("dropout/p1_grad", xg.grad, torch.zeros(20, 30, dtype=torch.float64), case="p=1, gradient", rtol=0,
            atol=0, hint="p = 1: the gradient is 0")
# the backward pass reuses the forward mask: grad = g * mask / (1 - p), mask read back from the output
for k, p in enumerate([0.3, 0.6]):
    xg = nonzero_input((50, 40), seed=vary(40 + k)).requires_grad_()
    out = dropout(xg, p, training=True, generator=make_generator(vary(50 + k)))
    mask = (out.detach() != 0).double()
    g = torch.randn(50, 40, generator=make_generator(vary(60 + k)), dtype=torch.float64)
    out.backward(g)
    check_close("dropout/backward", xg.grad, g * mask / (1 - p), case=f"p={p}", rtol=1e-12, atol=0, depends_on_answer=True,
                hint="backward must reuse the mask of the forward pass (save it in ctx), times 1 / (1 - p)")
# DropoutFunction with an explicit mask
x = nonzero_input((6, 7), seed=vary(70)).requires_grad_()
mask = (torch.rand(6, 7, generator=make_generator(vary(71))) < 0.5).double()
out = DropoutFunction.apply(x, mask, 0.25)
check_close("dropout/function_forward", out.detach(), x.detach() * mask / 0.75, case="explicit mask, p=0.25",
            rtol=1e-12, atol=0, hint="forward: x * mask / (1 - p)")
g = torch.randn(6, 7, generator=make_generator(vary(72)), dtype=torch.float64)
out.backward(g)
check_close("dropout/function_backward", x.grad, g * mask / 0.75, case="explicit mask, p=0.25", rtol=1e-12,
            atol=0, hint="backward: grad_output * mask / (1 - p), the same mask as the forward pass")
# a new mask on every call: with the same generator, and with torch's global generator
x = nonzero_input((40, 50), seed=vary(80))
gen = make_generator(vary(81))
a, b = dropout(x, 0.5, True, gen), dropout(x, 0.5, True, gen)
check_true("dropout/new_mask", bool(((a != 0) != (b != 0)).any()), "two calls drew the same mask",
           case="two calls with the same generator", hint="draw a fresh mask from the generator on every call")
torch.manual_seed(vary(82))
a, b = dropout(x, 0.5, True), dropout(x, 0.5, True)
check_true("dropout/new_mask_global", bool(((a != 0) != (b != 0)).any()), "two calls drew the same mask",
           case="two calls with generator=None", hint="generator=None means torch's global generator")
# any shape and dtype
for k, shape in enumerate([(), (7,), (2, 3, 4, 5), (3, 1, 8)]):
    x = nonzero_input(shape, seed=vary(90 + k))
    check_kept_or_zero("dropout/shapes", dropout(x, 0.3, True, make_generator(vary(95 + k))), x, 0.3,
                       case=f"shape {shape}", hint="any shape: one independent mask entry per element")
x = nonzero_input((30, 30), seed=vary(99), dtype=torch.float32)
kept = check_kept_or_zero("dropout/float32", dropout(x, 0.3, True, make_generator(vary(100))), x, 0.3, case="float32",
                          hint="keep the input's dtype (cast the mask to x.dtype)")
# half precision (p = 0.5: the scaling by 2 is exact in every dtype)
for k, dtype in enumerate([torch.float16, torch.bfloat16]):
    x = nonzero_input((40, 50), seed=vary(101 + k), dtype=dtype)
    kept = check_kept_or_zero("dropout/half", dropout(x, 0.5, True, make_generator(vary(103 + k))), x, 0.5,
                              case=str(dtype), hint="any floating dtype: cast the mask to x.dtype, not to float32")
# the input is not modified in place
x = nonzero_input((40, 50), seed=vary(105))
x_before = expected(x.clone())
out = dropout(x, 0.5, True, make_generator(vary(106)))
check_close("dropout/input_unchanged", x, x_before, case="x after dropout(x, 0.5, training=True)", rtol=0, atol=0,
            hint="x must not change: no in-place operation on x (x *= mask), compute a new tensor")
# the mask comes from the generator argument: same seed, same mask; torch's global generator untouched
x = nonzero_input((30, 40), seed=vary(107))
rng_state = torch.get_rng_state()
a = dropout(x, 0.5, True, make_generator(vary(108)))
b = dropout(x, 0.5, True, make_generator(vary(108)))
check_true("dropout/generator_seed", bool(torch.equal(a, b)), "two generators seeded alike gave different masks",
           case="two calls, generators with the same seed",
           hint="draw the mask from the generator argument: torch.rand(x.shape, generator=generator)")
check_true("dropout/global_rng_untouched", bool(torch.equal(torch.get_rng_state(), rng_state)),
           "torch's global random state changed although a generator was given", case="generator given",
           hint="when a generator is given, draw only from it")
### END HIDDEN TESTS

# %% [markdown] id="cell-009"
# ## 3. Channel dropout (`nn.Dropout2d`)
#
# In a feature map the neighbouring activations are strongly correlated: dropping single pixels removes almost no
# information (the neighbours carry it), so elementwise dropout regularizes convolutional layers poorly. **Spatial**
# or **channel** dropout (Tompson et al. 2015) drops whole feature maps instead. **PyTorch's convention**
# (`nn.Dropout2d`, `F.dropout2d`; also `Dropout1d/3d`): for an input `(N, C, *spatial)` draw one Bernoulli(1-p)
# mask entry per sample and channel, shape `(N, C, 1, ..., 1)`, broadcast over the spatial dimensions, and scale the
# kept channels by $1/(1-p)$; each sample of the batch gets its own mask. With no spatial dimension, `(N, C)`,
# this notebook keeps the same rule (one entry per sample and channel, which is elementwise dropout); torch's
# `F.dropout1d` would instead read a 2-D input as one unbatched `(C, L)` sample and drop whole rows.
#
# Implement `channel_dropout(x, p=0.5, training=True, generator=None)` for `x` of shape `(N, C, *spatial)` with any
# number of spatial dimensions (0 or more): identity when not training or $p=0$, zeros for $p=1$,
# `ValueError` unless `0 <= p <= 1`; `x` itself is not modified. Use plain differentiable torch operations (autograd does the backward pass).

# %% autograder={"forbidden": ["torch.nn.functional.dropout1d", "torch.nn.functional.dropout2d", "torch.nn.functional.dropout3d", "torch.feature_dropout", "torch.nn.Dropout1d", "torch.nn.Dropout2d", "torch.nn.Dropout3d", "torch.nn.functional.dropout", "torch.dropout"]} nbgrader={"grade": false, "grade_id": "channel_dropout_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="channel-dropout-impl"
def channel_dropout(x, p=0.5, training=True, generator=None):
    """Channel dropout (F.dropout2d on 4-D input): whole channels dropped, kept ones scaled by 1/(1-p)."""
    ### BEGIN SOLUTION
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return x
    shape = tuple(x.shape[:2]) + (1,) * (x.dim() - 2)
    mask = (torch.rand(shape, generator=generator) >= p).to(device=x.device, dtype=x.dtype)
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    return x * mask * scale
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "channel_dropout__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="channel-dropout--visible"
# Visible test: (8, 16, 5, 5), p = 0.5: every channel is all zero or all x / (1 - p).
# every call gets a copy of x: the expected values are computed from x itself
x = nonzero_input((8, 16, 5, 5), seed=200)
out = channel_dropout(x.clone(), 0.5, training=True, generator=make_generator(201))
kept = check_kept_or_zero("channel_dropout/values", out, x, 0.5, case="(8, 16, 5, 5), p=0.5")
per_channel = kept.reshape(8, 16, -1)
check_true("channel_dropout/whole_channels", bool((per_channel.all(-1) | ~per_channel.any(-1)).all()),
           "some channel is partly dropped", case="(8, 16, 5, 5), p=0.5",
           hint="one mask entry per (sample, channel), shape (N, C, 1, 1), broadcast over H and W")
check_close("channel_dropout/eval", channel_dropout(x.clone(), 0.5, training=False), x, case="training=False", rtol=0,
            atol=0, hint="eval mode: the identity")


# %% nbgrader={"grade": true, "grade_id": "channel_dropout__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="channel-dropout--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
def channel_mask(out, x, p, case):
    kept = check_kept_or_zero("channel_dropout/values_more", out, x, p, case=case)
    per_channel = kept.reshape(x.shape[0], x.shape[1], -1)
    check_true("channel_dropout/whole_channels_more", bool((per_channel.all(-1) | ~per_channel.any(-1)).all()),
               "some channel is partly dropped", case=case,
               hint="mask of shape (N, C, 1, ..., 1): one entry per (sample, channel)")
    return per_channel[..., 0]


# the input is not modified; the mask comes from the generator argument (same seed, same mask; global untouched)
x = nonzero_input((6, 8, 4, 4), seed=vary(240))
x_before = expected(x.clone())
rng_state = torch.get_rng_state()
a = channel_dropout(x, 0.5, True, make_generator(vary(241)))
check_close("channel_dropout/input_unchanged", x, x_before, case="x after channel_dropout(x, 0.5)", rtol=0, atol=0,
            hint="x must not change: no in-place operation on x (x *= mask), compute a new tensor")
b = channel_dropout(x, 0.5, True, make_generator(vary(241)))
check_true("channel_dropout/generator_seed", bool(torch.equal(a, b)),
           "two generators seeded alike gave different masks", case="two calls, generators with the same seed",
           hint="draw the mask from the generator argument: torch.rand(shape, generator=generator)")
check_true("channel_dropout/global_rng_untouched", bool(torch.equal(torch.get_rng_state(), rng_state)),
           "torch's global random state changed although a generator was given", case="generator given",
           hint="when a generator is given, draw only from it")
# fraction of dropped channels, and each sample its own mask
x = nonzero_input((64, 32, 3, 3), seed=vary(210))
for k, p in enumerate([0.3, 0.5]):
    m = channel_mask(channel_dropout(x, p, True, make_generator(vary(211 + k))), x, p, case=f"(64, 32, 3, 3), p={p}")
    compare_fraction("channel_dropout/fraction", ~m, p, case=f"(64, 32, 3, 3), p={p}, 2048 channels",
                     hint="drop each (sample, channel) with probability p")
    check_true("channel_dropout/per_sample", bool((m != m[:1]).any()),
               "every sample of the batch has the same channel mask", case=f"p={p}",
               hint="the mask has shape (N, C, 1, 1), not (1, C, 1, 1): each sample draws its own")
# other numbers of spatial dimensions
for k, shape in enumerate([(16, 8, 10), (4, 6, 2, 3, 3), (10, 12)]):
    x = nonzero_input(shape, seed=vary(220 + k))
    channel_mask(channel_dropout(x, 0.4, True, make_generator(vary(225 + k))), x, 0.4, case=f"shape {shape}")
# p = 0, p = 1, invalid p, gradient
x = nonzero_input((4, 5, 3, 3), seed=vary(230)).requires_grad_()
check_close("channel_dropout/p0", channel_dropout(x, 0.0, True, make_generator(vary(231))).detach(), x.detach(),
            case="p=0", rtol=0, atol=0, hint="p = 0: the identity")
check_close("channel_dropout/p1", channel_dropout(x, 1.0, True, make_generator(vary(232))).detach(),
            torch.zeros(4, 5, 3, 3, dtype=torch.float64), case="p=1", rtol=0, atol=0,
            hint="p = 1: zeros, without dividing by 0")
check_raises("channel_dropout/bad_p", lambda: channel_dropout(x, 1.2, True), ValueError, case="p=1.2")
out = channel_dropout(x, 0.5, True, make_generator(vary(233)))
mask = (out.detach() != 0).double()
g = torch.randn(4, 5, 3, 3, generator=make_generator(vary(234)), dtype=torch.float64)
out.backward(g)
check_close("channel_dropout/backward", x.grad, g * mask / 0.5, case="p=0.5", rtol=1e-12, atol=0, depends_on_answer=True,
            hint="use differentiable operations: the gradient is g * mask / (1 - p)")
### END HIDDEN TESTS

# %% [markdown] id="cell-013"
# ## 4. A model that uses dropout correctly
#
# `nn.Dropout` reads the module's `self.training` flag, which `model.train()` and `model.eval()` set on every
# submodule. The classic bug is the functional form without the flag: `F.dropout(h, p)` has `training=True` by
# default, so the "evaluated" model stays random; with `F.dropout` always pass `training=self.training`. A second
# classic bug: `torch.no_grad()` does **not** switch dropout off. It only stops autograd from recording the graph;
# dropout reads `self.training`, which only `model.eval()` (or `model.train(False)`) changes, so a prediction loop
# under `torch.no_grad()` without `model.eval()` (as in one of the seed articles) still drops units at random.
#
# Implement `DropoutMLP(n_in, n_hidden, n_out, p)`: three `nn.Linear` layers stored as `self.fc1`
# (`n_in → n_hidden`), `self.fc2` (`n_hidden → n_hidden`) and `self.fc3` (`n_hidden → n_out`), and
# $$\text{forward}(x)=\text{fc3}(\text{drop}(\text{relu}(\text{fc2}(\text{drop}(\text{relu}(\text{fc1}(x)))))))$$
# where `drop` is dropout with drop probability `p` (torch's `nn.Dropout` or `F.dropout`): after each hidden ReLU,
# not on the input and not on the output. In `eval()` mode the model is deterministic, in `train()` mode random;
# and it must train: a backward pass in `train()` mode gives the gradients of the thinned network that the forward
# pass drew (careful with `inplace=True`: the ReLU's backward pass needs its output unchanged).

# %% nbgrader={"grade": false, "grade_id": "model_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="model-impl"
class DropoutMLP(nn.Module):
    """n_in -> n_hidden -> n_hidden -> n_out with ReLU and dropout(p) after each hidden layer."""

    def __init__(self, n_in, n_hidden, n_out, p=0.5):
        super().__init__()
        ### BEGIN SOLUTION
        self.fc1 = nn.Linear(n_in, n_hidden)
        self.fc2 = nn.Linear(n_hidden, n_hidden)
        self.fc3 = nn.Linear(n_hidden, n_out)
        self.drop = nn.Dropout(p)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        h = self.drop(torch.relu(self.fc1(x)))
        h = self.drop(torch.relu(self.fc2(h)))
        return self.fc3(h)
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "model__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="model--visible"
# Visible test: deterministic in eval (and equal to the network without dropout), random in train.
torch.manual_seed(300)
model = DropoutMLP(20, 64, 5, p=0.5).double()
with torch.no_grad():  # the test's own weights: the values do not depend on the order the layers were created in
    for k, layer in enumerate([model.fc1, model.fc2, model.fc3]):
        bound = 1 / math.sqrt(layer.in_features)
        layer.weight.uniform_(-bound, bound, generator=make_generator(302 + 2 * k))
        layer.bias.uniform_(-bound, bound, generator=make_generator(303 + 2 * k))
x = torch.randn(32, 20, generator=make_generator(301), dtype=torch.float64)
with torch.no_grad():
    plain = expected(model.fc3(torch.relu(model.fc2(torch.relu(model.fc1(x))))))
    model.eval()
    a, b = model(x), model(x)
    check_close("model/eval", a, plain, case="eval()", rtol=1e-12, atol=1e-12,
                hint="in eval() dropout is the identity: use nn.Dropout, or F.dropout(..., training=self.training)")
    check_close("model/eval_deterministic", b, a, case="eval(), two calls", rtol=0, atol=0, depends_on_answer=True)
    model.train()
    a, b = model(x), model(x)
    check_true("model/train_random", bool((a != b).any()), "two forward passes in train() mode are identical",
               case="train()", hint="dropout must be active in train() mode")


# %% nbgrader={"grade": true, "grade_id": "model__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="model--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
def test_weights(model, seed):
    """Overwrite fc1..fc3 with the test's own weights: the values do not depend on how the layers were built."""
    with torch.no_grad():
        for k, layer in enumerate([model.fc1, model.fc2, model.fc3]):
            bound = 1 / math.sqrt(layer.in_features)
            layer.weight.uniform_(-bound, bound, generator=make_generator(vary(seed + 2 * k)))
            layer.bias.uniform_(-bound, bound, generator=make_generator(vary(seed + 2 * k + 1)))
    return model


def run_with_inputs(model, x):
    """Forward pass recording the inputs of fc2 and fc3 and the output of fc3."""
    seen = {}
    hooks = [model.fc2.register_forward_pre_hook(lambda m, args: seen.__setitem__("in2", args[0].detach())),
             model.fc3.register_forward_pre_hook(lambda m, args: seen.__setitem__("in3", args[0].detach())),
             model.fc3.register_forward_hook(lambda m, args, out: seen.__setitem__("out3", out.detach()))]
    try:
        out = model(x)
    finally:
        for h in hooks:
            h.remove()
    return out.detach(), seen


for k, p in enumerate([0.2, 0.6]):
    torch.manual_seed(vary(310 + k))
    model = test_weights(DropoutMLP(30, 400, 7, p=p).double().train(), seed=vary(700 + 10 * k))
    x = torch.randn(64, 30, generator=make_generator(vary(320 + k)), dtype=torch.float64)
    out, seen = run_with_inputs(model, x)
    with torch.no_grad():
        for name, h in [("in2", torch.relu(model.fc1(x))), ("in3", torch.relu(model.fc2(seen["in2"])))]:
            active = h > 0
            got = seen[name][active]
            kept = got != 0
            check_close("model/hidden_dropout", got, torch.where(kept, h[active] / (1 - p), torch.zeros_like(got)), depends_on_answer=True,
                        case=f"p={p}, input of {name[2:]}: relu(...) dropped or scaled", rtol=1e-10, atol=1e-12,
                        hint="dropout(p) after each hidden ReLU (not on the network's input), kept units x/(1-p)")
            compare_fraction("model/hidden_fraction", ~kept, p, case=f"p={p}, input of fc{name[2:]}",
                             hint="p is the drop probability: nn.Dropout(p)")
    check_close("model/no_output_dropout", out, seen["out3"], case=f"p={p}", rtol=0, atol=0, depends_on_answer=True,
                hint="no dropout on the output: return fc3(...) as it is")
# p = 0 in train() is the network without dropout; eval() gives no randomness at all
torch.manual_seed(vary(330))
model = test_weights(DropoutMLP(10, 50, 3, p=0.0).double().train(), seed=vary(720))
x = torch.randn(16, 10, generator=make_generator(vary(331)), dtype=torch.float64)
with torch.no_grad():
    check_close("model/p0", model(x), model.fc3(torch.relu(model.fc2(torch.relu(model.fc1(x))))), case="p=0",
                rtol=1e-12, atol=1e-12, hint="p = 0: no dropout")
torch.manual_seed(vary(332))
model = test_weights(DropoutMLP(10, 50, 3, p=0.9).double(), seed=vary(730))
model.train()
model.eval()
with torch.no_grad():
    _, seen = run_with_inputs(model, x)
    check_close("model/eval_more", seen["in2"], torch.relu(model.fc1(x)), case="p=0.9, train() then eval()",
                rtol=0, atol=0, hint="eval(): dropout is the identity")
check_true("model/layers", all(isinstance(getattr(model, n), nn.Linear) for n in ("fc1", "fc2", "fc3")),
           "fc1, fc2 and fc3 must be nn.Linear layers")
# training: a backward pass in train() mode gives the gradients of the thinned network the forward pass drew
torch.manual_seed(vary(340))
model = test_weights(DropoutMLP(12, 40, 4, p=0.5).double().train(), seed=vary(740))
x = torch.randn(16, 12, generator=make_generator(vary(341)), dtype=torch.float64)
g = torch.randn(16, 4, generator=make_generator(vary(342)), dtype=torch.float64)
torch.manual_seed(vary(343))
seen = {}  # the masks drawn, read back from the inputs of fc2 and fc3
hooks = [model.fc2.register_forward_pre_hook(lambda m, args: seen.__setitem__("in2", args[0].detach().clone())),
         model.fc3.register_forward_pre_hook(lambda m, args: seen.__setitem__("in3", args[0].detach().clone()))]
backward_error = ""
try:
    model(x).backward(g)
except RuntimeError as exc:
    backward_error = str(exc).splitlines()[0][:150]
finally:
    for hook in hooks:
        hook.remove()
check_true("model/backward", backward_error == "", f"the backward pass in train() mode failed: {backward_error}",
           case="p=0.5, train(), loss = (model(x) * g).sum()",
           hint="use out-of-place dropout (inplace=False): the ReLU's backward pass needs its output")
params = [t.detach().clone().requires_grad_() for t in (model.fc1.weight, model.fc1.bias, model.fc2.weight,
                                                         model.fc2.bias, model.fc3.weight, model.fc3.bias)]
w1, b1, w2, b2, w3, b3 = params
m1, m2 = (seen["in2"] != 0).double(), (seen["in3"] != 0).double()
h = torch.relu(nn.functional.linear(x, w1, b1)) * m1 / 0.5
h = torch.relu(nn.functional.linear(h, w2, b2)) * m2 / 0.5
(nn.functional.linear(h, w3, b3) * g).sum().backward()
for name, ref in zip(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"], params):
    layer, attr = name.split(".")
    check_close("model/backward_grad", getattr(getattr(model, layer), attr).grad, ref.grad, case=f"{name}, p=0.5",
                rtol=1e-9, atol=1e-12, depends_on_answer=True,
                hint="the gradient flows through the kept units only, scaled by 1 / (1 - p)")
### END HIDDEN TESTS

# %% [markdown] id="cell-017"
# ## 5. Locked (variational) dropout for sequences
#
# A recurrent network applies the same weights at every time step. Standard dropout with a new mask at every step
# injects fresh noise into every step, which destroys the long-range signal when it is applied to the recurrent state.
# **Variational dropout** (Gal & Ghahramani 2016b) derives from the Bayesian view (section 6) that the mask is a
# random draw of the *weights*, hence the **same mask at every time step** of a sequence. The mask is drawn anew for
# every sequence of the batch and at every forward pass (every training iteration); only the time steps within one
# pass share it. Applied to the inputs and outputs of an RNN layer this is called **locked dropout** (Merity et al.
# 2018, AWD-LSTM).
#
# Implement `locked_dropout(x, p=0.5, training=True, generator=None)` for `x` of shape `(T, N, D)` (time, batch,
# features, torch's default RNN layout): one Bernoulli(1-p) mask of shape `(1, N, D)`, shared across the `T` time
# steps, kept entries scaled by $1/(1-p)$; identity when not training or $p=0$; zeros for $p=1$; `ValueError` unless
# `0 <= p <= 1`; `x` itself is not modified.

# %% autograder={"forbidden": ["torch.nn.functional.dropout", "torch.dropout", "torch.nn.Dropout"]} nbgrader={"grade": false, "grade_id": "locked_dropout_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="locked-dropout-impl"
def locked_dropout(x, p=0.5, training=True, generator=None):
    """Locked dropout for (T, N, D): one mask per sequence and feature, shared across time; kept entries / (1-p)."""
    ### BEGIN SOLUTION
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return x
    mask = (torch.rand((1,) + tuple(x.shape[1:]), generator=generator) >= p).to(device=x.device, dtype=x.dtype)
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    return x * mask * scale
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "locked_dropout__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="locked-dropout--visible"
# Visible test: (T=12, N=4, D=32), p = 0.5: the same entries are dropped at every time step.
# every call gets a copy of x: the expected values are computed from x itself
x = nonzero_input((12, 4, 32), seed=400)
out = locked_dropout(x.clone(), 0.5, training=True, generator=make_generator(401))
kept = check_kept_or_zero("locked_dropout/values", out, x, 0.5, case="(12, 4, 32), p=0.5")
check_true("locked_dropout/same_mask_in_time", bool((kept == kept[:1]).all()),
           "the mask changes from one time step to the next", case="(12, 4, 32), p=0.5",
           hint="draw one mask of shape (1, N, D) and broadcast it over the T time steps")
check_close("locked_dropout/eval", locked_dropout(x.clone(), 0.5, training=False), x, case="training=False", rtol=0,
            atol=0, hint="eval mode: the identity")

# %% nbgrader={"grade": true, "grade_id": "locked_dropout__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="locked-dropout--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
# the input is not modified; the mask comes from the generator argument (same seed, same mask; global untouched)
x = nonzero_input((7, 6, 20), seed=vary(405))
x_before = expected(x.clone())
rng_state = torch.get_rng_state()
a = locked_dropout(x, 0.5, True, make_generator(vary(406)))
check_close("locked_dropout/input_unchanged", x, x_before, case="x after locked_dropout(x, 0.5)", rtol=0, atol=0,
            hint="x must not change: no in-place operation on x (x *= mask), compute a new tensor")
b = locked_dropout(x, 0.5, True, make_generator(vary(406)))
check_true("locked_dropout/generator_seed", bool(torch.equal(a, b)),
           "two generators seeded alike gave different masks", case="two calls, generators with the same seed",
           hint="draw the mask from the generator argument: torch.rand(shape, generator=generator)")
check_true("locked_dropout/global_rng_untouched", bool(torch.equal(torch.get_rng_state(), rng_state)),
           "torch's global random state changed although a generator was given", case="generator given",
           hint="when a generator is given, draw only from it")
for k, (shape, p) in enumerate([((20, 16, 64), 0.3), ((5, 32, 40), 0.6), ((1, 3, 7), 0.5)]):
    x = nonzero_input(shape, seed=vary(410 + k))
    out = locked_dropout(x, p, True, make_generator(vary(415 + k)))
    kept = check_kept_or_zero("locked_dropout/values_more", out, x, p, case=f"{shape}, p={p}")
    check_true("locked_dropout/same_mask_more", bool((kept == kept[:1]).all()),
               "the mask changes from one time step to the next", case=f"{shape}, p={p}",
               hint="one mask of shape (1, N, D), shared across time")
    if shape[1] * shape[2] >= 1000:
        compare_fraction("locked_dropout/fraction", ~kept[0], p, case=f"{shape}, p={p}, N*D mask entries",
                         hint="drop each (sequence, feature) with probability p")
        check_true("locked_dropout/per_sequence", bool((kept[0] != kept[0, :1]).any()),
                   "every sequence of the batch has the same mask", case=f"{shape}, p={p}",
                   hint="the mask has shape (1, N, D): each sequence draws its own")
x = nonzero_input((6, 4, 5), seed=vary(420)).requires_grad_()
check_close("locked_dropout/p0", locked_dropout(x, 0.0, True, make_generator(vary(421))).detach(), x.detach(),
            case="p=0", rtol=0, atol=0, hint="p = 0: the identity")
check_close("locked_dropout/p1", locked_dropout(x, 1.0, True, make_generator(vary(422))).detach(),
            torch.zeros(6, 4, 5, dtype=torch.float64), case="p=1", rtol=0, atol=0, hint="p = 1: zeros")
check_raises("locked_dropout/bad_p", lambda: locked_dropout(x, -0.5, True), ValueError, case="p=-0.5")
gen = make_generator(vary(423))
a, b = locked_dropout(x.detach(), 0.5, True, gen), locked_dropout(x.detach(), 0.5, True, gen)
check_true("locked_dropout/new_mask", bool(((a != 0) != (b != 0)).any()), "two calls drew the same mask",
           case="two calls, same generator", hint="a new mask for every call (every batch of sequences)")
out = locked_dropout(x, 0.25, True, make_generator(vary(424)))
mask = (out.detach() != 0).double()
g = torch.randn(6, 4, 5, generator=make_generator(vary(425)), dtype=torch.float64)
out.backward(g)
check_close("locked_dropout/backward", x.grad, g * mask / 0.75, case="p=0.25", rtol=1e-12, atol=0, depends_on_answer=True,
            hint="use differentiable operations: the gradient is g * mask / (1 - p)")
### END HIDDEN TESTS

# %% [markdown] id="cell-021"
# ## 6. Dropout as a Bayesian approximation: MC dropout
#
# Gal & Ghahramani (2016a) show that training a network with dropout (and weight decay) is approximate variational
# inference in a Bayesian neural network: the masked weights are samples from an approximate posterior over the
# weights. Keeping dropout **on** at test time and averaging $T$ stochastic forward passes estimates the predictive
# distribution:
# $$\hat\mu(x)=\frac1T\sum_{t=1}^T f_{\hat W_t}(x),\qquad
# \hat\sigma(x)=\Big(\frac1{T-1}\sum_{t=1}^T\big(f_{\hat W_t}(x)-\hat\mu(x)\big)^2\Big)^{1/2}.$$
# $\hat\mu$ is a Monte Carlo estimate of the ensemble average (the eval output is the cheaper weight-scaling
# approximation of it); $\hat\sigma$ measures the model's uncertainty, large where the thinned networks disagree.
#
# **$\hat\sigma^2$ is not the whole predictive variance.** It is only the spread of the passes (the model's part of the
# uncertainty). For **regression**, Gal & Ghahramani's predictive variance adds the observation noise:
# $$\operatorname{Var}[y]\approx\tau^{-1}I+\frac1T\sum_{t=1}^T f_{\hat W_t}(x)\,f_{\hat W_t}(x)^\top-\hat\mu\hat\mu^\top,$$
# with $\tau$ the model precision (which they derive from the prior length-scale, the dropout probability, the
# weight decay and the number of training examples), and $1/T$ rather than $1/(T-1)$; without the $\tau^{-1}$ term
# the predictive variance is underestimated. For classification the prediction is the averaged softmax $\hat\mu$,
# and the spread of the passes measures how much the thinned networks disagree.
#
# **Only dropout is switched on.** Every other layer must stay in eval mode: batch normalization in train mode would
# normalize with the statistics of the test batch (so predictions depend on the other inputs) and would update its
# running statistics. `model.train()` is therefore wrong; switch the whole model to `eval()` and then only the
# dropout modules to train mode: every instance of `DROPOUT_TYPES` (`nn.Dropout`, `nn.Dropout1d/2d/3d`,
# `nn.AlphaDropout`, ...) anywhere in the model, nested containers included (`model.modules()`, not
# `model.children()`). Afterwards, **restore every submodule's original mode** (a model handed over in `train()`
# mode, or with mixed modes, must come back exactly as it was), also if a forward pass raises: set
# `module.training` on each module from a saved copy (note that `module.train(mode)` is recursive).
#
# Implement `mc_predict(model, x, T=100)`: $T\ge2$ stochastic forward passes (`model(x)` called $T$ times)
# without building a graph (`torch.no_grad()`), returning `(mean, std)` with the shape of `model(x)`; `std` is the
# sample standard deviation with torch's default correction ($T-1$), as `torch.std(samples, dim=0)`. Dropout
# draws from torch's global generator.
#
# **A closed form to check it.** For `nn.Sequential(nn.Dropout(p), nn.Linear(D, K))` the output
# $y_k=b_k+\sum_j W_{kj}x_jm_j/(1-p)$ has mean $b_k+\sum_jW_{kj}x_j$ (the eval output) and variance
# $$\operatorname{Var}(y_k)=\frac{p}{1-p}\sum_j (W_{kj}x_j)^2 .$$

# %% nbgrader={"grade": false, "grade_id": "mc_predict_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="mc-predict-impl"
def mc_predict(model, x, T=100):
    """Mean and std over T passes with only the dropout modules in train mode; every module's mode restored."""
    ### BEGIN SOLUTION
    modes = [(m, m.training) for m in model.modules()]
    try:
        model.eval()
        for m in model.modules():
            if isinstance(m, DROPOUT_TYPES):
                m.train()
        with torch.no_grad():
            samples = torch.stack([model(x) for _ in range(T)])
    finally:
        for m, mode in modes:
            m.training = mode
    return samples.mean(dim=0), samples.std(dim=0)
    ### END SOLUTION


# %% [markdown] id="cell-023"
# The next cell holds the closed-form reference for the tests: for a batch of inputs $h$ (rows) feeding
# `Dropout(p)` then a linear layer $(W,b)$, `mc_reference` returns the exact mean and standard deviation of the output
# and the 6-standard-error bounds for $\hat\mu$ and $\hat\sigma$ over $T$ passes: $6\sigma/\sqrt T$ for the mean, and
# for the standard deviation $6\cdot\tfrac{\sigma}{2}\sqrt{2/(T-1)+\kappa/T}$ (the delta method on
# $\operatorname{Var}(\hat\sigma^2)=\sigma^4(2/(T-1)+\kappa/T)$, with $\kappa$ the excess kurtosis of the output, exact
# here from the cumulants of the Bernoulli mask).

# %% nbgrader={"grade": false, "grade_id": "mc_helpers", "locked": true, "schema_version": 3, "solution": false, "task": false} id="mc-helpers"
def mc_reference(h, weight, bias, p, T):
    """Exact mean/std of bias + W (h * m / (1 - p)) and 6-standard-error bounds for T-sample estimates."""
    q = 1.0 - p
    a = h.unsqueeze(1) * weight.unsqueeze(0)  # (N, K, D): w_kj h_j
    mean = h @ weight.T + bias
    k2 = (a ** 2).sum(-1) * p / q  # variance
    k4 = (a ** 4).sum(-1) * q * p * (1 - 6 * q * p) / q ** 4  # fourth cumulant
    std = k2.sqrt()
    kurt = torch.where(k2 > 0, k4 / k2.clamp_min(1e-300) ** 2, torch.zeros_like(k2))
    mean_bound = 6 * std / math.sqrt(T)
    std_bound = 6 * std / 2 * torch.sqrt(2 / (T - 1) + kurt.clamp_min(0) / T)
    return mean, std, mean_bound, std_bound


def check_mc(check_id, got_mean, got_std, h, weight, bias, p, T, case, hint=""):
    mean, std, mean_bound, std_bound = expected(mc_reference(h, weight, bias, p, T))
    check_equal(check_id + "/shape", (tuple(got_mean.shape), tuple(got_std.shape)), (tuple(mean.shape),) * 2,
                case=case, hint="mean and std have the shape of model(x)")
    # one bound per output (the exact values stay on the expected side); the shapes were checked just above
    for i in np.ndindex(tuple(got_mean.shape)):
        check_within(check_id + "/mean", float(got_mean[i]), mean[i] - mean_bound[i], mean[i] + mean_bound[i],
                     case=case, hint=hint, why=f"output {list(i)}: within 6 sigma / sqrt(T) of the exact mean, T={T}")
    for i in np.ndindex(tuple(got_std.shape)):
        check_within(check_id + "/std", float(got_std[i]), std[i] - std_bound[i], std[i] + std_bound[i],
                     case=case, hint=hint,
                     why=f"output {list(i)}: within 6 standard errors of the sample std of the exact std, T={T}")


# %% nbgrader={"grade": true, "grade_id": "mc_predict__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="mc-predict--visible"
# Visible test: Dropout(0.5) -> Linear(10, 3), model in eval(): exact mean and std (6 standard errors).
torch.manual_seed(500)
model = nn.Sequential(nn.Dropout(0.5), nn.Linear(10, 3)).double().eval()
x = torch.randn(4, 10, generator=make_generator(501), dtype=torch.float64)
torch.manual_seed(502)
mean, std = mc_predict(model, x, T=2000)
check_mc("mc_predict/closed_form", mean, std, x, model[1].weight.detach(), model[1].bias.detach(), 0.5, 2000,
         case="Dropout(0.5) -> Linear(10, 3)", hint="dropout on in every pass; mean and std over the T outputs")
check_true("mc_predict/restored_eval", (not model.training) and (not model[0].training),
           "the model must be back in eval() mode afterwards", hint="save every module's mode and restore it")


# %% nbgrader={"grade": true, "grade_id": "mc_predict__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="mc-predict--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
# batch norm before the dropout must stay in eval mode (running statistics, not the batch's)
def bn_model(p, seed):
    torch.manual_seed(vary(seed))
    net = nn.Sequential(nn.Linear(6, 12), nn.BatchNorm1d(12), nn.ReLU(), nn.Dropout(p), nn.Linear(12, 2)).double()
    with torch.no_grad():
        net[1].running_mean.uniform_(-1.0, 1.0)
        net[1].running_var.uniform_(0.2, 3.0)
    return net


x = torch.randn(8, 6, generator=make_generator(vary(510)), dtype=torch.float64) * 2 + 1
stat_names = ["running_mean", "running_var", "num_batches_tracked"]
def bn_case(k, p, start):
    net = bn_model(p, 520 + k)
    net.train()
    if start == "eval":
        net.eval()
    if start == "mixed":
        net[4].eval()
    modes = [m.training for m in net.modules()]
    stats = expected({name: getattr(net[1], name).clone() for name in stat_names})
    with torch.no_grad():
        h = expected(net[2](nn.functional.batch_norm(net[0](x), net[1].running_mean, net[1].running_var,
                                                     net[1].weight, net[1].bias, training=False, eps=net[1].eps)))
    torch.manual_seed(vary(530 + k))
    mean, std = mc_predict(net, x, T=1000)
    check_mc("mc_predict/batchnorm", mean, std, h, net[4].weight.detach(), net[4].bias.detach(), p, 1000,
             case=f"Linear -> BatchNorm1d -> ReLU -> Dropout({p}) -> Linear, model in {start} mode",
             hint="everything but dropout in eval mode: batch norm uses its running statistics")
    check_true("mc_predict/modes_restored", [m.training for m in net.modules()] == modes,
               f"the modes of the modules are not restored (model handed over in {start} mode)",
               case=f"started in {start} mode", hint="save module.training for every module, restore each one")
    for name in stat_names:
        check_equal("mc_predict/running_stats", getattr(net[1], name), stats[name],
                    case=f"{name}, started in {start} mode",
                    hint="batch norm in train mode updates its running statistics: keep it in eval mode")


n_threads = torch.get_num_threads()
torch.set_num_threads(1)  # tiny batch-norm passes: synchronising threads would cost far more than the work
try:
    for k, (p, start) in enumerate([(0.3, "eval"), (0.6, "train"), (0.5, "mixed")]):
        bn_case(k, p, start)
finally:
    torch.set_num_threads(n_threads)
# a wider closed-form case, and no graph built
torch.manual_seed(vary(540))
model = nn.Sequential(nn.Dropout(0.2), nn.Linear(30, 5)).double().eval()
x = torch.randn(3, 30, generator=make_generator(vary(541)), dtype=torch.float64, requires_grad=True)
torch.manual_seed(vary(542))
mean, std = mc_predict(model, x, T=1500)
check_true("mc_predict/no_grad", (not mean.requires_grad) and (not std.requires_grad),
           "the outputs carry a graph", hint="run the passes under torch.no_grad()")
check_mc("mc_predict/closed_form_more", mean.detach(), std.detach(), x.detach(), model[1].weight.detach(),
         model[1].bias.detach(), 0.2, 1500, case="Dropout(0.2) -> Linear(30, 5)")
# a forward pass that raises leaves the model as it was
class Boom(nn.Module):
    def forward(self, x):
        raise RuntimeError("boom")


net = nn.Sequential(nn.Dropout(0.5), nn.BatchNorm1d(4), Boom()).train()
net[1].eval()
modes = [m.training for m in net.modules()]
check_raises("mc_predict/raises", lambda: mc_predict(net, torch.zeros(2, 4), T=3), RuntimeError,
             case="a model whose forward raises", hint="let the error through")
check_true("mc_predict/restored_after_error", [m.training for m in net.modules()] == modes,
           "after an error the modes are not restored", hint="restore the modes in a finally: block")
# exact values: a dropout module whose k-th pass multiplies by factors[k % T] (known samples), after a
# BatchNorm2d that must stay in eval mode, inside a nested container; std with the T - 1 divisor
class CycleDropout(nn.Dropout):
    """nn.Dropout whose train-mode passes multiply by a fixed cycle of factors, so mean and std are exact."""

    def __init__(self, factors):
        super().__init__(p=0.5)
        self.factors = factors
        self.calls = 0

    def forward(self, x):
        if not self.training:
            return x
        factor = self.factors[self.calls % len(self.factors)]
        self.calls += 1
        return x * factor


factors = [2.0, 0.0, 2.0, 2.0, 0.0]
torch.manual_seed(vary(550))
net = nn.Sequential(nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(8, 6),
                    nn.Sequential(nn.ReLU(), CycleDropout(factors)), nn.Linear(6, 3)).double()
with torch.no_grad():
    net[0].running_mean.uniform_(-1.0, 1.0)
    net[0].running_var.uniform_(0.2, 3.0)
net.train()
net[0].eval()
net[3][1].eval()
modes = [m.training for m in net.modules()]
stats = expected({name: getattr(net[0], name).clone() for name in stat_names})
x = torch.randn(4, 2, 2, 2, generator=make_generator(vary(551)), dtype=torch.float64)
with torch.no_grad():  # the T known passes by hand: the expected side
    h = expected(torch.relu(net[2](nn.functional.batch_norm(x, net[0].running_mean, net[0].running_var, net[0].weight,
                                                            net[0].bias, training=False, eps=net[0].eps).flatten(1))))
    samples = expected(torch.stack([net[4](h * f) for f in factors]))
mean, std = mc_predict(net, x, T=len(factors))
case = "BatchNorm2d -> Flatten -> Linear -> Sequential(ReLU, dropout) -> Linear, T=5 known passes"
check_close("mc_predict/exact_mean", mean, samples.mean(dim=0), case=case, rtol=1e-10, atol=1e-12,
            hint="T passes model(x) with only the dropout modules in train mode (search model.modules(), nested "
                 "containers too), batch norm in eval mode; the mean over the passes")
check_close("mc_predict/exact_std", std, samples.std(dim=0), case=case, rtol=1e-9, atol=1e-12,
            hint="the sample standard deviation with torch's default correction: divide by T - 1, not T")
for name in stat_names:
    check_equal("mc_predict/running_stats_2d", getattr(net[0], name), stats[name], case=f"BatchNorm2d {name}",
                hint="every batch norm (BatchNorm1d, 2d, 3d) stays in eval mode")
check_true("mc_predict/modes_restored_nested", [m.training for m in net.modules()] == modes,
           "the modes of the modules are not restored (nested container, mixed modes)",
           case="model in train mode, its batch norm and its nested dropout in eval mode",
           hint="save module.training for every module of model.modules(), restore each one")
# every dropout kind is switched on: nn.Dropout1d inside a nested container, 40 passes
torch.manual_seed(vary(560))
net = nn.Sequential(nn.Linear(5, 6), nn.Sequential(nn.ReLU(), nn.Dropout1d(0.5)), nn.Linear(6, 2)).double().eval()
with torch.no_grad():  # positive weights, bias and input: every unit is on before the dropout, whatever the draw
    net[0].weight.abs_()
    net[0].bias.abs_().add_(0.1)
x = torch.randn(4, 3, 5, generator=make_generator(vary(561)), dtype=torch.float64).abs() + 1.0
torch.manual_seed(vary(562))
mean, std = mc_predict(net, x, T=40)
check_true("mc_predict/every_dropout_kind", bool((std > 0).all()),
           "some outputs do not vary over the passes: a dropout module was not switched on",
           case="Linear -> Sequential(ReLU, Dropout1d(0.5)) -> Linear, input (4, 3, 5), T=40",
           hint="switch on every instance of DROPOUT_TYPES (nn.Dropout1d/2d/3d, nn.AlphaDropout, ...) found by "
                "model.modules()")
### END HIDDEN TESTS

# %% [markdown] id="cell-027"
# **Concept check (1 point).** A hidden unit with activation $a$ is kept with probability $q=1-p$. Which line is
# right about *both* conventions?
#
# - `"a"`: original dropout multiplies kept units by $1/q$ during training and the weights by $q$ at test time;
#   inverted dropout does neither
# - `"b"`: original dropout does not scale during training and multiplies the outgoing weights by $q$ at test time;
#   inverted dropout (PyTorch) divides the kept units by $q$ during training and is the identity at test time
# - `"c"`: both conventions divide by $1-p$ at test time, because that is when the unit is always present
# - `"d"`: inverted dropout does not scale during training and multiplies by $1-p$ at test time
#
# Set `ANSWER_SCALING` to the letter.

# %% nbgrader={"grade": false, "grade_id": "concept_scaling_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="concept-scaling-impl"
ANSWER_SCALING = None  # one of "a", "b", "c", "d"
### BEGIN SOLUTION
ANSWER_SCALING = "b"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "concept_scaling__visible", "locked": true, "points": 0, "schema_version": 3, "solution": false, "task": false} id="concept-scaling--visible"
check_true("concept_scaling/format", ANSWER_SCALING in ("a", "b", "c", "d"),
           f'ANSWER_SCALING must be one of "a", "b", "c", "d"; got {ANSWER_SCALING!r}')

# %% nbgrader={"grade": true, "grade_id": "concept_scaling__hidden", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="concept-scaling--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
check_equal("concept_scaling/answer", ANSWER_SCALING, "b",
            hint="both make the test-time activation equal to the expected training activation")
### END HIDDEN TESTS

# %% [markdown] id="cell-031"
# **Concept check (1 point).** A classifier trained with `nn.Dropout(0.5)` (inverted dropout) is used for
# predictions. Why must it be switched to `model.eval()` first?
#
# - `"a"`: in train mode its activations are on average twice too large, since the kept units are scaled by
#   $1/(1-p)=2$
# - `"b"`: in train mode every prediction comes from one randomly thinned network: it is noisy and changes from call
#   to call; eval mode uses the full network, whose output approximates the average over all thinned networks
# - `"c"`: in train mode autograd builds a graph, which changes the predicted values
# - `"d"`: in train mode dropout would keep only a fraction $p$ of the units instead of $1-p$
#
# Set `ANSWER_EVAL` to the letter.

# %% nbgrader={"grade": false, "grade_id": "concept_eval_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="concept-eval-impl"
ANSWER_EVAL = None  # one of "a", "b", "c", "d"
### BEGIN SOLUTION
ANSWER_EVAL = "b"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "concept_eval__visible", "locked": true, "points": 0, "schema_version": 3, "solution": false, "task": false} id="concept-eval--visible"
check_true("concept_eval/format", ANSWER_EVAL in ("a", "b", "c", "d"),
           f'ANSWER_EVAL must be one of "a", "b", "c", "d"; got {ANSWER_EVAL!r}')

# %% nbgrader={"grade": true, "grade_id": "concept_eval__hidden", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="concept-eval--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
check_equal("concept_eval/answer", ANSWER_EVAL, "b",
            hint="inverted dropout preserves the mean; the problem is the randomness of one thinned network")
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": true, "grade_id": "written_weight_scaling", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false} id="written-weight-scaling"
# **Written answer (2 points, graded by hand).** For one linear unit $y=\sum_j w_jh_jm_j/(1-p)$ after an inverted
# dropout layer, show that the eval output $\sum_j w_jh_j$ is exactly the average of $y$ over all masks
# weighted by their probabilities (its expectation over the masks). Why is the
# eval output of a deep network with dropout between nonlinear layers only an *approximation* of the ensemble's
# average prediction, and what does MC dropout compute instead? Three to six sentences.
#
# ### BEGIN SOLUTION
# The masks are independent with $\mathbb E[m_j]=1-p$, so averaging over all $2^n$ masks weighted by their
# probabilities gives $\mathbb E[y]=\sum_j w_jh_j\,\mathbb E[m_j]/(1-p)=\sum_j w_jh_j$ by linearity of expectation:
# the eval output is the exact ensemble mean for a linear unit (with original dropout, scaling the weights by $1-p$
# at test time gives the same). In a deep network the output of a thinned network passes through nonlinearities
# $\phi$ (ReLU, softmax) after the dropout layers, and $\mathbb E[\phi(z)]\ne\phi(\mathbb E[z])$ in general, so
# propagating the *mean* activations (the weight-scaling rule) only approximates the average prediction of the
# ensemble (for one dropout layer feeding a softmax output it gives exactly the normalized geometric mean of the
# thinned networks' predictions, Hinton et al. 2012). MC dropout
# instead samples $T$ thinned networks and averages their outputs, an unbiased Monte Carlo estimate of the ensemble
# average whose error shrinks as $1/\sqrt T$, and the spread of the samples estimates the predictive uncertainty
# (Gal & Ghahramani 2016).
# ### END SOLUTION

# %% [markdown] id="cell-036"
# ## 7. Experiments
#
# The experiments below are not graded. They use torch's `nn.Dropout` (so they run before you finish the items) and
# your `mc_predict` in 7.3 (skipped until it is implemented). With `FAST=True` they are shortened. Data: MNIST-1D
# (Greydanus 2020), 4000 training and 1000 test sequences of length 40, 10 classes; we use the test split as the
# validation set. The model is an MLP `40 → 256 → 256 → 10` with ReLU and dropout after each hidden layer, trained
# with Adam.
#
# ### 7.1 A dropout-rate sweep

# %% id="cell-037"
if device.type == "cpu":
    # Models this small run faster on one CPU thread: synchronising threads costs more than it saves.
    torch.set_num_threads(1)

data = load_dataset("mnist1d")
x_all, y_all = data.x_train.to(device), data.y_train.to(device)
x_val, y_val = data.x_test.to(device), data.y_test.to(device)
width = 128 if FAST else 256


def make_net(p, seed=SEED):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(40, width), nn.ReLU(), nn.Dropout(p), nn.Linear(width, width), nn.ReLU(),
                         nn.Dropout(p), nn.Linear(width, data.num_classes)).to(device)


def accuracy(net, x, y):
    net.eval()
    with torch.no_grad():
        return float((net(x).argmax(-1) == y).float().mean())


def fit(p, n_train, steps, eval_every, lr=2e-3, batch_size=128, seed=SEED):
    """Train on the first n_train examples; return the net and the train/val accuracy every eval_every steps."""
    net = make_net(p, seed)
    x, y = x_all[:n_train], y_all[:n_train]
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    hist = {"train": [], "val": []}
    step = 0
    while step < steps:
        perm = torch.randperm(n_train, generator=gen).to(device)
        for i in range(0, n_train, batch_size):
            net.train()
            idx = perm[i:i + batch_size]
            loss = nn.functional.cross_entropy(net(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            if step % eval_every == 0:
                hist["train"].append(accuracy(net, x, y))
                hist["val"].append(accuracy(net, x_val, y_val))
            if step == steps:
                break
    return net, hist


rates = [0.0, 0.5] if FAST else [0.0, 0.2, 0.5, 0.7]
steps = 60 if FAST else 1000
n_sweep = 1000 if FAST else 4000
runs = {p: fit(p, n_sweep, steps, eval_every=max(steps // 20, 1)) for p in rates}
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for ax, split in zip(axes, ["train", "val"]):
    plot_curves({f"p={p}": h[split] for p, (_, h) in runs.items()}, title=f"{split} accuracy",
                xlabel=f"evaluation (every {max(steps // 20, 1)} steps)", ylabel="accuracy", ax=ax)
plt.tight_layout()
plt.show()
for p, (_, h) in runs.items():
    print(f"p={p}: train {h['train'][-1]:.3f}  val {h['val'][-1]:.3f}  gap {h['train'][-1] - h['val'][-1]:+.3f}")

# %% [markdown] id="cell-038"
# What to see: without dropout the training accuracy climbs towards 1 while the validation accuracy stalls: the gap
# is over-fitting. Dropout shrinks the gap; a moderate rate usually gives the best validation accuracy, while a very
# large one slows training down and under-fits (training accuracy is measured in eval mode, so it is not lowered by
# the dropout noise itself).
#
# ### 7.2 Dropout against no dropout for several training-set sizes
#
# Same number of steps as in 7.1 for every size (the runs of 7.1 are reused for its size); final validation
# accuracy with $p=0$ and $p=0.5$.

# %% id="cell-039"
sizes = [250, 1000] if FAST else [250, 1000, 4000]
table = {}
for n in sizes:
    for p in [0.0, 0.5]:
        h = runs[p][1] if n == n_sweep else fit(p, n, steps, eval_every=steps)[1]
        table[(n, p)] = (h["train"][-1], h["val"][-1])
print(" n_train | val (p=0) | val (p=0.5) | gap (p=0) | gap (p=0.5)")
for n in sizes:
    (t0, v0), (t5, v5) = table[(n, 0.0)], table[(n, 0.5)]
    print(f"{n:8d} | {v0:9.3f} | {v5:11.3f} | {t0 - v0:9.3f} | {t5 - v5:11.3f}")
fig, ax = plt.subplots(figsize=(6, 4))
for p in [0.0, 0.5]:
    ax.plot(sizes, [table[(n, p)][1] for n in sizes], marker="o", label=f"p={p}")
ax.set_xscale("log")
ax.set_xlabel("training-set size")
ax.set_ylabel("validation accuracy")
ax.grid(True, alpha=0.3)
ax.legend()
plt.show()

# %% [markdown] id="cell-040"
# What to see: dropout narrows the train/validation gap at every size. With `FAST=False` (seed 0, on a CPU; another
# machine may differ in the last digits) this run prints validation accuracies 0.292 / 0.317 (p=0 / p=0.5) at 250
# examples, 0.457 / 0.520 at 1000 and 0.641 / 0.636 at 4000: a gain at 1000, little at 250 where nothing generalizes
# well. The 4000 row does **not** show that dropout stops helping with more data: every size gets the same 1000 steps
# (32 epochs at 4000 examples), and at 4000 the p=0.5 network is still under-trained, training accuracy 0.768 against
# 1.000 without dropout (printed in 7.1), so its smaller gap (0.132 against 0.359) comes partly from under-fitting. A
# fair comparison trains each network to convergence (dropout needs more steps) and picks the best epoch on validation
# data. (Srivastava et al. 2014, section 7.4, trained to convergence and found little gain on very small data sets and
# a shrinking one as the data grow.)
#
# ### 7.3 MC-dropout uncertainty in and out of distribution
#
# We take the network trained with the largest dropout rate of 7.1 and run `mc_predict` on its softmax
# probabilities for validation inputs (in distribution) and for two kinds of out-of-distribution inputs: pure
# Gaussian noise of the same scale, and validation inputs multiplied by 4. We compare the predictive entropy of the
# mean probabilities and the standard deviation (over the passes) of the winning class's probability.

# %% id="cell-041"
T_mc = 20 if FAST else 100
net = runs[rates[-1]][0]
prob_model = nn.Sequential(net, nn.Softmax(dim=-1))
gen = make_generator(SEED)
inputs = {
    "validation (in)": x_val,
    "Gaussian noise (out)": torch.randn(x_val.shape, generator=gen).to(device),
    "4 x validation (out)": 4 * x_val,
}
try:
    torch.manual_seed(SEED)
    results = {}
    for name, xs in inputs.items():
        mean, std = mc_predict(prob_model, xs, T=T_mc)
        entropy = -(mean * mean.clamp_min(1e-12).log()).sum(-1)
        top_std = std.gather(-1, mean.argmax(-1, keepdim=True)).squeeze(-1)
        results[name] = (entropy.cpu(), top_std.cpu())
        print(f"{name:>22}: mean entropy {float(entropy.mean()):.3f} (max {math.log(10):.3f}), "
              f"mean std of the top probability {float(top_std.mean()):.3f}")
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for name, (entropy, top_std) in results.items():
        axes[0].hist(entropy.numpy(), bins=30, alpha=0.5, label=name)
        axes[1].hist(top_std.numpy(), bins=30, alpha=0.5, label=name)
    axes[0].set_xlabel("predictive entropy of the MC mean")
    axes[1].set_xlabel("std of the top-class probability over the passes")
    for ax in axes:
        ax.legend()
    plt.tight_layout()
    plt.show()
except NotImplementedError:
    print("mc_predict is not implemented yet: skipped")

# %% [markdown] id="cell-042"
# What to see (with `FAST=False`): Gaussian noise, unlike any training sequence, gets a higher predictive entropy
# than the validation inputs (with a spread across the thinned networks about as large). The scaled inputs get a
# larger spread, but a much *lower* entropy: far from the data a ReLU network is piecewise linear, its logits grow with the
# input's scale, and the averaged prediction becomes confident (a well-known failure of such networks far from the
# data). MC dropout's uncertainty is a useful signal, not a guarantee.
#
# ## Summary and references
#
# | | training (`train()`) | inference (`eval()`) |
# |---|---|---|
# | original dropout | $m\odot h$, $m_j\sim\text{Bernoulli}(1-p)$ | weights $\times(1-p)$ |
# | inverted dropout (PyTorch `nn.Dropout(p)`) | $m\odot h/(1-p)$ | identity |
# | channel dropout (`nn.Dropout2d`) | mask $(N,C,1,1)$, kept channels $/(1-p)$ | identity |
# | locked / variational dropout | mask $(1,N,D)$ shared over time, $/(1-p)$ | identity |
# | MC dropout | - | dropout on, rest eval; mean and std of $T$ passes |
#
# $p$ is the drop probability; $\mathbb E[\tilde h]=h$, $\operatorname{Var}[\tilde h]=h^2p/(1-p)$ for inverted dropout.
#
# - G. E. Hinton, N. Srivastava, A. Krizhevsky, I. Sutskever, R. Salakhutdinov (2012). Improving neural networks by
#   preventing co-adaptation of feature detectors. arXiv:1207.0580.
# - N. Srivastava, G. Hinton, A. Krizhevsky, I. Sutskever, R. Salakhutdinov (2014). Dropout: a simple way to prevent
#   neural networks from overfitting. *JMLR* 15.
# - J. Tompson, R. Goroshin, A. Jain, Y. LeCun, C. Bregler (2015). Efficient object localization using convolutional
#   networks. CVPR (spatial dropout).
# - Y. Gal, Z. Ghahramani (2016a). Dropout as a Bayesian approximation: representing model uncertainty in deep
#   learning. ICML.
# - Y. Gal, Z. Ghahramani (2016b). A theoretically grounded application of dropout in recurrent neural networks.
#   NeurIPS.
# - S. Merity, N. S. Keskar, R. Socher (2018). Regularizing and optimizing LSTM language models. ICLR.
# - X. Li, S. Chen, X. Hu, J. Yang (2019). Understanding the disharmony between dropout and batch normalization by
#   variance shift. CVPR.
# - S. Greydanus (2020). Scaling down deep learning (MNIST-1D). arXiv:2011.14439.
#
# The course note `course/notes/05_dropout.md` summarises all of this, with a glossary of English and Chinese terms.
