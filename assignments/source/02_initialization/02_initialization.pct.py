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
# # 02 · Initialization: where training starts
#
# Gradient descent starts from the initial weights, and a bad start can make a deep network untrainable before the
# first step: the signal dies out (vanishing) or blows up (exploding) on its way through the layers, or all hidden
# units stay identical forever. This notebook derives the **variance-scaling** rules and implements the
# initializers of `torch.nn.init`, **with torch's conventions**, checked against torch:
#
# | item | you implement | points |
# |---|---|---|
# | `fan` | fan-in and fan-out of Linear and Conv weights | 3 |
# | `gain` | `calculate_gain` for the usual nonlinearities | 3 |
# | `xavier` | Xavier/Glorot uniform and normal | 3 |
# | `kaiming` | Kaiming/He uniform and normal, `mode` and `nonlinearity` | 3 |
# | `orthogonal` | orthogonal initialization with gain | 3 |
# | `init_model` | initialize a whole model by a scheme | 3 |
# | `concept_*` | two multiple-choice checks | 2 × 1 |
# | `written_relu_gain` | one short written answer (graded by hand) | 2 |
#
# Then you run experiments: activation statistics through a 50-layer MLP, the symmetry problem of a constant
# initialization, and training curves on the scikit-learn digits under several schemes.
#
# **Rules.** In each solution cell, replace the two lines `# YOUR CODE HERE` and `raise NotImplementedError()` by
# your code. Do not change the other lines of the cell, and do not rename the functions. Each item is independent:
# a broken item only costs its own points (that is why the later items use torch's own fans and gains, given in
# the helpers cell, rather than yours). The test cells use the course's checking API: a failing check tells you the
# case, the expected and obtained values and by how much they differ. Random initializers are checked by
# **statistics** of a large tensor (mean, standard deviation, range) with a stated bound (6 standard errors), never
# against torch's exact draws, so any correct way of drawing the numbers passes. Hidden tests probe more shapes
# (conv weights, wide and tall matrices), non-default gains, modes and nonlinearities, `nn.Parameter`s and views,
# the use of `generator`, and whole models with nested modules that must still train afterwards.

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
# The next cell holds the helpers that the test cells use. `compare_stats` checks the sample mean and standard
# deviation of a large tensor against the expected ones, with a 6-standard-error bound: the standard error of the
# mean of $n$ samples is $\sigma/\sqrt n$, that of the sample standard deviation about $\sigma/\sqrt{2n}$ for a
# normal sample (smaller for a uniform one), so a correct initializer fails with probability below $10^{-8}$, while
# a standard deviation off by a few percent fails. `compare_uniform_range` checks that all samples lie in
# $[-b, b]$ and that the largest $|w|$ of $n$ samples is within $(20/n)\,b$ of $b$ (the chance that $n$ uniform
# samples all stay below $(1-20/n)\,b$ is $(1-20/n)^n < e^{-20}$). `check_in_place`, `check_generator` and
# `check_fills_view` check the conventions of section 4 (in place, same object, only `generator` draws, `None`
# draws from the global generator, a view is written through). `torch_fans` and `torch_gain` are torch's own
# functions: use them in the items after `fan` and `gain`. Read it, you do not need to change it.

# %% nbgrader={"grade": false, "grade_id": "helpers", "locked": true, "schema_version": 3, "solution": false, "task": false} id="helpers"
torch_fans = torch.nn.init._calculate_fan_in_and_fan_out  # (fan_in, fan_out) of a weight tensor
torch_gain = torch.nn.init.calculate_gain  # recommended gain of a nonlinearity


def compare_stats(check_id, w, std, case, hint=""):
    """Sample mean within 6 sigma/sqrt(n) of 0 and sample std within 6 sigma/sqrt(2n) of `std` (w.p. > 1 - 1e-8)."""
    x = w.detach().to(torch.float64).flatten()
    n = expected(x.numel())  # used only by the bounds, the expected side
    mean_bound = expected(6 * std / math.sqrt(n))  # std is the expected side (withheld while grading)
    std_bound = expected(6 * std / math.sqrt(2 * n))
    check_within(check_id + "/mean", float(x.mean()), -mean_bound, mean_bound, case=case,
                 why=expected(f"6 standard errors of the mean of {n} samples of std {std:.5g}"), hint=hint)
    check_within(check_id + "/std", float(x.std()), std - std_bound, std + std_bound, case=case,
                 why=expected(f"expected std {std:.5g}, 6 standard errors of the sample std of {n} samples"),
                 hint=hint)


def compare_uniform_range(check_id, w, bound, case, hint=""):
    """All |w| <= bound (to float32 rounding) and max |w| >= (1 - 20/n) bound: P(fail) = (1 - 20/n)^n < e^-20."""
    n = expected(w.numel())
    top = float(w.detach().abs().max())
    check_within(check_id + "/max_abs", top, bound * (1 - 20 / n), bound * (1 + 1e-6), case=case,
                 why=expected(f"U(-b, b) with b = {bound:.6g}: every |w| <= b and the largest of {n} samples is "
                              f"within 20/n = {20 / n:.2g} of b (relative)"), hint=hint)


def check_in_place(check_id, init_fn, shape, case, **kwargs):
    """init_fn on an nn.Parameter: returns the same object, changed in place, still a leaf that requires grad."""
    p = nn.Parameter(torch.full(shape, 123.0))
    out = init_fn(p, **kwargs)
    check_true(check_id + "/same_object", out is p, "must return the tensor it was given (modified in place)",
               case=case, hint="fill the tensor in place under torch.no_grad() and return it")
    check_true(check_id + "/changed", bool((p.detach() != 123.0).all()), "the tensor was not overwritten in place",
               case=case)
    check_true(check_id + "/leaf", p.requires_grad and p.is_leaf, "the parameter must stay a leaf requiring grad",
               case=case)


def check_generator(check_id, init_fn, shape, case, **kwargs):
    """init_fn draws only from `generator`: the same seed gives the same values, the global RNG is left untouched,
    two calls with one generator continue its sequence; with generator=None it draws from the global generator."""
    state = torch.get_rng_state()
    first = init_fn(torch.zeros(shape), generator=make_generator(2024), **kwargs)
    second = init_fn(torch.zeros(shape), generator=make_generator(2024), **kwargs)
    untouched = bool(torch.equal(state, torch.get_rng_state()))
    check_true(check_id + "/same_seed", bool(torch.equal(first, second)),
               "two calls with generators of the same seed gave different values", case=case,
               hint="draw every random number from `generator`")
    check_true(check_id + "/global_rng", untouched, "the global random state changed although a generator was given",
               case=case, hint="pass generator=generator to every call that draws random numbers")
    gen = make_generator(2026)
    first = init_fn(torch.zeros(shape), generator=gen, **kwargs)
    check_true(check_id + "/continues", not torch.equal(first, init_fn(torch.zeros(shape), generator=gen, **kwargs)),
               "two calls with one generator gave the same values", case=case,
               hint="draw from the generator you are given, not from a copy re-seeded with its seed")
    draws = []
    for seed in (2027, 2027, 2028):
        seed_everything(seed)
        draws.append(init_fn(torch.zeros(shape), **kwargs))
    check_true(check_id + "/global_when_none", torch.equal(draws[0], draws[1]) and not torch.equal(draws[0], draws[2]),
               "with generator=None the values do not follow torch's global generator (seed_everything)", case=case,
               hint="pass generator=None on to the drawing call; a fresh torch.Generator() has the same seed in "
                    "every run")


def check_fills_view(check_id, init_fn, case, **kwargs):
    """init_fn on rows 10:40 of a (50, 40) zero tensor (a view) writes into those rows, and only there."""
    base = torch.zeros(50, 40)
    init_fn(base[10:40], generator=make_generator(2025), **kwargs)
    written = float((base[10:40] != 0).to(torch.float64).mean()) > 0.5
    outside = bool((base[:10] == 0).all()) and bool((base[40:] == 0).all())
    check_true(check_id + "/view", written and outside,
               "the values did not land in the memory of the tensor that was given (a view of a larger tensor)",
               case=case, hint="write in place (uniform_, normal_, copy_, mul_ under torch.no_grad()); "
                               "do not rebind tensor.data")


