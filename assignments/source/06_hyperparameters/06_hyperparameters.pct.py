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
# # 06 · Hyperparameters: searching well, and checking a run before you search
#
# The learning rate, the batch size, the weight decay, the width, the dropout rate, the number of epochs: these
# **hyperparameters** are fixed before training and are not changed by gradient descent on the training loss (which
# would, for example, always choose no regularization). They are chosen by an outer search that measures each
# candidate on **held-out validation data**, and every evaluation of that search is a whole training run: expensive
# and noisy. One of the seed notes says they "can only be adjusted by experience"; in fact they are searched
# systematically, and the way you search decides how many runs you need:
#
# - **where** to measure: a validation split for choosing, a test split used once for reporting, several seeds;
# - **how to sample**: rates and decays on a log scale;
# - **what to try**: a grid, random configurations (Bergstra & Bengio 2012), coarse to fine;
# - **how to spend the budget**: successive halving and Hyperband (Jamieson & Talwalkar 2016; Li et al. 2018), and
#   stopping hopeless runs by their learning curves (the median stopping rule; ASHA);
# - **where to look next**: Bayesian optimisation with a Gaussian process and the expected improvement (Snoek et
#   al. 2012), and how TPE differs;
# - **a learning rate in one short run**: the learning-rate range test (Smith 2017, and fastai's form of it);
# - **before any of it**: sanity checks of the training run itself (initial loss, over-fitting a tiny batch, the
#   update/weight ratio), as in Stanford's CS231n notes;
# - and the architecture as a hyperparameter: neural architecture search, and random search as its baseline.
#
# | item | you implement | points |
# |---|---|---|
# | `log_uniform` | samples of $\exp(U(\ln a,\ln b))$ from a `torch.Generator` | 3 |
# | `search` | a grid of configurations, and random configurations from samplers | 3 |
# | `halving` | successive halving with a given `evaluate(config, budget)` | 3 |
# | `hyperband` | Hyperband's brackets on top of a successive-halving function | 3 |
# | `early_stop` | the median stopping rule on learning curves | 3 |
# | `bayes_opt` | a Gaussian-process posterior and the expected improvement | 3 |
# | `suggest_lr` | two learning-rate suggestions from a range test's losses | 3 |
# | `update_ratio` | one training step that returns the update/weight ratio of every weight | 3 |
# | `concept_*` | four multiple-choice checks | 4 × 1 |
# | `written_random_search` | one short written answer (graded by hand) | 2 |
#
# Then you run experiments on scikit-learn's handwritten digits: the sanity checks, a range test, grid against
# random search, successive halving and Hyperband, the median stopping rule on recorded curves, Bayesian
# optimisation against random search, and the seed-to-seed spread of the best configurations.
#
# **Rules.** In each solution cell, replace the two lines `# YOUR CODE HERE` and `raise NotImplementedError()` by
# your code. Do not change the other lines of the cell, and do not rename the functions. Each item is independent:
# a broken item costs only its own points. The search items (`search`, `halving`, `hyperband`, `early_stop`, `suggest_lr`) are plain Python:
# the tests call them with small deterministic `evaluate` functions and loss curves, so the exact contract stated
# above each solution cell matters (the order of the configurations, how ties are broken, what is returned, and its
# type). Random
# draws come from the `generator` argument (a `torch.Generator`; torch's global one when `None`): two generators
# seeded alike give the same draws, and when one is given the global generator is not used at all. Hidden tests
# probe other ranges, orders and sizes, ties, the generator, other optimizers and real models.

# %% nbgrader={"grade": false, "grade_id": "parameters", "locked": true, "schema_version": 3, "solution": false, "task": false} tags=["parameters"] id="parameters"
SEED = 0
DEVICE = "auto"
FAST = False

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false} id="setup"
import copy
import math
import statistics

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

from course import get_device, load_dataset, make_generator, plot_curves, seed_everything
from course.checks import check_close, check_equal, check_raises, check_true, check_within, expected
from course.seeding import vary  # the hidden tests' inputs: your own while grading, vary(k) == k elsewhere

seed_everything(SEED)
device = get_device(DEVICE)
print(f"torch {torch.__version__}, device {device}, FAST={FAST}")


# %% [markdown] id="cell-003"
# The next cell holds helpers of the test cells. `compare_fraction` checks that a fraction out of $n$ independent
# draws lies within 6 standard errors $6\sqrt{p(1-p)/n}$ of its probability $p$ (a correct solution fails with
# probability below $10^{-8}$). `config_rows` checks that a list of configurations is a list of dicts with the
# expected names and returns their values row by row. `LearningCurves` is an `evaluate(config, budget)` for the
# successive-halving tests: configuration `i` reaches the validation loss `final[i] + speed[i] / budget` after
# `budget` units of training, and every call is recorded. `Sampler` and `BruteForce` serve the Hyperband tests: a
# `sample(n)` that hands out numbered configurations, and a stand-in for `successive_halving` that simply trains every
# configuration with the final budget, so that a bug in your halving does not cost the Hyperband item too. Read
# them, you do not need to change them.

# %% nbgrader={"grade": false, "grade_id": "helpers", "locked": true, "schema_version": 3, "solution": false, "task": false} id="helpers"
def compare_fraction(check_id, hits, p, case, hint=""):
    """`hits` a bool tensor of n independent Bernoulli(p) draws: its mean within 6 sqrt(p(1-p)/n) of p."""
    n = expected(hits.numel())  # used only by the bounds, the expected side
    bound = expected(6 * math.sqrt(p * (1 - p) / n))  # p is the expected side (withheld while grading)
    check_within(check_id, float(hits.double().mean()), p - bound, p + bound, case=case,
                 why=expected(f"fraction of {n} independent draws: 6 standard errors of p = {p:.4g}"), hint=hint)


def config_rows(check_id, configs, names, n, case):
    """Checks that `configs` is a list of n dicts, each with exactly the keys `names`; returns the rows
    [[config[name] for name in names] for config in configs]."""
    check_equal(check_id + "/type", type(configs).__name__, "list", case=case, hint="return a list of dicts")
    check_equal(check_id + "/dicts", [type(c).__name__ for c in configs], ["dict"] * n, case=case,
                hint=f"{n} configurations, each a dict {{name: value}}")
    check_equal(check_id + "/names", [sorted(c) for c in configs], [sorted(names)] * n, case=case,
                hint="every configuration has exactly one entry per hyperparameter name")
    return [[c[name] for name in names] for c in configs]


class LearningCurves:
    """evaluate(config, budget) for the successive-halving tests: config["id"] = i reaches the validation loss
    final[i] + speed[i] / budget after `budget` units of training. Records every call as (i, budget)."""

    def __init__(self, final, speed):
        self.final, self.speed = list(final), list(speed)
        self.calls = []

    def __call__(self, config, budget):
        i = config["id"]
        self.calls.append((i, budget))
        return self.final[i] + self.speed[i] / budget

    def configs(self):
        return [{"id": i} for i in range(len(self.final))]


class Sampler:
    """sample(n) for the hyperband tests: n new configurations {"id": k}, numbered on across calls; records each n."""

    def __init__(self):
        self.sizes = []

    def __call__(self, n):
        start = sum(self.sizes)
        self.sizes.append(n)
        return [{"id": start + i} for i in range(n)]


