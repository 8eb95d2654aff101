# replaces: halving_impl
# breaks: halving
# bug: keeps every configuration whose loss is <= the k-th smallest: ties let more than k survive
<<<<<<< reference
        ranked = sorted(range(len(alive)), key=lambda j: losses[j])  # a stable sort: ties keep the earlier position
        alive = sorted(alive[j] for j in ranked[:keep])
=======
        threshold = sorted(losses)[keep - 1]
        alive = [i for i, loss in zip(alive, losses) if loss <= threshold]
>>>>>>> mutant
