# replaces: log_uniform_impl
# breaks: log_uniform
# bug: log10 on the way in, exp on the way out: the samples leave [low, high]
<<<<<<< reference
    return torch.exp(math.log(low) + u * (math.log(high) - math.log(low)))
=======
    return torch.exp(math.log10(low) + u * (math.log10(high) - math.log10(low)))
>>>>>>> mutant
