# replaces: halving_impl
# breaks: halving
# bug: calls evaluate a second time to rank the configurations (each rung is paid twice)
<<<<<<< reference
        ranked = sorted(range(len(alive)), key=lambda j: losses[j])  # a stable sort: ties keep the earlier position
=======
        ranked = sorted(range(len(alive)), key=lambda j: evaluate(configs[alive[j]], budget))
>>>>>>> mutant
