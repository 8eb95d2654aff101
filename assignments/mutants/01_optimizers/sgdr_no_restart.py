# replaces: sgdr_impl
# breaks: sgdr
# bug: no restart: the cosine runs on past T_0 and the rate climbs back slowly instead of jumping to base_lr
<<<<<<< reference
    while t_cur >= T_i:
        t_cur -= T_i
        T_i *= T_mult
=======
>>>>>>> mutant
