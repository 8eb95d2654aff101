# replaces: concept_nas_impl
# breaks: concept_nas
# bug: trusts the shared-weight super-network instead of a random-search baseline
<<<<<<< reference
ANSWER_NAS = "b"
=======
ANSWER_NAS = "a"
>>>>>>> mutant
