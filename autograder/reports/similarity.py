"""``autograder similarity ASSIGNMENT``: which students' solution cells are suspiciously alike, item by item.

The code each student wrote in each solution cell is compared with every other student's for the same cell by
copydetect (winnowed fingerprints of the token stream with names and literals normalised, so renamed
variables, moved lines and added comments do not hide a copy), with the release's starter code of that cell as
boilerplate. Pairs above the threshold are listed with both cells side by side, the shared code highlighted.
Short cells (fewer tokens than the noise threshold) leave no fingerprint and are never flagged: a three-token
solution everyone writes alike says nothing. It never changes points: the CSV gets a flag, the class page a
section, and a person decides.

Why copydetect: it is maintained, offline, reads Python with pygments, and scored (measured on this course's
cells, k=15, window 6) a renamed and commented copy 0.97-1.00 while independent correct solutions of the same
item scored 0.00-0.51; the default threshold 0.8 sits between.
"""

from __future__ import annotations

import html
import io
import itertools
from dataclasses import dataclass
from pathlib import Path

import nbformat
from copydetect import CodeFingerprint, compare_files
from copydetect.utils import highlight_overlap

from autograder.core.course_dir import CourseDir
from autograder.core.markup import grade_id, is_solution
from autograder.stages.readable import MAX_NOTEBOOK_BYTES

NOISE, GUARANTEE = 15, 20  # tokens: shorter matches are noise; matches this long are always found
THRESHOLD = 0.8
PAGE_PAIRS = 200  # pairs written out in full on the similarity page (a class that shares code has thousands)
FLAGS_PER_STUDENT = 3  # in the CSV: the most similar pairs, then a count


@dataclass(frozen=True)
class Pair:
    cell: str  # the solution cell's grade id
    a: str
    b: str
    score: float  # the larger of the two shares of each cell's code found in the other
    shown_a: str  # HTML, the shared code highlighted
    shown_b: str


def solution_code(nb: nbformat.NotebookNode) -> dict[str, str]:
    return {grade_id(c): c.source for c in nb.cells if c.cell_type == "code" and is_solution(c)}


def class_code(course: CourseDir, assignment: str, submissions: Path | None = None) -> dict[str, dict[str, str]]:
    """Student -> solution cell -> code, from each student's restored copy (autograded/: the cell ids come from
    the gradebook, whatever the student did to the metadata), else the submitted notebook."""
    found: dict[str, dict[str, str]] = {}
    for nb_name in (p.stem for p in course.source_notebooks(assignment)):
        students = {p.parent.parent.name for p in course.autograded.glob(f"*/{assignment}/{nb_name}.ipynb")}
        root = submissions or course.submitted
        students |= {p.parent.parent.name for p in root.glob(f"*/{assignment}/{nb_name}.ipynb")}
        for student in sorted(students):
            path = course.autograded / student / assignment / f"{nb_name}.ipynb"
            if not path.is_file():
                path = root / student / assignment / f"{nb_name}.ipynb"
                # the student's own file: what collect and readable refuse (a link, a FIFO, a giant) is skipped
                if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_NOTEBOOK_BYTES:
                    continue
            try:
                cells = solution_code(nbformat.read(path, as_version=4))
            except (OSError, ValueError):
                continue  # unreadable: the grader reported it already
            found.setdefault(student, {}).update({f"{nb_name}:{gid}": code for gid, code in cells.items()})
    return found


def _fingerprint(code: str, boilerplate: list[int]) -> CodeFingerprint:
    return CodeFingerprint("cell.py", NOISE, GUARANTEE - NOISE + 1, boilerplate=boilerplate, fp=io.StringIO(code))


def _shown(fp: CodeFingerprint, slices) -> str:
    if len(slices[0]) == 0:
        return html.escape(fp.raw_code)
    marked, _ = highlight_overlap(fp.raw_code, slices, "<mark>", "</mark>", escape_html=True)
    return marked