# %% [markdown] id="cell-005"
# ## 1. Why initialization matters
#
# **Symmetry.** If all weights of a layer start equal (zero, or any constant), all its hidden units compute the same
# function, receive the same gradient and stay equal after every update: the layer behaves like a single unit. With
# all weights zero it is worse still: the gradient of every weight matrix except the last one is zero (the backward
# signal passes through the zero matrix above it), and with zero biases as well the last one gets no gradient either,
# since a ReLU or tanh MLP then has hidden activations $\phi(0)=0$: only the output bias learns, and the network stays
# a constant. Random initialization **breaks the symmetry**. Biases, on the other hand, can start at a fixed value
# (usually 0; sometimes a small positive value for ReLU units, or 1 for the forget gate of an LSTM), because the
# random weights already make the units differ.
#
# **Scale.** Take a layer $y_i=\sum_{j=1}^{n_\text{in}} w_{ij}x_j$ with independent zero-mean weights of variance
# $\operatorname{Var}(w)$, independent of the inputs. Then
# $$\operatorname{Var}(y_i)=n_\text{in}\operatorname{Var}(w)\,\mathbb E[x_j^2].$$
# Through $L$ layers the factors multiply: if $n_\text{in}\operatorname{Var}(w)$ is a little below 1 the
# activations **vanish** geometrically, a little above 1 they **explode**. With $\mathcal N(0,1)$ weights and
# 256 units per layer the variance factor $n_\text{in}\operatorname{Var}(w)$ is 256 per layer (a factor 16 in
# standard deviation); with $\mathcal N(0, 0.01^2)$ it is $0.0256$ (0.16 in standard deviation), before the
# nonlinearity's own factor ($\tfrac12$ in variance for a ReLU).
#
# **Variance scaling.** Keep the variance constant in the forward pass: $n_\text{in}\operatorname{Var}(w)=1$ (LeCun et
# al. 1998, *Efficient BackProp*). The backward pass multiplies gradients by $W^\top$, summing over $n_\text{out}$
# terms, so keeping the gradient variance constant needs $n_\text{out}\operatorname{Var}(w)=1$. Both hold only when
# $n_\text{in}=n_\text{out}$, hence the compromises below.
#
# - **Xavier/Glorot** (Glorot & Bengio 2010): $\operatorname{Var}(w)=\dfrac{2}{n_\text{in}+n_\text{out}}$. The
#   derivation assumes units that are symmetric around 0 with slope 1 there, so that they act as the identity on
#   small inputs: tanh, softsign, linear. The sigmoid is neither ($\sigma(0)=\tfrac12$, $\sigma'(0)=\tfrac14$);
#   Glorot & Bengio found that sigmoid networks saturate their top hidden layer, and torch's gain 1 for `sigmoid`
#   is a convention, not a derived value.
# - **Kaiming/He** (He et al. 2015), for ReLU: a ReLU zeroes half of a symmetric input, so
#   $\mathbb E[\mathrm{relu}(y)^2]=\tfrac12\operatorname{Var}(y)$ and the variance is kept by
#   $\operatorname{Var}(w)=\dfrac{2}{n_\text{in}}$ (or $2/n_\text{out}$ for the backward pass).
#
# **Gain.** torch writes every rule as $\text{std}=\text{gain}\times\sqrt{1/\text{fan}}$ (Kaiming) or
# $\text{gain}\times\sqrt{2/(n_\text{in}+n_\text{out})}$ (Xavier), where the gain compensates for the nonlinearity.
# A **uniform** $U(-b,b)$ has variance $b^2/3$, so the uniform variant uses $b=\sqrt3\,\text{std}$.

# %% [markdown] id="cell-006"
# ## 2. Fan-in and fan-out
#
# **The PyTorch convention.** A Linear weight has shape `(out_features, in_features)`; a ConvNd weight has shape
# `(out_channels, in_channels, *kernel_size)`. One output unit sees `in_channels × (receptive field)` inputs, where
# the receptive field is the product of the kernel sizes; so
#
# $$\text{fan\_in}=\text{size}(1)\cdot\prod_{k\ge2}\text{size}(k),\qquad \text{fan\_out}=\text{size}(0)\cdot\prod_{k\ge2}\text{size}(k).$$
#
# A tensor with fewer than 2 dimensions has no fans: raise `ValueError` (as torch does). Return two Python `int`s.

# %% autograder={"forbidden": ["torch.nn.init._calculate_fan_in_and_fan_out", "torch.nn.init._calculate_correct_fan"]} nbgrader={"grade": false, "grade_id": "fan_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="fan-impl"
def fan_in_and_fan_out(tensor):
    """(fan_in, fan_out) of a weight tensor, as torch.nn.init._calculate_fan_in_and_fan_out."""
    ### BEGIN SOLUTION
    if tensor.dim() < 2:
        raise ValueError("fan in and fan out can not be computed for a tensor with fewer than 2 dimensions")
    receptive_field = 1
    for s in tensor.shape[2:]:
        receptive_field *= int(s)
    fan_in = int(tensor.shape[1]) * receptive_field
    fan_out = int(tensor.shape[0]) * receptive_field
    return fan_in, fan_out
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "fan__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="fan--visible"
# Visible test: a Linear weight (out=4, in=6).
w = torch.empty(4, 6)
check_equal("fan/linear", tuple(fan_in_and_fan_out(w)), tuple(torch_fans(w)), case="Linear weight (4, 6)",
            hint="torch's layout is (out_features, in_features): fan_in = size(1), fan_out = size(0)")

# %% nbgrader={"grade": true, "grade_id": "fan__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="fan--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
for shape in [(7, 3), (1, 9), (8, 3, 5), (16, 3, 3, 3), (5, 2, 3, 1, 4), (6, 4, 1, 1)]:
    w = torch.empty(shape)
    check_equal("fan/shapes", tuple(fan_in_and_fan_out(w)), tuple(torch_fans(w)), case=f"weight {shape}",
                hint="multiply both fans by the receptive field (the product of the kernel sizes)")
for shape in [(5,), ()]:
    check_raises("fan/too_few_dims", lambda: fan_in_and_fan_out(torch.empty(shape)), ValueError,
                 case=f"tensor of shape {shape}", hint="fewer than 2 dimensions: raise ValueError")
### END HIDDEN TESTS

# %% [markdown] id="cell-010"
# ## 3. The gain of a nonlinearity
#
# `torch.nn.init.calculate_gain(nonlinearity, param=None)` returns the factor that keeps the variance of the
# activations stable for that nonlinearity:
#
# | nonlinearity | gain |
# |---|---|
# | `linear`, `conv1d`, `conv2d`, `conv3d`, `conv_transpose1d/2d/3d`, `sigmoid` | $1$ |
# | `tanh` | $5/3$ |
# | `relu` | $\sqrt 2$ |
# | `leaky_relu` with negative slope $a$ (`param`, default $0.01$) | $\sqrt{2/(1+a^2)}$ |
# | `selu` | $3/4$ |
#
# (For ReLU: $\mathbb E[\mathrm{relu}(y)^2]=\tfrac12\operatorname{Var}(y)$, so the gain $\sqrt2$ restores the
# variance; for leaky ReLU the negative half keeps $a^2$ of its second moment, giving $\tfrac{1+a^2}{2}$. The tanh and
# SELU values are torch's conventions: $5/3$ is an empirical choice that keeps tanh activations in a good range. $3/4$
# is **not** the gain for self-normalizing networks: torch's documentation says the opposite. A self-normalizing SELU
# network (Klambauer et al. 2017) needs $\operatorname{Var}(w)=1/n_\text{in}$, i.e. `nonlinearity='linear'` (gain 1),
# for its stable fixed point of mean 0 and variance 1; the gain $3/4$ gives up that normalization in exchange for more
# stable gradients in rectangular layers.) Any other name raises `ValueError`. Return a Python number (`int` or
# `float`, as torch does; not a tensor).

