# replaces: groups_impl
# breaks: groups
# bug: the decayed group is chosen by shape (every parameter with 2 or more dimensions): an Embedding table and a 2-D Parameter that are no Linear/Conv weights are decayed
<<<<<<< reference
        (decay if id(p) in weight_ids else no_decay).append(p)
=======
        (decay if p.dim() >= 2 else no_decay).append(p)
>>>>>>> mutant
