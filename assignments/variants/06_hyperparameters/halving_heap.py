# replaces: halving_impl
# why: survivors chosen with heapq.nsmallest on (loss, position) pairs, the budget computed as min_budget * eta**r
<<<<<<< reference
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
=======
    import heapq

    alive, rungs, r = list(range(len(configs))), [], 0
    while alive:
        budget = min_budget * eta**r
        losses = [evaluate(configs[i], budget) for i in alive]
        rungs.append((budget, alive, losses))
        if len(alive) == 1:
            break
        best = heapq.nsmallest(max(1, len(alive) // eta), zip(losses, alive))
        alive = sorted(i for _, i in best)
        r += 1
    return rungs[-1][1][0], rungs
>>>>>>> mutant
