"""Readable sources (sources.py): every assignment's percent text round-trips, builds to the same bytes twice, and
the notebook built from it is what nbgrader records in the gradebook; the text itself never reaches a release."""

import nbformat
import pytest
from nbgrader.api import Gradebook
from real_course import ASSIGNMENTS, copy_course

from autograder.core import sources
from autograder.core.course_dir import DEFAULT_ROOT, CourseDir
from autograder.handout.release import release


def text_path(assignment: str):
    return DEFAULT_ROOT / "source" / assignment / f"{assignment}{sources.SUFFIX}"


def test_every_assignment_is_committed_as_text():
    assert ASSIGNMENTS and all(text_path(a).is_file() for a in ASSIGNMENTS)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_text_round_trips_and_builds_the_same_bytes_twice(assignment):
    text = text_path(assignment).read_text(encoding="utf-8")
    nb = sources.to_notebook(text)
    assert sources.to_text(nb) == text  # text -> notebook -> text
    assert sources.notebook_bytes(text_path(assignment)) == sources.notebook_bytes(text_path(assignment))
    ids = [c.id for c in nb.cells]
    assert len(set(ids)) == len(ids) and all(ids)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")


def _recorded(db_url: str, assignment: str, notebook: str) -> dict:
    with Gradebook(db_url) as gb:
        nb = gb.find_notebook(notebook, assignment)
        return {
            "grade": {c.name: float(c.max_score) for c in nb.grade_cells},
            "solution": {c.name for c in nb.solution_cells},
            "locked": {c.name for c in nb.source_cells if c.locked},
        }


def _declared(nb: nbformat.NotebookNode) -> dict:
    meta = [c.metadata["nbgrader"] for c in nb.cells if "nbgrader" in c.metadata]
    return {
        "grade": {m["grade_id"]: float(m.get("points", 0)) for m in meta if m.get("grade")},
        "solution": {m["grade_id"] for m in meta if m.get("solution")},
        "locked": {m["grade_id"] for m in meta if m.get("locked")},
    }


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_built_notebook_metadata_is_what_the_gradebook_records(tmp_path, assignment):
    course = copy_course(tmp_path)
    built = course.source / assignment / f"{assignment}.ipynb"
    assert not built.exists() or built.unlink() is None  # the copy must build it, not find it
    release(course, assignment)
    nb = nbformat.read(built, as_version=4)
    declared = _declared(nb)
    assert declared["grade"] and declared["solution"]
    assert _recorded(course.db_url, assignment, assignment) == declared
    released = course.release / assignment
    assert sorted(p.name for p in released.iterdir()) == [f"{assignment}.ipynb"]  # no text (it holds solutions)


def test_an_edited_text_rebuilds_its_notebook_and_a_broken_one_says_where(tmp_path):
    folder = tmp_path / "source" / "00_x"
    folder.mkdir(parents=True)
    text = folder / f"00_x{sources.SUFFIX}"
    text.write_text(
        "# ---\n# jupyter:\n#   kernelspec:\n#     display_name: Python 3\n"
        "#     language: python\n#     name: python3\n"
        '# ---\n\n# %% [markdown] id="intro"\n# # X\n\n'
        '# %% nbgrader={"grade": false, "grade_id": "f_impl", "locked": false, "schema_version": 3, '
        '"solution": true, "task": false} id="f-impl"\ndef f():\n    return 1\n',
        encoding="utf-8",
    )
    course = CourseDir(tmp_path)
    assert course.assignments() == ["00_x"]
    [path] = course.source_notebooks("00_x")
    first = path.read_bytes()
    nb = nbformat.read(path, as_version=4)
    assert [c.id for c in nb.cells] == ["intro", "f-impl"] and nb.cells[1].metadata.nbgrader["solution"] is True
    text.write_text(text.read_text().replace("return 1", "return 2"), encoding="utf-8")
    course.source_notebooks("00_x")
    assert path.read_bytes() != first and "return 2" in path.read_text()
    text.write_text(text.read_text().replace('id="f-impl"', ""), encoding="utf-8")  # a cell without its id
    with pytest.raises(Exception, match="'id'|id"):
        course.source_notebooks("00_x")
