# replaces: sgdr_impl
# breaks: sgdr
# bug: replays the scheduler one whole epoch at a time (for _ in range(t)), so a fractional epoch fails
<<<<<<< reference
    T_i, t_cur = T_0, t
    while t_cur >= T_i:
        t_cur -= T_i
        T_i *= T_mult
=======
    T_i, t_cur = T_0, 0
    for _ in range(t):
        t_cur += 1
        if t_cur >= T_i:
            t_cur -= T_i
            T_i *= T_mult
>>>>>>> mutant
