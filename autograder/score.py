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
  4. SaveAutoGrades     - nbgrader: error output = 0 points, otherwise the cell's points
Then the item results are read back from the gradebook, with each failed cell's message (exception type and
text, never the traceback, which would show the hidden test's source).
"""

from __future__ import annotations

import warnings

from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode, v4
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import SaveAutoGrades
from traitlets.config import Config

from autograder.engine import GUARD_ID
from autograder.gradebook import exclusive
from autograder.markup import BEGIN_HIDDEN, grade_id, is_autograded_test, item_of
from autograder.restore import nbgrader_resources
from autograder.submission import ItemResult, State, Submission
from autograder.verify import judged_checks, verify

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


def _ensure_submission(sub: Submission, db_url: str) -> None:
    with Gradebook(db_url) as gb:
        gb.update_or_create_student(sub.student)
        try:
            gb.find_submission(sub.assignment, sub.student)
        except MissingEntry:
            gb.add_submission(sub.assignment, sub.student)


def _read_back(sub: Submission, db_url: str, messages: dict[str, str]) -> list[ItemResult]:
    with Gradebook(db_url) as gb:
        notebook = gb.find_notebook(sub.notebook_name, sub.assignment)
        hidden = {c.name for c in notebook.source_cells if BEGIN_HIDDEN in (c.source or "")}
        order = [c.name for c in notebook.source_cells]
        graded = gb.find_submission_notebook(sub.notebook_name, sub.assignment, sub.student)
        results = [
            ItemResult(
                g.name,
                item_of(g.name),
                float(g.auto_score or 0.0),
                float(g.max_score),
                messages.get(g.name, ""),
                g.name in hidden,
            )
            for g in graded.grades
            if g.cell_type == "code" and g.auto_score is not None
        ]
    position = {name: n for n, name in enumerate(order)}
    return sorted(results, key=lambda r: position.get(r.grade_id, len(position)))


def _zero_all(sub: Submission, db_url: str) -> None:
    with Gradebook(db_url) as gb:
        graded = gb.find_submission_notebook(sub.notebook_name, sub.assignment, sub.student)
        for grade in graded.grades:
            grade.auto_score = 0
            grade.needs_manual_grade = False
        gb.db.commit()


def score(sub: Submission, config: Config, db_url: str, reference_cells: dict | None = None) -> Submission:
    if sub.state is State.GRADER_FAULT:
        return sub  # not the student's doing: leave the gradebook as it was, to be re-graded
    # one writer at a time (gradebook.py): another grader on the same database may be adding the same student
    with exclusive(db_url):
        return _score(sub, config, db_url, reference_cells)


def _score(sub: Submission, config: Config, db_url: str, reference_cells: dict | None) -> Submission:
    _ensure_submission(sub, db_url)
    if sub.nb is None:  # nothing to run: every item is 0, with the reason
        _zero_all(sub, db_url)
        sub.results = [
            ItemResult(r.grade_id, r.item, 0.0, r.max_points, sub.reason, r.hidden) for r in _read_back(sub, db_url, {})
        ]
        return sub
    nb, resources = sub.nb, nbgrader_resources(sub, db_url)
    resources.update(checks=sub.checks, reference_cells=reference_cells or {})
    for step in (MarkUnexecuted, OutsideVerdict, StderrIsNotFailure, SaveAutoGrades):
        nb, resources = step(config=config).preprocess(nb, resources)
    sub.nb = nb
    sub.checks = resources["checks"]
    messages = {c.metadata.nbgrader["grade_id"]: failure_message(c) for c in nb.cells if is_autograded_test(c)}
    sub.results = _read_back(sub, db_url, messages)
    if sub.state is State.PENDING:
        sub.state = State.GRADED
    sub.flags += [f for f in resources["forbidden"] if f not in sub.flags]
    if resources["tampering"]:
        sub.suspect("; ".join(f"{gid}: {why}" for gid, why in resources["tampering"].items()))
    return sub
