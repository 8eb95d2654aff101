# replaces: concept_xavier_relu_impl
# breaks: concept_xavier_relu
# bug: believes Xavier keeps ReLU activations constant (it is derived for units linear around 0)
<<<<<<< reference
ANSWER_XAVIER_RELU = "b"
=======
ANSWER_XAVIER_RELU = "a"
>>>>>>> mutant
