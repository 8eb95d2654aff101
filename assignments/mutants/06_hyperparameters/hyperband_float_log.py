# replaces: hyperband_impl
# breaks: hyperband
# bug: s_max from a floating-point logarithm: math.log(243, 3) is 4.999999999999999, so a bracket is lost
<<<<<<< reference
    s_max = 0
    while min_budget * eta ** (s_max + 1) <= max_budget:
        s_max += 1
=======
    s_max = int(math.log(max_budget / min_budget, eta))
>>>>>>> mutant
