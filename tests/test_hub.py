"""`autograder hub` end to end (hub.py): JupyterHub on loopback with real local users (made for the test, each with a
random password, logging in through PAM), two students and an instructor driven in headless Chromium. The instructor
releases the tiny course from their course page; each student logs in, fetches it from nbgrader's Assignments panel,
saves their notebook (one correct, one with a known bug) through JupyterLab's own contents service, validates it
(nbgrader's Validate: the buggy one fails) and submits; the instructor collects, grades (`autograder grade`, sandbox
on) and releases feedback; each student fetches it and opens their page. The scores must equal grading the collected
files directly.

Then a student's work is never lost: two submits in a row (nbgrader keeps both, collect takes the later), a fetch
over existing work (kept; only a missing file comes back) and a submit while the hub restarts (the student's
server and the proxy go on). Finally the hub stops and nothing of the class is left running; the users and their
homes are removed. Needs root (the hub starts servers as the users), bubblewrap, setpriv and Debian's Chromium.
"""

from __future__ import annotations

import copy
import json
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from chromium import CHROMIUM, FLAGS, SHOTS, needs_chromium
from lab_server import free_port
from tiny_course import ASSIGNMENT, make_course

from autograder.authoring import sample_class
from autograder.core.course_dir import COURSE_ID, CourseDir
from autograder.core.submission import State
from autograder.handout.release import release
from autograder.isolation.execute import Limits
from autograder.jupyter import hub
from autograder.stages.pipeline import GradeOptions, grade_batch, load_results

pytestmark = [
    needs_chromium,
    pytest.mark.skipif(os.geteuid() != 0, reason="the hub starts each user's server as that user: needs root"),
    pytest.mark.skipif(
        not all(shutil.which(t) for t in ("bwrap", "setpriv", "useradd")), reason="bubblewrap, setpriv or useradd"
    ),
]
NOTEBOOK = f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"


