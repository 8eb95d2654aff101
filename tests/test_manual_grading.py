"""The instructor's whole term on the tiny course with a written answer (1 of its 5 points): the answer waits for
a person ("needs manual grading", no LMS grade), a score and comment given in the gradebook reach the CSV, the
class page, the feedback page and the Canvas file; a re-grade after a hidden test changed keeps them and says
whose points moved; late work is marked down by the course's policy; feedback reaches students only when
released, with hidden tests as points only if asked."""

from __future__ import annotations

import csv
import shutil
from datetime import UTC, datetime, timedelta

import nbformat
import pytest
from nbgrader.utils import notebook_hash
from tiny_course import ASSIGNMENT, WRITTEN, make_course

from autograder.authoring import sample_class
from autograder.cli import main
from autograder.core import late
from autograder.core.course_dir import COURSE_ID, CourseDir
from autograder.core.submission import ItemResult, State, Submission
from autograder.handout.release import release
from autograder.isolation.execute import Limits
from autograder.reports import regrade
from autograder.reports.report import report
from autograder.reports.table import score_table
from autograder.stages import progress
from autograder.stages.pipeline import GradeOptions, grade_batch, load_results
from autograder.written import manual_grades

OPTIONS = GradeOptions(limits=Limits(notebook_timeout=120, cell_timeout=20))
STUDENTS = ("reference", "mutant-add_abs")  # 4 and 2 autograded points of 4; the written answer waits


@pytest.fixture(scope="module")
def graded_template(tmp_path_factory):
    root = make_course(tmp_path_factory.mktemp("written") / "course", written=True)
    course = CourseDir(root)
    release(course, ASSIGNMENT)
    students = [s for s in sample_class.build(course, ASSIGNMENT) if s.name in STUDENTS]
    sample_class.write(students, ASSIGNMENT, course.submitted)
    grade_batch(course, ASSIGNMENT, course.submitted, OPTIONS)
    return root


@pytest.fixture
def course(graded_template, tmp_path):
    root = tmp_path / "course"
    shutil.copytree(graded_template, root)
    return CourseDir(root)


