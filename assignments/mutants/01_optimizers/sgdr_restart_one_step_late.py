# replaces: sgdr_impl
# breaks: sgdr
# bug: the restart comes one step late: the rate reaches eta_min at t = T_i and only then jumps back to base_lr
<<<<<<< reference
    while t_cur >= T_i:
=======
    while t_cur > T_i:
>>>>>>> mutant
