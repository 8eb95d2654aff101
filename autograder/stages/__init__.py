"""One submission's way through the grader, one module per stage, in this order (ARCHITECTURE.md): collect,
readable, restore, (flags, withhold, inputs: trust), execute (isolation), score, diagnosis, feedback (with the
course notes it links to); pipeline runs them over a batch, resumes a killed one (resume), logs it (batch_log)
and shows its progress (progress).
"""
