"""Points decided outside the kernel (autograder/trust/verify.py) on records made by the real checking API: the
reference run's full records against a student's grading-form records (expected side withheld)."""

from __future__ import annotations

import copy
from dataclasses import asdict

import numpy as np
import pytest

from autograder.trust.verify import judge_cell, judged_checks, verify
from course import checks

W = checks.WITHHELD


def record(fn, *args, cell="t__hidden", **kw) -> dict:
    """What the kernel writes for one check call (a failing check's record too)."""
    checks.RECORDS.clear()
    try:
        fn(*args, **kw)
    except checks.CheckFailure:
        pass
    rec = asdict(checks.RECORDS[-1])
    rec["cell"] = cell
    return rec


def raised_in_lab(fn, *args, **kw) -> str:
    """The message a failing check raises in the student's lab (the full form)."""
    with pytest.raises(checks.CheckFailure) as info:
        fn(*args, **kw)
    return str(info.value)


def _raise_value_error():
    raise ValueError("bad lr")


@pytest.fixture
def reference():
    """The reference run's records: full form, expected values computed."""
    return [
        record(checks.check_close, "adam/step", np.array([1.0, 2.0]), np.array([1.0, 2.0]), case="lr=0.1", hint="h"),
        record(checks.check_equal, "adam/count", 3, 3, case="steps"),
        record(checks.check_within, "adam/mean", 0.5, 0.4, 0.6, case="stat", why="6 sigma"),
        record(checks.check_true, "adam/inplace", True, "in place", case="grad"),
        record(checks.check_raises, "adam/bad_lr", _raise_value_error, ValueError),
    ]


def graded(step=None, count=3, mean=0.5, inplace=True, bad_lr=_raise_value_error) -> list[dict]:
    """A student's records in the grading form: the expected side withheld."""
    step = np.array([1.0, 2.0]) if step is None else step
    return [
        record(checks.check_close, "adam/step", step, W, case="lr=0.1", hint="h"),
        record(checks.check_equal, "adam/count", count, W, case="steps"),
        record(checks.check_within, "adam/mean", mean, W, W, case="stat", why="6 sigma"),
        record(checks.check_true, "adam/inplace", inplace, "in place", case="grad"),
        record(checks.check_raises, "adam/bad_lr", bad_lr, ValueError),
    ]


def test_the_grading_form_records_no_expected_value():
    rec = record(checks.check_close, "adam/step", np.array([1.0, 2.0]), W, case="lr=0.1", hint="h")
    assert rec["withheld"] and rec["expected"] is None and rec["passed"] is None and rec["tolerance"] == {}
    with pytest.raises(checks.ExpectedWithheld):
        len(W)
    with pytest.raises(checks.ExpectedWithheld):
        np.asarray(W) + 1


def test_a_correct_answer_and_one_written_differently_pass(reference):
    verdict = judge_cell(graded(), reference, raised=False)
    assert verdict.failure is None and verdict.tampering is None
    assert all(r["passed"] is True for r in verdict.records)
    close = judge_cell(graded(step=np.array([1.0 + 1e-9, 2.0])), reference, raised=False)  # within rtol 1e-7
    assert close.failure is None and close.tampering is None


@pytest.mark.parametrize(
    ("student", "lab"),
    [
        (
            dict(step=np.array([1.5, 2.0])),
            lambda: raised_in_lab(
                checks.check_close, "adam/step", np.array([1.5, 2.0]), np.array([1.0, 2.0]), case="lr=0.1", hint="h"
            ),
        ),
        (dict(count=4), lambda: raised_in_lab(checks.check_equal, "adam/count", 4, 3, case="steps")),
        (
            dict(mean=0.9),
            lambda: raised_in_lab(checks.check_within, "adam/mean", 0.9, 0.4, 0.6, case="stat", why="6 sigma"),
        ),
        (
            dict(step=np.array([1.0, 2.0], dtype=np.float32)),
            lambda: raised_in_lab(
                checks.check_close,
                "adam/step",
                np.array([1.0, 2.0], dtype=np.float32),
                np.array([1.0, 2.0]),
                case="lr=0.1",
                hint="h",
            ),
        ),
    ],
)
def test_a_wrong_answer_fails_outside_with_the_message_the_lab_shows(reference, student, lab):
    verdict = judge_cell(graded(**student), reference, raised=False)
    assert verdict.tampering is None
    assert verdict.failure == lab()


