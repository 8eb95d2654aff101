# replaces: sgdr_impl
# why: torch's closed form (as in CosineAnnealingWarmRestarts.step(epoch)): the cycle index from a logarithm
<<<<<<< reference
    T_i, t_cur = T_0, t
    while t_cur >= T_i:
        t_cur -= T_i
        T_i *= T_mult
=======
    if T_mult == 1:
        t_cur, T_i = t % T_0, T_0
    elif t >= T_0:
        n = int(math.log(t / T_0 * (T_mult - 1) + 1, T_mult))
        t_cur = t - T_0 * (T_mult ** n - 1) / (T_mult - 1)
        T_i = T_0 * T_mult ** n
    else:
        t_cur, T_i = t, T_0
>>>>>>> mutant
