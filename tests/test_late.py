"""Late work (autograder/core/late.py): the policy file, started days after the grace period, extensions in nbgrader's
gradebook, and nbgrader's timestamp.txt. Every expectation below is worked out by hand in the test."""

from __future__ import annotations

import logging
import os
import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from nbgrader.exchange.abc import Exchange

from autograder.core import late
from autograder.core.errors import UsageError

MIN = timedelta(minutes=1)
DAY = timedelta(days=1)
GRACE = timedelta(minutes=15)
PER_DAY = late.Policy("per_day", percent_per_day=10, cap_percent=50, grace=GRACE)
ZERO = late.Policy("zero", grace=GRACE)
NONE = late.Policy("none", grace=GRACE)


# --- started days and the three policies at their boundaries ----------------------------------------------------


@pytest.mark.parametrize(
    ("late_by", "days", "kept"),
    [
        (timedelta(), 0, 1.0),
        (GRACE, 0, 1.0),  # exactly at the grace: on time
        (GRACE + MIN, 1, 0.9),  # 1 minute past it: a started day, 10% off
        (GRACE + DAY, 1, 0.9),  # a whole day past it is still the first day
        (GRACE + DAY + MIN, 2, 0.8),  # the second day has started
        (GRACE + 4 * DAY + MIN, 5, 0.5),  # 5 x 10% = 50%: exactly the cap
        (GRACE + 5 * DAY + MIN, 6, 0.5),  # 6 x 10% = 60%, capped at 50%
        (GRACE + 30 * DAY, 30, 0.5),
    ],
)
def test_per_day(late_by: timedelta, days: int, kept: float) -> None:
    p = late.penalty(PER_DAY, late_by)
    assert (p.days, p.late) == (days, late_by)
    assert p.fraction_kept == pytest.approx(kept)
    assert late.apply(10, p) == pytest.approx(10 * kept)


@pytest.mark.parametrize(
    ("late_by", "days", "kept"),
    [(GRACE, 0, 1.0), (GRACE + MIN, 1, 0.0), (GRACE + DAY + MIN, 2, 0.0)],
)
def test_zero(late_by: timedelta, days: int, kept: float) -> None:
    p = late.penalty(ZERO, late_by)
    assert (p.days, p.fraction_kept) == (days, kept)
    assert late.apply(7.5, p) == 7.5 * kept


@pytest.mark.parametrize(("late_by", "days"), [(GRACE, 0), (GRACE + MIN, 1), (GRACE + 3 * DAY + MIN, 4)])
def test_none_shows_lateness_without_penalty(late_by: timedelta, days: int) -> None:
    p = late.penalty(NONE, late_by)
    assert (p.days, p.fraction_kept) == (days, 1.0)
    assert late.apply(7.5, p) == 7.5


def test_no_grace_one_second_late_is_a_started_day() -> None:
    p = late.penalty(late.Policy("per_day", percent_per_day=25), timedelta(seconds=1))
    assert (p.days, p.fraction_kept) == (1, 0.75)


def test_apply_rounds_to_4_decimals() -> None:
    p = late.penalty(PER_DAY, GRACE + MIN)  # 10% off
    # 7.33333 * 0.9 = 6.599997, to 4 decimals 6.6
    assert late.apply(7.33333, p) == 6.6


# --- lateness and extensions --------------------------------------------------------------------------------------

DUE = datetime(2026, 12, 20, 23, 59, tzinfo=timezone(timedelta(hours=1)))  # 22:59 UTC


def test_lateness() -> None:
    assert late.lateness(None, DUE) == timedelta()
    assert late.lateness(datetime(2026, 12, 21, tzinfo=UTC), None) == timedelta()
    assert late.lateness(datetime(2026, 12, 20, 22, 0, tzinfo=UTC), DUE) == timedelta()  # 59 min early
    # 2026-12-21 01:30 UTC - 2026-12-20 22:59 UTC = 2 h 31 min
    assert late.lateness(datetime(2026, 12, 21, 1, 30, tzinfo=UTC), DUE) == timedelta(hours=2, minutes=31)
    # the same instant in another zone: the offsets are honoured
    assert late.lateness(datetime(2026, 12, 21, 2, 30, tzinfo=timezone(timedelta(hours=1))), DUE) == timedelta(
        hours=2, minutes=31
    )


def test_lateness_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError):
        late.lateness(datetime(2026, 12, 21), DUE)
    with pytest.raises(ValueError):
        late.lateness(datetime(2026, 12, 21, tzinfo=UTC), datetime(2026, 12, 20))


