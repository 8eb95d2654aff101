# replaces: early_stop_impl
# breaks: early_stop
# bug: takes the median of an empty list when no completed trial takes part (statistics.StatisticsError)
<<<<<<< reference
    if t < min_steps or not averages:
=======
    if t < min_steps:
>>>>>>> mutant
