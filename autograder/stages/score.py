"""Stage 5, score: nbgrader's SaveAutoGrades writes the grades, after three steps of ours.

Order:
  1. MarkUnexecuted     - a test cell that never ran (kernel died, notebook timed out) gets an error output;
                          nbgrader would otherwise give an output-less cell full marks
  2. OutsideVerdict     - points are decided here, outside the kernel: each test cell's records are judged
                          against the reference run (verify.py); a failing check becomes the cell's error, and
                          records that cannot be honest mark the submission tampering suspected; so does the
                          kernel guard (kernel_guard.py, read by engine.GuardLedger); a test cell during which
                          the item's forbidden function ran scores 0 and is flagged
  3. StderrIsNotFailure - nbgrader scores any stderr output as 0; a warning from correct code must not be,
                          so stderr in test cells is kept but moved to stdout (failures are exceptions)
  4. SaveGrades         - nbgrader's SaveAutoGrades: error output = 0 points, otherwise the cell's points (its
                          per-cell queries answered from one load, gradebook.SubmissionGrades)
Then the item results are read back from the gradebook, with each failed cell's message (exception type and
text, never the traceback, which would show the hidden test's source).
"""

from __future__ import annotations

import warnings
from dataclasses import replace

from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode, v4
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import SaveAutoGrades
from traitlets.config import Config

from autograder.core.gradebook import NotebookCells, SubmissionGrades, exclusive, open_gradebook
from autograder.core.markup import BEGIN_HIDDEN, grade_id, is_autograded_test, item_of
from autograder.core.submission import ItemResult, State, Submission
from autograder.isolation.engine import GUARD_ID
from autograder.stages.restore import nbgrader_resources
from autograder.trust.verify import judged_checks, verify
from autograder.written import manual_grades

MAX_MESSAGE = 600

# nbgrader 0.9.6 with SQLAlchemy 2 warns about its own session use on every new submission; harmless
warnings.filterwarnings("ignore", message=".*not in session.*", module="nbgrader")


class MarkUnexecuted(Preprocessor):
    def preprocess_cell(self, cell, resources, index):
        if is_autograded_test(cell) and cell.get("execution_count") is None:
            has_error = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
            if not has_error:
                cell.outputs = [
                    *cell.get("outputs", []),
                    v4.new_output(
                        "error",
                        ename="NotExecuted",
                        evalue="this test cell did not run (the kernel stopped before it)",
                        traceback=[],
                    ),
                ]
        return cell, resources


def _has_error(cell: NotebookNode) -> bool:
    return any(o.get("output_type") == "error" for o in cell.get("outputs", []))


class OutsideVerdict(Preprocessor):
    """Points decided outside the kernel (verify.py): a test cell whose first failing check was judged here gets
    that check's failure as its error (as the check would have raised in the student's lab); a cell whose records
    cannot be the honest output of its test scores 0 and ``resources["tampering"]`` collects ``grade_id:
    reason``. ``resources["checks"]`` becomes the judged records."""

    def preprocess(self, nb, resources):
        checks = resources.get("checks", [])
        raised = {grade_id(c) for c in nb.cells if is_autograded_test(c) and _has_error(c)}
        verdicts = verify(checks, resources.get("reference_cells", {}), raised)
        resources["checks"] = judged_checks(checks, verdicts)
        guard = [r for r in checks if isinstance(r, dict) and r.get("id") == GUARD_ID]  # made outside: engine.py
        resources["tampering"] = {
            str(r.get("cell") or "kernel"): str(r["case"]) for r in guard if r["kind"] == "tampering"
        }
        forbidden = {str(r["cell"]): r for r in guard if r["kind"] == "forbidden" and r.get("cell")}
        resources["forbidden"] = [f"{r['item']}: called {r['name']} while its test ran" for r in forbidden.values()]
        for cell in nb.cells:
            verdict = verdicts.get(grade_id(cell)) if is_autograded_test(cell) else None
            if verdict is None:
                continue
            if verdict.tampering or grade_id(cell) in resources["tampering"]:
                # the guard's reason first: it saw the cause (the records missing after it are its effect)
                why = resources["tampering"].setdefault(grade_id(cell), verdict.tampering)
                error = (
                    "NotVerified",
                    f"the grader's check of this cell outside your notebook failed: {why}",
                )
            elif grade_id(cell) in forbidden:
                hit = forbidden[grade_id(cell)]
                error = (
                    "ForbiddenCall",
                    f"your code called {hit['name']} while this test ran: the item asks you to write it yourself",
                )
            elif verdict.failure:
                error = ("CheckFailure", verdict.failure)
            else:
                continue
            # the first failing check is what stopped the cell (a later error came from running on past it); first,
            # since nbgrader scores a cell by its first error or value output
            kept = [o for o in cell.get("outputs", []) if o.get("output_type") != "error"]
            cell.outputs = [v4.new_output("error", ename=error[0], evalue=error[1], traceback=[]), *kept]
        return nb, resources


