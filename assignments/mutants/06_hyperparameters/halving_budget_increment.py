# replaces: halving_impl
# breaks: halving
# bug: passes only the extra budget of the rung (budget - previous budget) instead of the total
<<<<<<< reference
        losses = [evaluate(configs[i], budget) for i in alive]
=======
        extra = budget - (budget // eta if rungs else 0)
        losses = [evaluate(configs[i], extra) for i in alive]
>>>>>>> mutant
