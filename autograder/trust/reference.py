"""The reference run: the check records each test cell writes when the reference solution runs.

verify.py compares every student's records with these. They are made by running the reference (the source notebook
with nbgrader's markers removed, hidden tests in) through the same stages as a student, in the same sandbox, its
ungraded tail always left out (it records nothing a score reads), once per assignment version and grading setup, and
kept under ``.work/reference/<assignment>/<key>.json.gz``. The key covers what the records depend on: the source
notebooks, the ``course`` package, the injected parameters (seed, device, FAST), the device "auto" resolves to on
this machine and the torch version.

A reference that fails one of its own test cells, or whose test cell writes no check record, cannot vouch for
anyone: ``ReferenceProblem`` says which, and the batch is a grader fault (``validate`` reports the same).

Per-student inputs (inputs.py): the records also depend on the variant, so they are kept per variant
(``<key>/<variant>.json.gz``). One run serves many variants: ``notebook(source, variants)`` runs the notebook with
the first variant and, before each test cell that calls ``vary``, the same cell again for every variant (the
first one included), with the global random state put back before each, each copy a cell of its own
(``<grade id>@<variant>``) so that the engine files its records apart. The test cells are a few percent of a
notebook's run time, so the reference runs of a batch of 40 cost about a quarter of the students' own runs
(``scripts/benchmark.py --inputs-cost``), not as much again. A copy sees the state the cells before it left (the
first variant's), as a student's run would if the test cells leave nothing that a later run of them reads; that
is checked every time: the copy for the first variant must record exactly what the cell itself records after all
the copies ran, or the run cannot vouch for the other variants (``ReferenceProblem``).
"""

from __future__ import annotations

import copy
import gzip
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell

from autograder.core.course_dir import CourseDir, files_digest
from autograder.core.markup import grade_id, is_autograded_test, reference_notebook
from autograder.isolation.engine import GUARD_ID
from autograder.trust.inputs import NO_VARIANT, setter_line, state_line

Records = dict[str, dict[str, list[dict[str, Any]]]]  # notebook name -> grade_id -> records, in order
COPY = "@"  # grade id of a test cell's copy for another variant: <grade id>@<variant>
# a test cell that does not call it (a visible test) records the same for every variant: it is not copied, unless
# a cell other than the tests calls it (a helper the tests call could draw from it)
VARY = "vary("
STATE = "__grader_random_state__"
MOST_VARIANTS_PER_RUN = 8  # bounds one run's length and records in memory (05's are ~10 MB a variant)
# what verify needs of a record
KEPT = ("id", "case", "kind", "expected", "tolerance", "depends_on_answer", "hint", "note")


class ReferenceProblem(RuntimeError):
    """The reference solution does not pass its own tests in this environment (or a test cell checks nothing)."""


def notebook(source: NotebookNode, variants: Sequence[str] = (NO_VARIANT,)) -> NotebookNode:
    """The reference as a student would submit it: solution markers removed, every test cell as in the source
    (the sample class's reference, with the source standing in for the release); run with ``variants[0]``'s
    inputs, and every test cell copied for each of ``variants`` (see the module's docstring)."""
    nb = reference_notebook(source, source)
    first = variants[0]
    cells = [new_code_cell(setter_line(first))] if first else []
    everywhere = any(VARY in c.source for c in nb.cells if c.cell_type == "code" and not is_autograded_test(c))
    for cell in nb.cells:
        if len(variants) > 1 and is_autograded_test(cell) and (everywhere or VARY in cell.source):
            cells.append(new_code_cell(state_line(STATE)))
            for v in variants:
                meta = copy.deepcopy(cell.metadata)
                meta["nbgrader"]["grade_id"] = f"{grade_id(cell)}{COPY}{v}"
                cells.append(new_code_cell(f"{setter_line(v, STATE)}\n{cell.source}", metadata=meta))
            cell.source = f"{setter_line(first, STATE)}\n{cell.source}"
        cells.append(cell)
    nb.cells = cells
    return nb


def chunks(variants: Sequence[str], workers: int) -> list[list[str]]:
    """``variants`` split into runs: at least one per worker, at most ``MOST_VARIANTS_PER_RUN`` in each."""
    count = min(len(variants), max(workers, math.ceil(len(variants) / MOST_VARIANTS_PER_RUN)))
    return [list(variants[n::count]) for n in range(count)] if variants else []


def version_key(course: CourseDir, assignment: str, parameters: Mapping[str, Any], cuda: bool) -> str:
    import torch

    import course as course_package

    digest = files_digest(course.source_notebooks(assignment))
    files_digest(sorted(Path(course_package.__file__).parent.glob("*.py")), digest)
    digest.update(json.dumps({**parameters, "cuda": cuda}, sort_keys=True).encode())
    digest.update(torch.__version__.encode())
    return digest.hexdigest()[:32]