def test_extension_moves_a_submission_on_time() -> None:
    submitted = datetime(2026, 12, 22, 10, 0, tzinfo=UTC)
    # without it: 2026-12-22 10:00 - 2026-12-20 22:59 = 1 day 11 h 1 min; past the 15 min grace 1 day 10 h 46 min,
    # so 2 started days: 20% off
    without = late.lateness(submitted, DUE)
    assert without == timedelta(days=1, hours=11, minutes=1)
    assert late.penalty(PER_DAY, without).fraction_kept == pytest.approx(0.8)
    # with 2 days the due date is 2026-12-22 22:59 UTC: on time
    ext = 2 * DAY
    p = late.penalty(PER_DAY, late.lateness(submitted, DUE, ext), ext)
    assert (p.late, p.days, p.fraction_kept) == (timedelta(), 0, 1.0)
    assert p.describe().startswith("on time")
    assert "2 days" in p.describe()
    # 1 day is not enough: 11 h 1 min late, 10 h 46 min past the grace, 1 started day, 10% off
    q = late.penalty(PER_DAY, late.lateness(submitted, DUE, DAY), DAY)
    assert (q.late, q.days) == (timedelta(hours=11, minutes=1), 1)
    assert q.fraction_kept == pytest.approx(0.9)


# --- describe() -----------------------------------------------------------------------------------------------------


def test_describe_per_day_names_the_numbers() -> None:
    policy = late.Policy("per_day", percent_per_day=10, cap_percent=50)
    text = late.penalty(policy, timedelta(days=1, hours=3), 2 * DAY).describe()  # 2 started days: 20% off
    for part in ("1 day 3 h", "2 days", "20%", "10% per started day"):
        assert part in text, (part, text)
    assert "capped" not in text
    assert "\n" not in text


def test_describe_cap() -> None:
    text = late.penalty(late.Policy("per_day", percent_per_day=12.5, cap_percent=30), 3 * DAY + MIN).describe()
    # 4 started days x 12.5% = 50%, capped at 30%
    assert "30% off" in text and "12.5% per started day" in text and "capped at 30%" in text, text
    assert "4 days" not in text  # lateness is 3 days 1 min
    assert "3 days 1 min" in text


def test_describe_on_time_zero_and_none() -> None:
    assert late.penalty(ZERO, timedelta()).describe() == "on time"
    within = late.penalty(ZERO, timedelta(minutes=10)).describe()
    assert within.startswith("on time") and "10 min" in within and "15 min" in within
    zero = late.penalty(ZERO, GRACE + timedelta(hours=2)).describe()  # 2 h 15 min late
    assert "2 h 15 min" in zero and "scored 0" in zero and "not accepted" in zero
    none = late.penalty(NONE, GRACE + 2 * DAY).describe()
    assert "2 days 15 min" in none and "no penalty" in none


# --- course.toml ----------------------------------------------------------------------------------------------------


def _course(tmp_path: Path, text: str) -> Path:
    (tmp_path / "course.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_missing_file_or_sections_mean_no_policy(tmp_path: Path) -> None:
    assert late.load(tmp_path) == late.Policy()
    assert late.load(tmp_path).kind == "none" and late.load(tmp_path).due == {}
    only_due = late.load(_course(tmp_path, '[due]\n"01_optimizers" = 2026-12-20T23:59:00+01:00\n'))
    assert only_due.kind == "none"
    assert only_due.due == {"01_optimizers": datetime(2026, 12, 20, 22, 59, tzinfo=UTC)}
    assert only_due.due["01_optimizers"].utcoffset() == timedelta(hours=1)


def test_full_file(tmp_path: Path) -> None:
    text = """
[late]
policy = "per_day"
percent_per_day = 10
cap_percent = 50
grace_minutes = 15

[due]
"01_optimizers" = 2026-12-20T23:59:00+01:00
"02_initialization" = 2027-01-10T12:00:00Z
"""
    policy = late.load(_course(tmp_path, text))
    assert (policy.kind, policy.percent_per_day, policy.cap_percent, policy.grace) == ("per_day", 10, 50, GRACE)
    assert policy.due["02_initialization"] == datetime(2027, 1, 10, 12, tzinfo=UTC)
    assert policy.due["01_optimizers"] == DUE


def test_zero_policy_needs_no_percentages(tmp_path: Path) -> None:
    policy = late.load(_course(tmp_path, '[late]\npolicy = "zero"\n'))
    assert (policy.kind, policy.grace) == ("zero", timedelta())


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[late]\npolicy = "weekly"\n', "late.policy"),
        ('[late]\npolicy = "per_day"\npercent_per_day = -5\n', "late.percent_per_day"),
        ('[late]\npolicy = "per_day"\npercent_per_day = 150\n', "late.percent_per_day"),
        ('[late]\npolicy = "per_day"\npercent_per_day = "10%"\n', "late.percent_per_day"),
        ('[late]\npolicy = "per_day"\n', "late.percent_per_day"),  # per_day without its percentage
        ('[late]\npolicy = "per_day"\npercent_per_day = 10\ncap_percent = 101\n', "late.cap_percent"),
        ('[late]\npolicy = "per_day"\npercent_per_day = 10\ncap_percent = -1\n', "late.cap_percent"),
        ('[late]\npolicy = "zero"\ngrace_minutes = -1\n', "late.grace_minutes"),
        ('[late]\npolicy = "zero"\npercent_per_week = 3\n', "late.percent_per_week"),
        ('[lat]\npolicy = "zero"\n', "lat"),
        ('[due]\n"01_optimizers" = 2026-12-20T23:59:00\n', 'due."01_optimizers"'),  # naive
        ('[due]\n"01_optimizers" = 2026-12-20\n', 'due."01_optimizers"'),  # a date
        ('[due]\n"01_optimizers" = 23:59:00\n', 'due."01_optimizers"'),  # a time
        ('[due]\n"01_optimizers" = "2026-12-20T23:59:00+01:00"\n', 'due."01_optimizers"'),  # a string
    ],
)
def test_errors_name_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(UsageError) as err:
        late.load(_course(tmp_path, text))
    message = str(err.value)
    assert message.startswith(f"{tmp_path / 'course.toml'}: ") and f": {key}: " in message, message
    assert "\n" not in message


