"""The grade that counts, put together at report time: the points ``grade`` recorded, the written answers as
people have scored them since (manual_grades.py), and the late penalty (late.py: the course's policy, the
assignment's due date, the student's extension, the time nbgrader stamped on the submission).

Every output (the grades CSV, the class page, the feedback pages, the LMS files) goes through ``finish`` first,
so they all show the same total; a submission with written answers nobody has graded yet is shown as
"needs manual grading" and never sent to an LMS as a final grade.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from autograder.core import late
from autograder.core.course_dir import CourseDir
from autograder.core.submission import Submission
from autograder.written import manual_grades


def finish(course: CourseDir, subs: list[Submission]) -> None:
    manual_grades.refresh(course.db_url, subs)
    policy = late.load(course.root)
    extensions = {a: late.extensions(course.db_url, a) for a in {s.assignment for s in subs}}
    for sub in subs:
        extension = extensions[sub.assignment].get(sub.student, timedelta())
        when = datetime.fromisoformat(sub.submitted_at) if sub.submitted_at else None
        sub.penalty = late.penalty(policy, late.lateness(when, policy.due.get(sub.assignment), extension), extension)