class BruteForce:
    """A stand-in for successive_halving in the hyperband tests: it trains every configuration with the budget of
    successive halving's last rung and returns (winner, [(that budget, [winner], [its loss])]); with `losses`, the
    k-th call reports losses[k] as its winner's loss. Records (len(configs), min_budget, eta) of each call in
    `calls` and what it returned, as (len(configs), winner, rungs), in `results`."""

    def __init__(self, losses=None):
        self.losses, self.calls, self.results = losses, [], []

    def __call__(self, configs, evaluate, min_budget, eta):
        budget, m = min_budget, len(configs)
        while m > 1:
            m, budget = max(1, m // eta), budget * eta
        scores = [evaluate(c, budget) for c in configs]
        winner = min(range(len(configs)), key=lambda i: scores[i])
        loss = scores[winner] if self.losses is None else self.losses[len(self.calls)]
        rungs = [(budget, [winner], [loss])]
        self.calls.append((len(configs), min_budget, eta))
        self.results.append((len(configs), winner, rungs))
        return winner, rungs


# %% [markdown] id="cell-005"
# ## 1. Where to measure: validation, test and seeds
#
# **Three splits.** The *training* split fits the parameters. The *validation* split chooses the hyperparameters
# (and the early-stopping epoch): every configuration of a search is scored on the same validation split. The *test*
# split is used **once**, at the end, to report the chosen configuration. Choosing on the test split would make
# its score optimistic: the best of many noisy scores is biased upward (the "winner's curse"). With $m$
# configurations of equal true accuracy $a$ scored on $n_{\text{val}}$ examples, each score has standard error
# $\sqrt{a(1-a)/n_{\text{val}}}$, and if the scores were independent the largest of $m=50$ of them would lie about
# 2.2 standard errors above $a$ on average. Scored on one validation split they are positively correlated (the same
# examples count for or against every configuration); with a correlation $\rho$ between scores the excess shrinks
# to about $2.2\sqrt{1-\rho}$ standard errors, but stays upward. A small data set may use $k$-fold
# cross-validation instead of one validation split; the test split stays untouched either way.
#
# **Seeds.** A training run's result depends on its seed (the initial weights, the order of the mini-batches,
# dropout masks). Run the configurations you compare with several seeds (3 to 5 is common) and report
# **mean ± standard deviation**; a difference between two configurations smaller than the seed-to-seed spread is
# not a difference. The standard error of a difference of two means of $n$ seeds each is
# $\sqrt{(s_A^2+s_B^2)/n}$. A search itself compares single runs (one seed each), so re-run the few finalists with
# more seeds before choosing among them.
#
# ## 2. Sampling on a log scale
#
# A learning rate or a weight decay matters by its **order of magnitude**: going from $10^{-4}$ to $10^{-3}$ changes
# training as much as going from $10^{-2}$ to $10^{-1}$. Sampled uniformly on $[10^{-5},10^{-1}]$, 90% of the draws
# land in the last decade $[10^{-2},10^{-1}]$ and the small values are hardly ever tried. Sample them
# **log-uniformly** instead: $\ln x\sim U(\ln a,\ln b)$, so that every decade gets the same share of the draws:
#
# $$x=\exp\big(\ln a+u\,(\ln b-\ln a)\big)=a\,(b/a)^u,\qquad u\sim U[0,1),\qquad
# P(x\le t)=\frac{\ln(t/a)}{\ln(b/a)}\ \ (a\le t\le b).$$
#
# The base of the logarithm does not matter as long as the same base is used on the way in and on the way out
# ($10^{U(\log_{10}a,\log_{10}b)}$ is the same distribution; $e^{U(\log_{10}a,\log_{10}b)}$ is not). Log scales suit
# the learning rate, weight decay, Adam's $\epsilon$ and (roughly) widths; a momentum $\beta$ close to 1 is sampled
# through $1-\beta$ on a log scale (0.9, 0.99, 0.999 are equally spaced there); a dropout rate is sampled on a linear
# scale. `scipy.stats.loguniform(a, b)` is the same distribution.
#
# Implement `log_uniform(low, high, n, generator=None)`: `n` independent samples as a float64 tensor of shape
# `(n,)`, with $u$ drawn as `torch.rand(n, generator=generator, dtype=torch.float64)`, and `ValueError` unless
# `0 < low < high`. The generator contract (the same in every function of this unit that draws): draw from the
# generator you are given, itself, not from a copy re-seeded with its seed, so two calls with one generator give
# different draws that continue its sequence; `generator=None` means torch's global generator (what
# `torch.rand(..., generator=None)` uses, so `seed_everything` or `torch.manual_seed` fixes the draws), not a
# fresh `torch.Generator()`, whose default seed is the same in every run.

# %% autograder={"forbidden": ["scipy.stats"]} nbgrader={"grade": false, "grade_id": "log_uniform_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="log-uniform-impl"
def log_uniform(low, high, n, generator=None):
    """n independent samples of exp(U(ln low, ln high)): a float64 tensor of shape (n,), drawn from `generator`
    (torch's global generator when None). ValueError unless 0 < low < high."""
    ### BEGIN SOLUTION
    if not 0 < low < high:
        raise ValueError(f"log_uniform needs 0 < low < high, got low={low}, high={high}")
    u = torch.rand(n, generator=generator, dtype=torch.float64)
    return torch.exp(math.log(low) + u * (math.log(high) - math.log(low)))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "log_uniform__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="log-uniform--visible"
# Visible test: 30000 samples on [1e-4, 1e-1]: shape, range, and one third of the draws in each decade.
n = 30000
x = log_uniform(1e-4, 1e-1, n, generator=make_generator(1))
check_equal("log_uniform/shape", tuple(x.shape), (n,), case="n=30000", hint="a tensor of shape (n,)")
check_true("log_uniform/range", bool(((x >= 1e-4 * (1 - 1e-12)) & (x <= 1e-1 * (1 + 1e-12))).all()),
           "some sample lies outside [low, high]", case="[1e-4, 1e-1]",
           hint="use the same logarithm on the way in and out: exp(ln a + u (ln b - ln a))")
for lo, hi in [(1e-4, 1e-3), (1e-3, 1e-2), (1e-2, 1e-1)]:
    compare_fraction("log_uniform/decades", (x >= lo) & (x < hi), 1 / 3, case=f"[1e-4, 1e-1], decade [{lo:g}, {hi:g})",
                     hint="sample the logarithm uniformly: every decade gets the same share of the draws")

# %% nbgrader={"grade": true, "grade_id": "log_uniform__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="log-uniform--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
n = 30000
x = log_uniform(1e-3, 1.0, n, generator=make_generator(vary(2)))
check_equal("log_uniform/type", type(x).__name__, "Tensor", case="[1e-3, 1]", hint="return a torch tensor")
check_equal("log_uniform/dtype", str(x.dtype), "torch.float64", case="[1e-3, 1]",
            hint="draw u with dtype=torch.float64, as stated: the tests compare exact draws, and a float32 "
                 "torch.rand draws other numbers from the same generator")
# other ranges, below and above 1: P(x <= a (b/a)^q) = q at several quantiles q
for k, (low, high) in enumerate([(1e-6, 1e-2), (0.5, 2.0), (3.0, 3000.0)]):
    x = log_uniform(low, high, n, generator=make_generator(vary(10 + k)))
    check_true("log_uniform/range_more", bool(((x >= low * (1 - 1e-12)) & (x <= high * (1 + 1e-12))).all()),
               "some sample lies outside [low, high]", case=f"[{low:g}, {high:g}]")
    for q in [0.1, 0.25, 0.5, 0.75, 0.9]:
        t = low * (high / low) ** q
        compare_fraction("log_uniform/quantiles", x <= t, q, case=f"[{low:g}, {high:g}], P(x <= a (b/a)^{q})",
                         hint="ln x must be uniform on [ln low, ln high]")
# the generator: same seed, same draws; another seed, other draws (random, not a fixed grid); global untouched
rng_state = torch.get_rng_state()
a = log_uniform(1e-5, 1e-1, 1000, generator=make_generator(vary(20)))
b = log_uniform(1e-5, 1e-1, 1000, generator=make_generator(vary(20)))
c = log_uniform(1e-5, 1e-1, 1000, generator=make_generator(vary(21)))
check_true("log_uniform/generator_seed", bool(torch.equal(a, b)), "two generators seeded alike gave different draws",
           case="two calls, generators with the same seed", hint="draw u from the generator argument")
check_true("log_uniform/global_rng_untouched", bool(torch.equal(torch.get_rng_state(), rng_state)),
           "torch's global random state changed although a generator was given", case="generator given",
           hint="torch.rand(n, generator=generator, dtype=torch.float64)")
check_true("log_uniform/random", not bool(torch.equal(a, c)), "two different seeds gave the same values",
           case="generators with seeds 20 and 21",
           hint="independent random draws, not evenly spaced points (that is a grid: torch.logspace)")
# the generator contract: a given generator is used itself (a second call continues its sequence), None is torch's
# global generator (seed_everything fixes the draws), not a fresh default-seeded torch.Generator()
def log_uniform_from(u, low, high):
    return torch.exp(math.log(low) + u * (math.log(high) - math.log(low)))


def global_draws(seed, low, high, n):
    seed_everything(vary(seed))
    return log_uniform_from(torch.rand(n, dtype=torch.float64), low, high)


gen = expected(make_generator(vary(26)))
ref = expected(torch.cat([log_uniform_from(torch.rand(50, generator=gen, dtype=torch.float64), 1e-4, 1.0)
                          for _ in range(2)]))
g = make_generator(vary(26))
first = log_uniform(1e-4, 1.0, 50, generator=g)
check_close("log_uniform/generator_continues", torch.cat([first, log_uniform(1e-4, 1.0, 50, generator=g)]), ref,
            rtol=1e-12, case="two calls of n=50 with one generator (seed 26)",
            hint="draw from the generator you are given, not from a copy re-seeded with its seed: a second call "
                 "continues its sequence")
for seed in (27, 28):
    ref = expected(global_draws(seed, 1e-4, 1.0, 50))
    seed_everything(vary(seed))
    check_close("log_uniform/global_generator", log_uniform(1e-4, 1.0, 50), ref, rtol=1e-12,
                case=f"generator=None after seed_everything({seed})",
                hint="generator=None means torch's global generator: pass it on as torch.rand(..., generator=None); "
                     "a fresh torch.Generator() has the same default seed in every run")
# sizes 1 and 0; invalid bounds
check_equal("log_uniform/n1", tuple(log_uniform(0.1, 1.0, 1, generator=make_generator(vary(22))).shape), (1,),
            case="n=1")
check_equal("log_uniform/n0", tuple(log_uniform(0.1, 1.0, 0, generator=make_generator(vary(23))).shape), (0,),
            case="n=0")
for low, high in [(0.0, 1.0), (-1.0, 1.0), (1.0, 1.0), (2.0, 1.0)]:
    check_raises("log_uniform/bad_bounds", lambda: log_uniform(low, high, 5, generator=make_generator(vary(24))),
                 ValueError,
                 case=f"low={low}, high={high}", hint="0 < low < high, else ValueError")
### END HIDDEN TESTS

# %% [markdown] id="cell-009"
# ## 3. Grid search, random search, coarse to fine
#
# **Grid search** tries every combination of a few values per hyperparameter: with $k$ values for each of $d$
# hyperparameters it costs $k^d$ runs, exponential in $d$. **Random search** (Bergstra & Bengio 2012, *JMLR* 13)
# draws $n$ configurations independently, each hyperparameter from its own distribution (log-uniform for rates). For
# the same number of runs it is better whenever only a few hyperparameters matter (the usual case, and one does not
# know which in advance): a $3\times3$ grid over (learning rate, weight decay) tries only 3 distinct learning rates,
# 9 random configurations try 9. And if the good region covers a fraction $v$ of the search space, $n$ random
# configurations miss it with probability $(1-v)^n$: 60 runs find a configuration of the best 5% with probability
# $1-0.95^{60}\approx0.95$, whatever the number of hyperparameters. Random search is also easy to extend (add runs
# until the budget is spent) and to parallelize.
#
# **Coarse to fine.** Start wide (the learning rate over several decades, short runs), then narrow the ranges
# around the best configurations and search again with longer runs. If the best value lies at the edge of a
# range, the range was too narrow: extend it in that direction. Model-based methods (Bayesian optimization with a
# Gaussian process or a tree-structured Parzen estimator, Bergstra et al. 2011; Snoek et al. 2012) choose the next
# configuration from the results so far; random search is the baseline they must beat.
#
# Implement:
#
# - `grid_points(axes)`: `axes` maps each name to a list of values; return every combination as a list of dicts
#   `{name: value}` in `itertools.product` order (the first name varies slowest, the last fastest; the values are
#   the objects given). `{}` gives `[{}]` (one configuration with nothing to set); an empty list of values gives `[]`.
# - `random_configs(space, n, generator)`: `space` maps each name to a **sampler**, a function called as
#   `sampler(generator)` that returns one value; return `n` dicts. Draw configuration by configuration (the first
#   complete before the second starts), within one configuration in the order of the names in `space`, calling each
#   sampler once with `generator` itself: then the same seed gives the same configurations, and a second call with
#   the same generator gives the next ones.

# %% autograder={"forbidden": ["sklearn.model_selection"]} nbgrader={"grade": false, "grade_id": "search_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="search-impl"
def grid_points(axes):
    """Every combination of the values in axes (a dict name -> list of values) as a list of dicts, in
    itertools.product order: the first name varies slowest, the last fastest."""
    ### BEGIN SOLUTION
    configs = [{}]
    for name, values in axes.items():
        configs = [{**config, name: value} for config in configs for value in values]
    return configs
    ### END SOLUTION


def random_configs(space, n, generator):
    """n random configurations (dicts): configuration by configuration, and within one in the order of the names
    in space, value = space[name](generator)."""
    ### BEGIN SOLUTION
    return [{name: sampler(generator) for name, sampler in space.items()} for _ in range(n)]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "search__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="search--visible"
# Visible test: a 2 x 3 grid, and 5 random configurations of one hyperparameter.
axes = {"lr": [0.1, 0.01], "wd": [0.0, 1e-4, 1e-3]}
rows = config_rows("search/grid", grid_points(axes), ["lr", "wd"], 6, case="lr 2 values, wd 3 values")
check_equal("search/grid_values", rows, [[0.1, 0.0], [0.1, 1e-4], [0.1, 1e-3], [0.01, 0.0], [0.01, 1e-4], [0.01, 1e-3]],
            case="lr 2 values, wd 3 values", hint="itertools.product order: the last name varies fastest")


def lr_sampler(g):
    return float(10 ** (-4 + 3 * torch.rand((), generator=g, dtype=torch.float64)))


configs = random_configs({"lr": lr_sampler}, 5, make_generator(3))
rows = config_rows("search/random", configs, ["lr"], 5, case="one sampler, n=5")
gen = expected(make_generator(3))
check_equal("search/random_values", rows, [[lr_sampler(gen)] for _ in range(5)], case="one sampler, n=5",
            hint="call space[name](generator) once per configuration, with the generator you were given")

# %% nbgrader={"grade": true, "grade_id": "search__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="search--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
# one axis, three axes (order), an empty axis, no axes
rows = config_rows("search/grid_one_axis", grid_points({"width": [16, 32, 64]}), ["width"], 3, case="one axis")
check_equal("search/grid_one_axis_values", rows, [[16], [32], [64]], case="one axis")
axes = {"lr": [1e-3, 1e-2], "wd": [0.0, 0.1], "p": [0.1, 0.3, 0.5]}
ref = expected([[lr, wd, p] for lr in axes["lr"] for wd in axes["wd"] for p in axes["p"]])
rows = config_rows("search/grid_three_axes", grid_points(axes), ["lr", "wd", "p"], 12, case="three axes 2 x 2 x 3")
check_equal("search/grid_three_axes_values", rows, ref, case="three axes 2 x 2 x 3",
            hint="any number of names; the first varies slowest, the last fastest")
axes = {"opt": ["sgd", "adam"], "bs": [32, 128], "lr": [0.1], "wd": [0.0, 1e-4]}
ref = expected([[o, b, lr, wd] for o in axes["opt"] for b in axes["bs"] for lr in axes["lr"] for wd in axes["wd"]])
rows = config_rows("search/grid_four_axes", grid_points(axes), ["opt", "bs", "lr", "wd"], 8, case="four axes")
check_equal("search/grid_four_axes_values", rows, ref, case="four axes")
check_equal("search/grid_empty_axis", len(grid_points({"lr": [0.1, 0.01], "wd": []})), 0, case="wd has no values",
            hint="a product with an empty factor is empty")
check_equal("search/grid_no_axes", len(grid_points({})), 1, case="axes = {}", hint="one configuration: {}")
# several samplers: configuration by configuration, names in order
samplers = {
    "lr": lambda g: float(10 ** (-5 + 4 * torch.rand((), generator=g, dtype=torch.float64))),
    "bs": lambda g: int(2 ** torch.randint(4, 9, (), generator=g)),
    "p": lambda g: float(0.5 * torch.rand((), generator=g, dtype=torch.float64)),
}
configs = random_configs(samplers, 7, make_generator(vary(30)))
rows = config_rows("search/random_three", configs, ["lr", "bs", "p"], 7, case="three samplers, n=7")
gen = expected(make_generator(vary(30)))
ref = expected([[s(gen) for s in samplers.values()] for _ in range(7)])
check_equal("search/random_three_values", rows, ref, case="three samplers, n=7",
            hint="draw configuration by configuration, within one in the order of the names in space")
check_equal("search/random_n0", random_configs(samplers, 0, make_generator(vary(31))), [], case="n=0")
g = make_generator(vary(33))
random_configs(samplers, 2, g)
rows = config_rows("search/random_continues", random_configs(samplers, 3, g), ["lr", "bs", "p"], 3,
                   case="a second call (n=3) after one of n=2, one generator")
gen = expected(make_generator(vary(33)))
ref = expected([[s(gen) for s in samplers.values()] for _ in range(5)][2:])
check_equal("search/random_continues_values", rows, ref, case="a second call (n=3) after one of n=2, one generator",
            hint="call each sampler with the generator you were given, not a re-seeded copy: a second call continues "
                 "its sequence")
configs = random_configs({"lr": samplers["lr"]}, 3, make_generator(vary(32)))
configs[0]["lr"] = -1.0
check_true("search/random_independent", configs[1]["lr"] != -1.0 and configs[2]["lr"] != -1.0,
           "changing one configuration changed another", case="n=3, configs[0] changed",
           hint="a new dict for every configuration")
### END HIDDEN TESTS

# %% [markdown] id="cell-013"
# ## 4. Successive halving and Hyperband
#
# Most bad configurations are visibly bad after a short run. **Successive halving** (Jamieson & Talwalkar 2016,
# AISTATS; after Karnin et al. 2013) spends the budget accordingly: evaluate all $n$ configurations with a small
# budget $b_0$ (epochs, steps, or training examples), keep the best $1/\eta$ of them, multiply the budget by $\eta$,
# and repeat until one is left. Each rung costs about $n\,b_0$, so the whole search costs about $n\,b_0\log_\eta n$
# instead of $n\,b_0\,\eta^{\log_\eta n}=n^2b_0$ for training every configuration with the final budget. Its risk is
# the first rungs: a configuration that learns slowly but ends best (a small learning rate) can be dropped early.
# Hyperband, below, hedges against that with several starting budgets (for $R=81$ and $\eta=3$, Li et al.'s
# brackets start 81 configurations at budget 1, 34 at 3, 15 at 9, 8 at 27 and 5 at 81).
#
# Implement `successive_halving(configs, evaluate, min_budget, eta=3)` with this exact contract:
#
# - rung 0 evaluates every configuration with budget `min_budget`; rung $r$ uses budget `min_budget * eta**r` (an
#   int when both are ints: it counts epochs or steps);
# - after a rung that evaluated $m>1$ configurations, keep the `max(1, m // eta)` with the **lowest** losses (on a
#   tie the earlier position in `configs` wins) and go on; stop after the rung that evaluated a single configuration
#   (the winner is trained with the largest budget: you need that model anyway);
# - `evaluate(config, budget)` returns the validation loss (a float) of `config` trained with a **total** of
#   `budget` units; call it exactly once per configuration and rung. Whether it trains from scratch or resumes a saved
#   run is `evaluate`'s business, not yours;
# - `configs` may hold equal configurations (a grid with a repeated value, random draws that coincide): each position
#   is a configuration of its own, with its own runs, so identify configurations by their position, never by value
#   (`configs.index(c)` finds the first equal one);
# - return the tuple `(winner, rungs)`: `winner` the position in `configs` of the one configuration of the last
#   rung (even if another configuration had a lower loss at a smaller budget), `rungs` a list with one tuple
#   `(budget, positions, losses)` per rung, `positions` the list of the positions (ints, increasing) evaluated in
#   that rung and `losses` the list of their losses in the same order.

# %% nbgrader={"grade": false, "grade_id": "halving_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="halving-impl"
def successive_halving(configs, evaluate, min_budget, eta=3):
    """Successive halving over the list configs; returns (winner, rungs), see the contract above."""
    ### BEGIN SOLUTION
    if not configs:
        raise ValueError("successive_halving needs at least one configuration")
    alive = list(range(len(configs)))
    budget = min_budget
    rungs = []
    while True:
        losses = [evaluate(configs[i], budget) for i in alive]
        rungs.append((budget, list(alive), losses))
        if len(alive) == 1:
            return alive[0], rungs
        keep = max(1, len(alive) // eta)
        ranked = sorted(range(len(alive)), key=lambda j: losses[j])  # a stable sort: ties keep the earlier position
        alive = sorted(alive[j] for j in ranked[:keep])
        budget = budget * eta
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "halving__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="halving--visible"
# Visible test: 8 configurations, eta = 2 (keep half, double the budget): 8 -> 4 -> 2 -> 1 at budgets 1, 2, 4, 8.
# The learning curves cross: configuration 5 is the worst after 1 unit but would be the best after 8.
curves = LearningCurves(final=[0.50, 0.38, 0.62, 0.45, 0.70, 0.20, 0.55, 0.41],
                        speed=[0.23, 0.36, 0.07, 0.12, 0.04, 0.90, 0.13, 0.31])
winner, rungs = successive_halving(curves.configs(), curves, min_budget=1, eta=2)
ref = expected([(budget, positions, [curves.final[i] + curves.speed[i] / budget for i in positions])
                for budget, positions in [(1, [0, 1, 2, 3, 4, 5, 6, 7]), (2, [2, 3, 6, 7]), (4, [3, 7]), (8, [3])]])
check_equal("halving/rungs", rungs, ref, case="n=8, eta=2, min_budget=1",
            hint="keep the m // eta lowest losses, multiply the budget by eta; positions in increasing order")
check_equal("halving/winner", winner, 3, case="n=8, eta=2, min_budget=1",
            hint="the position in configs of the configuration of the last rung")


# %% nbgrader={"grade": true, "grade_id": "halving__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="halving--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
def expected_halving(losses_at, n, min_budget, eta):
    """The contract, written out: losses_at(i, budget) is the loss of configuration i."""
    alive, budget, rungs = list(range(n)), min_budget, []
    while True:
        losses = [losses_at(i, budget) for i in alive]
        rungs.append((budget, list(alive), losses))
        if len(alive) == 1:
            return alive[0], rungs
        order = sorted(range(len(alive)), key=lambda j: (losses[j], alive[j]))
        alive = sorted(alive[j] for j in order[:max(1, len(alive) // eta)])
        budget = budget * eta


def random_curves(n, seed):
    gen = make_generator(vary(seed))
    final = (0.1 + torch.rand(n, generator=gen, dtype=torch.float64)).tolist()
    speed = (2.0 * torch.rand(n, generator=gen, dtype=torch.float64)).tolist()
    return LearningCurves(final, speed)


# sizes that are not powers of eta (floor of m / eta), other eta, other budgets; every call counted
for k, (n, min_budget, eta) in enumerate([(10, 1, 3), (27, 1, 3), (17, 2, 4), (13, 1, 2), (20, 5, 3), (8, 0.5, 2)]):
    case = f"n={n}, min_budget={min_budget}, eta={eta}"
    curves = random_curves(n, 40 + k)
    winner, rungs = successive_halving(curves.configs(), curves, min_budget=min_budget, eta=eta)
    exp_winner, exp_rungs = expected(
        expected_halving(lambda i, b: curves.final[i] + curves.speed[i] / b, n, min_budget, eta))
    check_equal("halving/rungs_more", rungs, exp_rungs, case=case,
                hint="keep max(1, m // eta) configurations (the floor) and multiply the budget by eta, not by 2")
    check_equal("halving/winner_more", winner, exp_winner, case=case)
    check_equal("halving/calls", sorted(curves.calls), sorted((i, b) for b, pos, _ in exp_rungs for i in pos),
                case=case, hint="call evaluate exactly once per configuration and rung: its losses are the results")
# one and two configurations: never keep 0
for n in [1, 2]:
    curves = random_curves(n, 50 + n)
    winner, rungs = successive_halving(curves.configs(), curves, min_budget=1, eta=3)
    exp_winner, exp_rungs = expected(expected_halving(lambda i, b: curves.final[i] + curves.speed[i] / b, n, 1, 3))
    check_equal("halving/few", rungs, exp_rungs, case=f"n={n}, eta=3",
                hint="keep max(1, m // eta): with 2 configurations and eta = 3 one survives")
    check_equal("halving/few_winner", winner, exp_winner, case=f"n={n}, eta=3")


# ties: the earlier position wins, and exactly max(1, m // eta) survive
class Table:
    def __init__(self, table):
        self.table = table

    def __call__(self, config, budget):
        return self.table[budget][config["id"]]


table = {1: [0.5, 0.3, 0.3, 0.3, 0.9, 0.3], 3: [0.4, 0.2, 0.1, 0.25, 0.8, 0.15], 9: [0.3, 0.1, 0.05, 0.2, 0.7, 0.1]}
winner, rungs = successive_halving([{"id": i} for i in range(6)], Table(table), min_budget=1, eta=3)
check_equal("halving/ties", rungs, [(1, [0, 1, 2, 3, 4, 5], table[1]), (3, [1, 2], [0.2, 0.1]), (9, [2], [0.05])],
            case="n=6, eta=3, four configurations tied at 0.3",
            hint="keep exactly max(1, m // eta); on a tie the earlier position in configs wins (a stable sort)")
check_equal("halving/ties_winner", winner, 2, case="n=6, eta=3, ties")
result = successive_halving([{"id": i} for i in range(6)], Table(table), min_budget=1, eta=3)
check_equal("halving/returns", type(result).__name__, "tuple", case="n=6, eta=3",
            hint="return the tuple (winner, rungs)")


# equal configurations at different positions (a grid with a repeated value): each position is its own run
class ByPosition:
    """evaluate keyed by the configuration object: equal dicts at two positions are two runs."""

    def __init__(self, configs, table):
        self.position = {id(c): i for i, c in enumerate(configs)}
        self.table = table

    def __call__(self, config, budget):
        return self.table[budget][self.position[id(config)]]


repeated = [{"lr": lr} for lr in [0.1, 0.01, 0.1, 0.001, 0.01, 0.1]]
table = {1: [0.6, 0.5, 0.2, 0.9, 0.3, 0.7], 3: [0.5, 0.4, 0.25, 0.8, 0.1, 0.6], 9: [0.4, 0.3, 0.2, 0.7, 0.08, 0.5]}
winner, rungs = successive_halving(repeated, ByPosition(repeated, table), min_budget=1, eta=3)
exp_winner, exp_rungs = expected(expected_halving(lambda i, b: table[b][i], 6, 1, 3))
check_equal("halving/repeated", [winner, rungs], [exp_winner, exp_rungs],
            case="n=6, eta=3, lr values 0.1, 0.01, 0.1, 0.001, 0.01, 0.1",
            hint="identify configurations by their position: configs.index finds the first equal configuration")
# a loss that rises again at the larger budget: the winner is the configuration of the last rung
table = {1: [0.05, 0.6, 0.4, 0.7, 0.5, 0.8], 3: [0.9, 0.6, 0.3, 0.7, 0.5, 0.8], 9: [1.2, 0.5, 0.2, 0.6, 0.4, 0.7]}
winner, rungs = successive_halving([{"id": i} for i in range(6)], Table(table), min_budget=1, eta=3)
check_equal("halving/winner_last_rung", winner, expected(expected_halving(lambda i, b: table[b][i], 6, 1, 3)[0]),
            case="n=6, eta=3, configuration 0 best at budget 1, worse at budget 3",
            hint="the winner is the one configuration of the last rung, not the lowest loss seen in any rung")
### END HIDDEN TESTS

# %% [markdown] id="cell-hyperband"
# ### Hyperband
#
# Successive halving fixes one trade-off in advance: many configurations with a small first budget, or a few with a
# large one. **Hyperband** (Li et al. 2018) does not choose: it runs several **brackets** of successive halving, from
# the most aggressive (many configurations, the smallest first budget) to plain random search (one configuration,
# trained with the largest budget), and keeps the best final result. A slow starter that the first bracket drops in
# its first rung gets its chance in a bracket that starts with more epochs. Li et al. give bracket $s$
# $\lceil\frac{s_{\max}+1}{s+1}\eta^s\rceil$ configurations, so that every bracket costs about the same, and stop
# its halving after $s+1$ rungs. Here each bracket is your `successive_halving`, which halves down to one
# configuration, so bracket $s$ starts $\eta^s$ configurations: every bracket then ends with one configuration
# trained with the largest budget (the aggressive brackets cost a little more than Li et al.'s).
#
# Implement `hyperband(sample, evaluate, min_budget, max_budget, eta=3, halving=None)`:
#
# - `s_max` is the largest integer $s\ge0$ with `min_budget * eta**s <= max_budget`; find it by multiplying, not with
#   `math.log` (`math.log(243, 3)` is `4.999999999999999`); raise `ValueError` if `max_budget < min_budget`;
# - for $s$ = `s_max`, `s_max - 1`, ..., 0, in this order: `configs = sample(eta**s)` (one call per bracket, just
#   before its halving; it returns a list of that many configurations), then
#   `winner, rungs = halving(configs, evaluate, min_budget * eta**(s_max - s), eta)`;
# - `halving` is the successive-halving function to use, your `successive_halving` when it is `None` (the tests pass
#   their own, so that a bug in `successive_halving` costs only that item);
# - the best bracket is the one whose winner has the lowest loss in its bracket's last rung (`rungs[-1][2][0]`); on a
#   tie the earlier bracket wins;
# - return the tuple `(best, brackets)`: `best` the index of the best bracket in `brackets`, and `brackets` a list
#   with one tuple `(configs, winner, rungs)` per bracket, in the order they ran.

# %% nbgrader={"grade": false, "grade_id": "hyperband_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="hyperband-impl"
def hyperband(sample, evaluate, min_budget, max_budget, eta=3, halving=None):
    """Brackets of successive halving; returns (best, brackets), see the contract above."""
    ### BEGIN SOLUTION
    if max_budget < min_budget:
        raise ValueError(f"max_budget {max_budget} is below min_budget {min_budget}")
    halving = successive_halving if halving is None else halving
    s_max = 0
    while min_budget * eta ** (s_max + 1) <= max_budget:
        s_max += 1
    brackets = []
    for s in range(s_max, -1, -1):
        configs = sample(eta ** s)
        winner, rungs = halving(configs, evaluate, min_budget * eta ** (s_max - s), eta)
        brackets.append((configs, winner, rungs))
    best = min(range(len(brackets)), key=lambda k: brackets[k][2][-1][2][0])  # min keeps the first on ties
    return best, brackets
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "hyperband__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="hyperband--visible"
# Visible test: min_budget 1, max_budget 9, eta 3: brackets of 9 configurations from budget 1, 3 from budget 3 and 1
# at budget 9. `BruteForce` stands in for successive_halving (it trains every configuration with the final budget).
sampler, stand_in = Sampler(), BruteForce()
curves = LearningCurves(final=[0.50, 0.38, 0.62, 0.45, 0.70, 0.20, 0.55, 0.41, 0.66, 0.30, 0.52, 0.18, 0.35],
                        speed=[0.23, 0.36, 0.07, 0.12, 0.04, 0.90, 0.13, 0.31, 0.20, 0.10, 0.05, 0.60, 0.02])
best, brackets = hyperband(sampler, curves, min_budget=1, max_budget=9, eta=3, halving=stand_in)
check_equal("hyperband/sample_sizes", sampler.sizes, [9, 3, 1], case="min_budget=1, max_budget=9, eta=3",
            hint="one bracket per s = s_max, ..., 0, each with sample(eta**s) configurations, largest first")
check_equal("hyperband/halving_calls", stand_in.calls, [(9, 1, 3), (3, 3, 3), (1, 9, 3)],
            case="min_budget=1, max_budget=9, eta=3",
            hint="bracket s starts at min_budget * eta**(s_max - s): (configurations, first budget, eta) per call")
check_equal("hyperband/brackets", [(len(c), w, r) for c, w, r in brackets], stand_in.results,
            case="min_budget=1, max_budget=9, eta=3", hint="one tuple (configs, winner, rungs) per bracket, in order")
check_equal("hyperband/best", best, expected(min(range(3), key=lambda k: stand_in.results[k][2][-1][2][0])),
            case="min_budget=1, max_budget=9, eta=3",
            hint="the index of the bracket whose winner has the lowest loss in its last rung")


# %% nbgrader={"grade": true, "grade_id": "hyperband__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="hyperband--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
def halving_for_tests(configs, evaluate, min_budget, eta):
    """Successive halving as its contract says (the hyperband tests must not depend on the student's). The halving
    tests' expected_halving again: each hidden cell must run on its own, whatever the cells before it did."""
    alive, budget, rungs = list(range(len(configs))), min_budget, []
    while True:
        losses = [evaluate(configs[i], budget) for i in alive]
        rungs.append((budget, list(alive), losses))
        if len(alive) == 1:
            return alive[0], rungs
        order = sorted(range(len(alive)), key=lambda j: (losses[j], alive[j]))
        alive = sorted(alive[j] for j in order[:max(1, len(alive) // eta)])
        budget = budget * eta


def curves_for(n, seed):
    gen = make_generator(vary(seed))
    final = (0.1 + torch.rand(n, generator=gen, dtype=torch.float64)).tolist()
    speed = (2.0 * torch.rand(n, generator=gen, dtype=torch.float64)).tolist()
    return LearningCurves(final, speed)


def expected_calls(min_budget, max_budget, eta):
    """(configurations, first budget, eta) of each bracket, the contract written out with exact integers."""
    s_max = 0
    while min_budget * eta ** (s_max + 1) <= max_budget:
        s_max += 1
    return [(eta ** s, min_budget * eta ** (s_max - s), eta) for s in range(s_max, -1, -1)]


# other eta and budgets; ratios where math.log is off by one ulp (243 / 1 with eta 3, 1000 / 10 with eta 10); a
# max_budget that is not min_budget times a power of eta; min_budget == max_budget
for k, (lo, hi, eta) in enumerate([(2, 16, 2), (1, 243, 3), (10, 1000, 10), (1, 100, 3), (5, 5, 3), (1, 2, 3)]):
    case = f"min_budget={lo}, max_budget={hi}, eta={eta}"
    stand_in = BruteForce()
    best, brackets = hyperband(Sampler(), curves_for(400, 90 + k), lo, hi, eta, halving=stand_in)
    check_equal("hyperband/halving_calls_more", stand_in.calls, expected(expected_calls(lo, hi, eta)), case=case,
                hint="s_max is the largest integer s with min_budget * eta**s <= max_budget: multiply, do not "
                     "take a floating-point logarithm")
# the real halving: the whole structure, evaluate called exactly as the brackets' halvings call it, sample called
# just before each bracket's halving
events = []
curves = curves_for(40, 97)


class Logged:
    """sample(n) that also logs its calls in `events`."""

    def __init__(self):
        self.count = 0

    def __call__(self, n):
        events.append(("sample", n))
        configs = [{"id": self.count + i} for i in range(n)]
        self.count += n
        return configs


def logged_evaluate(config, budget):
    events.append(("evaluate", budget))
    return curves(config, budget)


def expected_run(min_budget, max_budget, eta, curves):
    """The brackets as (n, ids, winner, rungs), the sequence of calls and the best bracket, by the contract."""
    brackets, calls, count = [], [], 0
    for n, first, _ in expected_calls(min_budget, max_budget, eta):
        configs = [{"id": count + i} for i in range(n)]
        count += n
        calls.append(("sample", n))
        winner, rungs = halving_for_tests(configs, lambda c, b: curves.final[c["id"]] + curves.speed[c["id"]] / b,
                                          first, eta)
        calls.extend(("evaluate", b) for b, positions, _ in rungs for _ in positions)
        brackets.append((n, [c["id"] for c in configs], winner, rungs))
    finals = [rungs[-1][2][0] for _, _, _, rungs in brackets]
    return brackets, calls, finals.index(min(finals))


best, brackets = hyperband(Logged(), logged_evaluate, 1, 27, 3, halving=halving_for_tests)
exp = expected(expected_run(1, 27, 3, curves))
check_equal("hyperband/brackets_more", [(len(c), [x["id"] for x in c], w, r) for c, w, r in brackets], exp[0],
            case="min_budget=1, max_budget=27, eta=3, successive halving",
            hint="brackets[k] is (the configs sample returned, the halving's winner, the halving's rungs)")
check_equal("hyperband/order_of_calls", events, exp[1], case="min_budget=1, max_budget=27, eta=3",
            hint="call sample(eta**s) just before that bracket's halving; evaluate only inside the halvings")
check_equal("hyperband/best_more", best, exp[2], case="min_budget=1, max_budget=27, eta=3",
            hint="the bracket whose winner has the lowest loss in its last rung")


# losses that rise again at the largest budget: the best bracket is judged by its last rung only
class RisingTable:
    """Loss of configuration id at budget 1, 3 and 9 (ids numbered across brackets)."""

    table = {1: [0.9, 0.8, 0.01, 0.7, 0.9, 0.9, 0.5, 0.6, 0.9, 0.9, 0.9, 0.9, 0.4],
             3: [0.8, 0.7, 0.02, 0.6, 0.9, 0.9, 0.4, 0.5, 0.9, 0.5, 0.9, 0.9, 0.3],
             9: [0.7, 0.6, 0.90, 0.5, 0.9, 0.9, 0.3, 0.4, 0.9, 0.4, 0.2, 0.9, 0.25]}

    def __call__(self, config, budget):
        return self.table[budget][config["id"]]


best, brackets = hyperband(Sampler(), RisingTable(), 1, 9, 3, halving=halving_for_tests)
check_equal("hyperband/best_last_rung", best, 2, case="a loss of 0.01 at budget 1 that rises to 0.9 at budget 9",
            hint="compare the winners' losses in the last rung of each bracket, not the lowest loss seen anywhere")
# a tie between brackets: the earlier one wins
tied = BruteForce(losses=[0.3, 0.2, 0.2])
best, brackets = hyperband(Sampler(), curves_for(20, 98), 1, 9, 3, halving=tied)
check_equal("hyperband/tie", best, 1, case="final losses 0.3, 0.2, 0.2", hint="on a tie the earlier bracket wins")
check_equal("hyperband/returns", type(hyperband(Sampler(), curves_for(5, 99), 1, 1, 3, halving=BruteForce()))
            .__name__, "tuple", case="min_budget=max_budget=1", hint="return the tuple (best, brackets)")
check_raises("hyperband/bad_budgets", lambda: hyperband(Sampler(), curves_for(5, 99), 9, 3, 3, halving=BruteForce()),
             ValueError, case="min_budget=9 > max_budget=3")
# halving=None is the student's successive_halving: rebound to the contract's for this call only
student_halving = successive_halving
successive_halving = halving_for_tests
try:
    default = hyperband(Sampler(), curves_for(40, 100), 1, 9, 3)
finally:
    successive_halving = student_halving
explicit = expected(hyperband(Sampler(), curves_for(40, 100), 1, 9, 3, halving=halving_for_tests))
check_equal("hyperband/default_halving", [default[0], [(w, r) for _, w, r in default[1]]],
            [explicit[0], [(w, r) for _, w, r in explicit[1]]], case="halving=None",
            hint="with halving=None use successive_halving (looked up when hyperband runs)")
### END HIDDEN TESTS

# %% [markdown] id="cell-median-stop"
# ### Stopping runs by their learning curves, and asynchronous halving
#
# A search that trains its configurations one after another, or many at once on a cluster, can stop a run as soon
# as its learning curve looks hopeless, without waiting for a rung to fill. Google Vizier's **median stopping rule**
# (Golovin et al. 2017, KDD) stops a running trial at step $t$ if its best result so far is strictly worse than the
# median, over the completed trials, of their running averages up to step $t$. It needs no model of the curves and
# no brackets; like successive halving, it can stop a slow starter that would have ended best. **ASHA** (Li et al.
# 2020, MLSys), successive halving made asynchronous, is what large parallel searches use (Ray Tune's
# `ASHAScheduler`, Optuna's `SuccessiveHalvingPruner`): whenever a worker is free, it promotes a configuration that
# is in the top $1/\eta$ of the results seen so far in its rung and has not been promoted yet, and otherwise starts a
# new configuration in the bottom rung. No worker waits for the slowest run of a rung; the price is that a few
# promotions are decided on incomplete rungs.
#
# Implement `median_stop(curve, completed, min_steps=1)` for losses (lower is better):
#
# - `curve` holds the validation losses of the running trial after steps 1 to $t$ (a list of floats, $t$ =
#   `len(curve)`); `completed` is a list of the loss curves (lists of floats) of the completed trials;
# - only completed curves with at least $t$ values take part (a shorter one was itself stopped early), each with its
#   running average up to step $t$, the mean of its first $t$ values;
# - return `True` (stop) if and only if $t\ge$ `min_steps`, at least one completed curve takes part, and
#   `min(curve)` is **strictly** greater than the median of those running averages; the median of an even number of
#   values is the mean of the two middle ones (as `statistics.median`; `torch.median` returns the lower one);
# - return a Python `bool`.

# %% nbgrader={"grade": false, "grade_id": "early_stop_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="early-stop-impl"
def median_stop(curve, completed, min_steps=1):
    """The median stopping rule: True if the running trial should stop, see the contract above."""
    ### BEGIN SOLUTION
    t = len(curve)
    averages = [sum(c[:t]) / t for c in completed if len(c) >= t]
    if t < min_steps or not averages:
        return False
    return bool(min(curve) > statistics.median(averages))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "early_stop__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="early-stop--visible"
# Visible test: three completed trials; their running averages after 2 steps are 0.8, 0.9 and 0.65 (median 0.8).
completed = [[0.9, 0.7, 0.5, 0.4], [1.0, 0.8, 0.7, 0.6], [0.8, 0.5, 0.4, 0.3]]
check_equal("early_stop/worse", median_stop([1.2, 0.95], completed), True, case="curve [1.2, 0.95]",
            hint="the best loss so far, 0.95, is worse than the median of the running averages, 0.8: stop")
check_equal("early_stop/better", median_stop([1.0, 0.6], completed), False, case="curve [1.0, 0.6]",
            hint="the best loss so far, 0.6, beats the median 0.8: go on (return a Python bool)")


# %% nbgrader={"grade": true, "grade_id": "early_stop__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="early-stop--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
def expected_stop(curve, completed, min_steps=1):
    """The contract, written out with sorted values."""
    t = len(curve)
    averages = sorted(sum(c[:t]) / t for c in completed if len(c) >= t)
    if t < min_steps or not averages:
        return False
    m = len(averages)
    median = averages[m // 2] if m % 2 else (averages[m // 2 - 1] + averages[m // 2]) / 2
    return min(curve) > median


completed = [[0.9, 0.7, 0.5, 0.4], [1.0, 0.8, 0.7, 0.6], [0.8, 0.5, 0.4, 0.3]]
check_equal("early_stop/best_so_far", median_stop([0.5, 0.9], completed), expected(expected_stop([0.5, 0.9], completed)),
            case="curve [0.5, 0.9]: best 0.5, last 0.9",
            hint="compare the best loss so far (min(curve)), not the last one")
# the running average up to step t, not the completed trials' final values, their last value at t or their best
trials = [[2.0, 1.0, 0.2, 0.1], [2.2, 1.2, 0.3, 0.2], [1.9, 1.4, 0.9, 0.8]]
for curve in ([1.45], [1.8, 1.45], [1.6, 1.2], [1.5, 1.3, 1.0]):
    check_equal("early_stop/running_average", median_stop(curve, trials), expected(expected_stop(curve, trials)),
                case=f"curve {curve}", hint="each completed trial contributes the mean of its first t losses")
# an even number of completed trials: the mean of the two middle running averages
even = [[0.4, 0.4], [0.5, 0.5], [0.75, 0.75], [0.9, 0.9]]
for curve in ([0.6], [0.55, 0.7], [0.7, 0.65]):
    check_equal("early_stop/even_count", median_stop(curve, even), expected(expected_stop(curve, even)),
                case=f"4 completed trials, curve {curve}",
                hint="the median of an even number of values is the mean of the two middle ones (0.625 here)")
# strictly worse: a tie with the median goes on (0.5 and 0.75 are exact in binary)
check_equal("early_stop/tie", median_stop([0.75, 0.625], [[0.5, 0.75], [0.5, 0.75], [0.75, 0.5]]), False,
            case="best so far equal to the median, 0.625", hint="stop only if strictly worse than the median")
# min_steps, no completed trial, completed trials shorter than the running one
check_equal("early_stop/min_steps", [median_stop([3.0] * t, completed, min_steps=3) for t in (1, 2, 3)],
            expected([expected_stop([3.0] * t, completed, 3) for t in (1, 2, 3)]), case="min_steps=3, curve of 3.0",
            hint="never stop before min_steps values")
check_equal("early_stop/no_completed", median_stop([5.0, 4.0], []), False, case="no completed trial",
            hint="with no completed trial to compare with, go on")
short = [[0.1], [0.2, 0.3], [0.9, 0.9, 0.9], [1.0, 1.0, 1.0]]
check_equal("early_stop/short_completed", median_stop([0.95, 0.95, 0.95], short),
            expected(expected_stop([0.95, 0.95, 0.95], short)), case="completed curves of 1, 2, 3 and 3 values, t=3",
            hint="completed curves shorter than t do not take part")
# many random cases against the contract
gen = make_generator(vary(110))
for k in range(40):
    n_done, t = int(torch.randint(1, 7, (1,), generator=gen)), int(torch.randint(1, 6, (1,), generator=gen))
    done = [torch.rand(int(torch.randint(1, 8, (1,), generator=gen)), generator=gen, dtype=torch.float64).tolist()
            for _ in range(n_done)]
    curve = (0.3 + 0.5 * torch.rand(t, generator=gen, dtype=torch.float64)).tolist()
    check_equal("early_stop/random", median_stop(curve, done, min_steps=2), expected(expected_stop(curve, done, 2)),
                case=f"random case {k}: {n_done} completed, t={t}, min_steps=2")
### END HIDDEN TESTS

# %% [markdown] id="cell-bayes-opt"
# ## 5. Bayesian optimisation
#
# Random search ignores what it has already seen. **Bayesian optimisation** (Snoek, Larochelle & Adams 2012) fits a
# cheap probabilistic **surrogate** of the validation loss $f(x)$ to the configurations evaluated so far, and
# evaluates next where the surrogate promises most, weighing the predicted loss against its uncertainty. The usual
# surrogate is a **Gaussian process** (Rasmussen & Williams 2006, chapter 2): the values of $f$ at any finite set of
# points are jointly Gaussian, with a constant prior mean $\mu_0$ and a covariance given by a kernel. With the
# squared-exponential kernel
#
# $$k(x,x')=\sigma_f^2\exp\Big(-\frac{\lVert x-x'\rVert^2}{2\ell^2}\Big)$$
#
# configurations closer than about the **lengthscale** $\ell$ have similar losses, and $\sigma_f$ is the prior
# standard deviation of $f$. Given $n$ observations $y_i=f(x_i)+\varepsilon_i$ with noise variance $\sigma_n^2$, the
# posterior of $f$ at a query point $x_*$ is Gaussian with
#
# $$\mu(x_*)=\mu_0+k_*^\top(K+\sigma_n^2I)^{-1}(y-\mu_0\mathbf 1),\qquad
# \sigma^2(x_*)=k(x_*,x_*)-k_*^\top(K+\sigma_n^2I)^{-1}k_*,$$
#
# where $K_{ij}=k(x_i,x_j)$ and $(k_*)_i=k(x_i,x_*)$. Solve with the Cholesky factor $K+\sigma_n^2I=LL^\top$
# (`torch.linalg.cholesky`, `torch.cholesky_solve`, `torch.linalg.solve_triangular`), not with an inverse: it is
# cheaper and more accurate. Far from every observation $\mu\to\mu_0$ and $\sigma\to\sigma_f$; at an observation
# with little noise, $\mu\approx y_i$ and $\sigma\approx0$.
#
# The **expected improvement** over the best loss observed so far, $y^*=\min_i y_i$ (Jones, Schonlau & Welch 1998),
# has a closed form:
#
# $$\mathrm{EI}(x_*)=\mathbb E\big[\max(y^*-f(x_*),0)\big]=(y^*-\mu)\,\Phi(z)+\sigma\,\varphi(z),\qquad
# z=\frac{y^*-\mu}{\sigma},$$
#
# with $\Phi$ and $\varphi$ the standard normal distribution function and density (`torch.special.ndtr`, and
# $\varphi(z)=e^{-z^2/2}/\sqrt{2\pi}$); where $\sigma=0$ it is $\max(y^*-\mu,0)$. The first term rewards a low
# predicted loss (exploitation), the second the uncertainty (exploration). One step of Bayesian optimisation: fit
# the posterior to all the results, evaluate the candidate with the largest EI, repeat.
#
# Its limits: the GP costs $O(n^3)$ in the number of evaluations; it works best in a few continuous dimensions (up
# to about 10 to 20); its own hyperparameters ($\ell$, $\sigma_f$, $\sigma_n$, usually fitted by maximising the
# marginal likelihood) matter; it is sequential by nature (a batch of proposals needs extra tricks); and categorical
# or conditional spaces (the number of layers, then the width of each) fit a GP badly. The **tree-structured Parzen
# estimator** (TPE; Bergstra et al. 2011; the default of Hyperopt and Optuna) models the problem the other way
# round: instead of $p(y\mid x)$ it fits two densities over the configurations, $l(x)$ of the best fraction $\gamma$
# of the results and $g(x)$ of the others, and proposes the candidate with the largest $l(x)/g(x)$ (which, Bergstra
# et al. show, orders candidates as EI does). Its densities factor over the hyperparameters, so it handles
# categorical and conditional spaces and costs only linear time in $n$; BOHB (Falkner et al. 2018) joins such a
# model to Hyperband's brackets.
#
# Implement, for inputs of any floating dtype, computing and returning float64:
#
# - `gp_posterior(x_train, y_train, x_query, lengthscale, signal=1.0, noise=1e-6)`: `x_train` of shape $(n,d)$,
#   `y_train` of shape $(n,)$, `x_query` of shape $(m,d)$; the prior mean $\mu_0$ is the mean of `y_train`;
#   $\sigma_f$ = `signal`; $\sigma_n^2$ = `noise` (a **variance**) is added to the diagonal of $K$ only, since
#   $\sigma(x_*)$ is the uncertainty of $f$, not of a new noisy observation; return the tuple `(mean, std)` of two
#   float64 tensors of shape $(m,)$, with $\sigma=\sqrt{\max(\sigma^2,0)}$ (rounding can make a tiny variance
#   negative). Leave the inputs unchanged.
# - `expected_improvement(mean, std, best)`: the EI above, elementwise, for losses (lower is better); a float64
#   tensor of the shape of `mean`, exactly $\max(y^*-\mu,0)$ where `std` is 0.

# %% nbgrader={"grade": false, "grade_id": "bayes_opt_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="bayes-opt-impl"
def gp_posterior(x_train, y_train, x_query, lengthscale, signal=1.0, noise=1e-6):
    """Posterior (mean, std) of a GP with a squared-exponential kernel at x_query, see the contract above."""
    ### BEGIN SOLUTION
    x = torch.as_tensor(x_train).to(torch.float64)
    y = torch.as_tensor(y_train).to(torch.float64)
    xq = torch.as_tensor(x_query).to(torch.float64)

    def kernel(a, b):
        return signal ** 2 * torch.exp(-torch.cdist(a, b) ** 2 / (2 * lengthscale ** 2))

    mu0 = y.mean()
    chol = torch.linalg.cholesky(kernel(x, x) + noise * torch.eye(len(x), dtype=torch.float64))
    k_star = kernel(x, xq)
    alpha = torch.cholesky_solve((y - mu0)[:, None], chol)
    mean = mu0 + (k_star.T @ alpha)[:, 0]
    v = torch.linalg.solve_triangular(chol, k_star, upper=False)
    var = signal ** 2 - (v ** 2).sum(0)
    return mean, var.clamp(min=0).sqrt()
    ### END SOLUTION


def expected_improvement(mean, std, best):
    """Expected improvement below `best` (losses), elementwise, see the contract above."""
    ### BEGIN SOLUTION
    mean = torch.as_tensor(mean).to(torch.float64)
    std = torch.as_tensor(std).to(torch.float64)
    gain = best - mean
    positive = std > 0
    safe = torch.where(positive, std, torch.ones_like(std))
    z = gain / safe
    ei = gain * torch.special.ndtr(z) + safe * torch.exp(-z ** 2 / 2) / math.sqrt(2 * math.pi)
    return torch.where(positive, ei, gain.clamp(min=0))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "bayes_opt__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="bayes-opt--visible"
# Visible test: three observations in 1-D with almost no noise; queries at the observations and far away.
x = torch.tensor([[0.0], [1.0], [3.0]], dtype=torch.float64)
query = torch.tensor([[0.0], [1.0], [3.0], [40.0]], dtype=torch.float64)
mean, std = gp_posterior(x, torch.tensor([0.5, -0.3, 0.8], dtype=torch.float64), query, lengthscale=1.0,
                         noise=1e-12)
check_close("bayes_opt/interpolates", [mean[:3], std[:3]], [torch.tensor([0.5, -0.3, 0.8], dtype=torch.float64),
            torch.zeros(3, dtype=torch.float64)], case="at the observations, noise=1e-12", rtol=0, atol=1e-4,
            hint="with little noise the posterior mean goes through the observations, with std about 0")
check_close("bayes_opt/far_away", [float(mean[3]), float(std[3])], [1.0 / 3.0, 1.0], case="x=40, signal=1",
            rtol=1e-9, hint="far from the data the posterior is the prior: mean = mean of y_train, std = signal")
ei = expected_improvement(torch.tensor([0.2, -0.1, 0.5], dtype=torch.float64),
                          torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64), best=0.2)
check_close("bayes_opt/ei", ei, torch.tensor([1 / math.sqrt(2 * math.pi), 0.3, 0.0], dtype=torch.float64),
            case="(mean, std) = (best, 1), (best - 0.3, 0), (best + 0.3, 0)", rtol=1e-12, atol=1e-15,
            hint="EI = (best - mean) Phi(z) + std phi(z); where std = 0 it is max(best - mean, 0)")


# %% nbgrader={"grade": true, "grade_id": "bayes_opt__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="bayes-opt--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
def expected_posterior(x, y, xq, lengthscale, signal, noise):
    """The posterior written out with an explicit solve, entry by entry kernels."""
    x, y, xq = x.double(), y.double(), xq.double()

    def kernel(a, b):
        return torch.tensor([[signal ** 2 * math.exp(-float(((u - v) ** 2).sum()) / (2 * lengthscale ** 2))
                              for v in b] for u in a], dtype=torch.float64)

    mu0 = float(y.mean())
    big = kernel(x, x) + noise * torch.eye(len(x), dtype=torch.float64)
    k_star = kernel(x, xq)
    mean = mu0 + k_star.T @ torch.linalg.solve(big, y - mu0)
    var = signal ** 2 - (k_star * torch.linalg.solve(big, k_star)).sum(0)
    return mean, var.clamp(min=0).sqrt()


def expected_ei(mean, std, best):
    out = []
    for m, s in zip(mean.tolist(), std.tolist()):
        if s == 0:
            out.append(max(best - m, 0.0))
        else:
            z = (best - m) / s
            out.append((best - m) * 0.5 * (1 + math.erf(z / math.sqrt(2))) + s * math.exp(-z * z / 2)
                       / math.sqrt(2 * math.pi))
    return torch.tensor(out, dtype=torch.float64)


# a std near 0 is the root of a difference of two numbers near signal**2, and K + noise I with noise 1e-6 is badly
# conditioned: an inverse instead of a Cholesky solve differs there by ~1e-7, hence atol 1e-6 (a wrong kernel or
# noise changes the values by 1e-3 or more)
gen = make_generator(vary(120))
for k, (n, d, m, lengthscale, signal, noise) in enumerate([(6, 2, 5, 0.5, 1.5, 1e-4), (10, 3, 7, 0.8, 0.7, 1e-3),
                                                           (4, 1, 9, 0.3, 2.0, 1e-6)]):
    x = torch.rand(n, d, generator=gen, dtype=torch.float64)
    y = torch.randn(n, generator=gen, dtype=torch.float64) + 2.0
    xq = torch.rand(m, d, generator=gen, dtype=torch.float64)
    case = f"n={n}, d={d}, lengthscale={lengthscale}, signal={signal}, noise={noise}"
    check_close("bayes_opt/posterior", list(gp_posterior(x, y, xq, lengthscale, signal, noise)),
                expected(list(expected_posterior(x, y, xq, lengthscale, signal, noise))), case=case, rtol=1e-6,
                atol=1e-6, hint="k = signal**2 exp(-|x - x'|**2 / (2 lengthscale**2)); prior mean = mean of y_train")
# large noise: the mean no longer interpolates, and the std is that of f (noise only on K's diagonal)
x = torch.linspace(0, 2, 5, dtype=torch.float64)[:, None]
y = torch.tensor([1.0, 0.2, 0.9, -0.4, 0.3], dtype=torch.float64)
check_close("bayes_opt/noisy", list(gp_posterior(x, y, x, 0.7, 1.0, 0.25)),
            expected(list(expected_posterior(x, y, x, 0.7, 1.0, 0.25))), case="noise=0.25 (a variance), at the data",
            rtol=1e-7, atol=1e-9, hint="noise is the variance sigma_n**2, added to the diagonal of K only")
# float32 in, float64 out (computed in float64); inputs unchanged
gen = make_generator(vary(121))
x32, y32 = torch.rand(6, 2, generator=gen), torch.randn(6, generator=gen)
xq32 = torch.rand(4, 2, generator=gen)
mean, std = gp_posterior(x32, y32, xq32, 0.5, 1.0, 1e-4)
check_equal("bayes_opt/dtype", [str(mean.dtype), str(std.dtype)], ["torch.float64", "torch.float64"], case="float32 inputs",
            hint="convert the inputs to float64 and compute in float64")
check_close("bayes_opt/float32_inputs", [mean, std], expected(list(expected_posterior(x32, y32, xq32, 0.5, 1.0, 1e-4))),
            case="float32 inputs", rtol=1e-7, atol=1e-9, hint="convert to float64 before computing")
x64, y64, xq64 = x32.double(), y32.double(), xq32.double()
copies = [x64.clone(), y64.clone(), xq64.clone()]
gp_posterior(x64, y64, xq64, 0.5, 1.0, 1e-4)
check_true("bayes_opt/inputs_unchanged", all(bool(torch.equal(a, b)) for a, b in zip([x64, y64, xq64], copies)),
           "gp_posterior changed its inputs", case="float64 inputs",
           hint="x.to(torch.float64) is x itself when x is float64: centre y with y - mu0, not in place")
check_equal("bayes_opt/returns", type(gp_posterior(x32, y32, xq32, 0.5)).__name__, "tuple", case="defaults",
            hint="return the tuple (mean, std)")
# expected improvement: many (mean, std), some std exactly 0; a float32 input
gen = make_generator(vary(122))
mean = torch.randn(200, generator=gen, dtype=torch.float64)
std = 2 * torch.rand(200, generator=gen, dtype=torch.float64)
std[::7] = 0.0
check_close("bayes_opt/ei_more", expected_improvement(mean, std, 0.3), expected(expected_ei(mean, std, 0.3)),
            case="200 points, std in [0, 2), every 7th std 0", rtol=1e-9, atol=1e-12,
            hint="use the standard deviation (not the variance) in z and in the std * phi(z) term")
check_close("bayes_opt/ei_float32", expected_improvement(mean.float(), std.float(), -0.5),
            expected(expected_ei(mean.float().double(), std.float().double(), -0.5)), case="float32 inputs",
            rtol=1e-9, atol=1e-12, hint="compute in float64 and return float64")
### END HIDDEN TESTS

# %% [markdown] id="cell-017"
# ## 6. The learning-rate range test
#
# The learning rate is the hyperparameter that matters most (Bengio 2012), and one short run bounds its useful
# range. Smith's **LR range test** (Smith 2017, WACV, section 3.3) trains for a few epochs while the rate grows
# *linearly* from a small to a large value and plots the *validation accuracy* against it: where the accuracy starts
# to rise and where it stops rising or turns ragged bound the range of a cyclical schedule. The form that fastai made
# popular (`Learner.lr_find`; Howard & Gugger 2020) is shorter and reads the *training loss*: one mini-batch per
# rate, the rate grown *exponentially*, $\eta_i=\eta_{\min}(\eta_{\max}/\eta_{\min})^{i/(N-1)}$ (by default from
# $10^{-7}$ to 10 in 100 steps), and a stop when the smoothed loss exceeds 4 times its minimum. The loss of one
# mini-batch is noisy, so it is smoothed with a **bias-corrected exponential moving average**, the one Adam uses for
# its moments:
#
# $$a_{-1}=0,\qquad a_i=\beta a_{i-1}+(1-\beta)\,\ell_i,\qquad s_i=\frac{a_i}{1-\beta^{\,i+1}}\qquad(i=0,1,\dots).$$
#
# Two of fastai's rules read a rate off the smoothed curve: **steepest** (fastai's `steep`), the rate where $s$
# falls fastest per unit of $\ln\eta$; and **minimum** (fastai's `minimum`), one tenth of the rate at the minimum
# of $s$: near the minimum training is about to diverge, so the rule backs off by a factor 10. (fastai's default,
# `valley`, is a third rule: a point about two thirds down the longest falling stretch of the curve; fastai also
# drops the first tenth and the last 5 points before it applies any rule.) Mind the lag of the smoothing: $s_i$
# averages about the last $1/(1-\beta)$ losses and trails the raw loss by about $\beta/(1-\beta)$ steps, 49 for
# fastai's $\beta=0.98$, half of a 100-step test. The loss explodes within a few steps of its minimum, so on a short
# test the minimum of $s$ sits at or next to the last step: the minimum rule then returns about one tenth of the rate
# where the test stopped, and the steepest point of a heavily smoothed curve drifts toward the raw minimum. Choose
# $\beta$ so that $1/(1-\beta)$ is small next to the number of steps (section 9.2 uses $\beta=0.9$ for a test of
# fewer than 100 steps). The loss at step $i$ also reflects the updates made at smaller rates before it, so the test
# gives a range, not an optimum; repeat it whenever the model, the batch size or the optimizer change (Adam's
# useful rates are smaller than SGD's).
#
# Implement `suggest_lr(lrs, losses, beta=0.98)`, where `lrs` (increasing, at least 2) and `losses` are lists of
# floats or 1-D tensors of the same length:
#
# 1. smooth the losses as above (with $\beta=0$ nothing is smoothed);
# 2. `steep = lrs[j]` for the $j\in\{0,\dots,N-2\}$ that minimizes the slope
#    $(s_{j+1}-s_j)/(\ln\eta_{j+1}-\ln\eta_j)$ (the spacing of the rates need not be even: Smith's original test grows
#    the rate linearly);
# 3. `lr_min = lrs[k] / 10` for the $k$ that minimizes $s_k$ (the minimum rule);
# 4. on ties the first index wins; return the tuple `(steep, lr_min)` of two Python floats (use all the points:
#    dropping some, as fastai does, is the caller's choice).

# %% nbgrader={"grade": false, "grade_id": "suggest_lr_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="suggest-lr-impl"
def suggest_lr(lrs, losses, beta=0.98):
    """(steepest, minimum / 10) learning rates of a range test: see the contract above."""
    ### BEGIN SOLUTION
    lrs = [float(v) for v in lrs]
    smooth, avg = [], 0.0
    for i, loss in enumerate(losses):
        avg = beta * avg + (1 - beta) * float(loss)
        smooth.append(avg / (1 - beta ** (i + 1)))
    slopes = [(smooth[j + 1] - smooth[j]) / (math.log(lrs[j + 1]) - math.log(lrs[j])) for j in range(len(lrs) - 1)]
    steep = min(range(len(slopes)), key=lambda j: slopes[j])
    lowest = min(range(len(smooth)), key=lambda k: smooth[k])
    return lrs[steep], lrs[lowest] / 10
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "suggest_lr__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="suggest-lr--visible"
# Visible test: 9 learning rates a factor sqrt(10) apart, first without smoothing (beta = 0), then with beta = 0.5.
lrs = [10 ** (-4 + 0.5 * i) for i in range(9)]
losses = [2.30, 2.29, 2.20, 1.80, 1.00, 0.60, 0.50, 2.50, 9.00]
steep, lr_min = suggest_lr(lrs, losses, beta=0.0)
check_close("suggest_lr/steep_raw", steep, lrs[3], case="beta=0", rtol=1e-12,
            hint="the steepest descent is from 1.80 to 1.00: return the learning rate where that step starts")
check_close("suggest_lr/minimum_raw", lr_min, lrs[6] / 10, case="beta=0", rtol=1e-12,
            hint="the minimum of the (smoothed) losses is at 0.50: return its learning rate / 10, as a Python float")
steep, lr_min = suggest_lr(lrs, losses, beta=0.5)
check_close("suggest_lr/steep", steep, lrs[3], case="beta=0.5", rtol=1e-12,
            hint="smooth with a_i = beta a_(i-1) + (1 - beta) loss_i, a_(-1) = 0, s_i = a_i / (1 - beta**(i + 1))")
check_close("suggest_lr/minimum", lr_min, lrs[6] / 10, case="beta=0.5", rtol=1e-12,
            hint="lr_min is the rate at the minimum of the smoothed losses s, divided by 10")


# %% nbgrader={"grade": true, "grade_id": "suggest_lr__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="suggest-lr--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
def expected_suggestions(lrs, losses, beta):
    """The contract, written out, in float64 with torch."""
    lrs = torch.as_tensor(lrs, dtype=torch.float64)
    losses = torch.as_tensor(losses, dtype=torch.float64)
    smooth, avg = [], 0.0
    for i in range(len(losses)):
        avg = beta * avg + (1 - beta) * float(losses[i])
        smooth.append(avg / (1 - beta ** (i + 1)))
    smooth = torch.tensor(smooth, dtype=torch.float64)
    slopes = (smooth[1:] - smooth[:-1]) / (lrs[1:].log() - lrs[:-1].log())
    return float(lrs[int(slopes.argmin())]), float(lrs[int(smooth.argmin())]) / 10


def range_test_curve(lrs, seed, noise=0.1, floor=0.01):
    """Losses of a made-up range test: flat at ln 10, falling, then exploding, plus mini-batch noise that grows as
    the loss leaves ln 10 (an untrained classifier's loss hardly depends on the batch)."""
    x = torch.as_tensor(lrs, dtype=torch.float64).log10()
    clean = 2.3 - 1.8 * torch.sigmoid(3 * (x + 2.5)) + 0.02 * torch.exp(4 * (x + 0.5))
    scale = floor + noise * (clean - 2.3).abs()
    return (clean + scale * torch.randn(len(lrs), generator=make_generator(vary(seed)), dtype=torch.float64)).tolist()


# a long noisy exponential range test with the default beta = 0.98: the minimum comes from the smoothed curve
lrs = [1e-5 * (1e1 / 1e-5) ** (i / 199) for i in range(200)]
for k, beta in enumerate([0.98, 0.9, 0.0]):
    losses = range_test_curve(lrs, 60 + k)
    got = suggest_lr(lrs, losses) if beta == 0.98 else suggest_lr(lrs, losses, beta=beta)
    exp = expected(expected_suggestions(lrs, losses, beta))
    check_close("suggest_lr/noisy", list(got), list(exp), case=f"200 steps, noise, beta={beta}", rtol=1e-12,
                hint="smooth with the bias-corrected moving average, then take both suggestions from s")
# Smith's linear schedule: the slope is per unit of ln(lr), not per step
lrs = [0.01 * (i + 1) for i in range(60)]
for k, beta in enumerate([0.0, 0.8]):
    losses = range_test_curve([lr / 10 for lr in lrs], 70 + k, noise=0.0, floor=0.0)
    got = suggest_lr(lrs, losses, beta=beta)
    check_close("suggest_lr/linear_schedule", list(got), list(expected_suggestions(lrs, losses, beta)),
                case=f"linear schedule, 60 steps, beta={beta}", rtol=1e-12,
                hint="divide the change of s by the change of ln(lr): the rates need not be evenly spaced")
# a short range test: the first steps count, so the moving average must start bias-corrected, not at loss 0
lrs = [10 ** (-3 + 3 * i / 11) for i in range(12)]
losses = [2.3, 2.3, 2.2, 1.9, 1.4, 1.0, 0.8, 0.7, 0.75, 1.2, 2.5, 6.0]
check_close("suggest_lr/short", list(suggest_lr(lrs, losses, beta=0.9)), list(expected_suggestions(lrs, losses, 0.9)),
            case="12 steps, beta=0.9", rtol=1e-12,
            hint="a_(-1) = 0 and s_i = a_i / (1 - beta**(i + 1)): the correction matters in the first steps")
# tensors in, Python floats out; two points; a flat curve (first index on ties)
lrs_t = torch.logspace(-4, 0, 30, dtype=torch.float64)
losses_t = torch.tensor(range_test_curve(lrs_t.tolist(), 80), dtype=torch.float64)
steep, lr_min = suggest_lr(lrs_t, losses_t, beta=0.7)
exp = expected(expected_suggestions(lrs_t, losses_t, 0.7))
check_close("suggest_lr/tensors", [steep, lr_min], list(exp), case="1-D float64 tensors, beta=0.7", rtol=1e-12,
            hint="return Python floats (float(...)), also when lrs and losses are tensors")
check_close("suggest_lr/two_points", list(suggest_lr([1e-3, 1e-2], [2.0, 1.5], beta=0.5)), [1e-3, 1e-3],
            case="two points", rtol=1e-12)
check_close("suggest_lr/flat", list(suggest_lr([1e-3, 1e-2, 1e-1, 1.0], [1.0] * 4, beta=0.0)), [1e-3, 1e-4],
            case="a flat curve, beta=0", rtol=1e-12, hint="on ties the first index wins")
check_equal("suggest_lr/returns", type(suggest_lr([1e-3, 1e-2], [2.0, 1.5], beta=0.5)).__name__, "tuple",
            case="two points", hint="return the tuple (steep, lr_min)")
### END HIDDEN TESTS

# %% [markdown] id="cell-021"
# ## 7. Sanity checks before you tune
#
# A search multiplies the cost of one run by the number of configurations, and it cannot repair a broken run. Check
# the run first (the recipe of Stanford's CS231n notes and of Karpathy 2019):
#
# - **The initial loss.** A softmax classifier whose last layer starts small outputs logits close to 0, so every
#   class gets probability $1/K$ and the cross-entropy (with the natural logarithm, as `F.cross_entropy`) is
#   $-\ln(1/K)=\ln K$ on balanced classes: 2.303 for $K=10$. Much more means over-confident wrong predictions at
#   initialization (the last layer's scale); measure it without regularization, which only adds to it.
# - **Over-fit a tiny batch.** With 10 to 20 examples, no regularization and a reasonable learning rate, the training
#   loss must go to about 0 and the accuracy to 100%. A network that cannot memorize 20 examples has a bug (the
#   labels, the loss, the model, the optimizer step): do not tune it.
# - **The update/weight ratio.** For each weight matrix, the size of one step relative to the weights, $\lVert\Delta
#   W\rVert_F/\lVert W\rVert_F$, should be around $10^{-3}$ (a rule of thumb from CS231n; the two warning marks are
#   this course's own): near $10^{-5}$ the learning rate is too small, near $10^{-1}$ too large. $\Delta W$ is the
#   change the optimizer really made: it is $-\eta\nabla W$ only for plain SGD; with momentum or Adam, measure it as
#   the difference of the weights.
# - Then: the loss falls in the first steps; a gradient check of any hand-written backward pass (unit 03); the
#   train/validation curves of the first real run.
#
# Implement `update_ratios(model, loss_fn, x, y, optimizer)`, one training step that measures its own update, in
# this order: `optimizer.zero_grad()` (first: gradients the caller left in `.grad` must not join this step),
# `loss = loss_fn(model(x), y)`, `loss.backward()`, `optimizer.step()`; return the tuple `(loss, ratios)` with
# `loss` the loss before the step as a Python float (`loss.item()`), and `ratios` a dict
# `{name: ||W_after - W_before|| / ||W_before||}` (Frobenius norms, Python floats) over the **weights**: the
# parameters of `model.named_parameters()` that require a gradient and have at least 2 dimensions (biases and
# normalization scales are left out: a bias that starts at 0 has no ratio), whether or not this step gave them a
# gradient (a layer this forward pass did not use keeps its weights: ratio 0.0). Keep a copy of each weight before
# the step: the optimizer changes the parameters in place.

# %% nbgrader={"grade": false, "grade_id": "update_ratio_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="update-ratio-impl"
def update_ratios(model, loss_fn, x, y, optimizer):
    """One training step; returns (loss before the step, {name: ||W_after - W_before|| / ||W_before||})."""
    ### BEGIN SOLUTION
    weights = [(name, p) for name, p in model.named_parameters() if p.requires_grad and p.dim() >= 2]
    before = {name: p.detach().clone() for name, p in weights}
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    ratios = {name: float((p.detach() - before[name]).norm() / before[name].norm()) for name, p in weights}
    return loss.item(), ratios
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "update_ratio__visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="update-ratio--visible"
# Visible test: one plain SGD step (lr 0.1, no momentum) on a float64 MLP; for plain SGD the step is -lr * grad.
torch.manual_seed(4)
model = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 3)).double()
gen = make_generator(4)
x = torch.randn(16, 5, generator=gen, dtype=torch.float64)
y = torch.randint(0, 3, (16,), generator=gen)
twin = expected(copy.deepcopy(model))
twin_loss = expected(F.cross_entropy(twin(x), y))
expected(twin_loss.backward())
ref = expected([(0.1 * twin[k].weight.grad.norm() / twin[k].weight.detach().norm()).item() for k in (0, 2)])
loss, ratios = update_ratios(model, F.cross_entropy, x, y, torch.optim.SGD(model.parameters(), lr=0.1))
check_close("update_ratio/loss", loss, twin_loss.item(), case="MLP, SGD lr=0.1", rtol=1e-12,
            hint="the loss before the step, as a Python float")
check_equal("update_ratio/names", list(ratios), ["0.weight", "2.weight"], case="MLP, SGD lr=0.1",
            hint="the names of model.named_parameters() with at least 2 dimensions: the weights, not the biases")
check_close("update_ratio/values", [ratios.get(name) for name in ["0.weight", "2.weight"]], ref,
            case="MLP, SGD lr=0.1", rtol=1e-9,
            hint="||W_after - W_before|| / ||W_before||: copy each weight (clone) before optimizer.step()")


# %% nbgrader={"grade": true, "grade_id": "update_ratio__hidden", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} id="update-ratio--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
def twin_step(twin, twin_opt, loss_fn, x, y, names):
    """One step of torch itself on the twin: (its loss, the update/weight ratio of every weight in names)."""
    before = {n: p.detach().clone() for n, p in twin.named_parameters()}
    twin_opt.zero_grad()
    twin_loss = loss_fn(twin(x), y)
    twin_loss.backward()
    twin_opt.step()
    after = dict(twin.named_parameters())
    return twin_loss, [float((after[n].detach() - before[n]).norm() / before[n].norm()) for n in names]


def check_steps(tag, model, make_opt, batches, loss_fn=F.cross_entropy, rtol=1e-9, suffix="_more", hint=""):
    """Several calls in a row against a twin stepped by torch itself: the loss and every weight's ratio (check ids
    update_ratio/loss, /names and /values, each followed by `suffix`; `hint`, when given, for all three)."""
    names = [n for n, p in model.named_parameters() if p.requires_grad and p.dim() >= 2]  # the weights to read
    twin = expected(copy.deepcopy(model))
    opt = make_opt(model.parameters())
    twin_opt = expected(make_opt(twin.parameters()))
    for step, (x, y) in enumerate(batches):
        twin_loss, ref = expected(twin_step(twin, twin_opt, loss_fn, x, y, names))
        loss, ratios = update_ratios(model, loss_fn, x, y, opt)
        case = f"{tag}, call {step + 1}"
        check_close("update_ratio/loss" + suffix, loss, twin_loss.item(), case=case, rtol=rtol,
                    hint=hint or "zero the gradients before backward: they accumulate over calls")
        check_equal("update_ratio/names" + suffix, list(ratios), names, case=case,
                    hint=hint or "every parameter of model.named_parameters() with requires_grad and dim() >= 2, in order")
        check_close("update_ratio/values" + suffix, [ratios.get(n) for n in names], ref, case=case, rtol=rtol,
                    hint=hint or "the step the optimizer really made (weights after - before), not lr * grad")


def batches(n_in, n_out, count, seed, dtype=torch.float64, shape=None):
    gen = make_generator(vary(seed))
    return [(torch.randn(shape or (12, n_in), generator=gen, dtype=dtype),
             torch.randint(0, n_out, (12,), generator=gen)) for _ in range(count)]


def mlp(seed, dtype=torch.float64):
    torch.manual_seed(vary(seed))
    return nn.Sequential(nn.Linear(6, 10), nn.ReLU(), nn.Linear(10, 10), nn.ReLU(), nn.Linear(10, 4)).to(dtype)


# Adam and SGD with momentum: the step is not -lr * grad; several calls in a row
check_steps("MLP, Adam lr=1e-2", mlp(90), lambda ps: torch.optim.Adam(ps, lr=1e-2), batches(6, 4, 3, 91))
check_steps("MLP, SGD momentum=0.9", mlp(92), lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9),
            batches(6, 4, 3, 93))
check_steps("MLP, AdamW", mlp(94), lambda ps: torch.optim.AdamW(ps, lr=1e-2, weight_decay=0.1), batches(6, 4, 2, 95))
# a real model: convolution, BatchNorm, a nested container, LayerNorm (1-d scales are not weights)
torch.manual_seed(vary(96))
conv_net = nn.Sequential(nn.Conv2d(2, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                         nn.Sequential(nn.Linear(64, 6), nn.LayerNorm(6)), nn.ReLU(), nn.Linear(6, 3)).double()
check_steps("conv net, SGD momentum=0.9", conv_net, lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9),
            batches(0, 3, 2, 97, shape=(12, 2, 6, 6)))


# an embedding (a 2-d weight) and a frozen layer (no gradient: not watched)
class Bag(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(12, 5)
        self.proj = nn.Linear(5, 5)
        self.head = nn.Linear(5, 3)

    def forward(self, idx):
        return self.head(torch.tanh(self.proj(self.emb(idx).mean(1))))


torch.manual_seed(vary(98))
bag = Bag().double()
bag.proj.weight.requires_grad_(False)
gen = make_generator(vary(99))
bag_batches = [(torch.randint(0, 12, (12, 7), generator=gen), torch.randint(0, 3, (12,), generator=gen))
               for _ in range(2)]
check_steps("embedding, frozen proj.weight, Adam", bag, lambda ps: torch.optim.Adam(ps, lr=1e-2), bag_batches)
# float32: still Python floats
check_steps("MLP float32, SGD", mlp(100, torch.float32), lambda ps: torch.optim.SGD(ps, lr=0.1),
            batches(6, 4, 2, 101, dtype=torch.float32), rtol=1e-5)
# gradients the caller left in .grad: zero_grad comes first, so they never join the step
model = mlp(102)
gen = make_generator(vary(103))
for p in model.parameters():
    p.grad = torch.randn(p.shape, generator=gen, dtype=p.dtype)
check_steps("MLP with gradients left in .grad by the caller, SGD momentum=0.9", model,
            lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9), batches(6, 4, 2, 104), suffix="_leftover_grads",
            hint="optimizer.zero_grad() first: gradients the caller left in .grad must not join this step")


# a trainable weight that gets no gradient in this step (a layer forward does not use) is still a weight: ratio 0
class Spare(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(6, 8)
        self.head = nn.Linear(8, 4)
        self.spare = nn.Linear(8, 4)

    def forward(self, x):
        return self.head(torch.tanh(self.body(x)))


torch.manual_seed(vary(105))
check_steps("spare.weight unused by forward, Adam", Spare().double(), lambda ps: torch.optim.Adam(ps, lr=1e-2),
            batches(6, 4, 2, 106), suffix="_no_gradient",
            hint="every parameter with requires_grad and dim() >= 2, whether or not this step gave it a gradient "
                 "(then its ratio is 0.0)")
torch.manual_seed(vary(107))
model = mlp(107)
x, y = batches(6, 4, 1, 108)[0]
check_equal("update_ratio/returns", type(update_ratios(model, F.cross_entropy, x, y,
                                                       torch.optim.SGD(model.parameters(), lr=0.1))).__name__,
            "tuple", case="MLP, SGD lr=0.1", hint="return the tuple (loss, ratios)")
### END HIDDEN TESTS

# %% [markdown] id="cell-025"
# **Concept check (1 point).** A classifier for $K=10$ balanced classes ends in a linear layer whose weights were
# scaled down by 0.01 at initialization, so that its logits are close to 0, and is trained with `F.cross_entropy`.
# What is its loss on a batch before the first step?
#
# - `"a"`: about 0.1, the chance accuracy $1/K$
# - `"b"`: about 1.0, since $\log_{10}10=1$
# - `"c"`: about 2.303: every class gets probability $1/K$ and the loss is $-\ln(1/K)=\ln 10$
# - `"d"`: about 3.32, since $\log_2 10=3.32$
#
# Set `ANSWER_INITIAL_LOSS` to the letter.

# %% nbgrader={"grade": false, "grade_id": "concept_initial_loss_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="concept-initial-loss-impl"
ANSWER_INITIAL_LOSS = None  # one of "a", "b", "c", "d"
### BEGIN SOLUTION
ANSWER_INITIAL_LOSS = "c"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "concept_initial_loss__visible", "locked": true, "points": 0, "schema_version": 3, "solution": false, "task": false} id="concept-initial-loss--visible"
check_true("concept_initial_loss/format", ANSWER_INITIAL_LOSS in ("a", "b", "c", "d"),
           f'ANSWER_INITIAL_LOSS must be one of "a", "b", "c", "d"; got {ANSWER_INITIAL_LOSS!r}')

# %% nbgrader={"grade": true, "grade_id": "concept_initial_loss__hidden", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="concept-initial-loss--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
check_equal("concept_initial_loss/answer", ANSWER_INITIAL_LOSS, "c",
            hint="F.cross_entropy uses the natural logarithm: compute it for logits that are all 0")
### END HIDDEN TESTS

# %% [markdown] id="cell-029"
# **Concept check (1 point).** You train 50 configurations, pick the one with the best accuracy on a split of 270
# examples, and report that accuracy. Suppose all 50 have in truth the same accuracy, 0.90. What do you expect?
#
# - `"a"`: the report is right on average (0.90), because each configuration's accuracy estimate is unbiased
# - `"b"`: the report is too high: each estimate has a standard error of $\sqrt{0.9\cdot0.1/270}\approx0.018$, and
#   the largest of 50 is up to about 2.2 standard errors above 0.90 on average (about 0.94; less when the scores
#   are correlated, as on one shared split); report the chosen
#   configuration on a separate test split, used once
# - `"c"`: the report is too low, because choosing among many configurations over-fits the training split
# - `"d"`: the report is right on average if the 270 examples are the test split instead of a validation split
#
# Set `ANSWER_TEST_SET` to the letter.

# %% nbgrader={"grade": false, "grade_id": "concept_test_set_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="concept-test-set-impl"
ANSWER_TEST_SET = None  # one of "a", "b", "c", "d"
### BEGIN SOLUTION
ANSWER_TEST_SET = "b"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "concept_test_set__visible", "locked": true, "points": 0, "schema_version": 3, "solution": false, "task": false} id="concept-test-set--visible"
check_true("concept_test_set/format", ANSWER_TEST_SET in ("a", "b", "c", "d"),
           f'ANSWER_TEST_SET must be one of "a", "b", "c", "d"; got {ANSWER_TEST_SET!r}')

# %% nbgrader={"grade": true, "grade_id": "concept_test_set__hidden", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="concept-test-set--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
check_equal("concept_test_set/answer", ANSWER_TEST_SET, "b",
            hint="each estimate is unbiased, but the maximum of 50 noisy estimates is not")
### END HIDDEN TESTS

# %% [markdown] id="cell-033"
# **Concept check (1 point).** Two configurations were each trained with 5 seeds. Validation accuracy of A: 0.931,
# 0.924, 0.938, 0.927, 0.935 (mean 0.931, standard deviation 0.0057); of B: 0.929, 0.937, 0.933, 0.941, 0.930 (mean
# 0.934, standard deviation 0.0050). What do you conclude?
#
# - `"a"`: B is better: its mean is higher
# - `"b"`: the difference of the means (0.003) is smaller than the seed-to-seed spread and than its standard error
#   $\sqrt{(0.0057^2+0.0050^2)/5}\approx0.0034$: no evidence that either is better; more seeds, or a larger
#   validation split, before preferring one
# - `"c"`: A is better: its best seed is close to B's and it is the simpler choice
# - `"d"`: compare the best seeds: B's 0.941 beats A's 0.938, so B is better
#
# Set `ANSWER_SEEDS` to the letter.

# %% nbgrader={"grade": false, "grade_id": "concept_seeds_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="concept-seeds-impl"
ANSWER_SEEDS = None  # one of "a", "b", "c", "d"
### BEGIN SOLUTION
ANSWER_SEEDS = "b"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "concept_seeds__visible", "locked": true, "points": 0, "schema_version": 3, "solution": false, "task": false} id="concept-seeds--visible"
check_true("concept_seeds/format", ANSWER_SEEDS in ("a", "b", "c", "d"),
           f'ANSWER_SEEDS must be one of "a", "b", "c", "d"; got {ANSWER_SEEDS!r}')

# %% nbgrader={"grade": true, "grade_id": "concept_seeds__hidden", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="concept-seeds--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
check_equal("concept_seeds/answer", ANSWER_SEEDS, "b",
            hint="compare the difference of the means with its standard error, not the means or the best seeds")
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": true, "grade_id": "written_random_search", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false} id="written-random-search"
# **Written answer (2 points, graded by hand).** Bergstra & Bengio (2012) found random search better than grid
# search for the same number of runs. Explain why with two hyperparameters of which only one matters (9 runs), and
# why the learning rate is sampled log-uniformly rather than uniformly. When is a grid still a reasonable choice?
# Three to six sentences.
#
# ### BEGIN SOLUTION
# A $3\times3$ grid over (learning rate, weight decay) tries only 3 distinct learning rates: the 3 runs that share a
# learning rate differ only in the weight decay, which barely changes the result, so 6 of the 9 runs are wasted on
# the hyperparameter that does not matter. Nine random configurations try 9 distinct values of every
# hyperparameter, so whichever one turns out to matter is explored three times more densely; the effective
# dimension of the problem is low, and random search does not need to know which dimension it is. The learning rate
# acts through its order of magnitude, so it is sampled uniformly in $\ln\eta$: a uniform draw on
# $[10^{-5},10^{-1}]$ would put 90% of the runs in the last decade. A grid is still reasonable for one or two
# hyperparameters that all matter and have few meaningful values (a handful of widths, a discrete choice of
# optimizer), for the final fine sweep of a single hyperparameter, or when the results must be shown as a table.
# ### END SOLUTION

# %% [markdown] id="cell-nas"
# ## 8. Neural architecture search
#
# The architecture is a hyperparameter too. **Neural architecture search** (NAS; survey: Elsken, Metzen & Hutter
# 2019) has three parts: a **search space** (which operations a layer or a repeated cell may use, such as
# convolutions of several sizes, pooling, skip connections, and how many layers and channels), a **search strategy**
# (reinforcement learning in Zoph & Le 2017, evolution in Real et al. 2019, gradient descent on a continuous
# relaxation of the choices in DARTS, Liu et al. 2019, or plain random search) and a **performance estimate** for
# each candidate. Training every candidate from scratch made the first searches cost thousands of GPU-days.
# **Weight sharing** (ENAS, Pham et al. 2018) trains one over-parameterised network that contains every candidate
# as a sub-network, and scores a candidate with the shared weights, without training it: searches fell to GPU-hours.
# The shared weights favour some candidates over others, though, so the ranking under shared weights can differ
# from the ranking after training each candidate alone. With careful comparisons, **random search is a strong
# baseline**: Li & Talwalkar (2019) found random search with early stopping competitive with the published methods
# on their own search spaces, and Yang et al. (2020) found that architectures sampled at random from a popular
# space score almost as well as the searched ones: much of a reported gain comes from the search space and the
# training recipe, not from the search.
#
# **Concept check (1 point).** A paper's NAS method, with weight sharing, finds a CNN that reaches 0.3 percentage
# points higher test accuracy than a hand-designed network. Which comparison is needed before crediting the search
# strategy with the gain?
#
# - `"a"`: the accuracy of the shared-weight super-network, which contains the found network
# - `"b"`: architectures drawn at random from the same search space, trained with the same recipe (epochs,
#   augmentation, regularization) and the same budget, over several seeds
# - `"c"`: a search twice as long: if the gain grows, the search is what helps
# - `"d"`: none: a higher test accuracy than the hand design is the proof
#
# Set `ANSWER_NAS` to the letter.

# %% nbgrader={"grade": false, "grade_id": "concept_nas_impl", "locked": false, "schema_version": 3, "solution": true, "task": false} id="concept-nas-impl"
ANSWER_NAS = None  # one of "a", "b", "c", "d"
### BEGIN SOLUTION
ANSWER_NAS = "b"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "concept_nas__visible", "locked": true, "points": 0, "schema_version": 3, "solution": false, "task": false} id="concept-nas--visible"
check_true("concept_nas/format", ANSWER_NAS in ("a", "b", "c", "d"),
           f'ANSWER_NAS must be one of "a", "b", "c", "d"; got {ANSWER_NAS!r}')

# %% nbgrader={"grade": true, "grade_id": "concept_nas__hidden", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false} id="concept-nas--hidden"
# Hidden tests: the grader runs more cases here (they are not shown in your copy).
### BEGIN HIDDEN TESTS
check_equal("concept_nas/answer", ANSWER_NAS, "b",
            hint="random architectures from the same space with the same training recipe: the baseline that "
                 "separates the search from the space and the recipe")
### END HIDDEN TESTS

# %% [markdown] id="cell-038"
# ## 9. Experiments
#
# The experiments below are not graded. They call your functions and skip a part whose function is not implemented
# yet. With `FAST=True` they are shortened. Data: scikit-learn's handwritten digits (1797 images of 8×8 pixels,
# 10 classes). `load_dataset("digits")` splits them into 1348 training and 449 test images; we split the training
# images again into 1078 for training and 270 for **validation**. Every choice below is made on the validation
# split; the test split is used once, in 9.7. The model is an MLP `64 → 64 → 10` with ReLU, trained with SGD
# (momentum 0.9, weight decay on the weights only) on mini-batches of 64; a `Run` can be resumed, which successive
# halving uses.

# %% id="cell-039"
if device.type == "cpu":
    # Models this small run faster on one CPU thread: synchronising threads costs more than it saves.
    torch.set_num_threads(1)

digits = load_dataset("digits")
order = torch.randperm(len(digits.x_train), generator=make_generator(SEED))
n_val = 270
x_tr, y_tr = digits.x_train[order[n_val:]].to(device), digits.y_train[order[n_val:]].to(device)
x_val, y_val = digits.x_train[order[:n_val]].to(device), digits.y_train[order[:n_val]].to(device)
x_test, y_test = digits.x_test.to(device), digits.y_test.to(device)
K = digits.num_classes
print(f"train {len(x_tr)}, validation {len(x_val)}, test {len(x_test)}; class counts in train: "
      f"{torch.bincount(y_tr.cpu(), minlength=K).tolist()}")


def make_net(seed=SEED, width=64, last_scale=1.0):
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Linear(64, width), nn.ReLU(), nn.Linear(width, K))
    with torch.no_grad():
        net[2].weight.mul_(last_scale)
        net[2].bias.mul_(last_scale)
    return net.to(device)


def weights_and_others(net, wd):
    decay = [p for p in net.parameters() if p.dim() >= 2]
    other = [p for p in net.parameters() if p.dim() < 2]
    return [{"params": decay, "weight_decay": wd}, {"params": other, "weight_decay": 0.0}]


class Run:
    """One configuration {"lr": ..., "wd": ...} and one seed; train_to(epochs) resumes where it stopped."""

    def __init__(self, config, seed=SEED):
        self.net = make_net(seed)
        self.opt = torch.optim.SGD(weights_and_others(self.net, config["wd"]), lr=config["lr"], momentum=0.9)
        self.gen = torch.Generator().manual_seed(seed)
        self.epochs = 0

    def train_to(self, epochs, batch_size=64):
        while self.epochs < epochs:
            self.net.train()
            perm = torch.randperm(len(x_tr), generator=self.gen).to(device)
            for i in range(0, len(x_tr), batch_size):
                idx = perm[i:i + batch_size]
                loss = F.cross_entropy(self.net(x_tr[idx]), y_tr[idx])
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
            self.epochs += 1
        return self

    def evaluate(self, x, y):
        """(loss, accuracy) on (x, y); a diverged run counts as loss inf."""
        self.net.eval()
        with torch.no_grad():
            out = self.net(x)
            loss = float(F.cross_entropy(out, y))
            acc = float((out.argmax(1) == y).float().mean())
        return (loss if math.isfinite(loss) else math.inf), acc


# %% [markdown] id="cell-040"
# ### 9.1 Sanity checks: initial loss, a tiny batch, update/weight ratios
#
# First the loss before any step, for the default initialization and for the last layer scaled by 0.01 and by 10,
# against $\ln K$. Then 20 training examples, no regularization, Adam: the loss must go to about 0. Then one
# mini-batch step after another with SGD (momentum 0.9) at several learning rates, and your `update_ratios` for the
# two weight matrices.

# %% id="cell-041"
print(f"ln K = {math.log(K):.4f}")
for scale in [1.0, 0.01, 10.0]:
    with torch.no_grad():
        loss0 = float(F.cross_entropy(make_net(last_scale=scale)(x_tr), y_tr))
    print(f"last layer x {scale:<5g}: initial loss {loss0:.4f}")

net = make_net()
opt = torch.optim.Adam(net.parameters(), lr=1e-2)
x_tiny, y_tiny = x_tr[:20], y_tr[:20]
tiny_losses = []
for _ in range(100 if FAST else 300):
    loss = F.cross_entropy(net(x_tiny), y_tiny)
    opt.zero_grad()
    loss.backward()
    opt.step()
    tiny_losses.append(loss.item())
with torch.no_grad():
    tiny_acc = float((net(x_tiny).argmax(1) == y_tiny).float().mean())
print(f"20 examples: loss {tiny_losses[0]:.3f} -> {tiny_losses[-1]:.2e}, training accuracy {tiny_acc:.2f}")

steps_ratio = 10 if FAST else 30
ratio_curves = {}
try:
    for lr in [1e-3, 1e-2, 1e-1, 1.0]:
        net = make_net()
        opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9)
        gen = torch.Generator().manual_seed(SEED)
        history = []
        for _ in range(steps_ratio):
            idx = torch.randint(0, len(x_tr), (64,), generator=gen).to(device)
            _, ratios = update_ratios(net, F.cross_entropy, x_tr[idx], y_tr[idx], opt)
            history.append(ratios)
        for name in history[0]:
            ratio_curves[f"lr={lr:g}, {name}"] = [h[name] for h in history]
        print(f"lr={lr:<6g} median ratio over {steps_ratio} steps: "
              + ", ".join(f"{n} {sorted(h[n] for h in history)[steps_ratio // 2]:.1e}" for n in history[0]))
