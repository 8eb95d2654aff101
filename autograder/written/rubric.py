"""Rubrics of the written answers: ``<course>/rubrics/<assignment>.toml``, beside the sources, never released.

One table per written answer (its grade id): ``question``, ``criteria`` (points and what a full answer says; they
sum to the answer's points) and ``comments`` (reusable feedback, each with the deduction it usually goes with).
They appear beside the answer where it is graded: in the instructor's copy of each autograded notebook (so in
nbgrader's formgrader, right under the answer) and on the answers page (instructor_server.py).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

import nbformat
from nbformat import NotebookNode, v4

from autograder.core.course_dir import CourseDir
from autograder.core.errors import UsageError
from autograder.core.markup import grade_id, nbgrader_meta

MARK = "autograder_rubric"  # metadata key of the rubric cells added to the instructor's copy


@dataclass(frozen=True)
class Rubric:
    grade_id: str
    question: str
    criteria: tuple[tuple[float, str], ...]
    comments: tuple[tuple[float, str], ...]

    @property
    def points(self) -> float:
        return sum(p for p, _ in self.criteria)

    def markdown(self) -> str:
        lines = [f"**Rubric of `{self.grade_id}`** (instructor's copy only): {self.question}", ""]
        lines += [f"- **{p:g}**: {text}" for p, text in self.criteria]
        if self.comments:
            lines += ["", "Reusable comments:", ""]
            lines += [f"- ({p:+g}) {text}" for p, text in self.comments]
        return "\n".join(lines)


def load(course: CourseDir, assignment: str) -> dict[str, Rubric]:
    """The rubrics of ``assignment`` by grade id ({} when it has none)."""
    path = course.root / "rubrics" / f"{assignment}.toml"
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: not a readable TOML file: {exc}") from None
    rubrics = {}
    for gid, table in data.items():
        try:
            criteria = tuple((float(c["points"]), str(c["text"])) for c in table["criteria"])
            comments = tuple((float(c.get("points", 0.0)), str(c["text"])) for c in table.get("comments", []))
            rubrics[gid] = Rubric(gid, str(table.get("question", "")), criteria, comments)
        except (KeyError, TypeError, ValueError) as exc:
            raise UsageError(f"{path}: [{gid}] needs criteria with points and text ({exc})") from None
    return rubrics


def annotate(nb: NotebookNode, rubrics: dict[str, Rubric]) -> NotebookNode:
    """The instructor's copy: each written answer followed by its rubric (a plain markdown cell, not graded)."""
    if not rubrics:
        return nb
    cells = []
    for cell in nb.cells:
        if cell.get("metadata", {}).get(MARK):
            continue  # annotated before (a re-grade of a kept copy)
        cells.append(cell)
        gid = grade_id(cell) if nbgrader_meta(cell) else None
        if cell.cell_type == "markdown" and gid in rubrics:
            cells.append(v4.new_markdown_cell(rubrics[gid].markdown(), metadata={MARK: True}))
    nb.cells = cells
    return nb


def written_cells(course: CourseDir, assignment: str) -> dict[str, float]:
    """Grade id -> points of each written answer (markdown grade cell) of the source notebooks."""
    found = {}
    for path in course.source_notebooks(assignment):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = nbgrader_meta(cell)
            if cell.cell_type == "markdown" and meta.get("grade"):
                found[grade_id(cell)] = float(meta.get("points", 0))
    return found
