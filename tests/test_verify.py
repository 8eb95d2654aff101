"""The outside re-check (autograder/verify.py) on records made by the real checking API: what passes, what is
caught, and that a reason never shows an expected value."""

from __future__ import annotations

import copy
from dataclasses import asdict

import numpy as np
import pytest

from autograder.verify import verify, verify_cell
from course import checks


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


@pytest.fixture
def reference():
    return [
        record(checks.check_close, "adam/step", np.array([1.0, 2.0]), np.array([1.0, 2.0]), case="lr=0.1"),
        record(checks.check_equal, "adam/count", 3, 3, case="steps"),
        record(checks.check_within, "adam/mean", 0.5, 0.4, 0.6, case="stat"),
        record(checks.check_true, "adam/inplace", True, "in place", case="grad"),
        record(checks.check_raises, "adam/bad_lr", lambda: (_ for _ in ()).throw(ValueError()), ValueError),
    ]


def test_the_reference_itself_and_a_correct_answer_written_differently_pass(reference):
    assert verify_cell(reference, reference) is None
    close = record(checks.check_close, "adam/step", np.array([1.0 + 1e-9, 2.0]), np.array([1.0, 2.0]), case="lr=0.1")
    assert verify_cell([close, *reference[1:]], reference) is None  # within the check's tolerance


def test_records_of_other_checks_in_between_are_ignored(reference):
    extra = record(checks.check_equal, "mine/debug", 1, 1)
    assert verify_cell([extra, reference[0], extra, *reference[1:]], reference) is None


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda recs: recs[:-1], "did not run or left no record"),
        (lambda recs: [], "did not run or left no record"),
        (lambda recs: [{**recs[0], "passed": False}, *recs[1:]], "recorded as failed"),
        (lambda recs: [{**recs[0], "tolerance": {"rtol": 1.0, "atol": 1.0}}, *recs[1:]], "another tolerance"),
        # got forged to the claimed expected, but that expected is not the reference's (patched torch or test)
        (
            lambda recs: [
                {
                    **recs[0],
                    "got": checks.to_plain(np.array([9.0, 2.0])),
                    "expected": checks.to_plain(np.array([9.0, 2.0])),
                },
                *recs[1:],
            ],
            "another expected value",
        ),
        # the kernel's comparison lied (a patched compare): the record says passed, the values say otherwise
        (lambda recs: [{**recs[0], "got": checks.to_plain(np.array([1.5, 2.0]))}, *recs[1:]], "does not hold"),
        (lambda recs: [recs[0], {**recs[1], "got": 4}, *recs[2:]], "does not hold"),
        (lambda recs: [*recs[:2], {**recs[2], "got": 0.9}, *recs[3:]], "does not hold"),
        (lambda recs: [*recs[:3], {**recs[3], "got": "bool"}, recs[4]], "does not hold"),
        (lambda recs: [*recs[:4], {**recs[4], "got": "TypeError"}], "does not hold"),
        (lambda recs: [{**recs[0], "got": {"__array__": "Tensor"}}, *recs[1:]], "malformed"),
    ],
)
def test_what_is_caught(reference, change, reason):
    why = verify_cell(change(copy.deepcopy(reference)), reference)
    assert why is not None and reason in why
    assert "1.5" not in why and "9.0" not in why and "[1.0, 2.0]" not in why  # names, never values


def test_a_check_computed_from_the_answer_is_re_checked_on_its_own_record():
    ref = [
        record(checks.check_close, "dropout/values", np.array([2.0, 0.0]), np.array([2.0, 0.0]), depends_on_answer=True)
    ]
    other_mask = record(
        checks.check_close, "dropout/values", np.array([0.0, 2.0]), np.array([0.0, 2.0]), depends_on_answer=True
    )
    assert verify_cell([other_mask], ref) is None  # another mask, consistent with itself
    lying = {**other_mask, "got": checks.to_plain(np.array([5.0, 5.0]))}
    assert "does not hold" in verify_cell([lying], ref)
    undeclared = {**other_mask, "depends_on_answer": False}
    assert "recorded differently" in verify_cell([undeclared], ref)


def test_verify_groups_records_by_the_cell_the_engine_tagged(reference):
    cells = {"t__visible": reference[:1], "t__hidden": reference[1:]}
    tagged = [{**reference[0], "cell": "t__visible"}] + [{**r, "cell": "t__hidden"} for r in reference[1:]]
    assert verify(tagged, cells) == {}
    moved = [{**r, "cell": "t__hidden"} for r in reference]  # the visible cell's record written later
    assert set(verify(moved, cells)) == {"t__visible"}
    assert set(verify([{**r, "cell": None} for r in reference], cells)) == {"t__visible", "t__hidden"}
