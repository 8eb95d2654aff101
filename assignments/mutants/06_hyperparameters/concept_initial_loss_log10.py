# replaces: concept_initial_loss_impl
# breaks: concept_initial_loss
# bug: takes the cross-entropy's logarithm in base 10
<<<<<<< reference
ANSWER_INITIAL_LOSS = "c"
=======
ANSWER_INITIAL_LOSS = "b"
>>>>>>> mutant
