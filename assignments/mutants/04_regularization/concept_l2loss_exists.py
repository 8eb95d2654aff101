# replaces: concept_l2loss_impl
# breaks: concept_l2loss
# bug: believes nn.L2Loss exists as an alias of nn.MSELoss
<<<<<<< reference
ANSWER_L2LOSS = "c"
=======
ANSWER_L2LOSS = "b"
>>>>>>> mutant