except NotImplementedError:
    print("update_ratios is not implemented yet: skipped")

fig, axes = plt.subplots(1, 2, figsize=(11, 4))
plot_curves({"20 examples": tiny_losses}, title="over-fitting a tiny batch", ylabel="training loss", logy=True,
            ax=axes[0])
if ratio_curves:
    plot_curves({k: v for k, v in ratio_curves.items() if k.endswith("0.weight")}, logy=True, ax=axes[1],
                title="update/weight ratio of the first layer", ylabel="||dW|| / ||W||")
    axes[1].axhline(1e-3, color="k", ls=":", lw=1)
plt.tight_layout()
plt.show()


# %% [markdown] id="cell-042"
# What to see: PyTorch's default initialization already starts near $\ln 10=2.303$ (its last layer is small:
# 2.31), the last layer scaled by 0.01 gives $\ln 10$ to four decimals, and scaled by 10 it starts higher (about
# 2.9): its more confident predictions are no better than chance, so they cost more. The tiny batch is memorized: the loss falls by three
# orders of magnitude and the training accuracy is 1.00. The update/weight ratio is proportional to the learning
# rate: a few $10^{-4}$ at `lr=1e-3`, a few $10^{-3}$ at `1e-2`, a few $10^{-2}$ at `0.1` and above $10^{-1}$ at
# `1`. The best rate of this small network (about 0.1, section 9.3) sits well above the rule of thumb $10^{-3}$: the
# rule is a rough guide; what it reliably flags is a rate off by orders of magnitude.
#
# ### 9.2 A learning-rate range test
#
# fastai's form of the test: one mini-batch per rate, the rate growing exponentially from $10^{-4}$ to 10 over 200
# planned steps (100 with `FAST`), stopped as soon as the loss of a mini-batch is not finite or exceeds 4 times the
# lowest so far (this test stops on the raw loss, fastai on the smoothed one). Then your `suggest_lr`, with
# $\beta=0.9$ and with fastai's 0.98 for comparison, and a few epochs of training at each suggestion of $\beta=0.9$
# and a factor 10 around `lr_min`.

