# replaces: concept_adagrad_impl
# breaks: concept_adagrad
# bug: blames lr_decay, which is 0 by default
<<<<<<< reference
ANSWER_ADAGRAD = "b"
=======
ANSWER_ADAGRAD = "a"
>>>>>>> mutant
