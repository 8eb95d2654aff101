"""``autograder report``: the grades CSV for the LMS and one HTML feedback page per student.

Reads the result summaries that ``grade`` writes beside each autograded notebook (points per grade cell as
nbgrader scored them, state, and the check messages), so reporting never re-executes anything.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from autograder import feedback
from autograder.errors import UsageError
from autograder.submission import Submission, items_of


def write_csv(subs: list[Submission], path: Path) -> Path:
    items = items_of(subs)
    per_student: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    states: dict[str, list[str]] = defaultdict(list)
    flags: dict[str, list[str]] = defaultdict(list)
    for sub in subs:
        for r in sub.results:
            per_student[sub.student][r.item] += r.points
        states[sub.student].append(sub.state.value + (f": {sub.reason}" if sub.reason else ""))
        flags[sub.student] += sub.flags
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", *items, "total", "state", "flags"])
        for student in sorted(states):
            points = per_student[student]
            writer.writerow(
                [
                    student,
                    *(f"{points.get(i, 0.0):g}" for i in items),
                    f"{sum(points.values()):g}",
                    "; ".join(states[student]),
                    "; ".join(flags[student]),
                ]
            )
    return path


def report(subs: list[Submission], assignment: str, out: Path) -> tuple[Path, list[Path]]:
    if not subs:
        raise UsageError(f"no graded submissions of {assignment}: run `autograder grade {assignment}` first")
    csv_path = write_csv(subs, out / f"{assignment}_grades.csv")
    pages = [feedback.write(sub, out / "feedback") for sub in subs]
    return csv_path, pages
