# replaces: cyclic_impl
# breaks: cyclic
# bug: treats step_size_up as the whole cycle length (peak after step_size_up / 2 steps)
<<<<<<< reference
    total = step_size_up + down
=======
    total = step_size_up
>>>>>>> mutant
