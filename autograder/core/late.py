"""Late work, for the instructor: the course's late policy, how late each submission was, and what that costs.

Why a module of its own: nbgrader records a submission's time (``timestamp.txt``, written by the student's
``nbgrader submit`` and copied by ``nbgrader collect``) and keeps per-student extensions in its gradebook
(``SubmittedAssignment.extension``). Its late penalty is a step of ``nbgrader autograde`` (AssignLatePenalties,
with a plugin class per course) that this grader's scoring does not run, and it lands in the gradebook's totals,
not in the grades CSV or the feedback pages. So the policy is the course's, written once in
``<course root>/course.toml``::

    [late]
    policy = "per_day"      # "none" (lateness shown, no penalty), "zero" (late scores 0), "per_day"
    percent_per_day = 10    # per_day: this percentage of the earned points off per started day late
    cap_percent = 50        # per_day: never more than this percentage off in total
    grace_minutes = 15      # lateness up to this is on time (clock skew, a slow upload)

    [due]
    "01_optimizers" = 2026-12-20T23:59:00+01:00   # with its UTC offset: a bare date or local time is refused

and this module turns it into numbers and one line of text:

- ``load`` reads the policy (no file or no section: policy "none", no due dates); any mistake in the file is a
  ``UsageError`` naming the file and the key, since a typo that silently meant "no penalty" would be found only
  by the students;
- ``submitted_at`` reads a submission's ``timestamp.txt``; a missing or unreadable one is ``None`` (with a
  warning), never an exception, so one odd folder cannot stop a batch;
- ``lateness`` -> ``penalty`` -> ``apply`` / ``Penalty.describe``: how late, after the extension; the started days
  late after the grace period; the points kept and the line for the feedback page and the grades CSV;
- ``set_extension`` / ``extensions`` keep extensions where nbgrader keeps them, so formgrader shows the same ones.
  Granting one before grading is safe: ``score._ensure_submission`` keeps an existing submission, and nbgrader's
  ``update_or_create_submission`` only sets the columns it is given (``extension`` never, in grading).

The timestamp is the one nbgrader's exchange wrote, with nbgrader's trust in it: the student's own ``nbgrader
submit`` writes it into the exchange, as it does the notebook.
"""

from __future__ import annotations

import logging
import math
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from autograder.core.errors import UsageError

log = logging.getLogger(__name__)

FILENAME = "course.toml"
KINDS = ("none", "zero", "per_day")
DAY = timedelta(days=1)
_LATE_KEYS = ("policy", "percent_per_day", "cap_percent", "grace_minutes")
_SECTIONS = ("late", "due", "inputs")  # [inputs] is read by inputs.py


@dataclass(frozen=True)
class Policy:
    """The course's late policy; the default is "none" with no due dates (nothing is ever late)."""

    kind: str = "none"
    percent_per_day: float = 0.0
    cap_percent: float = 100.0
    grace: timedelta = timedelta()
    due: dict[str, datetime] = field(default_factory=dict)


def _refuse(path: Path, key: str, why: str) -> UsageError:
    return UsageError(f"{path}: {key}: {why}")


def _number(path: Path, late: dict, key: str, default: float | None, top: float | None) -> float:
    value = late.get(key, default)
    if value is None:
        raise _refuse(path, f"late.{key}", "required by policy = per_day")
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise _refuse(path, f"late.{key}", f"expected a number, got {value!r}")
    if value < 0 or (top is not None and value > top):
        bounds = f"between 0 and {top:g}" if top is not None else "0 or more"
        raise _refuse(path, f"late.{key}", f"must be {bounds}, got {value!r}")
    return float(value)


def _due(path: Path, name: str, value: object) -> datetime:
    key = f'due."{name}"'
    example = "e.g. 2026-12-20T23:59:00+01:00"
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise _refuse(path, key, f"a date and time without a UTC offset is ambiguous: add one, {example}")
        return value
    if isinstance(value, date):
        raise _refuse(path, key, f"a date alone is refused: give the time and the UTC offset, {example}")
    if isinstance(value, time):
        raise _refuse(path, key, f"a time alone is refused: give the date, the time and the UTC offset, {example}")
    raise _refuse(path, key, f"expected a date and time with a UTC offset ({example}), got {value!r}")


