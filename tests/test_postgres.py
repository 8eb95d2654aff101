"""The gradebook on a real PostgreSQL server (`--db postgresql://...`): the same points as SQLite, two assignments
graded at once into one database losing nothing, and one clear line for a database that cannot be used.

The server is Debian's `postgresql` package (`make postgres` installs it with apt when run as root; `make test`
depends on it): this module's fixture runs initdb in a temporary folder, starts the server as an unprivileged
user on 127.0.0.1 and a free port, and stops it at the end. Without the package the tests that need a server
skip and say so; the bad-URL tests need none and always run.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import nbformat
import psycopg
import pytest
from cli_command import autograder
from lab_server import free_port
from nbgrader.api import Gradebook
from tiny_course import ASSIGNMENT, WRITTEN, make_course, tiny_notebook

from autograder import cli
from autograder.authoring import sample_class
from autograder.core.course_dir import CourseDir
from autograder.core.submission import State, Submission
from autograder.handout.release import ensure_in_gradebook, release
from autograder.isolation.execute import Limits
from autograder.jupyter.lab import instructor_nbgrader_config
from autograder.reports.report import report
from autograder.stages import score
from autograder.stages.pipeline import GradeOptions, grade_batch, load_results
from autograder.written import manual_grades

OPTIONS = GradeOptions(limits=Limits(notebook_timeout=120, cell_timeout=20))
SECOND = "00_tiny_b"  # a copy of the tiny assignment under another name, graded at the same time
# points per student on the tiny course (add 1 + 2 hidden, twice 1)
EXPECTED = {"reference": 4.0, "blank": 0.0, "mutant-add_abs": 2.0, "garbage": 0.0}
SERVER_USER = "nobody"  # when the tests run as root: PostgreSQL refuses to run as root


def _pg_bin() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin that has the server."""
    found = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb") if (p.parent / "pg_ctl").exists()]
    return max(found, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, default=None)


class Server:
    """A throwaway PostgreSQL cluster: trust authentication, reachable only from 127.0.0.1 and a socket folder."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.base = Path(tempfile.mkdtemp(prefix="autograder-pg-"))
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        self.port = 0
        self.running = False
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", SERVER_USER, "--"]
            shutil.chown(self.base, SERVER_USER)
        self._names = itertools.count()

    def _run(self, *args: str) -> None:
        # cwd: the server's user may not be allowed into the directory pytest runs in
        result = subprocess.run([*self.as_user, *args], cwd=self.base, capture_output=True, text=True, timeout=120)
        if result.returncode:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(args[:2])} failed ({result.returncode}):\n{result.stderr}\n{log}")

    def start(self) -> None:
        # --no-sync and fsync=off: a test database need not survive a power cut, and syncing costs seconds
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--no-sync")  # fmt: skip
        for attempt in range(3):  # the free port may be taken between the look and the start
            self.port = free_port()
            options = f"-h 127.0.0.1 -p {self.port} -k {self.base} -c fsync=off -c synchronous_commit=off"
            try:
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                          "-o", options, "start")  # fmt: skip
                self.running = True
                return
            except RuntimeError:
                if attempt == 2:
                    raise

    def stop(self) -> None:
        try:
            if self.running:  # immediate: nothing in a throwaway cluster needs a clean shutdown
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def new_database(self) -> str:
        """The URL of a new, empty database (each test its own)."""
        name = f"gradebook_{next(self._names)}"
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("Debian's postgresql is not installed (`make postgres` installs it with apt when run as root)")
    server = Server(bin_dir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: Server) -> str:
    return pg_server.new_database()


def _write_class(course: CourseDir, assignment: str) -> None:
    """The students of EXPECTED: kernels for three, and an unreadable notebook (scored 0 without a kernel)."""
    wanted = [s for s in sample_class.build(course, assignment, misbehaving=False) if s.name in EXPECTED]
    sample_class.write(wanted, assignment, course.submitted)
    garbage = course.submitted / "garbage" / assignment
    garbage.mkdir(parents=True)
    (garbage / f"{assignment}.ipynb").write_text("not a notebook")


def _gradebook_points(db_url: str, assignment: str) -> dict[str, dict[str, float | None]]:
    """Student -> grade cell -> points, read back with nbgrader's API."""
    with Gradebook(db_url) as gb:
        return {
            sub.student_id: {g.name: g.auto_score for nb in sub.notebooks for g in nb.grades}
            for sub in gb.find_assignment(assignment).submissions
        }