# %% id="cell-043"
def lr_range_test(lr_min, lr_max, steps, seed=SEED, batch_size=64):
    """One mini-batch per learning rate, lr_min * (lr_max / lr_min) ** (i / (steps - 1)); stops when the loss is
    not finite or exceeds 4 times its minimum. Returns the learning rates and losses of the steps taken."""
    net = make_net(seed)
    opt = torch.optim.SGD(net.parameters(), lr=lr_min, momentum=0.9)
    gen = torch.Generator().manual_seed(seed)
    lrs, losses = [], []
    for i in range(steps):
        lr = lr_min * (lr_max / lr_min) ** (i / (steps - 1))
        for group in opt.param_groups:
            group["lr"] = lr
        idx = torch.randint(0, len(x_tr), (batch_size,), generator=gen).to(device)
        loss = F.cross_entropy(net(x_tr[idx]), y_tr[idx])
        value = loss.item()
        if not math.isfinite(value) or (losses and value > 4 * min(losses)):
            break
        lrs.append(lr)
        losses.append(value)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return lrs, losses


lrs, losses = lr_range_test(1e-4, 10.0, 100 if FAST else 200)
lowest = min(range(len(losses)), key=lambda k: losses[k])
print(f"{len(lrs)} steps ({len(lrs) * 64 / len(x_tr):.1f} epochs of {len(x_tr)} images), stopped at lr {lrs[-1]:.3g}; "
      f"lowest raw loss at step {lowest}, lr {lrs[lowest]:.3g}")
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(lrs, losses, lw=1, label="loss of each mini-batch")
ax.set_xscale("log")
ax.set_xlabel("learning rate")
ax.set_ylabel("training loss")
try:
    for beta in (0.98, 0.9):
        steep, lr_min = suggest_lr(lrs, losses, beta=beta)
        print(f"beta {beta}: steepest {steep:.3g} (step {lrs.index(steep)}), lr_min {lr_min:.3g} "
              f"(minimum of s at step {min(range(len(lrs)), key=lambda k: abs(lrs[k] - 10 * lr_min))})")
    ax.axvline(steep, color="C1", ls="--", label=f"steepest {steep:.2g}")
    ax.axvline(lr_min, color="C2", ls="--", label=f"lr_min {lr_min:.2g}")
    epochs_lr = 3 if FAST else 10
    candidates = [("steepest", steep), ("lr_min", lr_min), ("lr_min / 10", lr_min / 10), ("lr_min x 10", lr_min * 10)]
    for name, lr in candidates:
        loss, acc = Run({"lr": lr, "wd": 0.0}).train_to(epochs_lr).evaluate(x_val, y_val)
        print(f"{name:>12}: lr {lr:.3g}, after {epochs_lr} epochs validation loss {loss:.3f}, accuracy {acc:.3f}")
