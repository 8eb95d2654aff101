# replaces: hyperband_impl
# breaks: hyperband
# bug: runs the brackets from s = 0 up to s_max (the least aggressive first)
<<<<<<< reference
    for s in range(s_max, -1, -1):
=======
    for s in range(s_max + 1):
>>>>>>> mutant
