"""Where trust ends: the student's process never holds an expected value, and points are decided outside it.
The grading form that withholds the expected side (withhold) and protects the locked helpers (protect), the
student's own inputs (inputs), the reference run that computes every expected value in a sandbox of its own
(reference), the judgement of the student's records against it, in the grader's process (verify), and the static
flags (flags, never points).
"""
