"""Points decided outside the student's process: each test cell's check records re-checked against the reference.

The kernel is untrusted: it can change how later cells run or report (an input transformer, a patched
``showtraceback``, a swallowed exception), patch the checks or torch, or write the check log itself. So a test
cell that passed in the kernel keeps its points only when the grader, here, finds for that cell:

1. every record the reference run wrote in that cell (same check id, case and kind, in order; records of other
   checks in between are ignored), and none of them marked failed;
2. each with the reference's tolerance, and an ``expected`` equal to the reference run's within that tolerance
   (a test whose reference values were patched, or a forged record, differs);
3. ``course.checks.recheck`` passing on the record with the reference's expected value and tolerance: the
   comparison is done again in this process, not taken from the kernel's word.

A check whose expected value is computed from the student's own output (``depends_on_answer=True``, e.g. the mask
their dropout drew) cannot be compared with the reference run's: for it, 2 is replaced by re-checking the
recorded got against the recorded expected (the same test, redone outside on the recorded data), with the
reference's tolerance.

A cell that failed in the kernel scores 0 as it is. A cell that passed in the kernel but fails here scores 0 and
marks the submission "tampering suspected", with the reason. Reasons name check ids and cases (the student sees
those in any failure message), never expected values or hidden test source.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from course.checks import compare, recheck

FIELDS = ("id", "case", "kind")
MAX_REASON = 300


def _key(record: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(record.get(f) for f in FIELDS)


def _name(record: Mapping[str, Any]) -> str:
    case = record.get("case")
    return f"[{record.get('id')}]" + (f" case {case}" if case else "")


def _well_formed(record: Mapping[str, Any]) -> bool:
    return all(isinstance(record.get(f), str) for f in FIELDS) and "got" in record and "expected" in record


def _same_expected(kind: str, mine: Any, theirs: Any, tolerance: Mapping[str, Any]) -> bool:
    if kind == "close":
        return compare(mine, theirs, float(tolerance["rtol"]), float(tolerance["atol"]), plain=True) is None
    return compare(mine, theirs, 0.0, 0.0, plain=True) is None  # within: the bounds; true: True; raises: names


def _judge(got: Mapping[str, Any], ref: Mapping[str, Any]) -> str | None:
    """Why one matched record does not hold up outside the kernel, or None."""
    name = _name(ref)
    if got.get("passed") is not True:
        return f"{name} is recorded as failed"
    if got.get("tolerance") != ref.get("tolerance"):
        return f"{name} was run with another tolerance than the reference"
    if bool(got.get("depends_on_answer")) != bool(ref.get("depends_on_answer")):
        return f"{name} is recorded differently from the reference run"
    try:
        if ref.get("depends_on_answer"):
            why = recheck({**got, "kind": ref["kind"], "tolerance": ref.get("tolerance")})
            return f"{name} does not hold when re-checked outside the kernel" if why else None
        if not _same_expected(ref["kind"], got["expected"], ref["expected"], ref.get("tolerance") or {}):
            return f"{name} compared against another expected value than the reference run's"
        redone = {"kind": ref["kind"], "got": got["got"], "expected": ref["expected"], "tolerance": ref["tolerance"]}
        if recheck(redone):
            return f"{name} does not hold when re-checked outside the kernel"
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # malformed data in a forged record
        return f"{name} has a malformed record ({type(exc).__name__})"
    return None


def verify_cell(records: list[Mapping[str, Any]], reference: list[Mapping[str, Any]]) -> str | None:
    """Why one test cell's records do not match the reference's (None: they do). ``reference`` empty: the
    reference writes no check in this cell, so there is nothing to verify (validate reports such cells)."""
    pending = [r for r in records if isinstance(r, Mapping) and _well_formed(r)]
    position = 0
    for ref in reference:
        while position < len(pending) and _key(pending[position]) != _key(ref):
            position += 1
        if position == len(pending):
            return f"{_name(ref)} did not run or left no record"
        why = _judge(pending[position], ref)
        if why:
            return why
        position += 1
    return None


def verify(checks: list[Mapping[str, Any]], reference: Mapping[str, list[Mapping[str, Any]]]) -> dict[str, str]:
    """``{grade_id: reason}`` for every test cell of ``reference`` whose records in ``checks`` (tagged with their
    ``cell`` by the engine) do not hold up."""
    by_cell: dict[str, list[Mapping[str, Any]]] = {}
    for record in checks:
        if isinstance(record, Mapping) and isinstance(record.get("cell"), str):
            by_cell.setdefault(record["cell"], []).append(record)
    reasons = {}
    for cell, expected in reference.items():
        why = verify_cell(by_cell.get(cell, []), expected)
        if why:
            reasons[cell] = why if len(why) <= MAX_REASON else why[:MAX_REASON] + " ..."
    return reasons
