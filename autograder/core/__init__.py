"""What every part of the grader shares, and nothing else: the course's folders and settings (course_dir),
the assignment's source text and its nbgrader markup (sources, markup, cell_code, mutants), the gradebook
(gradebook), the late-work policy (late), the record of one submission (submission) and the errors a user sees
(errors). Imports nothing else of the grader.
"""
