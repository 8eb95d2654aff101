"""Reading nbgrader markup in a source notebook: solution regions, hidden-test regions, cell roles.

nbgrader removes these regions when it releases; we need the opposite too: the reference as a student
would have typed it (markers gone, contents kept) and the lines that must never reach a release.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

from nbformat import NotebookNode

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
_MARKERS = (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN)


def nbgrader_meta(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_id(cell: NotebookNode) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def is_solution(cell: NotebookNode) -> bool:
    return bool(nbgrader_meta(cell).get("solution"))


def is_grade(cell: NotebookNode) -> bool:
    return bool(nbgrader_meta(cell).get("grade"))


def is_autograded_test(cell: NotebookNode) -> bool:
    """A code grade cell that is not a solution: nbgrader scores it by whether it raises."""
    return cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)


def item_of(grade_cell_id: str) -> str:
    """Grade cells ``adam__visible`` and ``adam__hidden`` belong to the item ``adam``."""
    return grade_cell_id.split("__", 1)[0]


def _regions(source: str, begin: str, end: str) -> Iterator[list[str]]:
    inside: list[str] | None = None
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith(begin):
            inside = []
        elif stripped.startswith(end) and inside is not None:
            yield inside
            inside = None
        elif inside is not None:
            inside.append(line)


def solution_lines(cell: NotebookNode) -> list[str]:
    return [line for region in _regions(cell.source, BEGIN_SOLUTION, END_SOLUTION) for line in region]


def hidden_test_lines(cell: NotebookNode) -> list[str]:
    return [line for region in _regions(cell.source, BEGIN_HIDDEN, END_HIDDEN) for line in region]


def public_source(source: str) -> str:
    """What a release shows of a cell: the lines outside its solution and hidden-test regions (markers dropped)."""
    kept, inside = [], False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith((BEGIN_SOLUTION, BEGIN_HIDDEN)):
            inside = True
        elif stripped.startswith((END_SOLUTION, END_HIDDEN)):
            inside = False
        elif not inside:
            kept.append(line)
    return "\n".join(kept)


def strip_markers(source: str) -> str:
    """The reference as a student would submit it: marker lines removed, everything else kept."""
    return "\n".join(line for line in source.splitlines() if not line.strip().startswith(_MARKERS))


def secret_lines(nb: NotebookNode, min_length: int = 12) -> set[str]:
    """Lines of solution and hidden-test regions that appear nowhere else in the source notebook.

    Short or generic lines (``return x``, ``pass``, a closing bracket) would match innocent code, so only
    stripped lines of at least ``min_length`` characters that are not comments count.
    """
    secret: set[str] = set()
    public: set[str] = set()
    for cell in nb.cells:
        hidden = (
            set(solution_lines(cell)) | set(hidden_test_lines(cell)) if (is_solution(cell) or is_grade(cell)) else set()
        )
        for line in cell.source.splitlines():
            (secret if line in hidden else public).add(line.strip())
    return {line for line in secret - public if len(line) >= min_length and not line.startswith("#")}


def reference_notebook(source: NotebookNode, release: NotebookNode) -> NotebookNode:
    """The release with every solution cell filled in from the source (markers stripped)."""
    answers = {grade_id(c): strip_markers(c.source) for c in source.cells if is_solution(c)}
    nb = copy.deepcopy(release)
    for cell in nb.cells:
        if is_solution(cell) and grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    return nb
