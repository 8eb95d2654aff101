# replaces: groups_impl
# breaks: groups
# bug: with coupling="penalty" the optimizer is built on model.parameters() without the groups, so AdamW adds its default weight_decay=0.01 on top of the penalty
<<<<<<< reference
    opt = optimizers[opt_name](groups, **opt_kwargs)
=======
    # the penalty is in the loss: the optimizer needs no groups then
    opt = optimizers[opt_name](groups if coupling == "optimizer" else model.parameters(), **opt_kwargs)
>>>>>>> mutant
