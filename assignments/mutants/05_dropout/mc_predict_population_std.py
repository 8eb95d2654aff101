# replaces: mc_predict_impl
# breaks: mc_predict
# bug: the standard deviation divides by T (unbiased=False) instead of torch's default T - 1
<<<<<<< reference
    return samples.mean(dim=0), samples.std(dim=0)
=======
    return samples.mean(dim=0), samples.std(dim=0, unbiased=False)
>>>>>>> mutant