class StderrIsNotFailure(Preprocessor):
    def preprocess_cell(self, cell, resources, index):
        if is_autograded_test(cell):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream" and out.get("name") == "stderr":
                    out["name"] = "stdout"
                    out["text"] = "[stderr] " + out.get("text", "")
        return cell, resources


def failure_message(cell: NotebookNode) -> str:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            text = f"{out.get('ename', 'Error')}: {out.get('evalue', '')}".strip()
            return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + " ..."
    return ""


class SaveGrades(SaveAutoGrades):
    """nbgrader's SaveAutoGrades over the grades _score loaded (gradebook.SubmissionGrades): its per-cell queries
    and commits become one load and one commit (_score's, after it has read the grades back: a commit expires
    every object of the session, and reading them after it would cost a query per cell)."""

    def preprocess(self, nb, resources):
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.student_id = resources["nbgrader"]["student"]
        self.gradebook = resources["gradebook"]
        return super(SaveAutoGrades, self).preprocess(nb, resources)  # committed by _score, after reading back


def _ensure_submission(gb: Gradebook, sub: Submission) -> None:
    gb.update_or_create_student(sub.student)
    try:
        gb.find_submission(sub.assignment, sub.student)
    except MissingEntry:
        gb.add_submission(sub.assignment, sub.student)


def _read_back(cells: NotebookCells, grades: SubmissionGrades, messages: dict[str, str]) -> list[ItemResult]:
    hidden = {c.name for c in cells.source_cells if BEGIN_HIDDEN in (c.source or "")}
    position = {c.name: n for n, c in enumerate(cells.source_cells)}
    results = [
        ItemResult(
            name,
            item_of(name),
            float(g.auto_score or 0.0),
            float(cells.graded[name].max_score),  # Grade.max_score is a query per grade
            messages.get(name, ""),
            name in hidden,
        )
        for name, g in grades.grades.items()
        if cells.graded[name].cell_type == "code" and g.auto_score is not None
    ]
    # written answers: graded by hand, so pending until someone does (nbgrader gives an unchanged answer 0 and
    # keeps a manual score through a re-grade); manual_grades.refresh reads the latest scores at report time
    results += [
        manual_grades.result(name, g.manual_score, g.auto_score, float(cells.graded[name].max_score), "")
        for name, g in grades.grades.items()
        if cells.graded[name].cell_type == "markdown"
    ]
    return sorted(results, key=lambda r: position.get(r.grade_id, len(position)))


def _zero_all(grades: SubmissionGrades) -> None:
    for grade in grades.grades.values():
        grade.auto_score = 0
        grade.needs_manual_grade = False


def score(
    sub: Submission,
    config: Config,
    db_url: str,
    reference_cells: dict | None = None,
    cells: NotebookCells | None = None,
) -> Submission:
    """``cells``: the notebook's cells in the gradebook, as the batch copied them (read here when not given)."""
    if sub.state is State.GRADER_FAULT:
        return sub  # not the student's doing: leave the gradebook as it was, to be re-graded
    # one writer at a time (gradebook.py): another grader on the same database may be adding the same student
    with exclusive(db_url):
        return _score(sub, config, db_url, reference_cells, cells)


def _score(
    sub: Submission, config: Config, db_url: str, reference_cells: dict | None, cells: NotebookCells | None
) -> Submission:
    with open_gradebook(db_url) as gb:
        _ensure_submission(gb, sub)
        cells = cells or NotebookCells(gb, sub.notebook_name, sub.assignment)
        grades = SubmissionGrades(gb, sub.notebook_name, sub.assignment, sub.student)
        if sub.nb is None:  # nothing to run: every item is 0, with the reason
            _zero_all(grades)
            zeros = _read_back(cells, grades, {})
            sub.results = [replace(r, points=0.0, message=sub.reason, pending=False) for r in zeros]
            grades.commit()
            return sub
        nb, resources = sub.nb, nbgrader_resources(sub, db_url)
        resources.update(checks=sub.checks, reference_cells=reference_cells or {}, gradebook=grades)
        for step in (MarkUnexecuted, OutsideVerdict, StderrIsNotFailure, SaveGrades):
            nb, resources = step(config=config).preprocess(nb, resources)
        sub.nb = nb
        sub.checks = resources["checks"]
        messages = {c.metadata.nbgrader["grade_id"]: failure_message(c) for c in nb.cells if is_autograded_test(c)}
        sub.results = _read_back(cells, grades, messages)
        grades.commit()
    if sub.state is State.PENDING:
        sub.state = State.GRADED
    sub.flags += [f for f in dict.fromkeys(resources["forbidden"]) if f not in sub.flags]
    if resources["tampering"]:
        sub.suspect("; ".join(f"{gid}: {why}" for gid, why in resources["tampering"].items()))
    return sub
