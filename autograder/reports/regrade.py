"""What a re-grade changed: after ``grade`` runs again on graded work (a hidden test fixed, ``--force``), each
student whose points moved, item by item, old -> new. Printed by ``grade``, kept for the class page.

Only the autograded items are compared: a written answer's score is a person's and survives the re-grade
(manual_grades.py). The last comparison of each assignment is kept in ``.work/regrades/<assignment>.json``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from autograder.core.course_dir import CourseDir
from autograder.core.submission import Submission

Snapshot = dict[tuple[str, str], dict[str, float]]


@dataclass(frozen=True)
class Change:
    student: str
    notebook: str
    item: str
    old: float | None  # None: the item was not there before (a new item, or the notebook was not graded)
    new: float | None

    def line(self) -> str:
        old = "-" if self.old is None else f"{self.old:g}"
        new = "-" if self.new is None else f"{self.new:g}"
        return f"{self.item} {old} -> {new}"


def snapshot(subs: list[Submission]) -> Snapshot:
    """Autograded points per item of each (student, notebook)."""
    points: Snapshot = {}
    for sub in subs:
        per_item: dict[str, float] = defaultdict(float)
        for r in sub.results:
            if not r.manual:
                per_item[r.item] += r.points
        points[(sub.student, sub.notebook_name)] = dict(per_item)
    return points


def changes(before: Snapshot, after: list[Submission]) -> list[Change]:
    """The items whose points differ between ``before`` and the new results (students graded before only)."""
    found = []
    for key, new in snapshot(after).items():
        if key not in before:
            continue
        old = before[key]
        for item in dict.fromkeys([*old, *new]):
            if old.get(item) != new.get(item):
                found.append(Change(*key, item, old.get(item), new.get(item)))
    return sorted(found, key=lambda c: (c.student, c.notebook))


def report_lines(found: list[Change]) -> list[str]:
    """One line per student (and notebook) whose points changed."""
    per: dict[tuple[str, str], list[str]] = defaultdict(list)
    for c in found:
        per[(c.student, c.notebook)].append(c.line())
    return [f"{student} ({notebook}): {'; '.join(items)}" for (student, notebook), items in per.items()]


def save(course: CourseDir, assignment: str, found: list[Change]) -> None:
    path = course.work("regrades") / f"{assignment}.json"
    data = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "changes": [asdict(c) for c in found]}
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def last(course: CourseDir, assignment: str) -> tuple[str, list[Change]] | None:
    """(when, changes) of the last re-grade of ``assignment``, or None if it was never re-graded."""
    path = course.root / ".work" / "regrades" / f"{assignment}.json"
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["when"], [Change(**c) for c in data["changes"]]
