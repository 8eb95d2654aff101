# replaces: early_stop_impl
# breaks: early_stop
# bug: compares the last loss of the running trial instead of its best so far
<<<<<<< reference
    return bool(min(curve) > statistics.median(averages))
=======
    return bool(curve[-1] > statistics.median(averages))
>>>>>>> mutant