# %% autograder={"forbidden": ["torch.nn.init.calculate_gain"]} nbgrader={"grade": false, "grade_id": "gain_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="gain-impl"
def calculate_gain(nonlinearity, param=None):
    """The recommended gain of `nonlinearity`, as torch.nn.init.calculate_gain."""
    ### BEGIN SOLUTION
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                  "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"unsupported nonlinearity {nonlinearity}")
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "gain__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="gain--visible"
# Visible test: four nonlinearities against torch.
for name in ["linear", "sigmoid", "tanh", "relu"]:
    check_close("gain/basic", float(calculate_gain(name)), float(torch_gain(name)), case=name, rtol=1e-12,
                hint="see the table above")

# %% nbgrader={"grade": true, "grade_id": "gain__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="gain--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
for name, param in [("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 1.0), ("leaky_relu", 0),
                    ("selu", None), ("conv1d", None), ("conv2d", None), ("conv3d", None)]:
    check_close("gain/more", float(calculate_gain(name, param)), float(torch_gain(name, param)),
                case=f"{name}, param={param}", rtol=1e-12,
                hint="leaky_relu: sqrt(2 / (1 + slope**2)) with slope 0.01 when param is None; selu: 3/4")
check_raises("gain/unknown", lambda: calculate_gain("softplus_typo"), ValueError, case="unknown nonlinearity")
for name, param in [("conv_transpose1d", None), ("conv_transpose2d", None), ("conv_transpose3d", None),
                    ("linear", 3.0)]:
    check_close("gain/transposed", float(calculate_gain(name, param)), float(torch_gain(name, param)),
                case=f"{name}, param={param}", rtol=1e-12, hint="see the first row of the table")
for name, param in [("linear", None), ("sigmoid", None), ("conv2d", None), ("conv_transpose2d", None),
                    ("tanh", None), ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None)]:
    g = calculate_gain(name, param)
    check_true("gain/python_number", isinstance(g, (int, float)) and not isinstance(g, bool),
               "calculate_gain must return a Python number (int or float)", case=f"{name}, param={param}",
               hint="return a float (math.sqrt, not torch.sqrt on a tensor)")
### END HIDDEN TESTS

# %% [markdown] id="cell-014"
# ## 4. Xavier / Glorot initialization
#
# Glorot & Bengio (2010): with $n_\text{in}$, $n_\text{out}$ the fans (use `torch_fans`),
#
# $$\text{std}=\text{gain}\cdot\sqrt{\frac{2}{n_\text{in}+n_\text{out}}},\qquad
# \texttt{xavier\_normal\_}: w\sim\mathcal N(0,\text{std}^2),\qquad
# \texttt{xavier\_uniform\_}: w\sim U(-\sqrt3\,\text{std},\ \sqrt3\,\text{std}).$$
#
# **The PyTorch convention for every initializer** (the trailing underscore means *in place*): fill the given tensor
# in place under `torch.no_grad()` (so that it works on an `nn.Parameter` that requires grad), draw the random
# numbers from `generator` (a `torch.Generator`, or `None` for the global one), and **return the same tensor**.
# `tensor.uniform_(a, b, generator=g)` and `tensor.normal_(mean, std, generator=g)` do the drawing.
#
# *In place* means in the tensor's own memory: the tensor may be a view of a larger one (for instance a block of
# rows of a weight matrix), and the values must land there, so write with in-place operations (`uniform_`,
# `normal_`, `copy_`, `mul_`); never rebind `tensor.data` to a new tensor. *From `generator`* means from it
# only: given a generator, the same seed gives the same values and the global random state
# (`torch.get_rng_state()`) is left untouched; and from it itself, not from a copy re-seeded with its seed, so two
# calls with one generator continue its sequence. `None` means torch's global generator (pass it on:
# `uniform_(a, b, generator=None)` draws from it, so `seed_everything` fixes the values), not a fresh
# `torch.Generator()`, whose default seed is the same in every run.

