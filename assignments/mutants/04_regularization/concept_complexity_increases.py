# replaces: concept_complexity_impl
# breaks: concept_complexity
# bug: the seed's mistake: regularization increases complexity to lower the training error
<<<<<<< reference
ANSWER_COMPLEXITY = "b"
=======
ANSWER_COMPLEXITY = "a"
>>>>>>> mutant
