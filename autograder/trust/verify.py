"""Points decided outside the student's process: each test cell's check records judged against the reference run.

While grading, the kernel runs the grading form of every test cell (withhold.py): the expected side of each check
never runs there, and a check only records what the student's code returned. The expected values come from the
reference run (reference.py: the full form, the reference solution, its own sandbox). For each test cell the
grader walks the reference's records in order and, for each, takes the student's first record of the same check
(id, case and kind; records of other checks in between are ignored):

- a ``close`` / ``equal`` / ``within`` check is judged here, with the reference's expected value, tolerance and
  hint (``course.checks.judge_withheld``): the first one that does not hold fails the cell with the message the
  check would have raised, and the records after it are dropped, as the check would have stopped the cell;
- a ``true`` / ``raises`` check, and a check whose expected value is computed from the student's own output
  (``depends_on_answer=True``, e.g. their dropout mask), was judged in the kernel (it holds no reference value)
  and is judged again here on its recorded data; one that passed in the kernel but not here is tampering;
- a check of the reference with no record: if the cell raised in the kernel, its error stands (it stopped before
  the check); if it did not, something suppressed the check: tampering.

A cell's verdict is one of: passed, failed (an honest failure, with the message), or tampering suspected (with
the reason). Reasons name check ids and cases (the student sees those in any failure message), never hidden test
source.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from course.checks import judge_withheld, recheck

FIELDS = ("id", "case", "kind")
MAX_REASON = 300
JUDGED_IN_KERNEL = ("true", "raises")


@dataclass
class CellVerdict:
    failure: str | None = None  # the message of the first check that does not hold (an honest failure)
    tampering: str | None = None  # why the records cannot be the honest output of the test
    records: list[dict] = field(default_factory=list)  # the cell's records, judged (passed/message), as kept


def _key(record: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(record.get(f) for f in FIELDS)


def _name(record: Mapping[str, Any]) -> str:
    case = record.get("case")
    return f"[{record.get('id')}]" + (f" case {case}" if case else "")


def _well_formed(record: Mapping[str, Any]) -> bool:
    return all(isinstance(record.get(f), str) for f in FIELDS) and "got" in record


def _judge(got: Mapping[str, Any], ref: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(failure message, tampering reason) for one matched record; both None when it holds."""
    name = _name(ref)
    try:
        if ref.get("depends_on_answer") or ref["kind"] in JUDGED_IN_KERNEL:
            if got.get("withheld") or (ref.get("depends_on_answer") and "expected" not in got):
                return None, f"{name} is recorded differently from the reference run"
            redone = {
                "kind": ref["kind"],
                "got": got["got"],
                "expected": got["expected"] if ref.get("depends_on_answer") else ref["expected"],
                "tolerance": ref.get("tolerance") or {},
            }
            if recheck(redone) is None:
                return None, None
            if got.get("passed") is False:  # the kernel raised for it: an honest failure, its message stands
                return str(got.get("message") or f"{name} failed"), None
            return None, f"{name} does not hold when re-checked outside the kernel"
        return judge_withheld(got, ref), None
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError, OverflowError) as exc:
        return None, f"{name} has a malformed record ({type(exc).__name__})"  # forged data


def judge_cell(records: list[Mapping[str, Any]], reference: list[Mapping[str, Any]], raised: bool) -> CellVerdict:
    """The verdict on one test cell from its records (in the order written), the reference's, and whether the
    cell raised in the kernel. ``reference`` empty: the reference writes no check there (validate reports it)."""
    pending = [r for r in records if isinstance(r, Mapping) and _well_formed(r)]
    verdict = CellVerdict()
    position = 0
    for ref in reference:
        start = position
        while position < len(pending) and _key(pending[position]) != _key(ref):
            position += 1
        if position == len(pending):
            verdict.records += [dict(r) for r in pending[start:]]
            if not raised:
                verdict.tampering = f"{_name(ref)} did not run or left no record"
            return verdict
        failure, tampering = _judge(pending[position], ref)
        verdict.records += [dict(r) for r in pending[start:position]]
        # the reference's tolerance, not the kernel's word: what the diagnosis compares failing values with
        judged = {
            **pending[position],
            "passed": failure is None and tampering is None,
            "tolerance": ref.get("tolerance"),
            "inputs": inputs_digest(ref),
        }
        judged["message"] = failure or tampering or "ok"
        verdict.records.append(judged)
        if tampering:
            verdict.tampering = tampering
            return verdict
        if failure:
            verdict.failure = failure
            return verdict
        position += 1
    verdict.records += [dict(r) for r in pending[position:]]
    return verdict


def inputs_digest(ref: Mapping[str, Any]) -> str:
    """A fingerprint of the reference's expected value: two students' values of a check are comparable (the
    diagnosis compares them) only where it is the same, i.e. where their inputs were (inputs.py)."""
    text = json.dumps(ref.get("expected"), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _cut(text: str) -> str:
    return text if len(text) <= MAX_REASON else text[:MAX_REASON] + " ..."


def verify(
    checks: list[Mapping[str, Any]], reference: Mapping[str, list[Mapping[str, Any]]], raised: set[str] | None = None
) -> dict[str, CellVerdict]:
    """``{grade_id: verdict}`` for every test cell of ``reference``, from the records in ``checks`` (tagged with
    their ``cell`` by the engine); ``raised`` names the test cells that raised in the kernel."""
    by_cell: dict[str, list[Mapping[str, Any]]] = {}
    for record in checks:
        if isinstance(record, Mapping) and isinstance(record.get("cell"), str):
            by_cell.setdefault(record["cell"], []).append(record)
    verdicts = {}
    for cell, expected in reference.items():
        verdict = judge_cell(by_cell.get(cell, []), expected, cell in (raised or set()))
        if verdict.tampering:
            verdict.tampering = _cut(verdict.tampering)
        verdicts[cell] = verdict
    return verdicts


def judged_checks(checks: list[Mapping[str, Any]], verdicts: Mapping[str, CellVerdict]) -> list[dict]:
    """``checks`` with each verified cell's records replaced by its judged ones (for the diagnosis and the
    kept ``.checks.jsonl``): ``passed`` and ``message`` decided here, nothing after a cell's first failure."""
    out: list[dict] = []
    done: set[str] = set()
    for record in checks:
        if not isinstance(record, Mapping):
            continue
        cell = record.get("cell")
        if isinstance(cell, str) and cell in verdicts:
            if cell not in done:
                done.add(cell)
                out += [{**r, "cell": cell} for r in verdicts[cell].records]
            continue
        out.append(dict(record))
    return out