# %% autograder={"forbidden": ["torch.nn.init.xavier_uniform_", "torch.nn.init.xavier_normal_", "torch.nn.init.xavier_uniform", "torch.nn.init.xavier_normal"]} nbgrader={"grade": false, "grade_id": "xavier_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="xavier-impl"
def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Xavier/Glorot uniform, in place, as torch.nn.init.xavier_uniform_."""
    ### BEGIN SOLUTION
    fan_in, fan_out = torch_fans(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    with torch.no_grad():
        tensor.uniform_(-bound, bound, generator=generator)
    return tensor
    ### END SOLUTION


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Xavier/Glorot normal, in place, as torch.nn.init.xavier_normal_."""
    ### BEGIN SOLUTION
    fan_in, fan_out = torch_fans(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    with torch.no_grad():
        tensor.normal_(0.0, std, generator=generator)
    return tensor
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "xavier__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="xavier--visible"
# Visible test: a (300, 500) weight, gain 1, statistics of the samples (6 standard errors).
std = expected(math.sqrt(2.0 / (300 + 500)))
w = xavier_uniform_(torch.empty(300, 500), generator=make_generator(1))
compare_uniform_range("xavier/uniform", w, math.sqrt(3) * std, case="(300, 500), gain 1",
                    hint="U(-b, b) has std b/sqrt(3): b = sqrt(3) * gain * sqrt(2 / (fan_in + fan_out))")
compare_stats("xavier/uniform", w, std, case="(300, 500), gain 1")
w = xavier_normal_(torch.empty(300, 500), generator=make_generator(2))
compare_stats("xavier/normal", w, std, case="(300, 500), gain 1", hint="std = gain * sqrt(2 / (fan_in + fan_out))")

# %% nbgrader={"grade": true, "grade_id": "xavier__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="xavier--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
for shape, gain in [((200, 700), 5 / 3), ((64, 32, 3, 3), math.sqrt(2)), ((900, 150), 0.5), ((64, 32, 5), 1.0)]:
    fan_in, fan_out = expected(torch_fans(torch.empty(shape)))
    std = expected(gain * math.sqrt(2.0 / (fan_in + fan_out)))
    w = xavier_uniform_(torch.empty(shape), gain=gain, generator=make_generator(vary(3)))
    compare_uniform_range("xavier/uniform_more", w, math.sqrt(3) * std, case=f"{shape}, gain {gain:.4g}",
                        hint="multiply the std by the gain; conv fans include the receptive field")
    compare_stats("xavier/uniform_more", w, std, case=f"{shape}, gain {gain:.4g}")
    w = xavier_normal_(torch.empty(shape, dtype=torch.float64), gain=gain, generator=make_generator(vary(4)))
    check_equal("xavier/dtype", str(w.dtype), "torch.float64", case=f"{shape}: keep the tensor's dtype")
    compare_stats("xavier/normal_more", w, std, case=f"{shape}, gain {gain:.4g}", hint="multiply the std by the gain")
check_in_place("xavier/in_place_uniform", xavier_uniform_, (20, 30), case="xavier_uniform_ on an nn.Parameter")
check_in_place("xavier/in_place_normal", xavier_normal_, (20, 30), case="xavier_normal_ on an nn.Parameter")
for name, fn in [("xavier_uniform_", xavier_uniform_), ("xavier_normal_", xavier_normal_)]:
    check_generator("xavier/generator", fn, (30, 20), case=name)
    check_fills_view("xavier/in_place", fn, case=f"{name} on a view (rows 10:40 of a (50, 40) tensor)")
### END HIDDEN TESTS

# %% [markdown] id="cell-018"
# ## 5. Kaiming / He initialization
#
# He et al. (2015): with `mode="fan_in"` (the default: preserves the variance of the activations in the forward
# pass) or `mode="fan_out"` (preserves the variance of the gradients in the backward pass), and
# $\text{gain}=$ `torch_gain(nonlinearity, a)`,
#
# $$\text{std}=\frac{\text{gain}}{\sqrt{\text{fan}}},\qquad
# \texttt{kaiming\_normal\_}: w\sim\mathcal N(0,\text{std}^2),\qquad
# \texttt{kaiming\_uniform\_}: w\sim U(-\sqrt3\,\text{std},\ \sqrt3\,\text{std}).$$
#
# torch's defaults are `a=0, mode="fan_in", nonlinearity="leaky_relu"`, which with $a=0$ gives the ReLU gain
# $\sqrt2$. (`nn.Linear` and `nn.Conv2d` themselves use `kaiming_uniform_(a=sqrt(5))` by default, that is
# $U(-1/\sqrt{\text{fan\_in}}, 1/\sqrt{\text{fan\_in}})$, a much smaller scale.) Any other `mode` raises
# `ValueError`. Same in-place convention as above.

# %% autograder={"forbidden": ["torch.nn.init.kaiming_uniform_", "torch.nn.init.kaiming_normal_", "torch.nn.init.kaiming_uniform", "torch.nn.init.kaiming_normal", "torch.nn.init._calculate_correct_fan"]} nbgrader={"grade": false, "grade_id": "kaiming_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="kaiming-impl"
def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """Kaiming/He uniform, in place, as torch.nn.init.kaiming_uniform_."""
    ### BEGIN SOLUTION
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode {mode} not supported, use fan_in or fan_out")
    fan_in, fan_out = torch_fans(tensor)
    fan = fan_in if mode == "fan_in" else fan_out
    std = torch_gain(nonlinearity, a) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    with torch.no_grad():
        tensor.uniform_(-bound, bound, generator=generator)
    return tensor
    ### END SOLUTION


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """Kaiming/He normal, in place, as torch.nn.init.kaiming_normal_."""
    ### BEGIN SOLUTION
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode {mode} not supported, use fan_in or fan_out")
    fan_in, fan_out = torch_fans(tensor)
    fan = fan_in if mode == "fan_in" else fan_out
    std = torch_gain(nonlinearity, a) / math.sqrt(fan)
    with torch.no_grad():
        tensor.normal_(0.0, std, generator=generator)
    return tensor
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "kaiming__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="kaiming--visible"
# Visible test: a (300, 500) weight with the defaults (fan_in = 500, ReLU gain sqrt(2)).
std = expected(math.sqrt(2.0) / math.sqrt(500))
w = kaiming_uniform_(torch.empty(300, 500), generator=make_generator(5))
compare_uniform_range("kaiming/uniform", w, math.sqrt(3) * std, case="(300, 500), defaults",
                    hint="b = sqrt(3) * gain / sqrt(fan_in); the default gain is sqrt(2)")
compare_stats("kaiming/uniform", w, std, case="(300, 500), defaults")
w = kaiming_normal_(torch.empty(300, 500), generator=make_generator(6))
compare_stats("kaiming/normal", w, std, case="(300, 500), defaults", hint="std = gain / sqrt(fan_in)")

# %% nbgrader={"grade": true, "grade_id": "kaiming__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="kaiming--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
cases = [((300, 500), dict(mode="fan_out")),
         ((200, 800), dict(mode="fan_out", nonlinearity="relu")),
         ((400, 300), dict(a=0.2)),
         ((400, 300), dict(nonlinearity="tanh")),
         ((32, 16, 5, 5), dict(mode="fan_in", nonlinearity="relu")),
         ((32, 16, 5, 5), dict(mode="fan_out", a=0.1)),
         ((64, 32, 5), dict(mode="fan_out", nonlinearity="relu"))]
for k, (shape, kw) in enumerate(cases):
    fan_in, fan_out = expected(torch_fans(torch.empty(shape)))
    std = expected(torch_gain(kw.get("nonlinearity", "leaky_relu"), kw.get("a", 0.0))
                   / math.sqrt(fan_out if kw.get("mode") == "fan_out" else fan_in))
    w = kaiming_uniform_(torch.empty(shape), generator=make_generator(vary(10 + k)), **kw)
    compare_uniform_range("kaiming/uniform_more", w, math.sqrt(3) * std, case=f"{shape}, {kw}",
                        hint="mode picks the fan; nonlinearity and a pick the gain")
    compare_stats("kaiming/uniform_more", w, std, case=f"{shape}, {kw}")
    w = kaiming_normal_(torch.empty(shape), generator=make_generator(vary(20 + k)), **kw)
    compare_stats("kaiming/normal_more", w, std, case=f"{shape}, {kw}",
                hint="mode picks the fan; nonlinearity and a pick the gain")
check_raises("kaiming/bad_mode", lambda: kaiming_normal_(torch.empty(3, 4), mode="fan_avg"), ValueError,
             case="mode='fan_avg'")
check_in_place("kaiming/in_place_uniform", kaiming_uniform_, (20, 30), case="kaiming_uniform_ on an nn.Parameter")
check_in_place("kaiming/in_place_normal", kaiming_normal_, (20, 30), case="kaiming_normal_ on an nn.Parameter")
for k, nonlinearity in enumerate(["linear", "sigmoid", "selu"]):
    std = expected(torch_gain(nonlinearity) / math.sqrt(300))
    w = kaiming_normal_(torch.empty(100, 300), nonlinearity=nonlinearity, generator=make_generator(vary(30 + k)))
    compare_stats("kaiming/nonlinearity", w, std, case=f"(100, 300), nonlinearity={nonlinearity!r}",
                hint="the gain is torch_gain(nonlinearity, a), for every nonlinearity of the table")
for name, fn in [("kaiming_uniform_", kaiming_uniform_), ("kaiming_normal_", kaiming_normal_)]:
    check_generator("kaiming/generator", fn, (30, 20), case=f"{name}, mode='fan_out'", mode="fan_out")
    check_fills_view("kaiming/in_place", fn, case=f"{name} on a view (rows 10:40 of a (50, 40) tensor)")
### END HIDDEN TESTS

# %% [markdown] id="cell-022"
# ## 6. Orthogonal initialization
#
# An orthogonal matrix preserves norms, $\lVert Wx\rVert=\lVert x\rVert$, in the forward and the backward pass, so
# a product of many of them neither vanishes nor explodes: in deep linear networks this gives depth-independent
# learning dynamics (Saxe et al. 2014), and it is the usual initialization of **recurrent** weight matrices, which
# are applied again and again.
#
# **The PyTorch convention (`torch.nn.init.orthogonal_`).** Let `rows = size(0)`, `cols = numel // rows` (a conv
# weight is flattened to `(out, in*kh*kw)`). Draw a `(rows, cols)` matrix $A$ with i.i.d. $\mathcal N(0,1)$ entries;
# if `rows < cols` (wide) transpose it; take the reduced QR decomposition $A=QR$ (`torch.linalg.qr`); multiply each
# column of $Q$ by the sign of the matching diagonal entry of $R$ (`Q *= torch.sign(torch.diagonal(R))`); transpose
# back if wide; copy into the tensor (reshaped) and multiply by `gain`. The result has orthonormal rows
# ($WW^\top=\text{gain}^2I$, wide) or columns ($W^\top W=\text{gain}^2I$, tall).
#
# **Why the sign correction.** The QR factorization is unique only up to the signs of the columns of $Q$; LAPACK picks
# them from the signs of the data, which makes $Q$ *not* uniformly distributed (not Haar) on the orthogonal group: for
# instance its diagonal is biased (for $4\times4$ Gaussian input, torch's QR without the correction gives a mean trace
# of about $-0.83$ over 200 000 draws, where Haar gives 0). Forcing $\operatorname{diag}(R)>0$ makes $Q$ exactly
# Haar-distributed (Mezzadri 2007). Same in-place convention as before; a tensor with fewer than 2 dimensions raises
# `ValueError`.

# %% autograder={"forbidden": ["torch.nn.init.orthogonal_", "torch.nn.init.orthogonal", "torch.nn.utils.parametrizations.orthogonal"]} nbgrader={"grade": false, "grade_id": "orthogonal_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="orthogonal-impl"
def orthogonal_(tensor, gain=1.0, generator=None):
    """Orthogonal initialization, in place, as torch.nn.init.orthogonal_."""
    ### BEGIN SOLUTION
    if tensor.dim() < 2:
        raise ValueError("only tensors with 2 or more dimensions are supported")
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    a = torch.empty(rows, cols, dtype=tensor.dtype).normal_(0.0, 1.0, generator=generator)
    if rows < cols:
        a = a.t()
    q, r = torch.linalg.qr(a)
    q = q * torch.sign(torch.diagonal(r)).unsqueeze(0)
    if rows < cols:
        q = q.t()
    with torch.no_grad():
        tensor.view_as(q).copy_(q)
        tensor.mul_(gain)
    return tensor
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "orthogonal__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="orthogonal--visible"
# Visible test: a square (6, 6) and a tall (8, 4) matrix, gain 1: orthonormal columns.
for shape in [(6, 6), (8, 4)]:
    w = orthogonal_(torch.empty(shape, dtype=torch.float64), generator=make_generator(7))
    check_close("orthogonal/columns", w.T @ w, torch.eye(shape[1], dtype=torch.float64), case=f"{shape}, W^T W",
                atol=1e-10, hint="take Q from torch.linalg.qr of a normal (rows, cols) matrix")

# %% nbgrader={"grade": true, "grade_id": "orthogonal__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="orthogonal--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
# wide matrices and conv weights: orthonormal rows, times gain^2
for shape, gain in [((4, 9), 1.0), ((3, 10), 2.0), ((6, 2, 3, 3), 0.5), ((5, 5), 3.0), ((9, 2), 1.5),
                    ((12, 2, 3, 1), 1.0)]:
    w = orthogonal_(torch.empty(shape, dtype=torch.float64), gain=gain, generator=make_generator(vary(8)))
    m = w.reshape(shape[0], -1)
    prod = m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m
    check_close("orthogonal/gain_and_wide", prod, gain ** 2 * torch.eye(min(m.shape), dtype=torch.float64),
                case=f"{shape}, gain {gain}", atol=1e-10,
                hint="wide: transpose before the QR and back after; multiply by the gain")
# the sign correction: over N draws of a 4x4 Haar matrix, the trace has mean 0 and variance 1,
# so the average trace lies within 6/sqrt(N) of 0; without the sign correction its expectation is about -0.83.
gen = make_generator(vary(9))
n_draws = 1500
traces = [float(torch.trace(orthogonal_(torch.empty(4, 4, dtype=torch.float64), generator=gen)))
          for _ in range(n_draws)]
bound = expected(6 / math.sqrt(n_draws))
check_within("orthogonal/haar", sum(traces) / n_draws, -bound, bound, case=f"mean trace over {n_draws} draws",
             why="Haar: E[tr Q] = 0, Var[tr Q] = 1; 6 standard errors",
             hint="multiply the columns of Q by the signs of the diagonal of R")
check_in_place("orthogonal/in_place", orthogonal_, (20, 30), case="orthogonal_ on an nn.Parameter")
check_raises("orthogonal/too_few_dims", lambda: orthogonal_(torch.empty(5)), ValueError, case="tensor of shape (5,)",
             hint="a tensor with fewer than 2 dimensions: raise ValueError")
check_generator("orthogonal/generator", orthogonal_, (6, 10), case="orthogonal_ (6, 10)")
check_fills_view("orthogonal/in_place", orthogonal_, case="orthogonal_ on a view (rows 10:40 of a (50, 40) tensor)")
### END HIDDEN TESTS

# %% [markdown] id="cell-026"
# ## 7. Initializing a whole model
#
# In practice one walks over `model.modules()` and initializes each layer by its type. Implement
# `init_model(model, scheme, generator=None)` with **torch's** initializers (`nn.init.*`, passing `generator`):
#
# - `nn.Linear`, `nn.Conv1d`, `nn.Conv2d`, `nn.Conv3d`: the weight by the scheme:
#   `"xavier"` → `nn.init.xavier_uniform_` (gain 1), `"kaiming"` → `nn.init.kaiming_normal_(mode="fan_in",
#   nonlinearity="relu")`, `"orthogonal"` → `nn.init.orthogonal_` (gain 1); the bias (if there is one) to 0;
# - normalization layers (`nn.BatchNorm1d/2d/3d`, `nn.LayerNorm`, `nn.GroupNorm`): weight 1 and bias 0 (when
#   they have them);
# - every other module and parameter is left as it is (for instance `nn.Embedding`, or a parameter that a custom
#   module registers itself), also when it is 2-D: the rule goes by module type, not by parameter shape or name;
# - an unknown scheme raises `ValueError`.
#
# Real models nest modules (a `Sequential` inside a custom `Module` inside a `ModuleList`): visit all of them,
# at any depth (`model.modules()`, not only `model.children()`). Normalization layers built without affine
# parameters (`affine=False`, `elementwise_affine=False`) have `weight` and `bias` equal to `None`. Change the
# parameters **in place**: the model keeps the very same `nn.Parameter` objects (an optimizer built before
# `init_model` must still train the model), with their dtype and device (the model may have been converted
# with `.double()`), still requiring grad, so that the model trains afterwards. Draw only from `generator`.
#
# Return the model. Pre-trained initialization (starting from the weights of a network trained on a related task)
# is the other common choice; it is loaded with `model.load_state_dict`, nothing to implement.

# %% nbgrader={"grade": false, "grade_id": "init_model_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="init-model-impl"
def init_model(model, scheme, generator=None):
    """Initialize every Linear/Conv weight by `scheme`, biases to 0, normalization layers to weight 1, bias 0."""
    ### BEGIN SOLUTION
    if scheme not in ("xavier", "kaiming", "orthogonal"):
        raise ValueError(f"unknown scheme {scheme}")
    norms = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.LayerNorm, nn.GroupNorm)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)):
                if scheme == "xavier":
                    nn.init.xavier_uniform_(m.weight, generator=generator)
                elif scheme == "kaiming":
                    nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu", generator=generator)
                else:
                    nn.init.orthogonal_(m.weight, generator=generator)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, norms):
                if getattr(m, "weight", None) is not None:
                    nn.init.ones_(m.weight)
                if getattr(m, "bias", None) is not None:
                    nn.init.zeros_(m.bias)
    return model
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "init_model__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="init-model--visible"
# Visible test: an MLP under "kaiming": weight std sqrt(2 / fan_in) (6 standard errors), biases 0.
mlp = nn.Sequential(nn.Linear(400, 300), nn.ReLU(), nn.Linear(300, 200))
out = init_model(mlp, "kaiming", generator=make_generator(11))
check_true("init_model/returns", out is mlp, "init_model must return the model it was given")
for i in (0, 2):
    layer = mlp[i]
    compare_stats("init_model/kaiming", layer.weight, math.sqrt(2.0 / layer.in_features), case=f"layer {i}",
                hint="kaiming_normal_(mode='fan_in', nonlinearity='relu')")
    check_equal("init_model/bias", layer.bias.detach(), torch.zeros(layer.out_features), case=f"layer {i}",
                hint="biases start at 0")


