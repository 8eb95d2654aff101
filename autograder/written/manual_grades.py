"""Written answers, graded by hand: their scores and comments live in nbgrader's gradebook, where nbgrader's
formgrader and our answers page (instructor_server.py) write them.

``grade`` records every written answer as pending (nbgrader gives an unchanged answer 0 by itself); a person
then scores it. The scores are read back here at report time, so a CSV, a class page, a feedback page or an LMS
file always has the latest ones, and a re-grade keeps them: nbgrader's SaveAutoGrades never touches
``Grade.manual_score`` or ``Comment.manual_comment``. Why not nbgrader's own ``Grade.score`` alone: it cannot tell
"0 given by a person" from "not graded yet", which decides whether a total may be sent to the LMS.
"""

from __future__ import annotations

from dataclasses import dataclass

from nbgrader.api import Assignment as GbAssignment
from nbgrader.api import (
    Comment,
    Grade,
    GradeCell,
    MissingEntry,
    Notebook,
    SolutionCell,
    SubmittedAssignment,
    SubmittedNotebook,
)
from nbgrader.api import Student as GbStudent

from autograder.core.errors import UsageError
from autograder.core.gradebook import exclusive, open_gradebook
from autograder.core.markup import item_of
from autograder.core.submission import ItemResult, Submission


def result(grade_id: str, manual_score: float | None, auto_score: float | None, max_points: float, comment: str):
    """The result of one written answer: a person's score, else nbgrader's 0 for an unchanged answer, else
    pending (0 points until someone grades it)."""
    pending = manual_score is None and auto_score is None
    points = manual_score if manual_score is not None else (auto_score or 0.0)
    return ItemResult(grade_id, item_of(grade_id), float(points), max_points, comment, manual=True, pending=pending)


@dataclass(frozen=True)
class Written:
    """One written answer in the gradebook."""

    student: str
    notebook: str
    grade_id: str
    manual_score: float | None
    auto_score: float | None
    max_points: float
    comment: str


def written(db_url: str, assignment: str) -> list[Written]:
    """Every written answer of every graded submission of ``assignment``: its grades, then its comments."""
    with open_gradebook(db_url) as gb:

        def rows(model, cell):
            return (
                gb.db.query(model, cell, Notebook, GbStudent)
                .join(cell, model.cell_id == cell.id)
                .join(SubmittedNotebook, model.notebook_id == SubmittedNotebook.id)
                .join(Notebook, SubmittedNotebook.notebook_id == Notebook.id)
                .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
                .join(GbAssignment, SubmittedAssignment.assignment_id == GbAssignment.id)
                .join(GbStudent, SubmittedAssignment.student_id == GbStudent.id)
                .filter(GbAssignment.name == assignment)
            )

        grades = rows(Grade, GradeCell).filter(GradeCell.cell_type == "markdown").all()
        # nbgrader keeps a written answer as two cells of one name: a grade cell (the score) and a solution cell,
        # which holds the comment
        comments = {
            (student.id, notebook.name, cell.name): comment.manual_comment or ""
            for comment, cell, notebook, student in rows(Comment, SolutionCell).all()
        }
        return [
            Written(
                student.id,
                notebook.name,
                cell.name,
                grade.manual_score,
                grade.auto_score,
                float(cell.max_score),
                comments.get((student.id, notebook.name, cell.name), ""),
            )
            for grade, cell, notebook, student in grades
        ]


def refresh(db_url: str, subs: list[Submission]) -> None:
    """Bring each submission's written answers up to date with the gradebook (scores and comments)."""
    for assignment in {s.assignment for s in subs}:
        latest = {(w.student, w.notebook, w.grade_id): w for w in written(db_url, assignment)}
        for sub in (s for s in subs if s.assignment == assignment):
            for k, r in enumerate(sub.results):
                w = latest.get((sub.student, sub.notebook_name, r.grade_id))
                if r.manual and w is not None:
                    sub.results[k] = result(w.grade_id, w.manual_score, w.auto_score, r.max_points, w.comment)


def record(
    db_url: str, assignment: str, notebook: str, student: str, grade_id: str, points: float | None, comment: str
) -> Written:
    """Score and comment one written answer (``points`` None clears the score: pending again)."""
    with exclusive(db_url), open_gradebook(db_url) as gb:
        try:
            grade = gb.find_grade(grade_id, notebook, assignment, student)
            found = gb.find_comment(grade_id, notebook, assignment, student)
        except MissingEntry:
            raise UsageError(f"no graded submission of {assignment}/{notebook} by {student} with {grade_id}") from None
        if grade.cell.cell_type != "markdown":
            raise UsageError(f"{grade_id} is not a written answer: its points come from its tests")
        maximum = float(grade.max_score)
        if points is not None and not 0 <= points <= maximum:
            raise UsageError(f"{grade_id}: points must be between 0 and {maximum:g}, not {points:g}")
        grade.manual_score = points
        grade.needs_manual_grade = points is None
        found.manual_comment = comment or None
        gb.db.commit()
        return Written(student, notebook, grade_id, grade.manual_score, grade.auto_score, maximum, comment)
