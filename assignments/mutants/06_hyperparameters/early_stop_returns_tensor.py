# replaces: early_stop_impl
# breaks: early_stop
# bug: returns a 0-dim bool tensor instead of a Python bool
<<<<<<< reference
    return bool(min(curve) > statistics.median(averages))
=======
    return torch.tensor(min(curve)) > torch.tensor(averages).median()
>>>>>>> mutant
