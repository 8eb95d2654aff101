# replaces: concept_param_norm_impl
# breaks: concept_param_norm
# bug: believes torch.norm(net.parameters()) is a valid call
<<<<<<< reference
ANSWER_PARAM_NORM = "c"
=======
ANSWER_PARAM_NORM = "a"
>>>>>>> mutant
