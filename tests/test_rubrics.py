"""Every written answer of the course has a rubric (assignments/rubrics/), its criteria worth exactly the
answer's points, and the rubric shows up under the answer in the instructor's copy only."""

import nbformat
import pytest
from nbformat import v4
from real_course import ASSIGNMENTS

from autograder.core.course_dir import CourseDir
from autograder.core.errors import UsageError
from autograder.written import rubric


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_written_answer_has_a_rubric_worth_its_points(assignment):
    course = CourseDir()
    written = rubric.written_cells(course, assignment)
    rubrics = rubric.load(course, assignment)
    assert written, f"{assignment} has no written answer"
    assert sorted(rubrics) == sorted(written), "one rubric per written answer, no other"
    for gid, points in written.items():
        assert rubrics[gid].points == points, gid
        assert rubrics[gid].comments and all(text.strip() for _, text in rubrics[gid].criteria), gid


def test_the_rubric_follows_its_answer_in_the_instructors_copy_and_a_bad_file_is_one_line(tmp_path):
    answer = v4.new_markdown_cell("my answer", metadata={"nbgrader": {"grade_id": "written_x", "grade": True}})
    nb = v4.new_notebook(cells=[v4.new_markdown_cell("intro"), answer, v4.new_code_cell("x = 1")])
    found = rubric.Rubric("written_x", "why", ((1.0, "the reason"),), ((-1.0, "say why"),))
    annotated = rubric.annotate(nb, {"written_x": found})
    assert [c.source.split("\n")[0][:20] for c in annotated.cells] == [
        "intro",
        "my answer",
        "**Rubric of `written",
        "x = 1",
    ]
    assert len(rubric.annotate(nbformat.from_dict(annotated), {"written_x": found}).cells) == 4, "not twice"
    (tmp_path / "rubrics").mkdir()
    (tmp_path / "rubrics" / "a.toml").write_text('[written_x]\nquestion = "q"\n', encoding="utf-8")
    with pytest.raises(UsageError, match=r"a.toml: \[written_x\] needs criteria"):
        rubric.load(CourseDir(tmp_path), "a")