def test_the_records_after_the_first_failure_are_dropped_as_the_check_would_have_stopped(reference):
    records = graded(count=4)
    verdict = judge_cell(records, reference, raised=True)  # the kernel then crashed further on: no matter
    assert [r["id"] for r in verdict.records] == ["adam/step", "adam/count"]
    assert [r["passed"] for r in verdict.records] == [True, False]
    kept = judged_checks([*records, {"id": "x", "cell": "other"}], {"t__hidden": verdict})
    assert [r["id"] for r in kept] == ["adam/step", "adam/count", "x"]


def test_a_check_failing_in_the_kernel_keeps_its_own_message(reference):
    verdict = judge_cell(graded(inplace=False), reference, raised=True)
    assert verdict.tampering is None and verdict.failure == "[adam/inplace] case grad: in place"


def test_a_missing_check_is_the_error_when_the_cell_raised_and_tampering_when_it_did_not(reference):
    assert judge_cell(graded()[:2], reference, raised=True).tampering is None
    assert "did not run or left no record" in judge_cell(graded()[:2], reference, raised=False).tampering
    assert "did not run or left no record" in judge_cell([], reference, raised=False).tampering


def test_forged_records_cannot_bring_their_own_expected_value_or_tolerance(reference):
    forged = graded(step=np.array([9.0, 2.0]))
    forged[0] |= {"expected": checks.to_plain(np.array([9.0, 2.0])), "tolerance": {"rtol": 10.0, "atol": 10.0}}
    forged[0]["withheld"] = False
    assert judge_cell(forged, reference, raised=False).failure is not None


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        # the kernel's own verdict lied (a patched comparison): claimed passed, the data say otherwise
        (lambda recs: [*recs[:3], {**recs[3], "got": "bool", "passed": True}, recs[4]], "does not hold"),
        (lambda recs: [*recs[:4], {**recs[4], "got": "TypeError", "passed": True}], "does not hold"),
        (lambda recs: [{**recs[0], "got": {"__array__": "Tensor"}}, *recs[1:]], "malformed"),
        (lambda recs: [*recs[:3], {**recs[3], "withheld": True}, recs[4]], "recorded differently"),
    ],
)
def test_what_is_caught_as_tampering(reference, change, reason):
    verdict = judge_cell(change(copy.deepcopy(graded())), reference, raised=False)
    assert verdict.tampering is not None and reason in verdict.tampering
    assert "[1.0, 2.0]" not in verdict.tampering  # names, never values


def test_a_check_computed_from_the_answer_is_judged_on_its_own_record():
    ref = [
        record(checks.check_close, "dropout/values", np.array([2.0, 0.0]), np.array([2.0, 0.0]), depends_on_answer=True)
    ]
    other_mask = record(
        checks.check_close, "dropout/values", np.array([0.0, 2.0]), np.array([0.0, 2.0]), depends_on_answer=True
    )
    assert judge_cell([other_mask], ref, raised=False).tampering is None  # another mask, consistent with itself
    lying = {**other_mask, "got": checks.to_plain(np.array([5.0, 5.0]))}
    assert "does not hold" in judge_cell([lying], ref, raised=False).tampering
    withheld = record(checks.check_close, "dropout/values", np.array([0.0, 2.0]), W)
    assert "recorded differently" in judge_cell([withheld], ref, raised=False).tampering


def test_verify_groups_records_by_the_cell_the_engine_tagged(reference):
    cells = {"t__visible": reference[:1], "t__hidden": reference[1:]}
    mine = graded()
    tagged = [{**mine[0], "cell": "t__visible"}] + [{**r, "cell": "t__hidden"} for r in mine[1:]]
    verdicts = verify(tagged, cells)
    assert not any(v.failure or v.tampering for v in verdicts.values())
    moved = [{**r, "cell": "t__hidden"} for r in mine]  # the visible cell's record written later
    assert verify(moved, cells)["t__visible"].tampering
    assert verify(moved, cells, raised={"t__visible"})["t__visible"].tampering is None
