# replaces: halving_impl
# breaks: halving
# bug: keeps the configurations themselves and finds their positions with configs.index: a repeated configuration takes the position of its first copy
<<<<<<< reference
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
=======
    alive = list(configs)
    budget = min_budget
    rungs = []
    while True:
        losses = [evaluate(c, budget) for c in alive]
        rungs.append((budget, [configs.index(c) for c in alive], losses))
        if len(alive) == 1:
            return configs.index(alive[0]), rungs
        keep = max(1, len(alive) // eta)
        ranked = sorted(range(len(alive)), key=lambda j: losses[j])
        alive = [alive[j] for j in sorted(ranked[:keep])]
        budget = budget * eta
>>>>>>> mutant