def load(root: Path) -> Policy:
    """The late policy of the course at ``root`` (``CourseDir.root``), from its ``course.toml``."""
    path = Path(root) / FILENAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Policy()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read it: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}") from None
    for key in data:
        if key not in _SECTIONS:
            raise _refuse(path, key, f"unknown key (expected the sections {' and '.join(f'[{s}]' for s in _SECTIONS)})")
    late, due = data.get("late", {}), data.get("due", {})
    for key, value in (("late", late), ("due", due)):
        if not isinstance(value, dict):
            raise _refuse(path, key, f"expected a section [{key}], got {value!r}")
    for key in late:
        if key not in _LATE_KEYS:
            raise _refuse(path, f"late.{key}", f"unknown key (expected one of {', '.join(_LATE_KEYS)})")
    kind = late.get("policy", "none")
    if kind not in KINDS:
        raise _refuse(path, "late.policy", f"unknown policy {kind!r} (expected one of {', '.join(KINDS)})")
    percent = _number(path, late, "percent_per_day", None if kind == "per_day" else 0, 100)
    cap = _number(path, late, "cap_percent", 100, 100)
    grace = _number(path, late, "grace_minutes", 0, None)
    try:
        grace_td = timedelta(minutes=grace)
    except OverflowError:
        raise _refuse(path, "late.grace_minutes", f"too large: {grace!r}") from None
    return Policy(kind, percent, cap, grace_td, {name: _due(path, name, value) for name, value in due.items()})


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")
    return value


def lateness(submitted_at: datetime | None, due: datetime | None, extension: timedelta = timedelta()) -> timedelta:
    """How late ``submitted_at`` was for ``due`` moved by ``extension``: 0 when on time or either is unknown."""
    if submitted_at is None or due is None:
        return timedelta()
    late = _aware(submitted_at, "submitted_at") - (_aware(due, "due") + extension)
    return max(late, timedelta())


