"""The real assignments' sample class: no release leaks and a student who deleted a test cell gets full marks in
every assignment; in the quickest assignment to grade (03) the reference's written answers wait for a person, the
other misbehaving students end in the right state with the right points and grading twice gives identical rows.
(Reference, blank and mutants are proven by `autograder validate`, which `make test` runs; the misbehaviours are the
pipeline's, not the assignment's, so one assignment shows them and the others are spared the minutes.)"""

import pytest
from real_course import ASSIGNMENTS, copy_course

from autograder.authoring import sample_class
from autograder.core.submission import State
from autograder.handout.release import leaks, release
from autograder.isolation.execute import Limits
from autograder.stages.pipeline import GradeOptions, grade_batch, rows

# the longest graded cell of any reference takes ~2 s here: 15 s is room for a busy machine, and the infinite loop
# costs that much (twice: graded twice)
OPTIONS = GradeOptions(limits=Limits(notebook_timeout=240, cell_timeout=15), graded_only=True)
MISBEHAVING_IN = "03_normalization"  # the misbehaviours are the pipeline's: shown on the quickest assignment
EVERY_ASSIGNMENT = ["deleted-test-cell"]
MISBEHAVING = [
    "reference",
    *EVERY_ASSIGNMENT,
    *("crash", "infinite-loop", "huge-output", "warns", "cheats", "silences-errors", "skips-tests"),
]


@pytest.fixture(scope="module")
def grader(tmp_path_factory):
    """grader(assignment) grades that assignment's chosen students once per module and returns the results."""
    cache = {}

    def grade(assignment: str):
        if assignment not in cache:
            course = copy_course(tmp_path_factory.mktemp(assignment))
            release(course, assignment)
            everyone = sample_class.build(course, assignment)
            wanted = MISBEHAVING if assignment == MISBEHAVING_IN else EVERY_ASSIGNMENT
            if "cheats" in wanted:  # and the known bug it is built on
                wanted = [*wanted, f"mutant-{next(s for s in everyone if s.name == 'cheats').mutant.name}"]
            students = [s for s in everyone if s.name in wanted]
            sample_class.write(students, assignment, course.submitted)
            first = grade_batch(course, assignment, course.submitted, OPTIONS)
            cache[assignment] = course, assignment, {s.student: s for s in first}, first
        return cache[assignment]

    return grade


@pytest.fixture(params=ASSIGNMENTS)
def graded(request, grader):
    return grader(request.param)


def test_release_has_no_solution_or_hidden_test(graded):
    course, assignment, _, _ = graded
    for source in course.source_notebooks(assignment):
        assert leaks(source, course.release / assignment / source.name) == []


def _full_autograded_marks(sub) -> bool:
    auto = [r for r in sub.results if not r.manual]
    return sub.state is State.GRADED and sum(r.points for r in auto) == sum(r.max_points for r in auto) > 0


def test_a_deleted_test_cell_is_restored_and_the_student_gets_full_marks(graded):
    _, _, subs, _ = graded
    deleted = subs["deleted-test-cell"]
    assert _full_autograded_marks(deleted), (deleted.reason, deleted.results)


def test_the_reference_gets_full_marks_and_its_written_answers_wait_for_a_person(grader):
    _, _, subs, _ = grader(MISBEHAVING_IN)
    ref = subs["reference"]
    assert _full_autograded_marks(ref), ref.reason
    # pending, 0 points, "needs manual grading"
    written = [r for r in ref.results if r.manual]
    assert written and all(r.pending and r.points == 0 for r in written)
    assert ref.shown_state == "needs manual grading"
    assert subs["deleted-test-cell"].score == ref.score


def test_misbehaving_students_get_their_state_and_points(grader):
    _, _, subs, _ = grader(MISBEHAVING_IN)
    ref = subs["reference"]
    first_test = ref.results[0]  # the misbehaving cell is inserted right after the first test cell
    crash = subs["crash"]
    assert crash.state is State.STUDENT_FAULT and "kernel crashed" in crash.reason
    assert crash.score == first_test.points and crash.results[0].points == first_test.points
    loop = subs["infinite-loop"]
    assert loop.state is State.STUDENT_FAULT and "timed out" in loop.reason and loop.score == ref.score
    for name in ["huge-output", "warns"]:
        assert subs[name].score == ref.score, (name, subs[name].reason, subs[name].results)
        assert subs[name].state is State.GRADED, (name, subs[name].reason)
    cheat = subs["cheats"]
    bug = next(s for n, s in subs.items() if n.startswith("mutant-"))
    assert bug.score < ref.score
    assert cheat.state is State.GRADED and [(r.grade_id, r.points) for r in cheat.results] == [
        (r.grade_id, r.points) for r in bug.results
    ], "replacing the checks changed points"
    silent = subs["silences-errors"]  # nbgrader alone: full marks (no error output anywhere)
    # the kernel guard stops it at the next cell: nothing after it scores (kernel_guard.py)
    assert silent.state is State.TAMPERING and "guard stopped it" in silent.reason
    assert silent.score <= bug.score and silent.score < ref.score
    skips = subs["skips-tests"]  # nbgrader alone: full marks (every later test cell a no-op)
    assert skips.state is State.TAMPERING and skips.score == first_test.points


def test_grading_twice_gives_identical_rows(grader):
    course, assignment, _, first = grader(MISBEHAVING_IN)
    again = grade_batch(course, assignment, course.submitted, OPTIONS)
    assert rows(first) == rows(again)
    assert [[(r.grade_id, r.points) for r in s.results] for s in first] == [
        [(r.grade_id, r.points) for r in s.results] for s in again
    ]