def test_postgres_gradebook_gives_the_points_and_states_of_sqlite(tiny, pg_url):
    _write_class(tiny, ASSIGNMENT)
    on_sqlite = grade_batch(tiny, ASSIGNMENT, tiny.submitted, OPTIONS)
    on_postgres = grade_batch(CourseDir(tiny.root, pg_url), ASSIGNMENT, tiny.submitted, OPTIONS)

    def outcome(subs):
        return {s.student: (s.state, s.reason, [(r.grade_id, r.points, r.max_points) for r in s.results]) for s in subs}

    assert outcome(on_postgres) == outcome(on_sqlite)
    assert {s.student: s.score for s in on_postgres} == EXPECTED
    assert {s.student: s.state for s in on_postgres} == {
        **{name: State.GRADED for name in EXPECTED},
        "garbage": State.STUDENT_FAULT,
    }
    # what each gradebook holds, not only what the pipeline reported
    in_postgres = _gradebook_points(pg_url, ASSIGNMENT)
    assert in_postgres == _gradebook_points(tiny.db_url, ASSIGNMENT)
    assert in_postgres["reference"] == {"add__visible": 1.0, "add__hidden": 2.0, "twice__visible": 1.0}


def test_two_assignments_graded_at_once_into_one_database_lose_nothing(tiny, pg_url):
    source = tiny.source / SECOND
    source.mkdir()
    nbformat.write(tiny_notebook(), source / f"{SECOND}.ipynb")
    shutil.copytree(tiny.mutants / ASSIGNMENT, tiny.mutants / SECOND)
    release(tiny, SECOND)  # the release files the sample class is made from (into the SQLite gradebook)
    for assignment in (ASSIGNMENT, SECOND):
        _write_class(tiny, assignment)
    # an empty database: both graders create nbgrader's tables, release their assignment and add the same
    # students at about the same moment; each runs its kernels in the sandbox, one at a time
    graders = [
        subprocess.Popen(
            autograder("grade", assignment, "--db", pg_url, "--force", "--jobs", "1", course=tiny),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for assignment in (ASSIGNMENT, SECOND)
    ]
    outputs = [g.communicate(timeout=400) for g in graders]
    for grader, (out, err) in zip(graders, outputs, strict=True):
        assert grader.returncode == 0, err[-3000:]
        assert "grader fault" not in out, out
    with psycopg.connect(pg_url) as conn:  # no duplicate rows behind nbgrader's objects either
        counts = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("assignment", "student", "submitted_assignment", "submitted_notebook", "grade")
        }
    assert counts == {
        "assignment": 2,
        "student": len(EXPECTED),
        "submitted_assignment": 2 * len(EXPECTED),
        "submitted_notebook": 2 * len(EXPECTED),
        "grade": 2 * len(EXPECTED) * 3,
    }
    for assignment in (ASSIGNMENT, SECOND):
        points = _gradebook_points(pg_url, assignment)
        assert {student: sum(cells.values()) for student, cells in points.items()} == EXPECTED, assignment
        assert all(len(cells) == 3 and None not in cells.values() for cells in points.values()), points


