# replaces: concept_symmetry_impl
# breaks: concept_symmetry
# bug: believes mini-batch noise breaks the symmetry
<<<<<<< reference
ANSWER_SYMMETRY = "b"
=======
ANSWER_SYMMETRY = "a"
>>>>>>> mutant
