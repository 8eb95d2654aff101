"""Diagnosis from known bugs: a failing item whose checks recorded what a known bug records is "likely" that bug,
and the feedback says so in the bug's own words ("looks like: no bias correction").

``validate`` (and the demo, which grades the same mutants) keeps, per assignment version, what each mutant's
check cells recorded for the item it breaks: ``learn`` -> ``save`` under ``.work/diagnosis/<assignment>/``. A
student's lost item is then matched cell by cell (``diagnose``). A known bug matches when, in every test cell of
the item,

- the student's records have the same check ids, cases, kinds and pass/fail outcomes, in the same order;
- every failed record holds the same ``got`` value as the bug's, within that check's own tolerance (exact for
  ``equal`` and property checks, 1e-6 relative for ``within`` statistics), where the two were given the same
  inputs (per-student inputs, inputs.py: a check whose expected value differs between the two students is matched
  by its outcome only);
- the cell ended the same way (the same exception name, or none);

and there is some evidence: a failed record whose value is not only NaN/inf, a failed property check (``check_true``:
the same property broken at the same case), or an exception raised after at least one check of that cell had
passed (the same case crashes). A bug that only raises at the first check, or only gives NaN, is too unspecific
to name. So only a lost item is ever diagnosed, a correct solution (every cell passes) never is, and a different
bug that fails the same check shows other values or another case and is not named. The student's records come
from an untrusted kernel: at worst they make their own feedback name a bug from our table; points never depend
on a diagnosis, and a tampering-suspected submission gets none.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from autograder.core.course_dir import CourseDir, files_digest
from autograder.core.submission import State, Submission
from course.checks import compare

KEPT = ("id", "case", "kind", "passed", "got", "tolerance", "inputs")  # what matching needs of a record
WITHIN_RTOL = 1e-6  # a "within" check has a range, not a tolerance: the statistic itself must agree this closely

Table = dict[str, Any]  # {"assignment", "version", "mutants", "bugs": [{"mutant", "item", "bug", "cells"}]}


def mutants_digest(course: CourseDir, assignment: str) -> str:
    """What the names and descriptions in a table depend on besides the version: the mutant files."""
    return files_digest(sorted((course.mutants / assignment).glob("*.py"))).hexdigest()[:16]


def _path(course: CourseDir, assignment: str, version: str) -> Path:
    return course.work("diagnosis") / assignment / f"{version}.json"


def _error_name(message: str) -> str:
    """The exception that ended a failed cell, from its message ``"Name: text"``; "" for a cell that passed."""
    return message.split(":", 1)[0].strip() if message else ""


def cells_of(sub: Submission, checks: Iterable[Mapping[str, Any]], item: str) -> dict[str, dict[str, Any]]:
    """Per test cell of ``item``: its records (the fields matching needs) and how the cell ended."""
    results = {r.grade_id: r for r in sub.results if r.item == item}
    cells: dict[str, dict[str, Any]] = {
        gid: {"records": [], "error": _error_name(r.message) if r.points < r.max_points else ""}
        for gid, r in results.items()
    }
    for record in checks:
        if isinstance(record, Mapping) and record.get("cell") in cells:
            kept = {k: record.get(k) for k in KEPT}
            if kept["passed"] is True:  # only failed values are compared: the table stays small
                kept["got"], kept["tolerance"], kept["inputs"] = None, {}, None
            cells[record["cell"]]["records"].append(kept)
    return cells


def learn(
    course: CourseDir, assignment: str, mutants: Mapping[str, Any], graded: Mapping[str, Submission]
) -> Table | None:
    """The table of known bugs from a grading of the mutants: ``mutants`` maps a student name to its
    ``mutants.Mutant``; ``graded`` the student names to their graded submissions (with their check records).
    None when the reference was not graded (no version to file it under)."""
    reference = graded.get("reference")
    if reference is None or not reference.version:
        return None
    bugs = []
    for student, mutant in sorted(mutants.items()):
        sub = graded.get(student)
        if sub is None or sub.state is not State.GRADED:
            continue
        bugs.append(
            {
                "mutant": mutant.name,
                "item": mutant.breaks,
                "bug": mutant.bug or mutant.name.replace("_", " "),
                "cells": cells_of(sub, sub.checks, mutant.breaks),
            }
        )
    return {
        "assignment": assignment,
        "version": reference.version,
        "mutants": mutants_digest(course, assignment),
        "bugs": bugs,
    }


def save(course: CourseDir, table: Table) -> Path:
    path = _path(course, table["assignment"], table["version"])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(table), encoding="utf-8")
    tmp.replace(path)
    return path


def load(course: CourseDir, assignment: str, version: str) -> Table | None:
    """The table for this version, or None (never learned, unreadable, or its mutants changed since)."""
    if not version:
        return None
    try:
        table = json.loads(_path(course, assignment, version).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(table, dict) or table.get("mutants") != mutants_digest(course, assignment):
        return None
    return table


def _informative(value: Any) -> bool:
    """A value that says something about the bug: not None/bool and not made only of NaN and infinities."""
    if value is None or isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return math.isfinite(value)
    if isinstance(value, str):
        return value not in ("nan", "inf", "-inf")
    if isinstance(value, dict):
        if "__array__" in value:
            data = value.get("data") or []
            return any(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in data)
        if "__seq__" in value:
            return any(_informative(v) for v in value.get("items") or [])
        return "__numpy__" in value and _informative(value.get("value"))
    return False


def _same_value(mine: Mapping[str, Any], bug: Mapping[str, Any]) -> bool:
    tolerance = bug.get("tolerance") or {}
    try:
        if bug["kind"] == "close":
            rtol, atol = float(tolerance["rtol"]), float(tolerance["atol"])
        elif bug["kind"] == "within":
            rtol, atol = WITHIN_RTOL, 0.0
        else:  # equal, raises, true: the same plain value
            rtol, atol = 0.0, 0.0
        why = compare(mine.get("got"), bug.get("got"), rtol, atol, plain=True)
    # malformed or absurdly nested records from the kernel: no match (a diagnosis must never fault a submission)
    except (KeyError, TypeError, ValueError, OverflowError, RecursionError):
        return False
    return why is None


def _matches(mine: Mapping[str, Any], bug: Mapping[str, Any]) -> bool:
    if mine.keys() != bug.keys() or not bug:
        return False
    evidence = False
    for gid, known in bug.items():
        cell, records = mine[gid], known["records"]
        if cell["error"] != known["error"] or len(cell["records"]) != len(records):
            return False
        for got, expected in zip(cell["records"], records, strict=True):
            if any(got.get(k) != expected.get(k) for k in ("id", "case", "kind", "passed")):
                return False
            if expected.get("passed") is not True:
                # another student's inputs (inputs.py: the expected values differ): only the outcome can match
                if got.get("inputs") == expected.get("inputs") and not _same_value(got, expected):
                    return False
                evidence = evidence or expected.get("kind") == "true" or _informative(expected.get("got"))
        crashed = known["error"] and known["error"] != "CheckFailure" and all(r.get("passed") for r in records)
        evidence = evidence or bool(crashed and records)
    return evidence


def diagnose(sub: Submission, checks: Iterable[Mapping[str, Any]], table: Table | None) -> Submission:
    """Fill ``diagnosis`` of each lost cell with the known bugs its item matches (most often one)."""
    for r in sub.results:
        r.diagnosis = []
    if table is None or sub.state is not State.GRADED or table.get("version") != sub.version:
        return sub
    checks = list(checks)
    lost = list(dict.fromkeys(r.item for r in sub.results if r.points < r.max_points and not r.manual))
    for item in lost:
        mine = cells_of(sub, checks, item)
        found = [
            {"mutant": str(b["mutant"]), "bug": str(b["bug"])}
            for b in table.get("bugs", [])
            if b.get("item") == item and _matches(mine, b.get("cells") or {})
        ]
        for r in sub.results:
            if r.item == item and r.points < r.max_points:
                r.diagnosis = list(found)
    return sub


def read_checks(path: Path) -> list[dict]:
    """The check records the grader kept beside an autograded notebook (``<notebook>.checks.jsonl``)."""
    records = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return records
    for line in lines:
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(record, dict):
            records.append(record)
    return records
