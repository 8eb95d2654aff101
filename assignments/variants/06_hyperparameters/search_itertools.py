# replaces: search_impl
# why: the grid from itertools.product, the random configurations with explicit loops
<<<<<<< reference
    configs = [{}]
    for name, values in axes.items():
        configs = [{**config, name: value} for config in configs for value in values]
    return configs
=======
    import itertools

    names = list(axes)
    return [dict(zip(names, values)) for values in itertools.product(*(axes[name] for name in names))]
>>>>>>> mutant
<<<<<<< reference
    return [{name: sampler(generator) for name, sampler in space.items()} for _ in range(n)]
=======
    configs = []
    for _ in range(n):
        config = {}
        for name in space:
            config[name] = space[name](generator)
        configs.append(config)
    return configs
>>>>>>> mutant
