# replaces: concept_bias_correction_impl
# breaks: concept_bias_correction
# bug: the right letter in upper case: not one of the allowed answers
<<<<<<< reference
ANSWER_BIAS = "c"
=======
ANSWER_BIAS = "C"
>>>>>>> mutant