# %% nbgrader={"grade": true, "grade_id": "init_model__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="init-model--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
def conv_net():
    net = nn.Sequential(nn.Conv2d(32, 64, 3), nn.BatchNorm2d(64), nn.ReLU(), nn.Flatten(),
                        nn.Linear(576, 400, bias=False), nn.LayerNorm(400), nn.Linear(400, 300))
    with torch.no_grad():  # scramble the normalization parameters so that resetting them is visible
        for m in net.modules():
            if isinstance(m, (nn.BatchNorm2d, nn.LayerNorm)):
                m.weight.uniform_(2.0, 3.0)
                m.bias.uniform_(2.0, 3.0)
    return net


net = init_model(conv_net(), "xavier", generator=make_generator(vary(12)))
for i in (0, 4, 6):
    fan_in, fan_out = expected(torch_fans(net[i].weight))
    std = expected(math.sqrt(2.0 / (fan_in + fan_out)))
    compare_stats("init_model/xavier", net[i].weight, std, case=f"xavier, layer {i}", hint="xavier_uniform_, gain 1")
    compare_uniform_range("init_model/xavier", net[i].weight, math.sqrt(3) * std, case=f"xavier, layer {i}")
for i in (0, 6):
    check_equal("init_model/bias_zero", net[i].bias.detach(), torch.zeros_like(net[i].bias), case=f"layer {i}")
