# replaces: groups_impl
# breaks: groups
# bug: the decayed group is built per layer from model.modules(), so a weight tied between two layers is listed twice
<<<<<<< reference
    weight_ids = {id(m.weight) for m in model.modules() if isinstance(m, WEIGHT_LAYERS)}
    decay, no_decay = [], []
    for p in model.parameters():
        (decay if id(p) in weight_ids else no_decay).append(p)
=======
    decay = [m.weight for m in model.modules() if isinstance(m, WEIGHT_LAYERS)]
    no_decay = [p for p in model.parameters() if all(p is not w for w in decay)]
>>>>>>> mutant
