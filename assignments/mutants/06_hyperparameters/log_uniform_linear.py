# replaces: log_uniform_impl
# breaks: log_uniform
# bug: uniform on the linear scale: almost every draw lands in the top decade
<<<<<<< reference
    return torch.exp(math.log(low) + u * (math.log(high) - math.log(low)))
=======
    return low + u * (high - low)
>>>>>>> mutant
