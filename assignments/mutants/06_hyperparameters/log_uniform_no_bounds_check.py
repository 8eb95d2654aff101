# replaces: log_uniform_impl
# breaks: log_uniform
# bug: no ValueError for low <= 0 or low >= high (log(0) fails differently, reversed bounds pass silently)
<<<<<<< reference
    if not 0 < low < high:
        raise ValueError(f"log_uniform needs 0 < low < high, got low={low}, high={high}")
=======
>>>>>>> mutant