def _duration(span: timedelta) -> str:
    """``1 day 3 h``, ``2 days``, ``5 min``, ``40 s``: days, hours and minutes (seconds only under a minute)."""
    seconds = int(span.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    days, rest = divmod(seconds, 86400)
    hours, minutes = rest // 3600, rest % 3600 // 60
    parts = [f"{days} day{'s' if days != 1 else ''}"] if days else []
    parts += [f"{hours} h"] if hours else []
    parts += [f"{minutes} min"] if minutes else []
    return " ".join(parts)


@dataclass(frozen=True)
class Penalty:
    """What lateness costs one submission. ``late`` is after the extension; ``days`` the started days late after
    the grace period (0: on time); the rest is what ``describe`` needs."""

    late: timedelta
    days: int
    fraction_kept: float
    extension: timedelta = timedelta()
    kind: str = "none"
    percent_per_day: float = 0.0
    cap_percent: float = 100.0
    grace: timedelta = timedelta()

    def describe(self) -> str:
        """One line for the feedback page and the grades CSV."""
        extended = f" (extension: {_duration(self.extension)})" if self.extension > timedelta() else ""
        if self.days == 0:
            notes = [f"extension: {_duration(self.extension)}"] if self.extension > timedelta() else []
            if self.late > timedelta():
                notes.append(f"{_duration(self.late)} late, within the {_duration(self.grace)} grace")
            return f"on time ({'; '.join(notes)})" if notes else "on time"
        head = f"submitted {_duration(self.late)} late{extended}"
        if self.kind == "zero":
            return f"{head}: scored 0 (late work is not accepted)"
        if self.kind == "per_day":
            off = min(self.days * self.percent_per_day, self.cap_percent)
            why = f"{self.percent_per_day:g}% per started day"
            if self.days * self.percent_per_day > self.cap_percent:
                why += f", capped at {self.cap_percent:g}%"
            return f"{head}: {off:g}% off ({why})"
        return f"{head}: no penalty (this course does not penalise late work)"


def penalty(policy: Policy, late: timedelta, extension: timedelta = timedelta()) -> Penalty:
    """The penalty for a submission ``late`` late (``lateness``'s answer, the extension already counted);
    ``extension`` is only named in the description."""
    late = max(late, timedelta())
    excess = late - policy.grace
    days = -(-excess // DAY) if excess > timedelta() else 0  # started days: 1 minute past the grace is 1 day
    if days == 0 or policy.kind == "none":
        kept = 1.0
    elif policy.kind == "zero":
        kept = 0.0
    else:
        kept = (100 - min(days * policy.percent_per_day, policy.cap_percent)) / 100
    return Penalty(late, days, kept, extension, policy.kind, policy.percent_per_day, policy.cap_percent, policy.grace)


def apply(points: float, p: Penalty) -> float:
    """The points kept after the penalty, to 4 decimals."""
    return round(points * p.fraction_kept, 4)


# nbgrader's default Exchange.timestamp_format is "%Y-%m-%d %H:%M:%S.%f %Z" (this course keeps it): a date with
# a year and a time must be there, or dateutil would fill the rest in from today ("12" parses as the 12th)
_PLAUSIBLE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}.*\d{1,2}:\d{2}")
_NUMERIC_ZONE = re.compile(r"[+-]\d{2}:?\d{2}")


def parse_timestamp(text: str) -> datetime:
    """A timestamp as nbgrader writes it, as an aware UTC datetime; ValueError when it cannot be read.

    Through ``nbgrader.utils.parse_utc`` (what nbgrader's collect and autograde use), except where it is wrong:
    for "DATE TIME ZONE" it reads a numeric zone with ``int`` as seconds ("+0100" is 100 s) and treats a zone
    name ``dateutil.tz.gettz`` does not know ("CEST", "PST") as UTC. The first is read as the offset it is
    (dateutil does that right), the second is refused: the time could be hours off. No zone at all is UTC, as
    in nbgrader."""
    from dateutil.parser import parse
    from dateutil.tz import gettz
    from nbgrader.utils import parse_utc

    text = text.strip()
    if not _PLAUSIBLE.search(text):
        raise ValueError(f"not a date and time: {text!r}")
    parts = text.split(" ")
    try:
        if len(parts) == 3 and _NUMERIC_ZONE.fullmatch(parts[2]):
            found = parse(text)
            if found.tzinfo is None:
                raise ValueError(f"no UTC offset read from {text!r}")
            return found.astimezone(UTC)
        if len(parts) == 3 and not parts[2].lstrip("+-").isdigit() and gettz(parts[2]) is None:
            raise ValueError(f"unknown time zone {parts[2]!r} in {text!r}")
        return parse_utc(text).replace(tzinfo=UTC)  # naive, in UTC
    except (OverflowError, TypeError) as exc:
        raise ValueError(f"cannot read {text!r}: {exc}") from None


def submitted_at(folder: Path) -> datetime | None:
    """When the submission in ``folder`` (``submitted/<student>/<assignment>/``) was submitted, from the
    ``timestamp.txt`` nbgrader's collect puts there, in UTC; ``None`` without one, or (with a warning) when it
    cannot be read."""
    path = Path(folder) / "timestamp.txt"
    try:
        text = _read_small(path).decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("cannot read %s (counted as on time): %s", path, exc)
        return None
    try:
        return parse_timestamp(text)
    except ValueError as exc:
        log.warning("unreadable timestamp in %s (counted as on time): %s", path, exc)
        return None


def _read_small(path: Path, limit: int = 256) -> bytes:
    """The first ``limit`` bytes of a regular file, never following a link and never waiting: the folder is the
    student's, and a FIFO or a link to /dev/zero there must not hang or flood the batch."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path.name} is not a regular file")
        return os.read(fd, limit)
    finally:
        os.close(fd)


def _unknown_assignment(assignment: str) -> UsageError:
    return UsageError(f"unknown assignment {assignment} in the gradebook: release it first")


def set_extension(db_url: str, assignment: str, student: str, extension: timedelta) -> None:
    """Give ``student`` ``extension`` on ``assignment`` in nbgrader's gradebook (replacing any earlier one;
    ``timedelta()`` removes it). The student and the submission record are created when needed, and grading
    keeps the record it finds, so an extension granted before grading stands."""
    from nbgrader.api import MissingEntry

    from autograder.core.gradebook import exclusive, open_gradebook

    if extension < timedelta():
        raise UsageError(f"an extension cannot be negative: {extension}")
    with exclusive(db_url), open_gradebook(db_url) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            raise _unknown_assignment(assignment) from None
        gb.update_or_create_student(student)
        # None, as nbgrader's own grant_extension stores "no extension"
        gb.update_or_create_submission(assignment, student, extension=extension or None)


def extensions(db_url: str, assignment: str) -> dict[str, timedelta]:
    """The students with a non-zero extension on ``assignment``, and theirs."""
    from nbgrader.api import Assignment, MissingEntry, SubmittedAssignment

    from autograder.core.gradebook import exclusive, open_gradebook

    # exclusive: nbgrader's Gradebook() writes when the database is empty (it creates the tables)
    with exclusive(db_url), open_gradebook(db_url) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            raise _unknown_assignment(assignment) from None
        rows = (
            gb.db.query(SubmittedAssignment.student_id, SubmittedAssignment.extension)
            .join(Assignment, Assignment.id == SubmittedAssignment.assignment_id)
            .filter(Assignment.name == assignment, SubmittedAssignment.extension.isnot(None))
            .all()
        )
    return {student: ext for student, ext in sorted(rows) if ext and ext > timedelta()}
