"""The real assignments' sample class: misbehaving students end in the right state with the right points, and
grading twice gives identical rows. (Reference, blank and mutants are proven by `autograder validate`, which
`make test` runs.)"""

import shutil

import pytest

from autograder import sample_class
from autograder.course_dir import DEFAULT_ROOT, CourseDir
from autograder.execute import Limits
from autograder.pipeline import GradeOptions, grade_batch, rows
from autograder.release import leaks, release
from autograder.submission import State

ASSIGNMENTS = CourseDir(DEFAULT_ROOT).assignments()
OPTIONS = GradeOptions(limits=Limits(notebook_timeout=240, cell_timeout=30))
STUDENTS = ["reference", "crash", "infinite-loop", "huge-output", "deleted-test-cell", "warns"]


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def graded(request, tmp_path_factory):
    assignment = request.param
    root = tmp_path_factory.mktemp(assignment) / "course"
    shutil.copytree(DEFAULT_ROOT / "source", root / "source")
    shutil.copytree(DEFAULT_ROOT / "mutants", root / "mutants")
    course = CourseDir(root)
    release(course, assignment)
    students = [s for s in sample_class.build(course, assignment) if s.name in STUDENTS]
    sample_class.write(students, assignment, course.submitted)
    first = grade_batch(course, assignment, course.submitted, OPTIONS)
    return course, assignment, {s.student: s for s in first}, first


def test_release_has_no_solution_or_hidden_test(graded):
    course, assignment, _, _ = graded
    for source in course.source_notebooks(assignment):
        assert leaks(source, course.release / assignment / source.name) == []


def test_misbehaving_students_get_their_state_and_points(graded):
    _, _, subs, _ = graded
    ref = subs["reference"]
    assert ref.state is State.GRADED and ref.score == ref.max_score > 0
    first_test = ref.results[0]  # the misbehaving cell is inserted right after the first test cell
    crash = subs["crash"]
    assert crash.state is State.STUDENT_FAULT and "kernel crashed" in crash.reason
    assert crash.score == first_test.points and crash.results[0].points == first_test.points
    loop = subs["infinite-loop"]
    assert loop.state is State.STUDENT_FAULT and "timed out" in loop.reason and loop.score == ref.score
    for name in ["huge-output", "deleted-test-cell", "warns"]:
        assert subs[name].score == ref.score, (name, subs[name].reason, subs[name].results)
        assert subs[name].state is State.GRADED, (name, subs[name].reason)


def test_grading_twice_gives_identical_rows(graded):
    course, assignment, _, first = graded
    again = grade_batch(course, assignment, course.submitted, OPTIONS)
    assert rows(first) == rows(again)
    assert [[(r.grade_id, r.points) for r in s.results] for s in first] == [
        [(r.grade_id, r.points) for r in s.results] for s in again
    ]
