"""Readable assignment sources: each source notebook is committed as jupytext's percent format
(``source/<assignment>/<notebook>.pct.py``) and the JSON notebook nbgrader needs is built from it, never committed.

In the text, each cell is a ``# %%`` line (``# %% [markdown]`` for teaching text, written as comments) whose
header carries the cell's metadata as JSON: ``nbgrader={...}`` (grade_id, points, locked, solution, grade,
schema_version, task), ``tags=[...]``, our ``autograder={...}`` and the cell's ``id``, so review sees a one-line
fix as one line and the ids stay stable. ``build`` writes the ``.ipynb`` beside the text whenever its bytes would
change (``CourseDir.source_notebooks`` calls it, so release, validate, grade, lab and the bundle always see the
text's notebook); building twice gives identical bytes. Why jupytext and not our own format: it is what course
authors already use to keep notebooks under version control, it round-trips (text -> notebook -> text is
identical), and JupyterLab can open the text as a notebook.
"""

from __future__ import annotations

import os
from pathlib import Path

import jupytext
import nbformat
from nbformat import NotebookNode

SUFFIX = ".pct.py"
FORMAT = "py:percent"
# the header keeps only what the notebook needs: kernelspec and language_info (no jupytext version, which would
# change the text with every jupytext release)
_HEADER = {"notebook_metadata_filter": "kernelspec,language_info,-jupytext", "cell_metadata_filter": "all"}
_built: dict[Path, tuple[int, int]] = {}  # text -> (mtime_ns, size) last built by this process


def text_of(notebook: Path) -> Path:
    return notebook.with_name(notebook.stem + SUFFIX)


def notebook_of(text: Path) -> Path:
    return text.with_name(text.name.removesuffix(SUFFIX) + ".ipynb")


def to_text(nb: NotebookNode) -> str:
    """A notebook as percent text: outputs dropped, each cell's id kept in its header."""
    nb = nbformat.from_dict(nb)  # a copy
    for cell in nb.cells:
        cell.metadata["id"] = cell.get("id")
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata["jupytext"] = dict(_HEADER)
    return jupytext.writes(nb, fmt=FORMAT)


def to_notebook(text: str) -> NotebookNode:
    """The notebook of a percent text: ids from the headers, no jupytext metadata left."""
    nb = jupytext.reads(text, fmt=FORMAT)
    nb.metadata.pop("jupytext", None)
    for cell in nb.cells:
        cell["id"] = str(cell.metadata.pop("id"))
    nbformat.validate(nb)
    return nb


def notebook_bytes(text: Path) -> bytes:
    return (nbformat.writes(to_notebook(text.read_text(encoding="utf-8"))) + "\n").encode("utf-8")


def build(folder: Path) -> list[Path]:
    """(Re)write the notebook of every percent text in ``folder`` whose bytes changed; the notebooks written."""
    written = []
    for text in sorted(folder.glob(f"*{SUFFIX}")):
        stat = text.stat()
        target = notebook_of(text)
        if _built.get(text) == (stat.st_mtime_ns, stat.st_size) and target.exists():
            continue
        data = notebook_bytes(text)
        if not target.exists() or target.read_bytes() != data:
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            tmp.replace(target)  # two graders building at once write the same bytes; neither reads half a file
            written.append(target)
        _built[text] = (stat.st_mtime_ns, stat.st_size)
    return written
