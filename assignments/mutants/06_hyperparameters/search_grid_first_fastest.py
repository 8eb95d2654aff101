# replaces: search_impl
# breaks: search
# bug: the grid's first name varies fastest instead of the last
<<<<<<< reference
        configs = [{**config, name: value} for config in configs for value in values]
=======
        configs = [{**config, name: value} for value in values for config in configs]
>>>>>>> mutant
