"""What the instructor and the students read after grading: the grades table (table), the final grade with
written answers and late penalties (final_grade), the class page (class_report), re-grade changes (regrade),
similar solutions (similarity), ``report`` putting them together and ``release-feedback`` handing the pages out
(release_feedback).
"""