def test_invalid_toml(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="course.toml"):
        late.load(_course(tmp_path, "[late\npolicy = zero\n"))


# --- timestamp.txt ----------------------------------------------------------------------------------------------------


def _timestamp(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "submitted" / "s1" / "a1"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "timestamp.txt").write_text(text, encoding="utf-8")
    return folder


def test_timestamp_in_nbgrader_format(tmp_path: Path) -> None:
    fmt = Exchange.timestamp_format.default_value  # what nbgrader's submit writes with
    written = datetime(2026, 12, 20, 22, 59, 30, 123456, tzinfo=UTC)
    got = late.submitted_at(_timestamp(tmp_path, written.strftime(fmt)))
    assert got == written and got.utcoffset() == timedelta()
    assert got.tzinfo is not None


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-20 23:59:30.000000 CET\n",  # a zone name gettz knows: CET is UTC+1 in December
        "2026-12-20 23:59:30.000000 +0100",  # nbgrader's parse_utc would read "+0100" as 100 seconds
        "2026-12-20 17:29:30.000000 -0530",
        "2026-12-20T23:59:30+01:00",
        "2026-12-20 22:59:30",  # no zone: UTC, as in nbgrader
    ],
)
def test_timestamp_zones(tmp_path: Path, text: str) -> None:
    assert late.submitted_at(_timestamp(tmp_path, text)) == datetime(2026, 12, 20, 22, 59, 30, tzinfo=UTC)


@pytest.mark.parametrize("text", ["garbage", "", "12", "2026-12-20 23:59:30.000000 CEST", "9999999999-99-99 99:99"])
def test_unreadable_timestamp_is_none_with_a_warning(tmp_path: Path, caplog, text: str) -> None:
    with caplog.at_level(logging.WARNING, logger="autograder.core.late"):
        assert late.submitted_at(_timestamp(tmp_path, text)) is None
    assert any("timestamp" in r.getMessage() for r in caplog.records)


def test_no_timestamp_is_none(tmp_path: Path, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="autograder.core.late"):
        assert late.submitted_at(tmp_path) is None
    assert not caplog.records


def test_undecodable_timestamp_is_none(tmp_path: Path, caplog) -> None:
    folder = _timestamp(tmp_path, "")
    (folder / "timestamp.txt").write_bytes(b"\xff\xfe\x00garbage")
    with caplog.at_level(logging.WARNING, logger="autograder.core.late"):
        assert late.submitted_at(folder) is None
    assert caplog.records


def test_a_fifo_or_a_link_for_a_timestamp_neither_hangs_nor_counts(tmp_path: Path, caplog) -> None:
    fifo = tmp_path / "fifo"
    fifo.mkdir()
    os.mkfifo(fifo / "timestamp.txt")  # reading it would wait for a writer forever
    linked = _timestamp(tmp_path / "linked", "")
    (linked / "timestamp.txt").unlink()
    other = _timestamp(tmp_path / "other", "2026-12-01 10:00:00.000000 UTC")
    (linked / "timestamp.txt").symlink_to(other / "timestamp.txt")  # another student's time
    with caplog.at_level(logging.WARNING, logger="autograder.core.late"):
        assert late.submitted_at(fifo) is None and late.submitted_at(linked) is None
    assert len(caplog.records) == 2


