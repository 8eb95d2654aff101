# replaces: groups_impl
# breaks: groups
# bug: parameters are split by name: a normalization layer's 'weight' (its scale) is decayed too
<<<<<<< reference
    weight_ids = {id(m.weight) for m in model.modules() if isinstance(m, WEIGHT_LAYERS)}
=======
    weight_ids = {id(p) for name, p in model.named_parameters() if name.endswith("weight")}
>>>>>>> mutant
