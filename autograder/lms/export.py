"""``autograder report --format canvas|moodle``: the grade import file of the LMS, one row per student of the
mapping file, with the assignment's total points.

Canvas: its Gradebook "Import" CSV, the columns of its own gradebook export (``Student``, ``ID``, ``SIS User ID``,
``SIS Login ID``, ``Section``, then the assignment as ``Name (assignment id)``) and the ``Points Possible`` row.
Moodle: the assignment's offline grading worksheet ("Upload grading worksheet"), which matches rows on
``Identifier`` (``Participant <id>``) and needs ``Grade`` and ``Last modified (grade)``; no column to map by hand.
A student with no result, whose grading failed on the grader's side, or with written answers nobody has graded
yet, gets an empty grade: Moodle skips an empty grade, a 0 would fail a student for the grader's fault, and a
partial total would be taken for the final one. Totals are final_grade.finish's (written answers, late penalty).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from autograder.core.errors import UsageError
from autograder.core.submission import State, Submission
from autograder.lms.ids import Person, Roster

CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_HEADER = ["Identifier", "Full name", "Email address", "Grade", "Maximum Grade", "Last modified (grade)"]


@dataclass
class Export:
    path: Path
    graded: int = 0
    no_result: list[str] = field(default_factory=list)  # in the mapping file, not graded: empty grade
    held: list[str] = field(default_factory=list)  # a grader fault: empty grade until regraded
    pending: dict[str, int] = field(default_factory=dict)  # written answers to grade by hand: empty grade until then
    not_in_mapping: list[str] = field(default_factory=list)  # graded, but no row to export to

    def warnings(self) -> list[str]:
        lines = [f"not exported (not in the mapping file): {s}" for s in self.not_in_mapping]
        lines += [f"empty grade (grader fault, regrade first): {s}" for s in self.held]
        lines += [
            f"empty grade (needs manual grading: {n} written answer{'s' * (n != 1)} to grade): {s}"
            for s, n in self.pending.items()
        ]
        return lines


def _fmt(points: float) -> str:
    return f"{round(points, 2):g}"


def max_points(subs: list[Submission]) -> float:
    """Each notebook's points as its graded submissions show them (a missing notebook's record has none)."""
    per_notebook: dict[str, float] = defaultdict(float)
    for sub in subs:
        per_notebook[sub.notebook_name] = max(per_notebook[sub.notebook_name], sub.max_score)
    return sum(per_notebook.values())


def _grades(subs: list[Submission]) -> tuple[dict[str, float], set[str], dict[str, int]]:
    """Final points per student (written answers and late penalty included: final_grade.finish ran), the
    students whose grading failed on the grader's side, and those with written answers still to grade."""
    totals: dict[str, float] = defaultdict(float)
    held = set()
    pending: dict[str, int] = defaultdict(int)
    for sub in subs:
        totals[sub.student] += sub.final_score
        if sub.state in (State.GRADER_FAULT, State.PENDING):
            held.add(sub.student)
        if sub.pending:
            pending[sub.student] += sub.pending
    return totals, held, dict(pending)


def _canvas_rows(people: list[tuple[Person, str]], column: str, maximum: str) -> list[list[str]]:
    rows = [[*CANVAS_HEADER, column], ["Points Possible", "", "", "", "", maximum]]
    return rows + [[p.name, p.lms_id, p.sis_user_id, p.sis_login_id, p.section, grade] for p, grade in people]


def _moodle_rows(people: list[tuple[Person, str]], maximum: str, now: datetime) -> list[list[str]]:
    # the time of this export: Moodle keeps a grade changed in Moodle later on, unless told to override it
    modified = now.astimezone(UTC).isoformat(timespec="seconds")
    rows = [MOODLE_HEADER]
    return rows + [[f"Participant {p.lms_id}", p.name, p.email, grade, maximum, modified] for p, grade in people]


def write(
    subs: list[Submission],
    assignment: str,
    roster: Roster,
    lms: str,
    out: Path,
    column: str = "",
    now: datetime | None = None,
) -> Export:
    """Write ``out/<assignment>_<lms>.csv``; ``column`` is Canvas's title of the assignment (default its name)."""
    if not subs:
        raise UsageError(f"no graded submissions of {assignment}: nothing to export; run `autograder grade` first")
    totals, held, pending = _grades(subs)
    export = Export(out / f"{assignment}_{lms}.csv")
    people: list[tuple[Person, str]] = []
    for person in roster.people:
        grade = ""
        if person.student in held:
            export.held.append(person.student)
        elif person.student in pending:  # a partial total sent as final would be a wrong grade
            export.pending[person.student] = pending[person.student]
        elif person.student in totals:
            grade = _fmt(totals[person.student])
            export.graded += 1
        else:
            export.no_result.append(person.student)
        people.append((person, grade))
    mapped = {p.student for p in roster.people}
    export.not_in_mapping = sorted(set(totals) - mapped)
    maximum = _fmt(max_points(subs))
    if lms == "canvas":
        rows = _canvas_rows(people, column or assignment, maximum)
    else:
        rows = _moodle_rows(people, maximum, now or datetime.now(UTC))
    out.mkdir(parents=True, exist_ok=True)
    with export.path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return export
