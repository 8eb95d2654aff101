"""The instructor's lab in a real browser (headless Chromium, as test_browser.py): a written answer scored and
commented in nbgrader's formgrader, and another through our answers page (the class's answers to one question,
with the rubric), land in the gradebook and in the Canvas import file. The server is `autograder lab
--instructor`'s (lab.start_instructor) on the tiny course with a written answer; it is stopped afterwards."""

from __future__ import annotations

import csv
import os
import time

import pytest
from chromium import SHOTS, chromium_page, needs_chromium
from lab_server import free_port
from tiny_course import ASSIGNMENT, WRITTEN, make_course

from autograder.authoring import sample_class
from autograder.cli import main
from autograder.core.course_dir import CourseDir
from autograder.core.gradebook import open_gradebook
from autograder.handout.release import release
from autograder.isolation.execute import Limits
from autograder.jupyter import lab
from autograder.stages.pipeline import GradeOptions, grade_batch
from autograder.written import manual_grades

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def instructor(tmp_path_factory):
    course = CourseDir(make_course(tmp_path_factory.mktemp("instructor") / "course", written=True))
    release(course, ASSIGNMENT)
    students = [s for s in sample_class.build(course, ASSIGNMENT) if s.name in ("reference", "mutant-add_abs")]
    sample_class.write(students, ASSIGNMENT, course.submitted)
    grade_batch(
        course, ASSIGNMENT, course.submitted, GradeOptions(limits=Limits(notebook_timeout=120, cell_timeout=20))
    )
    port = free_port()
    proc, url = lab.start_instructor(course, "127.0.0.1", port, dict(os.environ))
    try:
        lab.wait_until_serving(url, proc)
        yield course, f"http://127.0.0.1:{port}", url.split("token=")[1]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def page(instructor):
    with chromium_page(1300, 1000) as page:
        yield page


def _written(course, student):
    deadline = time.monotonic() + 20
    while True:  # the page saves in the background
        found = {w.student: w for w in manual_grades.written(course.db_url, ASSIGNMENT)}[student]
        if found.manual_score is not None and found.comment or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_a_written_answer_scored_in_the_formgrader_reaches_the_canvas_file(instructor, page, tmp_path, capsys):
    course, base, token = instructor
    with open_gradebook(course.db_url) as gb:
        submission = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "reference").id
    page.goto(f"{base}/formgrader?token={token}")  # logs in: the grading page's API calls need the cookie
    page.goto(f"{base}/formgrader/submissions/{submission}/")
    # the page loads the grades after it renders; an autograded cell's input shows its score once bound
    page.wait_for_function("document.querySelector('input.score#add__visible').placeholder !== ''", timeout=30_000)
    score = page.locator(f"input.score#{WRITTEN}")
    assert "Rubric of" in page.content(), "the rubric is shown under the answer"
    score.fill("1")
    score.dispatch_event("change")
    comment = page.locator(f"textarea#{WRITTEN}-comment")
    comment.fill("Right: the same things counted in another order.")
    comment.dispatch_event("change")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "formgrader-written-answer.png"), full_page=True)
    saved = _written(course, "reference")
    assert (saved.manual_score, saved.comment) == (1.0, "Right: the same things counted in another order.")

    # the other student through the answers page: the whole group given 0.5 and a rubric comment
    page.goto(f"{base}/autograder/answers/{ASSIGNMENT}/{WRITTEN}")
    assert "counting the same things in another order" in page.content(), "the rubric's criterion"
    row = page.locator('.answer[data-student="mutant-add_abs"]')
    row.locator("input.points").fill("0.5")
    row.locator("select").select_option(label="(-1) Say why, not only that it does.")
    row.locator("button").click()
    row.locator(".status.saved").wait_for(timeout=20_000)
    page.screenshot(path=str(SHOTS / "answers-page.png"), full_page=True)
    saved = _written(course, "mutant-add_abs")
    assert (saved.manual_score, saved.comment) == (0.5, "Say why, not only that it does.")

    ids = tmp_path / "ids.csv"
    ids.write_text("student,lms_id,name\nreference,11,Ref\nmutant-add_abs,12,Mu\n", encoding="utf-8")
    assert main(["--course", str(course.root), "report", ASSIGNMENT, "--format", "canvas", "--ids", str(ids)]) == 0
    capsys.readouterr()
    with (course.reports / f"{ASSIGNMENT}_canvas.csv").open(newline="", encoding="utf-8") as fh:
        grades = {row[1]: row[-1] for row in list(csv.reader(fh))[2:]}
    assert grades == {"11": "5", "12": "2.5"}  # 4 + 1 and 2 + 0.5: the written points reached the LMS file