except NotImplementedError:
    print("suggest_lr is not implemented yet: skipped")
ax.legend()
ax.grid(True, alpha=0.3)
plt.show()

# %% [markdown] id="cell-044"
# What to see: the loss stays at $\ln 10$ up to about $10^{-2}$, falls steeply between a few $10^{-2}$ and a few
# $10^{-1}$, and explodes soon after its lowest point: with `FAST` the lowest raw loss is at step 72 (rate 0.43) and
# the test stops after step 74 (0.55); without, at steps 141 (0.35) and 143 (0.39). The smoothed minimum is the last
# step for both $\beta$, so `lr_min` is exactly the stopping rate / 10 (0.055 and 0.039): a factor 10 below where
# training blew up, not a point read off a valley. The steepest point depends on $\beta$: with 0.98 it lags to step
# 71 of 75 (0.39, next to the raw minimum) with `FAST`, with 0.9 it is at step 66 (0.21), well inside the falling
# part (without `FAST`: steps 124 and 120, rates 0.13 and 0.10). Trained for a few epochs, the steepest rate and
# 10 × `lr_min` (the stopping rate) do best, `lr_min` is slower, and `lr_min / 10` hardly learns: a run that starts
# at a rate which blew up the growing schedule can still train, because the test's loss at each step carries the
# damage of the larger rates just before it. The test bounds the useful range within a factor of a few at the cost
# of one short run (75 mini-batches of 64, about 4.5 epochs of the 1078 training images, with `FAST`; 144, about 8.5
# epochs, without); it does not pick the optimum.
#
# ### 9.3 Grid search against random search
#
# The same number of runs over the learning rate ($10^{-3}$ to 1) and the weight decay ($10^{-6}$ to $10^{-1}$): a
# log-spaced grid, and random configurations from your `log_uniform` through `random_configs`. Every run is scored
# by its validation loss after a fixed number of epochs.

