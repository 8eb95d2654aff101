# replaces: early_stop_impl
# breaks: early_stop
# bug: the lower middle value as the median of an even count (what torch.median returns)
<<<<<<< reference
    return bool(min(curve) > statistics.median(averages))
=======
    return bool(min(curve) > float(torch.tensor(averages, dtype=torch.float64).median()))
>>>>>>> mutant