def compare(code: dict[str, dict[str, str]], starter: dict[str, str], threshold: float = THRESHOLD) -> list[Pair]:
    """Every pair of students above ``threshold`` on some cell, the most similar first."""
    pairs = []
    cells = sorted({cell for cells in code.values() for cell in cells})
    for cell in cells:
        boilerplate = list(_fingerprint(starter.get(cell, ""), []).hashes) if starter.get(cell) else []
        prints = {s: _fingerprint(cells[cell], boilerplate) for s, cells in code.items() if cell in cells}
        for a, b in itertools.combinations(sorted(prints), 2):
            if len(prints[a].hashes) == 0 or len(prints[b].hashes) == 0:  # too short, or only the starter code
                score, slices_a, slices_b = 0.0, ([], []), ([], [])
            else:
                _, (sim_a, sim_b), (slices_a, slices_b) = compare_files(prints[a], prints[b])
                score = float(max(sim_a, sim_b))
            if score >= threshold:
                shown = _shown(prints[a], slices_a), _shown(prints[b], slices_b)
                pairs.append(Pair(cell.split(":", 1)[1], a, b, round(score, 3), *shown))
    return sorted(pairs, key=lambda p: (-p.score, p.cell, p.a, p.b))


def starter_code(course: CourseDir, assignment: str) -> dict[str, str]:
    """The release's solution cells (the stub and whatever the cell gives students): the boilerplate."""
    found = {}
    for path in sorted((course.release / assignment).glob("*.ipynb")):
        found.update(
            {f"{path.stem}:{gid}": src for gid, src in solution_code(nbformat.read(path, as_version=4)).items()}
        )
    return found


def find(
    course: CourseDir, assignment: str, threshold: float = THRESHOLD, submissions: Path | None = None
) -> list[Pair]:
    return compare(class_code(course, assignment, submissions), starter_code(course, assignment), threshold)


def flags(pairs: list[Pair]) -> dict[str, list[str]]:
    """Student -> their most similar pairs (``pairs`` is sorted), then how many more, for the CSV."""
    found: dict[str, list[str]] = {}
    more: dict[str, int] = {}
    for p in pairs:
        for me, other in ((p.a, p.b), (p.b, p.a)):
            mine = found.setdefault(me, [])
            if len(mine) < FLAGS_PER_STUDENT:
                mine.append(f"{p.cell}: similar to {other}'s ({p.score:.2f})")
            else:
                more[me] = more.get(me, 0) + 1
    for me, n in more.items():
        found[me].append(f"and {n} more similar cell(s): see the similarity report")
    return found


_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:80em;margin:0 auto;padding:1em}"
    ".pair{display:grid;grid-template-columns:1fr 1fr;gap:1em;margin:1em 0;border-top:2px solid #ccc}"
    "pre{white-space:pre-wrap;background:#fafafa;padding:.5em;font-size:.85em}mark{background:#ffd66b}"
)


def section(pairs: list[Pair], threshold: float, top: int | None = None) -> str:
    """HTML: the pairs (the ``top`` most similar), each with both cells side by side."""
    shown = pairs[: PAGE_PAIRS if top is None else top]
    if not pairs:
        return f"<p>No pair of students above {threshold:.2f} on any solution cell.</p>"
    parts = [
        f"<p>{len(pairs)} pair(s) above {threshold:.2f} (shared code highlighted; a flag for a person to look at, "
        f"never points){f'; the {len(shown)} most similar below' if len(shown) < len(pairs) else ''}.</p>"
    ]
    for p in shown:
        parts.append(
            f"<h3>{html.escape(p.cell)}: {html.escape(p.a)} and {html.escape(p.b)}, {p.score:.2f}</h3>"
            '<div class="pair">'
            f"<div><b>{html.escape(p.a)}</b><pre>{p.shown_a}</pre></div>"
            f"<div><b>{html.escape(p.b)}</b><pre>{p.shown_b}</pre></div></div>"
        )
    return "\n".join(parts)


def write(course: CourseDir, assignment: str, pairs: list[Pair], threshold: float, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{assignment}_similarity.html"
    title = html.escape(f"{assignment}: similar solution cells")
    path.write_text(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title><style>{_CSS}</style>'
        f"</head><body><h1>{title}</h1>{section(pairs, threshold)}</body></html>\n",
        encoding="utf-8",
    )
    return path