# %% id="cell-045"
n_runs = 9 if FAST else 16
per_axis = math.isqrt(n_runs)
epochs_search = 4 if FAST else 12
lr_box, wd_box = (1e-3, 1.0), (1e-6, 1e-1)
space = {"lr": lambda g: float(log_uniform(*lr_box, 1, g)[0]), "wd": lambda g: float(log_uniform(*wd_box, 1, g)[0])}


def log_points(low, high, k):
    return torch.logspace(math.log10(low), math.log10(high), k, dtype=torch.float64).tolist()


def score(configs, epochs):
    """Validation loss of each configuration after `epochs` epochs (seed SEED)."""
    return [Run(c).train_to(epochs).evaluate(x_val, y_val)[0] for c in configs]


searches = {}
try:
    grid = grid_points({"lr": log_points(*lr_box, per_axis), "wd": log_points(*wd_box, per_axis)})
    random_search = random_configs(space, n_runs, make_generator(SEED))
    searches = {"grid": grid, "random": random_search}
    scores = {name: score(configs, epochs_search) for name, configs in searches.items()}
except NotImplementedError:
    print("grid_points, random_configs or log_uniform is not implemented yet: skipped")
if searches:
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for (name, configs), marker in zip(searches.items(), ["s", "o"]):
        lrs_s, wds_s = [c["lr"] for c in configs], [c["wd"] for c in configs]
        shown = [min(s, 3.0) for s in scores[name]]
        points = axes[0].scatter(lrs_s, wds_s, c=shown, cmap="viridis_r", vmin=0, vmax=3, marker=marker, label=name)
        axes[1].scatter(lrs_s, shown, marker=marker, label=name)
        best = min(range(len(configs)), key=lambda i: scores[name][i])
        print(f"{name:>6}: {len(configs)} runs, {len(set(lrs_s))} distinct learning rates, best validation loss "
              f"{scores[name][best]:.3f} at lr {configs[best]['lr']:.3g}, wd {configs[best]['wd']:.2g}")
    fig.colorbar(points, ax=axes[0], label="validation loss (capped at 3)")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("learning rate")
        ax.legend()
    axes[0].set_yscale("log")
    axes[0].set_ylabel("weight decay")
    axes[1].set_ylabel("validation loss (capped at 3)")
    axes[1].set_title("the projection on the learning rate")
    plt.tight_layout()
    plt.show()

