# replaces: search_impl
# breaks: search
# bug: one dict filled again and appended n times: every configuration is the last one drawn
<<<<<<< reference
    return [{name: sampler(generator) for name, sampler in space.items()} for _ in range(n)]
=======
    configs, config = [], {}
    for _ in range(n):
        for name, sampler in space.items():
            config[name] = sampler(generator)
        configs.append(config)
    return configs
>>>>>>> mutant