check_true("init_model/no_bias", net[4].bias is None, "a layer without bias must stay without bias")
for i in (1, 5):
    check_equal("init_model/norm_weight", net[i].weight.detach(), torch.ones_like(net[i].weight),
                case=f"{type(net[i]).__name__}", hint="normalization layers: weight 1, bias 0")
    check_equal("init_model/norm_bias", net[i].bias.detach(), torch.zeros_like(net[i].bias),
                case=f"{type(net[i]).__name__}", hint="normalization layers: weight 1, bias 0")
net = init_model(conv_net(), "orthogonal", generator=make_generator(vary(13)))
for i in (0, 4, 6):
    m = net[i].weight.detach().to(torch.float64).reshape(net[i].weight.shape[0], -1)
    prod = m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m
    check_close("init_model/orthogonal", prod, torch.eye(min(m.shape), dtype=torch.float64), case=f"layer {i}",
                atol=1e-4, hint="nn.init.orthogonal_")
net = init_model(conv_net(), "kaiming", generator=make_generator(vary(14)))
compare_stats("init_model/kaiming_conv", net[0].weight, math.sqrt(2.0 / (32 * 9)), case="Conv2d(32, 64, 3)")
check_raises("init_model/unknown", lambda: init_model(conv_net(), "zeros"), ValueError, case="scheme='zeros'")
# real models: a Sequential inside a custom Module inside a ModuleList, GroupNorm, Embedding, a raw parameter
class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.body = nn.Sequential(nn.Conv1d(c, c, 3, padding=1), nn.GroupNorm(2, c), nn.Tanh())
        self.scale = nn.Parameter(torch.full((c, 1), 0.5))  # a 2-D parameter that is not a layer's weight

    def forward(self, x):
        return x + self.scale * self.body(x)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(20, 8)
        self.blocks = nn.ModuleList([Block(8), Block(8)])
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(8 * 12, 5), nn.BatchNorm1d(5, affine=False))

    def forward(self, idx):
        h = self.embed(idx).transpose(1, 2)
        for block in self.blocks:
            h = block(h)
        return self.head(h)