# %% [markdown] id="cell-046"
# What to see: the validation loss depends mostly on the learning rate; the weight decay matters only at its top
# end. The grid tries only $\sqrt{n}$ distinct learning rates, each with several weight decays that change little;
# the random configurations spread over as many distinct learning rates as there are runs (right panel), which also
# shows the shape of the loss against the learning rate. With `FAST=True` the grid's 3 learning rates miss the best
# region and random search wins clearly; with 16 runs the grid happens to contain `lr=0.1`, close to the best rate
# here, and the two searches tie. Random search does not win every time: it wins on average, when only some of the
# hyperparameters matter. With another seed the random runs land elsewhere: one search is one sample, too.
#
# ### 9.4 Successive halving
#
# Random configurations from the same space, successive halving with $\eta=3$ and a minimum budget of one epoch;
# `evaluate` resumes each configuration's `Run`, so a configuration promoted to the next rung continues its
# training. Afterwards every configuration is trained on to the largest budget, to see what successive halving would
# have missed and what that cost.

# %% id="cell-047"
n_sh = 9 if FAST else 27
try:
    sh_configs = random_configs(space, n_sh, make_generator(SEED + 1))
    sh_runs = {}

    def evaluate(config, budget):
        key = (config["lr"], config["wd"])
        if key not in sh_runs:
            sh_runs[key] = Run(config)
        return sh_runs[key].train_to(budget).evaluate(x_val, y_val)[0]

    winner, rungs = successive_halving(sh_configs, evaluate, min_budget=1, eta=3)
    for budget, positions, losses_r in rungs:
        print(f"budget {budget:>2} epochs: {len(positions):>2} configurations, best validation loss "
              f"{min(losses_r):.3f}")
    sh_cost = sum(run.epochs for run in sh_runs.values())
    max_budget = rungs[-1][0]
    full = [evaluate(c, max_budget) for c in sh_configs]  # now every configuration gets the largest budget
    best_full = min(range(n_sh), key=lambda i: full[i])
    print(f"successive halving: winner {winner} (lr {sh_configs[winner]['lr']:.3g}, wd {sh_configs[winner]['wd']:.2g}),"
          f" validation loss {full[winner]:.3f}, cost {sh_cost} epochs")
    print(f"every configuration for {max_budget} epochs: best {best_full}, validation loss {full[best_full]:.3f}, "
          f"cost {n_sh * max_budget} epochs; the winner ranks {sorted(full).index(full[winner]) + 1} of {n_sh}")
