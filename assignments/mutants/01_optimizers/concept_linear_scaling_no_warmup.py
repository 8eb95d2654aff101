# replaces: concept_linear_scaling_impl
# breaks: concept_linear_scaling
# bug: scales the rate linearly but without warm-up
<<<<<<< reference
ANSWER_SCALING = "b"
=======
ANSWER_SCALING = "c"
>>>>>>> mutant