def rows(path) -> dict[str, dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return {r["student"]: r for r in csv.DictReader(fh)}


def canvas(course, tmp_path, capsys) -> tuple[dict[str, str], str]:
    ids = tmp_path / "ids.csv"
    ids.write_text("student,lms_id,name\nreference,11,Ref Erence\nmutant-add_abs,12,Mu Tant\n", encoding="utf-8")
    assert main(["--course", str(course.root), "report", ASSIGNMENT, "--format", "canvas", "--ids", str(ids)]) == 0
    err = capsys.readouterr().err
    with (course.reports / f"{ASSIGNMENT}_canvas.csv").open(newline="", encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    assert table[1][0] == "Points Possible" and table[1][-1] == "5", "the written point is in the total possible"
    return {row[1]: row[-1] for row in table[2:]}, err


def test_a_written_answer_waits_for_a_person_then_counts_everywhere(course, tmp_path, capsys):
    csv_path, _, class_page = report(course, load_results(course, ASSIGNMENT), ASSIGNMENT, tmp_path / "out")
    table = rows(csv_path)
    assert table["reference"][WRITTEN] == "0" and table["reference"]["total"] == "4"
    assert table["reference"]["state"] == "needs manual grading (1 written answer to grade)"
    assert "needs manual grading" in class_page.read_text() and WRITTEN in class_page.read_text()
    grades, err = canvas(course, tmp_path, capsys)
    assert grades == {"11": "", "12": ""}, "no partial total goes to the LMS as final"
    assert "needs manual grading: 1 written answer to grade): reference" in err

    manual_grades.record(course.db_url, ASSIGNMENT, ASSIGNMENT, "reference", WRITTEN, 1.0, "Exactly: same count.")
    manual_grades.record(course.db_url, ASSIGNMENT, ASSIGNMENT, "mutant-add_abs", WRITTEN, 0.5, "Say why.")
    csv_path, _, _ = report(course, load_results(course, ASSIGNMENT), ASSIGNMENT, tmp_path / "out")
    table = rows(csv_path)
    assert (table["reference"]["total"], table["reference"]["state"]) == ("5", "graded")
    assert (table["mutant-add_abs"][WRITTEN], table["mutant-add_abs"]["total"]) == ("0.5", "2.5")
    page = (tmp_path / "out" / "feedback" / "reference" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "graded by hand</b>: 1 / 1" in page and "Exactly: same count." in page and "5 / 5" in page
    grades, _ = canvas(course, tmp_path, capsys)
    assert grades == {"11": "5", "12": "2.5"}

    with pytest.raises(Exception, match="between 0 and 1"):
        manual_grades.record(course.db_url, ASSIGNMENT, ASSIGNMENT, "reference", WRITTEN, 3.0, "")


def test_a_regrade_after_a_test_fix_keeps_manual_grades_and_says_whose_points_changed(course, tmp_path, capsys):
    manual_grades.record(course.db_url, ASSIGNMENT, ASSIGNMENT, "reference", WRITTEN, 1.0, "kept through a re-grade")
    # the instructor "fixes" the hidden test: the case the mutant got wrong goes away
    source = course.source / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = nbformat.read(source, as_version=4)
    hidden = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "add__hidden")
    assert "add(-2.0, 0.5), expected(reference_add(-2.0, 0.5))" in hidden.source, "the tiny hidden test changed"
    hidden.source = hidden.source.replace("add(-2.0, 0.5), expected(reference_add(-2.0, 0.5))", "add(2.0, 0.5), 2.5")
    nbformat.write(nb, source)
    release(course, ASSIGNMENT)

    code = main(["--course", str(course.root), "grade", ASSIGNMENT, "--force"])
    out = capsys.readouterr().out
    assert code == 0
    assert "re-graded: 1 student(s) whose points changed (old -> new)" in out
    assert "mutant-add_abs (00_tiny): add 1 -> 3" in out and "reference (00_tiny)" not in out
    subs = {s.student: s for s in load_results(course, ASSIGNMENT)}
    when, changes = regrade.last(course, ASSIGNMENT)
    assert [(c.student, c.item, c.old, c.new) for c in changes] == [("mutant-add_abs", "add", 1.0, 3.0)]
    _, _, class_page = report(course, list(subs.values()), ASSIGNMENT, tmp_path / "out")
    assert "Last re-grade" in class_page.read_text() and "add 1 -&gt; 3" in class_page.read_text()
    written = {w.student: w for w in manual_grades.written(course.db_url, ASSIGNMENT)}
    assert (written["reference"].manual_score, written["reference"].comment) == (1.0, "kept through a re-grade")
    assert subs["reference"].final_score == 5.0 and subs["mutant-add_abs"].score == 4.0


def test_late_work_is_marked_down_by_the_policy_and_an_extension_moves_the_due_date(course, tmp_path, capsys):
    due = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    (course.root / "course.toml").write_text(
        '[late]\npolicy = "per_day"\npercent_per_day = 10\ncap_percent = 50\n\n'
        f'[due]\n"{ASSIGNMENT}" = {due.isoformat()}\n',
        encoding="utf-8",
    )
    for student in STUDENTS:  # nbgrader's exchange stamps each submission: both 1 day and 2 hours late
        when = due + timedelta(days=1, hours=2)
        (course.submitted / student / ASSIGNMENT / "timestamp.txt").write_text(
            when.strftime("%Y-%m-%d %H:%M:%S.%f UTC"), encoding="utf-8"
        )
    assert main(["--course", str(course.root), "extend", ASSIGNMENT, "reference", "--days", "2"]) == 0
    assert main(["--course", str(course.root), "grade", ASSIGNMENT, "--force"]) == 0
    capsys.readouterr()
    manual_grades.record(course.db_url, ASSIGNMENT, ASSIGNMENT, "mutant-add_abs", WRITTEN, 1.0, "")
    csv_path, _, _ = report(course, load_results(course, ASSIGNMENT), ASSIGNMENT, tmp_path / "out")
    table = rows(csv_path)
    # 2 started days late: 20% off the 3 points earned; the extension makes the reference on time
    assert table["mutant-add_abs"]["total"] == "2.4" and "20% off" in table["mutant-add_abs"]["late"]
    assert table["reference"]["late"] == "" and late.extensions(course.db_url, ASSIGNMENT) == {
        "reference": timedelta(days=2)
    }
    page = (tmp_path / "out" / "feedback" / "mutant-add_abs" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "2.4 / 5" in page and "3 earned" in page and "20% off" in page


def test_feedback_reaches_students_only_when_released_with_hidden_tests_as_points_if_asked(course, capsys):
    assert not list(course.feedback.rglob("*.html")), "grading wrote nothing into the students' folder"
    page = course.feedback / "mutant-add_abs" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    assert main(["--course", str(course.root), "release-feedback", ASSIGNMENT, "--hidden", "points"]) == 0
    out, err = capsys.readouterr()
    assert "2 page(s)" in out and "not final yet (written answers to grade): mutant-add_abs, reference" in err
    shown = page.read_text()
    assert "hidden test</b>: 0 / 2" in shown and "-1.5" not in shown and "Looks like" not in shown
    assert main(["--course", str(course.root), "release-feedback", ASSIGNMENT]) == 0
    assert "expected -1.5" in page.read_text(), "the default shows the hidden test's message"


def test_feedback_of_a_submission_through_nbgrader_exchange_is_released_there(course, capsys):
    exchange = course.root / ".work" / "exchange"
    exchange.mkdir(parents=True)
    exchange.chmod(0o777)  # nbgrader's exchange is shared by design
    folder = course.submitted / "reference" / ASSIGNMENT  # what nbgrader's submit + collect leave beside it
    (folder / "timestamp.txt").write_text("2026-12-01 10:00:00.000000 UTC", encoding="utf-8")
    (folder / "submission_secret.txt").write_text("s3cret", encoding="utf-8")
    assert main(["--course", str(course.root), "release-feedback", ASSIGNMENT]) == 0
    assert "1 student(s) through nbgrader's exchange" in capsys.readouterr().out
    released = list((exchange / COURSE_ID / "feedback").glob("*.html"))
    digest = notebook_hash(secret="s3cret", notebook_id=ASSIGNMENT)  # what Fetch Feedback looks for
    assert f"{digest}.html" in [p.name for p in released]
    assert "feedback for reference" in (exchange / COURSE_ID / "feedback" / f"{digest}.html").read_text()


def test_the_progress_line_and_the_table_say_needs_manual_grading_while_an_answer_waits():
    sub = Submission("ann", ASSIGNMENT, ASSIGNMENT, None, State.GRADED)
    sub.results = [ItemResult("add__visible", "add", 1.0, 1.0), manual_grades.result(WRITTEN, None, None, 1.0, "")]
    assert "needs manual grading" in progress.row(sub) and "needs manual grading" in score_table([sub])
    sub.results[1] = manual_grades.result(WRITTEN, 1.0, None, 1.0, "fine")
    assert "graded" in progress.row(sub) and "needs manual" not in progress.row(sub)
