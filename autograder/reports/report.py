"""``autograder report``: the grades CSV for the LMS, one HTML feedback page per student and one class page for
the instructor (class_report.py).

Reads the result summaries that ``grade`` writes beside each autograded notebook (points per grade cell as
nbgrader scored them, state, and the check messages), so reporting never re-executes anything. Lost items are
diagnosed again here from the check records kept beside them (diagnosis.py), so a table of known bugs learned by
``validate`` after the grading still reaches the students; without a table for their version the diagnosis made
at grading time stays.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from autograder.core.course_dir import CourseDir
from autograder.core.errors import UsageError
from autograder.core.submission import Submission, items_of
from autograder.reports import class_report, final_grade, regrade, similarity
from autograder.stages import diagnosis, feedback
from autograder.stages.resume import checks_path


def write_csv(subs: list[Submission], path: Path) -> Path:
    """One row per student: points per item (written answers included), the total after any late penalty, the
    state ("needs manual grading" while a written answer waits for a person), the late penalty and the flags."""
    items = items_of(subs)
    per_student: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    totals: dict[str, float] = defaultdict(float)
    states: dict[str, list[str]] = defaultdict(list)
    lateness: dict[str, list[str]] = defaultdict(list)
    flags: dict[str, list[str]] = defaultdict(list)
    for sub in subs:
        for r in sub.results:
            per_student[sub.student][r.item] += r.points
        totals[sub.student] += sub.final_score
        pending = f" ({sub.pending} written answer{'s' * (sub.pending != 1)} to grade)" if sub.pending else ""
        states[sub.student].append(sub.shown_state + pending + (f": {sub.reason}" if sub.reason else ""))
        if sub.late:
            lateness[sub.student].append(sub.late)
        flags[sub.student] += sub.flags
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", *items, "total", "state", "late", "flags"])
        for student in sorted(states):
            points = per_student[student]
            writer.writerow(
                [
                    student,
                    *(f"{points.get(i, 0.0):g}" for i in items),
                    f"{totals[student]:g}",
                    "; ".join(states[student]),
                    "; ".join(dict.fromkeys(lateness[student])),
                    "; ".join(flags[student]),
                ]
            )
    return path


def rediagnose(course: CourseDir, subs: list[Submission]) -> None:
    """Diagnose each submission with the current table of its version, from its kept check records."""
    tables: dict[tuple[str, str], diagnosis.Table | None] = {}
    for sub in subs:
        key = (sub.assignment, sub.version)
        if key not in tables:
            tables[key] = diagnosis.load(course, sub.assignment, sub.version)
        if tables[key] is not None:
            checks = diagnosis.read_checks(checks_path(course.root, sub))
            diagnosis.diagnose(sub, checks, tables[key])


def finalise(course: CourseDir, subs: list[Submission]) -> None:
    """What every page a person reads needs first: the known bugs named again, the final grade put together."""
    rediagnose(course, subs)
    final_grade.finish(course, subs)


def report(course: CourseDir, subs: list[Submission], assignment: str, out: Path) -> tuple[Path, list[Path], Path]:
    """The grades CSV, the feedback pages and the class page."""
    if not subs:
        raise UsageError(f"no graded submissions of {assignment}: run `autograder grade {assignment}` first")
    finalise(course, subs)
    similar = similarity.find(course, assignment)
    for student, found in similarity.flags(similar).items():  # flags only: a person decides, no point changes
        first = next((s for s in subs if s.student == student), None)
        if first is not None:
            first.flags += [f"similarity: {f}" for f in found]
    csv_path = write_csv(subs, out / f"{assignment}_grades.csv")
    pages = [feedback.write(sub, out / "feedback") for sub in subs]
    similarity.write(course, assignment, similar, similarity.THRESHOLD, out)
    page = class_report.write(subs, assignment, out, regrade.last(course, assignment), similar)
    return csv_path, pages, page
