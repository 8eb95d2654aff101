# replaces: early_stop_impl
# breaks: early_stop
# bug: stops a trial that ties the median (>= instead of >)
<<<<<<< reference
    return bool(min(curve) > statistics.median(averages))
=======
    return bool(min(curve) >= statistics.median(averages))
>>>>>>> mutant
