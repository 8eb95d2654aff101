"""``autograder release-feedback ASSIGNMENT``: the students' feedback pages, released when the instructor says so.

``report`` writes the pages for the instructor (``reports/feedback/``); nothing reaches a student until this
command writes them into nbgrader's feedback folder (``feedback/<student>/<assignment>/<notebook>.html``, the
layout nbgrader's ``generate_feedback`` uses) with the final grade (written answers as graded so far, late
penalty) and, if the instructor chooses, hidden tests shown as points only. Where the submission came through
nbgrader's exchange (it left ``timestamp.txt`` and ``submission_secret.txt``), the pages are also released to the
exchange with nbgrader's own ``release_feedback``, so students get them with "Fetch Feedback"; otherwise the
folder is what to upload to the LMS or send.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory

from autograder.core.course_dir import CourseDir
from autograder.core.errors import UsageError
from autograder.reports.report import finalise
from autograder.stages import feedback
from autograder.stages.pipeline import load_results

EXCHANGE_FILES = ("timestamp.txt", "submission_secret.txt")  # what nbgrader's release_feedback reads beside a page


@dataclass
class Released:
    pages: list[Path] = field(default_factory=list)
    to_exchange: int = 0  # students whose pages went to nbgrader's exchange
    pending: list[str] = field(default_factory=list)  # students with written answers not yet graded


def release(course: CourseDir, assignment: str, hidden_shown: str = "messages", submissions: Path | None = None):
    subs = load_results(course, assignment)
    if not subs:
        raise UsageError(f"no graded submissions of {assignment}: run `autograder grade {assignment}` first")
    finalise(course, subs)
    submitted = submissions or course.submitted
    done = Released()
    exchanged = set()
    for sub in subs:
        done.pages.append(feedback.write(sub, course.feedback, hidden_shown))
        if sub.pending:
            done.pending.append(sub.student)
        source = submitted / sub.student / assignment
        # files the student's submit wrote: plain files only, never a link into someone else's folder
        if all((source / name).is_file() and not (source / name).is_symlink() for name in EXCHANGE_FILES):
            for name in EXCHANGE_FILES:
                shutil.copyfile(source / name, course.feedback / sub.student / assignment / name)
            exchanged.add(sub.student)
    config = course.config()
    if exchanged and Path(config.Exchange.root).is_dir():
        api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
        for student in sorted(exchanged):
            result = api.release_feedback(assignment, student)
            if not result["success"]:
                raise UsageError(f"nbgrader could not release feedback of {student}: {result.get('error', '')[-300:]}")
        done.to_exchange = len(exchanged)
    done.pending = sorted(set(done.pending))
    return done
