# replaces: groups_impl
# breaks: groups
# bug: every parameter goes to the decayed group, biases included
<<<<<<< reference
        (decay if id(p) in weight_ids else no_decay).append(p)
=======
        decay.append(p)
>>>>>>> mutant
