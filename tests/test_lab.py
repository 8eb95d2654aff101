"""`autograder lab` on the tiny course: JupyterLab serves the release with nbgrader's student tools only, a
submission reaches the exchange and `nbgrader collect` picks it up, and a student's work is never overwritten."""

import json
import urllib.request

from lab_server import serving
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from tiny_course import ASSIGNMENT

from autograder.core.course_dir import COURSE_ID
from autograder.jupyter import lab


def _get(url: str, data: bytes | None = None) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, data=data, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, ""


def test_lab_serves_the_release_with_student_tools_and_submissions_reach_the_grader(tiny, tmp_path):
    with serving(tiny, tmp_path / "student") as lab_:
        notebook = lab_.workdir / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        assert notebook.read_bytes() == (tiny.release / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_bytes()
        status, body = _get(lab_.url(f"/assignments?course_id={COURSE_ID}"))
        listed = json.loads(body)["value"]
        assert status == 200 and [(a["assignment_id"], a["status"]) for a in listed] == [(ASSIGNMENT, "fetched")]
        assert _get(lab_.url("/formgrader"))[0] == 404  # the instructor's half is off
        status, page = _get(lab_.url("/lab"))
        assert status == 200 and "@jupyter/nbgrader:formgrader" in page  # listed under disabledExtensions
        form = f"course_id={COURSE_ID}&assignment_id={ASSIGNMENT}".encode()
        status, body = _get(lab_.url("/assignments/submit"), data=form)
        assert status == 200 and json.loads(body)["success"], body
    config = tiny.config()
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    assert api.collect(ASSIGNMENT)["success"]
    collected = list(tiny.submitted.glob(f"*/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"))
    assert len(collected) == 1 and collected[0].read_bytes() == notebook.read_bytes()


def test_prepare_never_overwrites_a_students_work(tiny, tmp_path):
    workdir = tmp_path / "student"
    notebooks, config_dir = lab.prepare(tiny, workdir)
    assert notebooks == [workdir / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"]
    notebooks[0].write_text("my work")
    lab.prepare(tiny, workdir)
    assert notebooks[0].read_text() == "my work"
    disabled = json.loads((config_dir / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    assert set(disabled) == set(lab.INSTRUCTOR_PLUGINS)
