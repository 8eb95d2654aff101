# replaces: bayes_opt_impl
# breaks: bayes_opt
# bug: the improvement above best (for a score to maximise), not below it (a loss)
<<<<<<< reference
    gain = best - mean
=======
    gain = mean - best
>>>>>>> mutant
