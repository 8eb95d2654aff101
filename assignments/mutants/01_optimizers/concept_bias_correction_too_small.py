# replaces: concept_bias_correction_impl
# breaks: concept_bias_correction
# bug: the common belief that uncorrected moments make the first step too small
<<<<<<< reference
ANSWER_BIAS = "c"
=======
ANSWER_BIAS = "b"
>>>>>>> mutant
