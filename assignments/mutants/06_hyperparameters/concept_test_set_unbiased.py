# replaces: concept_test_set_impl
# breaks: concept_test_set
# bug: believes the best of many unbiased estimates is itself unbiased
<<<<<<< reference
ANSWER_TEST_SET = "b"
=======
ANSWER_TEST_SET = "a"
>>>>>>> mutant
