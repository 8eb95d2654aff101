# replaces: search_impl
# breaks: search
# bug: draws all n values of one name, then of the next (name by name, not configuration by configuration)
<<<<<<< reference
    return [{name: sampler(generator) for name, sampler in space.items()} for _ in range(n)]
=======
    columns = {name: [sampler(generator) for _ in range(n)] for name, sampler in space.items()}
    return [{name: columns[name][i] for name in space} for i in range(n)]
>>>>>>> mutant