except NotImplementedError:
    print("successive_halving or random_configs is not implemented yet: skipped")

# %% [markdown] id="cell-048"
# What to see: each rung costs about the same number of epochs, and with resumed runs the whole search costs a
# fraction of training every configuration to the end (21 of 81 epochs with `FAST=True`, 81 of 729 without). The
# winner is not always the very best configuration, but its final validation loss is close to the best one's: on
# this task one epoch already separates the hopeless learning rates, which is when successive halving pays off. A
# configuration that starts slowly but ends best would be dropped in the first rung; Hyperband's brackets with
# larger starting budgets guard against that.
#
# Then Hyperband with your `hyperband` (and so your `successive_halving`) on fresh random configurations, with a
# minimum budget of one epoch and a maximum of 9 (3 with `FAST`), the runs resumed in the same way.

# %% id="cell-hyperband-run"
max_hb = 3 if FAST else 9
try:
    hb_gen = make_generator(SEED + 2)
    hb_runs = {}  # id(config) -> its Run: the configurations are distinct dicts that live as long as `brackets`

    def hb_evaluate(config, budget):
        if id(config) not in hb_runs:
            hb_runs[id(config)] = Run(config)
        return hb_runs[id(config)].train_to(budget).evaluate(x_val, y_val)[0]

    best_k, brackets = hyperband(lambda n: random_configs(space, n, hb_gen), hb_evaluate, 1, max_hb, eta=3)
    for k, (configs, winner, rungs) in enumerate(brackets):
        print(f"bracket {k}: {len(configs):>2} configurations from {rungs[0][0]} epoch(s); winner lr "
              f"{configs[winner]['lr']:.3g}, wd {configs[winner]['wd']:.2g}, validation loss {rungs[-1][2][0]:.3f} "
              f"after {rungs[-1][0]} epochs")
    print(f"Hyperband: best bracket {best_k}, cost {sum(run.epochs for run in hb_runs.values())} epochs for "
          f"{len(hb_runs)} configurations")
except NotImplementedError:
    print("hyperband, successive_halving or random_configs is not implemented yet: skipped")

# %% [markdown] id="cell-hyperband-see"
# What to see: without `FAST` (maximum 9 epochs) the aggressive bracket's winner is a configuration with a large
# rate (0.55), among the best 3 of 9 after one epoch and the best of those after three, which ends at a validation
# loss of 0.33 after 9; the bracket that starts 3
# configurations at 3 epochs wins (rate 0.24, 0.15), and the single configuration of the last bracket is one random
# draw (rate 0.019, 0.33). This is the failure Hyperband hedges against: an early leader that does not last. With
# `FAST` (maximum 3 epochs, two brackets) the aggressive bracket wins. Hyperband cost 45 epochs for 13
# configurations here (8 for 4 with `FAST`).
#
# ### 9.5 The median stopping rule on recorded curves
#
# The random configurations of 9.3, trained again one after another, with the validation loss recorded after every
# epoch; once 3 runs have completed (with one, its "median" would be that run), a run stops as soon as your
# `median_stop` (with `min_steps=2`) says so against the runs completed before it. Runs train exactly as in 9.3, so
# a run that is not stopped ends with its 9.3 score.

# %% id="cell-median-run"
try:
    ms_configs = random_configs(space, n_runs, make_generator(SEED))  # the configurations of 9.3's random search
    done, spent, kept = [], 0, []
    for i, config in enumerate(ms_configs):
        run, curve = Run(config), []
        for epoch in range(1, epochs_search + 1):
            curve.append(run.train_to(epoch).evaluate(x_val, y_val)[0])
            if epoch < epochs_search and len(done) >= 3 and median_stop(curve, done, min_steps=2):
                break
        spent += len(curve)
        if len(curve) == epochs_search:
            done.append(curve)
            kept.append(i)
    best_kept = min(kept, key=lambda i: done[kept.index(i)][-1])
    print(f"{len(kept)} of {n_runs} runs completed, {spent} of {n_runs * epochs_search} epochs spent; best completed "
          f"run {best_kept}, validation loss {done[kept.index(best_kept)][-1]:.3f}")
    if searches:
        best_all = min(range(n_runs), key=lambda i: scores["random"][i])
        print(f"9.3's random search: best run {best_all}, validation loss {scores['random'][best_all]:.3f}")
except NotImplementedError:
    print("median_stop or random_configs is not implemented yet: skipped")

# %% [markdown] id="cell-median-see"
# What to see: without `FAST`, 8 of the 16 runs complete and 112 of 192 epochs are spent; the best run of 9.3 (run
# 4, validation loss 0.112) is among the completed ones. Half of the stopped runs have rates far too small (final
# losses above 1.3 in 9.3), but two slow starters (final losses 0.195 and 0.167 in 9.3, better than half of the completed runs) were stopped
# after 3 epochs: the rule judges a curve by its early losses. With `FAST` (4 epochs) 4 of 9 runs complete (26 of 36
# epochs), the best of 9.3 among them. Applied from the first completed run instead, the rule compares every later
# run with that single run, and with `FAST` it stops the best one (run 2, a slow starter).
#
# ### 9.6 Bayesian optimisation against random search
#
# The same space, the same number of runs and the same epochs as 9.3, in the coordinates
# $u=(\log_{10}\eta,\log_{10}\lambda)$ scaled to $[0,1]^2$. The first two configurations are those of 9.3's random
# search; each next one maximises your `expected_improvement` over 2000 random candidates, with your `gp_posterior`
# fitted to the validation losses so far (a diverged run counts as 3), lengthscale 0.25, `signal` the standard
# deviation of those losses (at least 0.1) and `noise` $10^{-3}$ of its square. The GP's hyperparameters are fixed
# here, not fitted.

# %% id="cell-bayes-run"
def to_unit(config):
    return [(math.log10(config["lr"]) - math.log10(lr_box[0])) / (math.log10(lr_box[1]) - math.log10(lr_box[0])),
            (math.log10(config["wd"]) - math.log10(wd_box[0])) / (math.log10(wd_box[1]) - math.log10(wd_box[0]))]


try:
    bo_configs = random_configs(space, 2, make_generator(SEED))  # 9.3's first two random configurations
    bo_losses = [min(s, 3.0) for s in score(bo_configs, epochs_search)]
    candidates = random_configs(space, 2000, make_generator(SEED + 3))
    units = torch.tensor([to_unit(c) for c in candidates], dtype=torch.float64)
    while len(bo_configs) < n_runs:
        y = torch.tensor(bo_losses, dtype=torch.float64)
        signal = max(float(y.std()), 0.1)
        x = torch.tensor([to_unit(c) for c in bo_configs], dtype=torch.float64)
        mean, std = gp_posterior(x, y, units, lengthscale=0.25, signal=signal, noise=1e-3 * signal ** 2)
        nxt = int(expected_improvement(mean, std, min(bo_losses)).argmax())
        bo_configs.append(candidates[nxt])
        bo_losses.append(min(score([candidates[nxt]], epochs_search)[0], 3.0))
    best_bo = min(range(n_runs), key=lambda i: bo_losses[i])
    print(f"Bayesian optimisation: best validation loss {bo_losses[best_bo]:.3f} at lr {bo_configs[best_bo]['lr']:.3g}, "
          f"wd {bo_configs[best_bo]['wd']:.2g}")
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    axes[0].scatter([c["lr"] for c in bo_configs], [c["wd"] for c in bo_configs], c=range(n_runs), cmap="viridis")
    for i, c in enumerate(bo_configs):
        axes[0].annotate(str(i), (c["lr"], c["wd"]), fontsize=8)
    axes[0].set_xscale("log")
    axes[0].set_yscale("log")
    axes[0].set_xlabel("learning rate")
    axes[0].set_ylabel("weight decay")
    axes[0].set_title("Bayesian optimisation: the order of the runs")
    curves_bo = {"Bayesian optimisation": bo_losses}
    if searches:
        curves_bo["random search (9.3)"] = [min(s, 3.0) for s in scores["random"]]
    for name, ls in curves_bo.items():
        axes[1].plot(range(1, n_runs + 1), [min(ls[:i + 1]) for i in range(n_runs)], marker="o", label=name)
    axes[1].set_xlabel("runs")
    axes[1].set_ylabel("best validation loss so far")
    axes[1].legend()
    plt.tight_layout()
    plt.show()
except NotImplementedError:
    print("gp_posterior, expected_improvement or random_configs is not implemented yet: skipped")

# %% [markdown] id="cell-bayes-see"
# What to see: the numbers on the left panel show where the expected improvement sends each run after the two
# random ones: regions the GP knows nothing about, then the band of good learning rates. Here its best validation
# loss is 0.104 after 16 runs against 0.112 for random search (0.177 against 0.264 after 9 with `FAST`). With so
# few runs this is one sample of each, and with fixed GP hyperparameters a poor lengthscale can waste runs: in
# practice they are fitted to the data at every step.
#
# ### 9.7 Seeds, and the test split used once
#
# The best configuration of the grid and the best of the random search in 9.3 (each chosen by one run with one
# seed) are trained again with several seeds: is one of them really better? Then the chosen one is evaluated once on
# the test split.

# %% id="cell-049"
seeds = [0, 1, 2] if FAST else [0, 1, 2, 3, 4]
if searches:
    finalists = [min(zip(scores[name], searches[name]), key=lambda sc: sc[0])[1] for name in searches]
    summary = []
    for config in finalists:
        runs = [Run(config, seed=s).train_to(epochs_search) for s in seeds]
        accs = torch.tensor([r.evaluate(x_val, y_val)[1] for r in runs], dtype=torch.float64)
        summary.append((config, runs, accs))
        print(f"lr {config['lr']:.3g}, wd {config['wd']:.2g}: validation accuracy over {len(seeds)} seeds "
              f"{float(accs.mean()):.4f} ± {float(accs.std()):.4f} (min {float(accs.min()):.4f}, "
              f"max {float(accs.max()):.4f})")
    (c_a, _, acc_a), (c_b, _, acc_b) = summary
    diff = float(acc_a.mean() - acc_b.mean())
    se = math.sqrt(float(acc_a.var() + acc_b.var()) / len(seeds))
    print(f"difference of the means {diff:+.4f}, its standard error {se:.4f}")
    chosen, chosen_runs, _ = max(summary, key=lambda item: float(item[2].mean()))
    test_accs = [r.evaluate(x_test, y_test)[1] for r in chosen_runs]
    print(f"chosen: lr {chosen['lr']:.3g}, wd {chosen['wd']:.2g}; test accuracy (used once) "
          f"{sum(test_accs) / len(test_accs):.4f} over the same {len(seeds)} seeds")
else:
    print("9.3 was skipped: nothing to compare")

# %% [markdown] id="cell-050"
# What to see: the seed-to-seed standard deviation of the validation accuracy is half a percentage point to one
# percentage point on 270 validation images, as large as many differences a search reports. Compare the difference of the two means with
# its standard error: below about two standard errors it is not evidence. With `FAST=True` the random search's
# finalist is clearly better (the grid's best learning rate, 0.03, is too small for 4 epochs: the means lie several
# standard errors apart); with `FAST=False` the two finalists are equally good. The test accuracy is a fair estimate
# only because the test split played no part in any choice; it comes out a little below the validation accuracy of
# the chosen configuration, which was selected on that validation split.
#
# ## Summary and references
#
# | question | answer | in this notebook |
# |---|---|---|
# | where to measure | validation split to choose, test split once to report; several seeds, mean ± std | 9.7 |
# | how to sample rates and decays | log-uniform: $a(b/a)^u$, $u\sim U[0,1)$ | `log_uniform` |
# | what to try | random configurations rather than a grid; coarse to fine | `grid_points`, `random_configs` |
# | how to spend the budget | successive halving (keep $1/\eta$, budget $\times\eta$); Hyperband's brackets; ASHA in parallel | `successive_halving`, `hyperband` |
# | when to stop a run | median stopping rule: best so far worse than the median running average of completed runs | `median_stop` |
# | where to look next | a GP surrogate and the expected improvement; TPE for categorical and conditional spaces | `gp_posterior`, `expected_improvement` |
# | a first learning rate | range test: the steepest point, or the minimum rule (rate at the minimum of the smoothed loss / 10), with $1/(1-\beta)$ small next to the run | `suggest_lr` |
# | before tuning | initial loss $\approx\ln K$, over-fit 20 examples, update/weight ratio $\approx10^{-3}$ | `update_ratios`, 9.1 |
# | the architecture | NAS: search space, strategy, estimate; weight sharing; compare with random architectures | concept check |
#
# - J. Bergstra, Y. Bengio (2012). Random search for hyper-parameter optimization. *JMLR* 13.
# - Y. Bengio (2012). Practical recommendations for gradient-based training of deep architectures. In *Neural
#   Networks: Tricks of the Trade*, 2nd ed., Springer LNCS 7700.
# - J. Bergstra, R. Bardenet, Y. Bengio, B. Kégl (2011). Algorithms for hyper-parameter optimization. NeurIPS.
# - J. Snoek, H. Larochelle, R. P. Adams (2012). Practical Bayesian optimization of machine learning algorithms.
#   NeurIPS.
# - Z. Karnin, T. Koren, O. Somekh (2013). Almost optimal exploration in multi-armed bandits. ICML.
# - K. Jamieson, A. Talwalkar (2016). Non-stochastic best arm identification and hyperparameter optimization.
#   AISTATS.
# - L. Li, K. Jamieson, G. DeSalvo, A. Rostamizadeh, A. Talwalkar (2018). Hyperband: a novel bandit-based approach
#   to hyperparameter optimization. *JMLR* 18.
# - L. Li, K. Jamieson, A. Rostamizadeh, E. Gonina, J. Ben-tzur, M. Hardt, B. Recht, A. Talwalkar (2020). A system
#   for massively parallel hyperparameter tuning. MLSys.
# - D. Golovin, B. Solnik, S. Moitra, G. Kochanski, J. Karro, D. Sculley (2017). Google Vizier: a service for
#   black-box optimization. KDD.
# - D. R. Jones, M. Schonlau, W. J. Welch (1998). Efficient global optimization of expensive black-box functions.
#   *Journal of Global Optimization* 13.
# - C. E. Rasmussen, C. K. I. Williams (2006). *Gaussian Processes for Machine Learning*. MIT Press.
# - S. Falkner, A. Klein, F. Hutter (2018). BOHB: robust and efficient hyperparameter optimization at scale. ICML.
# - T. Elsken, J. H. Metzen, F. Hutter (2019). Neural architecture search: a survey. *JMLR* 20.
# - B. Zoph, Q. V. Le (2017). Neural architecture search with reinforcement learning. ICLR.
# - E. Real, A. Aggarwal, Y. Huang, Q. V. Le (2019). Regularized evolution for image classifier architecture
#   search. AAAI.
# - H. Liu, K. Simonyan, Y. Yang (2019). DARTS: differentiable architecture search. ICLR.
# - H. Pham, M. Guan, B. Zoph, Q. Le, J. Dean (2018). Efficient neural architecture search via parameter sharing.
#   ICML.
# - L. Li, A. Talwalkar (2019). Random search and reproducibility for neural architecture search. UAI.
# - A. Yang, P. M. Esperança, F. M. Carlucci (2020). NAS evaluation is frustratingly hard. ICLR.
# - L. N. Smith (2017). Cyclical learning rates for training neural networks. WACV.
# - J. Howard, S. Gugger (2020). Fastai: a layered API for deep learning. *Information* 11(2).
# - A. Karpathy et al. CS231n: Convolutional Neural Networks for Visual Recognition, course notes "Neural Networks
#   Part 3: Learning and Evaluation" (Stanford); A. Karpathy (2019), "A recipe for training neural networks" (blog).
#
# The course note `course/notes/06_hyperparameters.md` summarises all of this, with a glossary of English and Chinese
# terms.