# --- extensions in nbgrader's gradebook -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def _template(tmp_path_factory) -> Path:
    """A gradebook with assignments a1 and a2, made once: nbgrader's schema takes seconds to create."""
    path = tmp_path_factory.mktemp("gradebook") / "gradebook.db"
    with Gradebook(f"sqlite:///{path}") as gb:
        gb.add_assignment("a1")
        gb.add_assignment("a2")
    return path


@pytest.fixture
def db_url(_template: Path, tmp_path: Path) -> str:
    shutil.copyfile(_template, tmp_path / "gradebook.db")
    return f"sqlite:///{tmp_path}/gradebook.db"


def test_extension_round_trip(db_url: str) -> None:
    assert late.extensions(db_url, "a1") == {}
    late.set_extension(db_url, "a1", "s1", timedelta(days=2))  # creates the student and the submission
    late.set_extension(db_url, "a1", "s2", timedelta(hours=5))
    late.set_extension(db_url, "a2", "s3", DAY)
    with Gradebook(db_url) as gb:
        gb.add_student("s4")
        gb.add_submission("a1", "s4")  # a submission without an extension is not listed
    assert late.extensions(db_url, "a1") == {"s1": timedelta(days=2), "s2": timedelta(hours=5)}
    assert late.extensions(db_url, "a2") == {"s3": DAY}
    late.set_extension(db_url, "a1", "s2", timedelta(hours=7))  # replaces, does not add
    assert late.extensions(db_url, "a1")["s2"] == timedelta(hours=7)
    late.set_extension(db_url, "a1", "s2", timedelta())  # removes
    assert late.extensions(db_url, "a1") == {"s1": timedelta(days=2)}


def test_extension_survives_submission_updates(db_url: str) -> None:
    late.set_extension(db_url, "a1", "s1", timedelta(days=2, minutes=30))
    with Gradebook(db_url) as gb:
        gb.update_or_create_submission("a1", "s1")  # as grading does, with and without a timestamp
        gb.update_or_create_submission("a1", "s1", timestamp="2026-12-20 22:59:00.000000 UTC")
        gb.update_or_create_student("s1")
        submission = gb.find_submission("a1", "s1")  # what score._ensure_submission finds and keeps
        assert submission.extension == timedelta(days=2, minutes=30)
    assert late.extensions(db_url, "a1") == {"s1": timedelta(days=2, minutes=30)}


def test_extension_for_an_already_graded_submission(db_url: str) -> None:
    with Gradebook(db_url) as gb:
        gb.add_student("s1")
        gb.add_submission("a1", "s1", timestamp="2026-12-20 22:59:00.000000 UTC")
    late.set_extension(db_url, "a1", "s1", 3 * DAY)
    with Gradebook(db_url) as gb:
        submission = gb.find_submission("a1", "s1")
        assert submission.extension == 3 * DAY
        assert submission.timestamp == datetime(2026, 12, 20, 22, 59)  # kept (nbgrader stores naive UTC)


def test_extension_errors(db_url: str) -> None:
    with pytest.raises(UsageError, match="unknown assignment nope in the gradebook: release it first"):
        late.set_extension(db_url, "nope", "s1", DAY)
    with pytest.raises(UsageError, match="unknown assignment nope"):
        late.extensions(db_url, "nope")
    with pytest.raises(UsageError, match="negative"):
        late.set_extension(db_url, "a1", "s1", -DAY)
    with Gradebook(db_url) as gb:
        assert gb.students == []  # nothing was written by the refused calls


# --- the pieces together ----------------------------------------------------------------------------------------------


def test_course_end_to_end(tmp_path: Path, db_url: str) -> None:
    root = _course(
        tmp_path,
        '[late]\npolicy = "per_day"\npercent_per_day = 20\ncap_percent = 100\ngrace_minutes = 5\n'
        '[due]\n"a1" = 2026-12-20T23:59:00+01:00\n',
    )
    policy = late.load(root)
    late.set_extension(db_url, "a1", "s2", timedelta(hours=12))
    granted = late.extensions(db_url, "a1")
    # both submitted 2026-12-21 10:00 UTC, 11 h 1 min after 22:59 UTC
    stamp = "2026-12-21 10:00:00.000000 UTC"
    kept = {}
    for student in ("s1", "s2"):
        folder = _timestamp(tmp_path / student, stamp)
        ext = granted.get(student, timedelta())
        p = late.penalty(policy, late.lateness(late.submitted_at(folder), policy.due["a1"], ext), ext)
        kept[student] = late.apply(8, p)
    assert kept == {"s1": 6.4, "s2": 8}  # s1: 1 started day, 20% off 8 points; s2: due 10:59 UTC, on time
