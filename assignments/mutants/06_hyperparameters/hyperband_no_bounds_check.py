# replaces: hyperband_impl
# breaks: hyperband
# bug: no ValueError when max_budget < min_budget (one bracket at min_budget runs instead)
<<<<<<< reference
    if max_budget < min_budget:
        raise ValueError(f"max_budget {max_budget} is below min_budget {min_budget}")
=======
>>>>>>> mutant
