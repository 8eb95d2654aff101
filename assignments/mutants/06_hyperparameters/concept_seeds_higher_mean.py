# replaces: concept_seeds_impl
# breaks: concept_seeds
# bug: prefers the higher mean without comparing the difference with the seed noise
<<<<<<< reference
ANSWER_SEEDS = "b"
=======
ANSWER_SEEDS = "a"
>>>>>>> mutant
