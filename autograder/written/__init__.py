"""Written answers, graded by people: rubrics (rubric), their scores and comments in the gradebook
(manual_grades) and the class's answers to one question grouped by similarity (answer_groups).
"""