def test_two_graders_scoring_the_same_new_students_at_once_both_succeed(tiny, pg_url):
    """The race the writer lock (gradebook.py) closes, provoked: two graders (threads here, each with its own
    database session, as two processes have) score the same new student at the same instant, round after round.
    Without the lock nbgrader's update_or_create_student loses about one round in three to a unique violation."""
    course = CourseDir(tiny.root, pg_url)
    ensure_in_gradebook(course, ASSIGNMENT)
    config = course.config()
    rounds = 12
    together = threading.Barrier(2, timeout=60)
    failures: list[str] = []

    def grader() -> None:
        for n in range(rounds):
            sub = Submission(f"student-{n}", ASSIGNMENT, ASSIGNMENT, None).fail(State.STUDENT_FAULT, "unreadable")
            together.wait()
            try:
                score.score(sub, config, pg_url)
            except Exception as exc:  # noqa: BLE001 - collected: the assertion below names every failure
                failures.append(f"round {n}: {type(exc).__name__}: {str(exc)[:120]}")

    graders = [threading.Thread(target=grader) for _ in range(2)]
    for thread in graders:
        thread.start()
    for thread in graders:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in graders), "a grader never got the gradebook (deadlock?)"
    assert failures == []
    points = _gradebook_points(pg_url, ASSIGNMENT)
    assert sorted(points) == sorted(f"student-{n}" for n in range(rounds))
    assert all(cells == {"add__visible": 0, "add__hidden": 0, "twice__visible": 0} for cells in points.values())


def test_a_database_that_cannot_be_reached_is_one_line_and_exit_2(tiny):
    result = subprocess.run(
        autograder("grade", ASSIGNMENT, "--db", "postgresql://nobody@127.0.0.1:1/none", course=tiny),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("autograder: error: cannot open the gradebook postgresql://nobody@127.0.0.1:1/none")
    assert "refused" in result.stderr


def test_release_writes_the_assignment_into_the_database_given(tiny, pg_url):
    sqlite = tiny.root / "gradebook.db"
    sqlite.unlink()
    assert cli.main(["--course", str(tiny.root), "release", ASSIGNMENT, "--db", pg_url]) == 0
    with Gradebook(pg_url) as gb:
        cells = {c.name for nb in gb.find_assignment(ASSIGNMENT).notebooks for c in nb.grade_cells}
    assert cells == {"add__visible", "add__hidden", "twice__visible"}
    assert not sqlite.exists()  # not the course's own SQLite gradebook


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("foo://somewhere/db", "unknown database scheme 'foo'"),
        ("postgresql+pg8000://u@127.0.0.1/db", "no driver for 'postgresql+pg8000' (No module named 'pg8000')"),
        ("gradebook.db", "bad database URL 'gradebook.db'"),
        ("postgresql://me:s3cret@127.0.0.1:1/none", "cannot open the gradebook postgresql://me:***@127.0.0.1:1/none"),
    ],
)
def test_a_bad_database_url_is_one_line_and_exit_2(tiny, capsys, url, message):
    assert cli.main(["--course", str(tiny.root), "grade", ASSIGNMENT, "--db", url, "--no-sandbox"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"autograder: error: {message}") and err.count("\n") == 1, err
    assert "s3cret" not in err


def test_written_answers_are_graded_by_hand_in_a_postgres_gradebook(tmp_path, pg_url):
    course = CourseDir(make_course(tmp_path / "course", written=True), pg_url)
    release(course, ASSIGNMENT)
    wanted = [s for s in sample_class.build(course, ASSIGNMENT, misbehaving=False) if s.name == "reference"]
    sample_class.write(wanted, ASSIGNMENT, course.submitted)
    grade_batch(course, ASSIGNMENT, course.submitted, OPTIONS)
    assert [w.student for w in manual_grades.written(pg_url, ASSIGNMENT) if w.manual_score is None] == ["reference"]
    manual_grades.record(pg_url, ASSIGNMENT, ASSIGNMENT, "reference", WRITTEN, 1.0, "in PostgreSQL")
    csv_path, _, _ = report(course, load_results(course, ASSIGNMENT), ASSIGNMENT, tmp_path / "out")
    assert "reference,3,1,1,5,graded," in csv_path.read_text()
    # the formgrader of `lab --instructor --db` reads the same database: its config names it
    assert repr(pg_url) in instructor_nbgrader_config(course)
