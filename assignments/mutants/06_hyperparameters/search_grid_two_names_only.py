# replaces: search_impl
# breaks: search
# bug: the grid is written for exactly two hyperparameters
<<<<<<< reference
    configs = [{}]
    for name, values in axes.items():
        configs = [{**config, name: value} for config in configs for value in values]
    return configs
=======
    (a, values_a), (b, values_b) = axes.items()
    return [{a: va, b: vb} for va in values_a for vb in values_b]
>>>>>>> mutant
