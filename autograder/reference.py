"""The reference run: the check records each test cell writes when the reference solution runs.

verify.py compares every student's records with these. They are made by running the reference (the source
notebook with nbgrader's markers removed, hidden tests in) through the same trim and execute stages as a
student, in the same sandbox, once per assignment version and grading setup, and kept under
``.work/reference/<assignment>/<key>.json``. The key covers what the records depend on: the source notebooks, the
``course`` package, the injected parameters (seed, device, FAST), the device "auto" resolves to on this machine
and the torch version.

A reference that fails one of its own test cells, or whose test cell writes no check record, cannot vouch for
anyone: ``ReferenceProblem`` says which, and the batch is a grader fault (``validate`` reports the same).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nbformat import NotebookNode

from autograder.course_dir import CourseDir
from autograder.engine import GUARD_ID
from autograder.markup import grade_id, is_autograded_test
from autograder.sample_class import reference_notebook

Records = dict[str, dict[str, list[dict[str, Any]]]]  # notebook name -> grade_id -> records, in order
# what verify needs of a record
KEPT = ("id", "case", "kind", "expected", "tolerance", "depends_on_answer", "hint", "note")


class ReferenceProblem(RuntimeError):
    """The reference solution does not pass its own tests in this environment (or a test cell checks nothing)."""


def notebook(source: NotebookNode) -> NotebookNode:
    """The reference as a student would submit it: solution markers removed, every test cell as in the source
    (the sample class's reference, with the source standing in for the release)."""
    return reference_notebook(source, source)


def version_key(course: CourseDir, assignment: str, parameters: Mapping[str, Any], cuda: bool) -> str:
    import torch

    import course as course_package

    digest = hashlib.sha256()
    for path in course.source_notebooks(assignment):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for path in sorted(Path(course_package.__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(json.dumps({**parameters, "cuda": cuda}, sort_keys=True).encode())
    digest.update(torch.__version__.encode())
    return digest.hexdigest()[:32]


def _path(course: CourseDir, assignment: str, key: str) -> Path:
    return course.work("reference") / assignment / f"{key}.json"


def load(course: CourseDir, assignment: str, key: str) -> Records | None:
    path = _path(course, assignment, key)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def save(course: CourseDir, assignment: str, key: str, records: Records) -> None:
    path = _path(course, assignment, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(records), encoding="utf-8")
    tmp.replace(path)  # two graders starting at once both write the same content; neither reads half a file


def records_of(executed: NotebookNode | None, checks: list[dict], fault: str = "") -> dict[str, list[dict]]:
    """The reference's records per test cell, after checking that the run vouches for every test cell."""
    if executed is None or fault:
        raise ReferenceProblem(f"the reference run did not finish: {fault or 'no notebook came back'}")
    by_cell: dict[str, list[dict]] = {}
    guard = [r for r in checks if r.get("id") == GUARD_ID and r.get("kind") == "tampering"]
    if guard:
        raise ReferenceProblem(f"the reference run's kernel guard objected: {guard[0].get('case')}")
    for record in checks:
        if isinstance(record.get("cell"), str) and record.get("id") != GUARD_ID:
            by_cell.setdefault(record["cell"], []).append({k: record.get(k) for k in KEPT})
    problems = []
    for cell in executed.cells:
        if not is_autograded_test(cell):
            continue
        gid = grade_id(cell)
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            problems.append(f"{gid} fails ({errors[0].get('ename')}: {str(errors[0].get('evalue'))[:200]})")
        elif cell.get("execution_count") is None:
            problems.append(f"{gid} did not run")
        elif not by_cell.get(gid):
            problems.append(f"{gid} records no check (use course.checks in every test cell)")
        elif not all(r.get("passed") for r in checks if r.get("cell") == gid):
            problems.append(f"{gid} records a failed check")
    if problems:
        raise ReferenceProblem("the reference solution does not vouch for its tests here: " + "; ".join(problems))
    return by_cell
