# replaces: concept_scale_impl
# breaks: concept_scale
# bug: believes scaling the weights before BN leaves their gradient unchanged
<<<<<<< reference
ANSWER_SCALE = "c"
=======
ANSWER_SCALE = "b"
>>>>>>> mutant
