# replaces: concept_scaling_impl
# breaks: concept_scaling
# bug: believes original dropout also scales by 1/q in training (the seeds' muddle of the two conventions)
<<<<<<< reference
ANSWER_SCALING = "b"
=======
ANSWER_SCALING = "a"
>>>>>>> mutant
