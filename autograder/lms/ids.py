"""The student-id mapping file: which LMS user is which student of ``submitted/`` and of the gradebook.

A CSV with a header row; ``student`` and ``lms_id`` are required, the other columns fill the LMS's import file.
``lms_id`` is Canvas's user id, or Moodle's participant id (the number in "Participant 1234" and in the names of
its bulk download; Moodle numbers participants per assignment, so a Moodle course keeps one file per assignment).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, fields
from pathlib import Path

from autograder.core.errors import UsageError

REQUIRED = ("student", "lms_id")


@dataclass(frozen=True)
class Person:
    student: str
    lms_id: str
    name: str = ""
    email: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""


COLUMNS = tuple(f.name for f in fields(Person))


@dataclass(frozen=True)
class Roster:
    people: tuple[Person, ...]

    def by_lms_id(self, lms_id: str) -> Person | None:
        return next((p for p in self.people if p.lms_id == lms_id), None)


def load(path: Path) -> Roster:
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:  # -sig: a spreadsheet saves a BOM
            return _parse(csv.reader(fh), path)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(f"mapping file {path}: cannot read it ({exc})") from None


def _parse(reader, path: Path) -> Roster:
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise UsageError(
            f"mapping file {path}: no column {', '.join(missing)} (the header needs {', '.join(REQUIRED)})"
        )
    known = [(i, h) for i, h in enumerate(header) if h in COLUMNS]
    people: list[Person] = []
    first_line: dict[tuple[str, str], int] = {}
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        values = {h: row[i].strip() if i < len(row) else "" for i, h in known}
        where = f"mapping file {path} line {reader.line_num}"
        for column in REQUIRED:
            if not values[column]:
                raise UsageError(f"{where}: empty {column}")
            seen = first_line.setdefault((column, values[column]), reader.line_num)
            if seen != reader.line_num:
                raise UsageError(f"{where}: {column} {values[column]!r} is already on line {seen}")
        people.append(Person(**values))
    if not people:
        raise UsageError(f"mapping file {path}: no students in it")
    return Roster(tuple(people))
