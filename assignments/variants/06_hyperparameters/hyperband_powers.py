# replaces: hyperband_impl
# why: the budgets listed first as exact powers, the best bracket by a sort on (loss, index)
<<<<<<< reference
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
=======
    budgets = [min_budget]
    while budgets[-1] * eta <= max_budget:
        budgets.append(budgets[-1] * eta)
    brackets = []
    for s, first in zip(range(len(budgets) - 1, -1, -1), budgets):
        configs = sample(eta ** s)
        result = (halving or successive_halving)(configs, evaluate, first, eta)
        brackets.append((configs, *result))
    finals = sorted((rungs[-1][2][0], k) for k, (_, _, rungs) in enumerate(brackets))
    return finals[0][1], brackets
>>>>>>> mutant