class Class:
    """The hub, its users (name -> password), the instructor's course, and a browser context per user."""

    def __init__(self, root: Path) -> None:
        tag = secrets.token_hex(3)
        self.instructor, self.students = f"agi{tag}", (f"ags{tag}a", f"ags{tag}b")
        self.homes = root / "home"
        self.homes.mkdir()
        self.passwords = {name: self._add_user(name) for name in (self.instructor, *self.students)}
        owner = pwd.getpwnam(self.instructor)
        course = Path(owner.pw_dir) / "course"
        make_course(course)
        for path in [course, *course.rglob("*")]:
            os.lchown(path, owner.pw_uid, owner.pw_gid)
        course.chmod(0o700)
        roster = hub.Roster(self.instructor, self.students)
        self.course = hub.instructors_course(roster, course)
        self.hub = hub.start(
            self.course, roster, root / "state", "127.0.0.1", free_port(), ("--LabApp.expose_app_in_browser=True",)
        )
        self.uids = {pwd.getpwnam(n).pw_uid for n in self.passwords}

    def _add_user(self, name: str) -> str:
        password = secrets.token_urlsafe(18)
        subprocess.run(["useradd", "-m", "-d", str(self.homes / name), "-s", "/bin/bash", name], check=True)
        subprocess.run(["chpasswd"], input=f"{name}:{password}", text=True, check=True)
        return password

    def processes(self, uids: set[int] | None = None) -> dict[int, str]:
        """Processes of the class's users (or of ``uids``) still running: pid -> command line."""
        left = {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    if os.stat(entry.path).st_uid in (uids or self.uids):
                        command = Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ").decode()
                        left[int(entry.name)] = command[:200]
                except OSError:
                    continue
        return left

    def server_pids(self, name: str) -> set[int]:
        mine = self.processes({pwd.getpwnam(name).pw_uid})
        return {pid for pid, command in mine.items() if "jupyterhub.singleuser" in command}

    def remove(self) -> None:
        self.hub.stop()
        for name in self.passwords:
            subprocess.run(["pkill", "-KILL", "-u", name], check=False)
        deadline = time.monotonic() + 20
        while self.processes() and time.monotonic() < deadline:  # userdel refuses a user with a process left
            time.sleep(0.2)
        for name in self.passwords:
            subprocess.run(["userdel", "-r", name], check=False, capture_output=True)


@pytest.fixture(scope="module")
def klass():
    root = Path(tempfile.mkdtemp(prefix="hub-test-"))
    root.chmod(0o755)  # the users reach their homes and the exchange through it
    made = None
    try:
        made = Class(root)
        yield made
    finally:
        if made is not None:
            made.remove()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(klass):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def pages(klass, browser):
    """name -> a logged-in page of that user, JupyterLab open (each user their own browser context: own cookies)."""
    opened = {}
    for name, password in klass.passwords.items():
        page = browser.new_context(viewport={"width": 1300, "height": 900}).new_page()
        page.goto(f"{klass.hub.url}/hub/login")
        page.fill("#username_input", name)
        page.fill("#password_input", password)
        page.click("#login_submit")
        page.wait_for_url(f"**/user/{name}/lab**", timeout=120_000)
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started", timeout=120_000)
        page.evaluate("() => window.jupyterapp.started")
        opened[name] = page
    return opened


@pytest.fixture(scope="module")
def students(klass, tmp_path_factory):
    """A correct and a buggy notebook, built from a copy of the same course (the release is the same)."""
    course = CourseDir(make_course(tmp_path_factory.mktemp("direct") / "course"))
    release(course, ASSIGNMENT)
    built = {s.name: s for s in sample_class.build(course, ASSIGNMENT)}
    good, bad = klass.students
    return course, {
        good: built["reference"].notebooks[ASSIGNMENT],
        bad: built["mutant-add_subtracts"].notebooks[ASSIGNMENT],
    }


def _course_action(page, klass, action: str) -> str:
    page.goto(f"{klass.hub.url}/user/{klass.instructor}/autograder/course")
    page.locator(f'tr[data-assignment="{ASSIGNMENT}"] button[data-action="{action}"]').click()
    page.wait_for_selector("#result.done, #result.failed", timeout=300_000)
    output = page.locator("#result").inner_text()
    assert page.locator("#result.done").count() == 1, output
    return output


def _assignments_panel(page):
    page.evaluate("() => window.jupyterapp.commands.execute('nbgrader:open-assignment-list')")
    return page


def _click(page, label: str, then: str) -> None:
    """Clicks the Assignments panel's button ``label`` and waits for a button ``then`` (the next step)."""
    _assignments_panel(page).get_by_role("button", name=label, exact=True).first.click(timeout=60_000)
    page.get_by_role("button", name=then, exact=True).first.wait_for(timeout=120_000)


def _save(page, path: str, nb: nbformat.NotebookNode) -> None:
    """The student's notebook saved through JupyterLab's own contents service (what Ctrl-S does)."""
    content = json.loads(nbformat.writes(nb))
    page.evaluate(
        "([path, content]) => window.jupyterapp.serviceManager.contents.save(path, "
        "{type: 'notebook', format: 'json', content})",
        [path, content],
    )


def _api(page, klass, name: str, action: str) -> dict:
    """An action of nbgrader's assignment list, posted from the student's page as the panel posts it."""
    return _post(page, f"/user/{name}/assignments/{action}", {"course_id": COURSE_ID, "assignment_id": ASSIGNMENT})


def _post(page, url: str, body: dict) -> dict:
    """A POST from the page, as JupyterLab's extensions send theirs (JSON, the server's XSRF token)."""
    return page.evaluate(
        """async ([url, body]) => {
             const xsrf = decodeURIComponent(document.cookie.match(/_xsrf=([^;]+)/)[1]);
             const r = await fetch(url, {method: 'POST', body: JSON.stringify(body),
                                         headers: {'X-XSRFToken': xsrf, 'Content-Type': 'application/json'}});
             const text = await r.text();
             try { return {status: r.status, body: JSON.parse(text)}; }
             catch (error) { return {status: r.status, body: {success: false, text: text.slice(0, 500)}}; }
           }""",
        [url, body],
    )


def _lab(page, klass, name: str):
    """The user's JupyterLab, open (a page left on a served file cannot run the lab's requests)."""
    page.goto(f"{klass.hub.url}/user/{name}/lab")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started", timeout=120_000)
    return page


def _home_file(klass, name: str, relative: str) -> Path:
    return klass.homes / name / relative


def test_release_fetch_submit_collect_grade_and_feedback_in_the_browser(klass, pages, students):
    direct, notebooks = students
    teacher = pages[klass.instructor]
    _course_action(teacher, klass, "release")
    for name, nb in notebooks.items():
        page = pages[name]
        _click(page, "Fetch", then="Submit")
        assert _home_file(klass, name, NOTEBOOK).is_file(), "fetched into the student's home"
        _save(page, NOTEBOOK, nb)
        # nbgrader's Validate (the panel's button posts this): the buggy notebook fails a visible test. Validate
        # counts any stderr in a test cell as a failure (the grader does not: a warning costs nothing), and the
        # tiny course's visible test of `twice` warns on purpose: that cell is left out here
        validated = _post(page, f"/user/{name}/assignments/validate", {"path": NOTEBOOK})["body"]
        assert validated["success"], validated
        found = json.loads(validated["value"]) if isinstance(validated["value"], str) else validated["value"]
        broken = [f for f in found.get("failed", []) if "a harmless warning" not in f.get("error", "")]
        assert bool(broken) == (name == klass.students[1]), found
        _click(page, "Submit", then="Fetch Feedback")
    collected = _course_action(teacher, klass, "collect")
    graded = _course_action(teacher, klass, "grade")
    _course_action(teacher, klass, "feedback")
    assert all(name in graded for name in notebooks), graded

    hub_scores = {s.student: (s.score, s.state) for s in load_results(klass.course, ASSIGNMENT)}
    good, bad = klass.students
    assert hub_scores[good] == (4.0, State.GRADED) and hub_scores[bad][0] < 4.0, (hub_scores, collected)
    # the same files graded directly, as root, outside the hub
    shutil.copytree(klass.course.submitted, direct.submitted)
    options = GradeOptions(limits=Limits(notebook_timeout=120, cell_timeout=20))
    direct_scores = {s.student: (s.score, s.state) for s in grade_batch(direct, ASSIGNMENT, direct.submitted, options)}
    assert direct_scores == hub_scores

    SHOTS.mkdir(parents=True, exist_ok=True)
    for name in notebooks:
        page = pages[name]
        _click(page, "Fetch Feedback", then="Fetch Feedback")
        deadline = time.monotonic() + 60
        while not (pages_found := sorted(_home_file(klass, name, ASSIGNMENT).glob(f"feedback/*/{ASSIGNMENT}.html"))):
            assert time.monotonic() < deadline, "no feedback fetched"
            time.sleep(0.5)
        relative = pages_found[-1].relative_to(klass.homes / name)
        page.goto(f"{klass.hub.url}/user/{name}/files/{relative}")
        shown = page.locator("body").inner_text()
        page.screenshot(path=str(SHOTS / f"hub-feedback-{'correct' if name == good else 'buggy'}.png"))
        assert f"Total: {hub_scores[name][0]:g} / 4" in shown, shown[:500]


def test_two_submits_in_a_row_keep_both_and_collect_takes_the_later(klass, pages, students):
    _, notebooks = students
    good = klass.students[0]
    page = _lab(pages[good], klass, good)
    inbound = klass.hub.state / "exchange" / COURSE_ID / "inbound"
    before = len(list(inbound.glob(f"{good}+{ASSIGNMENT}+*")))
    marks = []
    for n in range(2):
        nb = copy.deepcopy(notebooks[good])
        marks.append(f"# submit {n} {secrets.token_hex(4)}")
        nb.cells.append(nbformat.v4.new_markdown_cell(marks[-1]))
        _save(page, NOTEBOOK, nb)
        reply = _api(page, klass, good, "submit")
        assert reply["status"] == 200 and reply["body"]["success"], reply
    assert len(list(inbound.glob(f"{good}+{ASSIGNMENT}+*"))) == before + 2, "nbgrader keeps every submission"
    _course_action(pages[klass.instructor], klass, "collect")
    collected = (klass.course.submitted / good / NOTEBOOK).read_text(encoding="utf-8")
    assert marks[1] in collected and marks[0] not in collected


def test_a_fetch_over_existing_work_keeps_it_and_brings_back_only_what_is_missing(klass, pages):
    name = klass.students[1]
    page = _lab(pages[name], klass, name)
    mine = _home_file(klass, name, NOTEBOOK)
    work = mine.read_bytes()
    extra = _home_file(klass, name, f"{ASSIGNMENT}/my_notes.txt")
    extra.write_text("mine")
    reply = _api(page, klass, name, "fetch")
    assert reply["status"] == 200 and reply["body"]["success"], reply
    assert mine.read_bytes() == work and extra.read_text() == "mine"
    mine.unlink()
    reply = _api(page, klass, name, "fetch")
    assert reply["status"] == 200 and reply["body"]["success"], reply
    assert nbformat.read(mine, as_version=4).cells, "the missing notebook came back from the release"


def test_a_submit_while_the_hub_restarts_reaches_the_instructor(klass, pages, students):
    _, notebooks = students
    name = klass.students[1]
    page = _lab(pages[name], klass, name)
    server_before = klass.server_pids(name)
    assert server_before
    nb = copy.deepcopy(notebooks[name])
    mark = f"# submitted while the hub restarted {secrets.token_hex(4)}"
    nb.cells.append(nbformat.v4.new_markdown_cell(mark))
    klass.hub.stop_hub()
    try:
        _save(page, NOTEBOOK, nb)
        reply = _api(page, klass, name, "submit")
    finally:
        klass.hub.start_hub()
    assert reply["status"] == 200 and reply["body"]["success"], reply
    assert klass.server_pids(name) == server_before, "the student's server went on"
    assert klass.hub.api(f"users/{name}")["server"], "and the restarted hub knows it is running"
    _course_action(pages[klass.instructor], klass, "collect")
    assert mark in (klass.course.submitted / name / NOTEBOOK).read_text(encoding="utf-8")


def test_the_hub_stops_and_leaves_nothing_of_the_class_running(klass):
    assert klass.processes(), "the class's servers should be running before the stop"
    klass.hub.stop()
    deadline = time.monotonic() + 30
    while (left := klass.processes()) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert left == {}
    assert klass.hub.proxy.poll() is not None and klass.hub.hub is None
