# replaces: concept_eval_stats_impl
# breaks: concept_eval_stats
# bug: believes eval mode normalizes with the statistics of the test batch
<<<<<<< reference
ANSWER_EVAL_STATS = "c"
=======
ANSWER_EVAL_STATS = "a"
>>>>>>> mutant
