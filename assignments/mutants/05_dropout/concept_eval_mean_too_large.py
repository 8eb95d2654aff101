# replaces: concept_eval_impl
# breaks: concept_eval
# bug: believes inverted dropout in train mode makes activations too large on average
<<<<<<< reference
ANSWER_EVAL = "b"
=======
ANSWER_EVAL = "a"
>>>>>>> mutant