def build(make):
    """A model built from a fixed seed, without disturbing the global random state."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(vary(0))
        net = make()
        with torch.no_grad():  # scramble the normalization parameters so that resetting them is visible
            for m in net.modules():
                if isinstance(m, (nn.GroupNorm, nn.BatchNorm3d)):
                    m.weight.uniform_(2.0, 3.0)
                    m.bias.uniform_(2.0, 3.0)
    return net


net = build(Net)
params_before = list(net.parameters())
embed_before = net.embed.weight.detach().clone()
opt = torch.optim.SGD(net.parameters(), lr=0.1)  # built before init_model: it must still train the model
init_model(net, "orthogonal", generator=make_generator(vary(15)))
layers = [("blocks.0.body.0", net.blocks[0].body[0]), ("blocks.1.body.0", net.blocks[1].body[0]),
          ("head.1", net.head[1])]
for name, layer in layers:
    m = layer.weight.detach().to(torch.float64).reshape(layer.weight.shape[0], -1)
    check_close("init_model/nested", m @ m.T, torch.eye(m.shape[0], dtype=torch.float64),
                case=f"{name} ({type(layer).__name__}) of a nested model", atol=1e-4,
                hint="visit every submodule at any depth (model.modules()); Conv1d/Conv3d count too")
    check_equal("init_model/nested_bias", layer.bias.detach(), torch.zeros_like(layer.bias), case=name)
for k in range(2):
    gn = net.blocks[k].body[1]
    check_equal("init_model/groupnorm", gn.weight.detach(), torch.ones(8), case=f"blocks.{k}.body.1 weight",
                hint="GroupNorm is a normalization layer too: weight 1, bias 0")
    check_equal("init_model/groupnorm", gn.bias.detach(), torch.zeros(8), case=f"blocks.{k}.body.1 bias",
                hint="GroupNorm is a normalization layer too: weight 1, bias 0")
check_true("init_model/others_untouched", bool(torch.equal(net.embed.weight.detach(), embed_before)),
           "an nn.Embedding is not a Linear/Conv/normalization layer: it must be left as it is", case="nn.Embedding",
           hint="initialize by module type, not by parameter shape or name")
check_true("init_model/others_untouched", all(bool((b.scale == 0.5).all()) for b in net.blocks),
           "a parameter registered by a custom module must be left as it is", case="custom module's 2-D parameter",
           hint="initialize by module type, not by parameter shape or name")
params_after = list(net.parameters())
check_true("init_model/same_parameters",
           len(params_after) == len(params_before) and all(a is b for a, b in zip(params_after, params_before)),
           "the model's parameters were replaced by new objects: an optimizer built before no longer trains it",
           case="nested model", hint="change the parameters in place (nn.init.* do), do not assign new nn.Parameters")
check_true("init_model/trainable", all(p.requires_grad and p.is_leaf for p in net.parameters()),
           "every parameter must still be a leaf that requires grad", case="nested model")
net.train()
idx = torch.randint(0, 20, (4, 12), generator=make_generator(vary(16)))
loss = nn.functional.cross_entropy(net(idx), torch.tensor([0, 1, 2, 3]))
if loss.requires_grad:
    loss.backward()
check_true("init_model/backward", loss.requires_grad and all(p.grad is not None for p in net.parameters()),
           "after init_model a backward pass must give every parameter a gradient", case="nested model, train mode")
head_before = net.head[1].weight.detach().clone()
opt.step()
check_true("init_model/optimizer_step", not torch.equal(net.head[1].weight.detach(), head_before),
           "an SGD step of an optimizer built before init_model did not change the model", case="nested model")
# only `generator` draws: same seed, same model; the global random state is untouched
for k, scheme in enumerate(["xavier", "kaiming", "orthogonal"]):
    a, b = build(Net), build(Net)
    state = torch.get_rng_state()
    init_model(a, scheme, generator=make_generator(vary(40 + k)))
    init_model(b, scheme, generator=make_generator(vary(40 + k)))
    check_true("init_model/global_rng", bool(torch.equal(state, torch.get_rng_state())),
               "the global random state changed although a generator was given", case=f"scheme={scheme!r}",
               hint="pass generator=generator to every nn.init call")
    check_true("init_model/same_seed", all(bool(torch.equal(p, q)) for p, q in zip(a.parameters(), b.parameters())),
               "two calls with generators of the same seed gave different models", case=f"scheme={scheme!r}")
    # generator=None: torch's global generator, so seed_everything fixes the model (and another seed changes it)
    nets = [build(Net) for _ in range(3)]
    for net, seed in zip(nets, (50 + k, 50 + k, 60 + k)):
        seed_everything(vary(seed))
        init_model(net, scheme)
    same, other = ([bool(torch.equal(p, q)) for p, q in zip(nets[0].parameters(), n.parameters())] for n in nets[1:])
    check_true("init_model/global_when_none", all(same) and not all(other),
               "with generator=None the model does not follow torch's global generator (seed_everything)",
               case=f"scheme={scheme!r}", hint="pass generator=None on to every nn.init call; a fresh torch.Generator() "
                                              "has the same seed in every run")
# a float64 model with Conv3d, BatchNorm3d and a LayerNorm without parameters
net = build(lambda: nn.Sequential(nn.Conv3d(4, 16, 3), nn.BatchNorm3d(16), nn.ReLU(), nn.Flatten(), nn.Linear(16, 6),
                                  nn.LayerNorm(6, elementwise_affine=False))).double()
init_model(net, "kaiming", generator=make_generator(vary(17)))
check_equal("init_model/dtype", [str(p.dtype) for p in net.parameters()], ["torch.float64"] * 6,
            case="a model converted with .double()", hint="keep each parameter's dtype: change it in place")
compare_stats("init_model/kaiming_conv3d", net[0].weight, math.sqrt(2.0 / (4 * 27)), case="Conv3d(4, 16, 3)",
            hint="Conv1d, Conv2d and Conv3d weights all follow the scheme")
check_equal("init_model/norm_weight", net[1].weight.detach(), torch.ones(16, dtype=torch.float64),
            case="BatchNorm3d", hint="normalization layers: weight 1, bias 0")
x = torch.randn(3, 4, 3, 3, 3, generator=make_generator(vary(18)), dtype=torch.float64)
loss = nn.functional.cross_entropy(net(x), torch.tensor([0, 1, 2]))
loss.backward()
check_true("init_model/backward", all(p.grad is not None for p in net.parameters()),
           "after init_model a backward pass must give every parameter a gradient", case="float64 Conv3d model")
### END HIDDEN TESTS

# %% [markdown] id="cell-030"
# **Concept check (1 point).** A 20-layer MLP with 512 ReLU units per layer, no normalization, is initialized with
# `nn.init.xavier_normal_` (gain 1). Going forward through the layers at initialization, the standard deviation of
# the pre-activations:
#
# - `"a"`: stays about constant, since Xavier is designed to keep it constant
# - `"b"`: shrinks by about a factor $\sqrt2$ per layer (about $2^{-10}\approx10^{-3}$ after 20 layers)
# - `"c"`: grows by about a factor $\sqrt2$ per layer
# - `"d"`: becomes exactly zero after the first ReLU
#
# Set `ANSWER_XAVIER_RELU` to the letter.

# %% nbgrader={"grade": false, "grade_id": "concept_xavier_relu_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="concept-xavier-relu-impl"
ANSWER_XAVIER_RELU = None  # one of "a", "b", "c", "d"
### BEGIN SOLUTION
ANSWER_XAVIER_RELU = "b"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "concept_xavier_relu__visible", "locked": true, "points": 0, "schema_version": 3, "solution": false, "task": false} id="concept-xavier-relu--visible"
check_true("concept_xavier_relu/format", ANSWER_XAVIER_RELU in ("a", "b", "c", "d"),
           f'ANSWER_XAVIER_RELU must be one of "a", "b", "c", "d"; got {ANSWER_XAVIER_RELU!r}')

# %% nbgrader={"grade": true, "grade_id": "concept_xavier_relu__hidden", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="concept-xavier-relu--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
check_equal("concept_xavier_relu/answer", ANSWER_XAVIER_RELU, "b",
            hint="n Var(w) = 1 with n_in = n_out, and a ReLU halves the second moment")
### END HIDDEN TESTS

# %% [markdown] id="cell-034"
# **Concept check (1 point).** Every weight and bias of an MLP with one tanh hidden layer is initialized to the same
# constant $c=0.5$ and trained with SGD. After many steps, the hidden units:
#
# - `"a"`: become different, because SGD is stochastic (the mini-batches differ)
# - `"b"`: stay identical to each other: same incoming weights, so the same gradient at every step
# - `"c"`: stay at their initial value $0.5$: their gradients are zero
# - `"d"`: become different because of the tanh nonlinearity
#
# Set `ANSWER_SYMMETRY` to the letter.

# %% nbgrader={"grade": false, "grade_id": "concept_symmetry_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="concept-symmetry-impl"
ANSWER_SYMMETRY = None  # one of "a", "b", "c", "d"
### BEGIN SOLUTION
ANSWER_SYMMETRY = "b"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "concept_symmetry__visible", "locked": true, "points": 0, "schema_version": 3, "solution": false, "task": false} id="concept-symmetry--visible"
check_true("concept_symmetry/format", ANSWER_SYMMETRY in ("a", "b", "c", "d"),
           f'ANSWER_SYMMETRY must be one of "a", "b", "c", "d"; got {ANSWER_SYMMETRY!r}')

# %% nbgrader={"grade": true, "grade_id": "concept_symmetry__hidden", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="concept-symmetry--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
check_equal("concept_symmetry/answer", ANSWER_SYMMETRY, "b",
            hint="every mini-batch gives the same gradient to units that compute the same function")
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": true, "grade_id": "written_relu_gain", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false} id="written-relu-gain"
# **Written answer (2 points, graded by hand).** Why is the Kaiming gain for ReLU $\sqrt2$, and when would you use
# `mode="fan_out"` instead of the default `mode="fan_in"`? Two to five sentences; use the variance formulas above.
#
# ### BEGIN SOLUTION
# For $y=\sum_j w_j x_j$ with zero-mean weights, $\operatorname{Var}(y)=n_\text{in}\operatorname{Var}(w)\,\mathbb E[x^2]$,
# and when $x=\mathrm{relu}(z)$ with $z$ symmetric, $\mathbb E[x^2]=\tfrac12\operatorname{Var}(z)$: the ReLU discards
# half of the second moment. Keeping $\operatorname{Var}(y)=\operatorname{Var}(z)$ therefore needs
# $n_\text{in}\operatorname{Var}(w)=2$, i.e. std $=\sqrt2/\sqrt{n_\text{in}}$, a gain of $\sqrt2$ (He et al. 2015).
# `fan_in` keeps the activations' variance constant in the forward pass; the backward pass multiplies the gradient
# by $W^\top$, a sum over $n_\text{out}$ terms, so `mode="fan_out"` keeps the gradients' variance constant instead.
# Use it when the backward signal matters most, or when fan_in is misleading (e.g. torchvision's ResNets use
# `kaiming_normal_(mode="fan_out")` for conv layers); with $n_\text{in}\approx n_\text{out}$ both are the same.
# ### END SOLUTION

# %% [markdown] id="cell-039"
# ## 8. Experiments
#
# The experiments below are not graded. They use torch's `nn.init` (so they run even before you finish the items;
# swap in yours once your tests pass). With `FAST=True` they are shortened.
#
# ### 8.1 Activations through a deep MLP
#
# We push a batch of standard normal inputs through a deep MLP (width 256, no biases) and record the standard
# deviation of the pre-activations at every layer, for tanh and ReLU, under four initializations:
# $\mathcal N(0,1)$, $\mathcal N(0,0.01^2)$, Xavier (normal) and Kaiming (normal, fan_in). Computations are in
# float64 so that the exploding case does not overflow.

# %% id="cell-040"
if device.type == "cpu":
    # Models this small run faster on one CPU thread: synchronising threads costs more than it saves.
    torch.set_num_threads(1)

depth = 20 if FAST else 50
width = 128 if FAST else 256
schemes = {
    "N(0, 1)": lambda w, g: nn.init.normal_(w, 0.0, 1.0, generator=g),
    "N(0, 0.01^2)": lambda w, g: nn.init.normal_(w, 0.0, 0.01, generator=g),
    "Xavier": lambda w, g: nn.init.xavier_normal_(w, generator=g),
    "Kaiming": lambda w, g: nn.init.kaiming_normal_(w, nonlinearity="relu", generator=g),
}


def activation_stds(init, act, depth, width, seed=SEED):
    gen = make_generator(seed)
    h = torch.randn(512, width, generator=gen, dtype=torch.float64)
    stds = []
    with torch.no_grad():
        for _ in range(depth):
            w = init(torch.empty(width, width, dtype=torch.float64), gen)
            z = h @ w.T
            stds.append(float(z.std()))
            h = act(z)
    return stds


fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for ax, (act_name, act) in zip(axes, [("tanh", torch.tanh), ("ReLU", torch.relu)]):
    curves = {name: activation_stds(init, act, depth, width) for name, init in schemes.items()}
    plot_curves(curves, title=f"{act_name}: std of the pre-activations", xlabel="layer", ylabel="std", logy=True,
                ax=ax)
    print(act_name, {name: f"{v[-1]:.3g}" for name, v in curves.items()})
plt.tight_layout()
plt.show()


# %% [markdown] id="cell-041"
# What to see (numbers for `FAST=False`: 50 layers of width 256): with $\mathcal N(0,1)$ the ReLU activations explode
# by about $\sqrt{\text{width}/2}$ per layer, and the tanh pre-activations have std about 16 at every layer: about 86%
# of the tanh units are saturated ($|\tanh z|>0.99$), so their gradients vanish. With $\mathcal N(0,0.01^2)$
# everything vanishes geometrically. Xavier lets the ReLU activations shrink by $\sqrt2$ per layer (concept check
# above); with tanh it decays too, only slowly: std 1.0 at layer 1, about 0.09 at layer 50, because $\mathbb E[\tanh^2
# z]<\mathbb E[z^2]$ and gain 1 does not make up for it. Kaiming keeps ReLU stable. With tanh, Kaiming's gain $\sqrt2$
# does **not** saturate the units: the std goes from 1.41 at layer 1 to about 0.79 from layer 10 on, the stable fixed
# point of $s^2=2\,\mathbb E[\tanh^2(s\,\xi)]$ ($\xi\sim\mathcal N(0,1)$), where only about 0.1% of the units are
# saturated. So a gain above 1 is what keeps deep tanh networks from fading; torch's tanh gain $5/3$ settles at a std
# of about 1.09. (The saturated fractions are not printed by the cell; they are the share of pre-activations with
# $|z|>2.65$ at the last layer.)
#
# ### 8.2 The symmetry problem
#
# A small network `2 → 4 (tanh) → 1` with every parameter set to the same constant: all hidden units get identical
# gradients, so SGD can never make them differ. With random weights they differ at once.

# %% id="cell-042"
def tiny_net(constant=None, seed=SEED):
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
    if constant is not None:
        with torch.no_grad():
            for p in net.parameters():
                p.fill_(constant)
    return net


gen = make_generator(SEED)
x = torch.randn(64, 2, generator=gen)
y = torch.sin(3 * x[:, :1]) * x[:, 1:]
for label, net in [("constant 0.5", tiny_net(0.5)), ("all zeros", tiny_net(0.0)), ("random", tiny_net())]:
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    for step in range(200):
        opt.zero_grad()
        loss = ((net(x) - y) ** 2).mean()
        loss.backward()
        if step == 0:
            grad_rows = net[0].weight.grad.clone()
        opt.step()
    w1 = net[0].weight.detach()
    print(f"{label:>12}: first-step gradient rows identical: {bool(torch.allclose(grad_rows, grad_rows[:1]))}; "
          f"after 200 steps hidden units identical: {bool(torch.allclose(w1, w1[:1]))}; loss {float(loss.detach()):.4f}")

# %% [markdown] id="cell-043"
# ### 8.3 Training under different initializations
#
# A 6-hidden-layer MLP (width 128) on the scikit-learn digits (8×8 images, 10 classes), trained with plain SGD from
# each initialization, for tanh and ReLU. Biases start at 0. A run that diverges (loss NaN or above 10) is drawn at 10.

# %% id="cell-044"
data = load_dataset("digits")
x_train, y_train = torch.as_tensor(data.x_train).to(device), torch.as_tensor(data.y_train).to(device)
x_train = x_train.reshape(len(x_train), -1)
n_in = x_train.shape[1]
epochs = 5 if FAST else 30
hidden, n_hidden = 128, 6


def make_mlp(act, init, seed=SEED):
    torch.manual_seed(seed)
    layers, d = [], n_in
    for _ in range(n_hidden):
        layers += [nn.Linear(d, hidden), act()]
        d = hidden
    layers.append(nn.Linear(d, data.num_classes))
    net = nn.Sequential(*layers)
    gen = make_generator(seed)
    for m in net.modules():
        if isinstance(m, nn.Linear):
            init(m.weight.data, gen)
            nn.init.zeros_(m.bias)
    return net.to(device)


def train(net, epochs, lr=0.05, batch_size=64):
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    gen = torch.Generator(device="cpu").manual_seed(SEED)
    losses = []
    for _ in range(epochs):
        perm = torch.randperm(len(x_train), generator=gen).to(device)
        total = 0.0
        for i in range(0, len(x_train), batch_size):
            idx = perm[i:i + batch_size]
            loss = nn.functional.cross_entropy(net(x_train[idx]), y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        avg = total / len(x_train)
        losses.append(min(avg, 10.0) if math.isfinite(avg) else 10.0)  # a diverging run stays on the plot
    return losses


fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for ax, (act_name, act) in zip(axes, [("tanh", nn.Tanh), ("ReLU", nn.ReLU)]):
    curves = {name: train(make_mlp(act, init), epochs) for name, init in schemes.items()}
    plot_curves(curves, title=f"{act_name} MLP on digits", xlabel="epoch", ylabel="training loss", logy=True,
                ax=ax)
    print(act_name, {name: f"{v[-1]:.3g}" for name, v in curves.items()})
plt.tight_layout()
plt.show()

# %% [markdown] id="cell-045"
# ## Summary and references
#
# | scheme | std of $w$ | uniform bound | for |
# |---|---|---|---|
# | LeCun | $\text{gain}/\sqrt{n_\text{in}}$ | $\sqrt3\cdot\text{std}$ | forward variance; SELU (gain 1) |
# | Xavier/Glorot | $\text{gain}\sqrt{2/(n_\text{in}+n_\text{out})}$ | $\sqrt3\cdot\text{std}$ | tanh, linear (symmetric, slope 1 at 0) |
# | Kaiming/He | $\text{gain}/\sqrt{\text{fan}}$, fan = $n_\text{in}$ (forward) or $n_\text{out}$ (backward) | $\sqrt3\cdot\text{std}$ | ReLU ($\text{gain}=\sqrt2$), leaky ReLU ($\sqrt{2/(1+a^2)}$) |
# | orthogonal | $Q$ of the QR of a Gaussian matrix, $\operatorname{diag}R>0$, times gain | - | recurrent weights, very deep nets |
# | biases | constant (0) | - | all |
#
# Fans of a weight `(out, in, *kernel)`: $n_\text{in}=\text{in}\cdot\prod\text{kernel}$,
# $n_\text{out}=\text{out}\cdot\prod\text{kernel}$.
#
# - Y. LeCun, L. Bottou, G. B. Orr, K.-R. Müller (1998). Efficient BackProp. In *Neural Networks: Tricks of the
#   Trade*, LNCS 1524, Springer.
# - X. Glorot, Y. Bengio (2010). Understanding the difficulty of training deep feedforward neural networks. AISTATS.
# - K. He, X. Zhang, S. Ren, J. Sun (2015). Delving deep into rectifiers: surpassing human-level performance on
#   ImageNet classification. ICCV.
# - A. M. Saxe, J. L. McClelland, S. Ganguli (2014). Exact solutions to the nonlinear dynamics of learning in deep
#   linear neural networks. ICLR.
# - F. Mezzadri (2007). How to generate random matrices from the classical compact groups. *Notices of the AMS*.
# - G. Klambauer, T. Unterthiner, A. Mayr, S. Hochreiter (2017). Self-normalizing neural networks (SELU). NeurIPS.
#
# The course note `course/notes/02_initialization.md` summarises all of this, with a glossary of English and
# Chinese terms.