def _path(course: CourseDir, assignment: str, key: str, variant: str) -> Path:
    folder = course.work("reference") / assignment
    return folder / f"{key}.json.gz" if variant == NO_VARIANT else folder / key / f"{variant}.json.gz"


def cached(course: CourseDir, assignment: str, key: str, variant: str = NO_VARIANT) -> bool:
    return _path(course, assignment, key, variant).is_file()


def load(course: CourseDir, assignment: str, key: str, variant: str = NO_VARIANT) -> Records | None:
    path = _path(course, assignment, key, variant)
    try:
        return json.loads(gzip.decompress(path.read_bytes()))
    except (OSError, EOFError, json.JSONDecodeError):
        return None


def save(course: CourseDir, assignment: str, key: str, records: Records, variant: str = NO_VARIANT) -> None:
    """Compressed: expected arrays are most of it (a class with per-student inputs keeps one file per student)."""
    path = _path(course, assignment, key, variant)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(gzip.compress(json.dumps(records).encode(), compresslevel=6, mtime=0))
    tmp.replace(path)  # two graders starting at once both write the same content; neither reads half a file


def _vouch(executed: NotebookNode, checks: list[dict]) -> tuple[dict[str, list[dict]], dict[str, str]]:
    """The run's records per test cell (copies included: ``<grade id>@<variant>``) and, per test cell that
    cannot vouch for its test, why."""
    guard = [r for r in checks if r.get("id") == GUARD_ID and r.get("kind") == "tampering"]
    if guard:
        raise ReferenceProblem(f"the reference run's kernel guard objected: {guard[0].get('case')}")
    by_cell: dict[str, list[dict]] = {}
    for record in checks:
        if isinstance(record.get("cell"), str) and record.get("id") != GUARD_ID:
            by_cell.setdefault(record["cell"], []).append({k: record.get(k) for k in KEPT})
    problems = {}
    for cell in executed.cells:
        if not is_autograded_test(cell):
            continue
        gid = grade_id(cell)
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            problems[gid] = f"{gid} fails ({errors[0].get('ename')}: {str(errors[0].get('evalue'))[:200]})"
        elif cell.get("execution_count") is None:
            problems[gid] = f"{gid} did not run"
        elif not by_cell.get(gid):
            problems[gid] = f"{gid} records no check (use course.checks in every test cell)"
        elif not all(r.get("passed") for r in checks if r.get("cell") == gid):
            problems[gid] = f"{gid} records a failed check"
    return by_cell, problems


def _cannot_vouch(problems: list[str]) -> str:
    return "the reference solution does not vouch for its tests here: " + "; ".join(problems)


def per_variant(
    executed: NotebookNode | None, checks: list[dict], fault: str, variants: Sequence[str]
) -> tuple[dict[str, dict[str, list[dict]]], dict[str, str]]:
    """A run of ``notebook(source, variants)``: its records per variant, and for each variant it cannot vouch
    for, why. A failing copy costs only its own variant (a student's inputs on which the reference fails its own
    test: validate's ``--seeds`` looks for them); a failing test cell itself, or copies that are not faithful
    (see the module's docstring), cost them all."""
    if executed is None or fault:
        raise ReferenceProblem(f"the reference run did not finish: {fault or 'no notebook came back'}")
    by_cell, problems = _vouch(executed, checks)
    first = variants[0]
    own = [why for key, why in problems.items() if COPY not in key]
    if own:
        raise ReferenceProblem(_cannot_vouch(own))
    out: dict[str, dict[str, list[dict]]] = {v: {} for v in variants}
    for key, records in by_cell.items():
        gid, sep, v = key.rpartition(COPY)
        if not sep:
            out[first][key] = records
        elif v in out and v != first:
            out[v][gid] = records
    copied = {key.rpartition(COPY)[0] for key in by_cell if COPY in key}
    for v in variants[1:]:  # a cell not copied recorded the same for every variant
        out[v] = {gid: out[v].get(gid, records) for gid, records in out[first].items()}
    if len(variants) > 1:
        unfaithful = [gid for gid in sorted(copied) if by_cell.get(f"{gid}{COPY}{first}") != out[first].get(gid)]
        if unfaithful:
            raise ReferenceProblem(
                f"{', '.join(unfaithful)}: run again with the same inputs, the test records other values, so one "
                "run cannot compute the expected values of several students' inputs: a test cell must not change "
                "what a later run of it reads (an object it modifies, a global it rebinds and reads) nor draw from "
                "an unseeded random source"
            )
    failed: dict[str, list[str]] = {}
    for key, why in problems.items():
        failed.setdefault(key.rpartition(COPY)[2], []).append(why)
    return out, {v: _cannot_vouch(whys) for v, whys in failed.items() if v in out}
