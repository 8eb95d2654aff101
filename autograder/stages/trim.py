"""Optional stage between restore and execute: drop the code cells after the last graded code cell.

Points come only from test cells, and a cell cannot change the outputs of the cells that ran before it, so the
ungraded tail (the experiments at the end of a notebook) cannot change a score. Skipping it saves
their run time where only scores matter (``validate``, the demo, ``grade --graded-only``). Markdown cells stay:
written answers are graded by hand from them.
"""

from __future__ import annotations

from nbformat import NotebookNode

from autograder.core.markup import is_grade
from autograder.core.submission import Submission


def last_graded_code_cell(nb: NotebookNode) -> int:
    """Index of the last code cell that carries points (-1 when there is none)."""
    return max((i for i, c in enumerate(nb.cells) if c.cell_type == "code" and is_grade(c)), default=-1)


def drop_ungraded_tail(sub: Submission) -> Submission:
    if not sub.ok or sub.nb is None:
        return sub
    last = last_graded_code_cell(sub.nb)
    sub.nb.cells = [c for i, c in enumerate(sub.nb.cells) if i <= last or c.cell_type != "code"]
    return sub
