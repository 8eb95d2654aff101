"""The gradebook's database: its URL checked up front, and one writer at a time across processes.

SQLite (the default, ``sqlite:///<course>/gradebook.db``) or PostgreSQL (``postgresql://USER@HOST[:PORT]/DB``,
through psycopg 3, which SQLAlchemy 2.1 uses for that scheme). nbgrader opens a gradebook of its own in each
preprocessor that touches it, and neither its first-use set-up (``Gradebook.__init__`` creates the tables when
the database is empty) nor ``update_or_create_student`` is safe when two processes do it at once: two
``autograder grade`` runs of different assignments on one PostgreSQL database would lose submissions to unique
violations. So every stage that writes (release, restore, score) runs inside ``exclusive``: on PostgreSQL a
session-level advisory lock, the one-writer rule SQLite enforces with its file lock. The slow part,
execution, holds no lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

from nbgrader.api import BaseCell, Comment, Grade, Gradebook, GradeCell, MissingEntry, SolutionCell, TaskCell
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import joinedload, with_polymorphic
from sqlalchemy.pool import NullPool

from autograder.core.errors import UsageError

EXAMPLES = "sqlite:///PATH/gradebook.db or postgresql://USER@HOST[:PORT]/DB"
# pg_advisory_lock's key for "writes to the autograder's gradebook" (any 64-bit number other tools do not use)
LOCK_KEY = 0x6E62_6772_6164_6572  # "nbgrader" in ASCII

# URL -> depth, per thread: release() inside ensure_in_gradebook() must not wait for the lock it holds itself
_held = threading.local()


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def shown(db_url: str) -> str:
    """The URL for messages, password hidden."""
    try:
        return make_url(db_url).render_as_string(hide_password=True)
    except ArgumentError:
        return db_url


def parse(db_url: str) -> URL:
    """``db_url`` parsed, its scheme known and its driver importable; a UsageError otherwise (before anything
    runs, so a typo costs a second rather than a reference run)."""
    try:
        url = make_url(db_url)
    except ArgumentError:
        raise UsageError(f"bad database URL {db_url!r}: expected for example {EXAMPLES}") from None
    try:
        dialect = url.get_dialect()
    except NoSuchModuleError:
        raise UsageError(f"unknown database scheme {url.drivername!r} in {shown(db_url)}: use {EXAMPLES}") from None
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        raise UsageError(
            f"no driver for {url.drivername!r} ({_one_line(exc)}): postgresql:// uses psycopg, installed with "
            "this package (pip install -c constraints.txt -e .)"
        ) from None
    return url


def unreachable(db_url: str, exc: BaseException) -> UsageError:
    return UsageError(f"cannot open the gradebook {shown(db_url)}: {_one_line(exc)}")


def open_gradebook(db_url: str) -> Gradebook:
    """nbgrader's Gradebook, with a one-line UsageError when the URL cannot be opened (missing driver, no such
    folder, server down)."""
    try:
        return Gradebook(db_url)
    except (SQLAlchemyError, ImportError) as exc:
        raise unreachable(db_url, exc) from None


@contextmanager
def exclusive(db_url: str) -> Iterator[None]:
    """Hold the gradebook's writer lock while the block runs (re-entrant within a process)."""
    url = parse(db_url)
    if url.get_backend_name() != "postgresql":
        yield  # SQLite: as before, its own file lock orders the writers
        return
    depths: dict[str, int] = _held.__dict__.setdefault("depths", {})
    if depths.get(db_url):
        depths[db_url] += 1
        try:
            yield
        finally:
            depths[db_url] -= 1
        return
    # a connection of its own, not pooled: closing it ends the database session, which releases the lock even
    # when the unlock never runs (a grader killed mid-batch cannot leave the gradebook locked)
    engine = create_engine(url, poolclass=NullPool)
    try:
        try:
            conn = engine.connect()
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
            conn.commit()
        except SQLAlchemyError as exc:
            raise unreachable(db_url, exc) from None
        depths[db_url] = 1
        try:
            yield
        finally:
            depths[db_url] = 0
            conn.close()
    finally:
        engine.dispose()


class _CommitAtEnd:
    """A session whose ``commit`` waits for ``commit_now``: nbgrader commits after every cell it scores."""

    def __init__(self, session) -> None:
        self._session = session

    def commit(self) -> None:
        pass

    def commit_now(self) -> None:
        self._session.commit()

    def __getattr__(self, name: str):
        return getattr(self._session, name)


def _copy(obj: object, *names: str) -> SimpleNamespace:
    return SimpleNamespace(**{n: getattr(obj, n) for n in names})


class NotebookCells:
    """One notebook's cells as the gradebook holds them (the release), copied into plain objects: made once per
    batch, since every submission of the batch is restored and scored against the same cells. It answers what
    nbgrader's per-cell preprocessors ask a Gradebook about them (OverwriteCells, OverwriteKernelspec), which
    nbgrader does with a query per cell (3 ms a cell, 0.1 s a notebook of 40 cells); ours because nbgrader has
    no batch form of these lookups."""

    def __init__(self, gradebook: Gradebook, notebook: str, assignment: str) -> None:
        found = gradebook.find_notebook(notebook, assignment)
        self.kernelspec = found.kernelspec
        self.source_cells = [_copy(c, "name", "cell_type", "locked", "checksum", "source") for c in found.source_cells]
        # every kind's own columns in one query (through the base class, each subclass's would be a query a cell)
        query = gradebook.db.query(with_polymorphic(BaseCell, "*"))
        cells = query.filter(BaseCell.notebook_id == found.id).all()
        self.grade_cells = [_copy(c, "name", "max_score", "cell_type") for c in cells if isinstance(c, GradeCell)]
        self.task_cells = [_copy(c, "name", "max_score", "cell_type") for c in cells if isinstance(c, TaskCell)]
        self.solution_cells = [_copy(c, "name") for c in cells if isinstance(c, SolutionCell)]
        self.source = {c.name: c for c in self.source_cells}
        self.graded = {c.name: c for c in [*self.grade_cells, *self.task_cells]}

    @classmethod
    def load(cls, db_url: str, notebook: str, assignment: str) -> NotebookCells:
        with open_gradebook(db_url) as gradebook:
            return cls(gradebook, notebook, assignment)

    @staticmethod
    def _find(found: dict, name: str, what: str):
        if name not in found:
            raise MissingEntry(f"no such {what}: {name}")
        return found[name]

    def find_notebook(self, notebook: str, assignment: str) -> NotebookCells:
        return self

    def find_source_cell(self, name: str, notebook: str, assignment: str):
        return self._find(self.source, name, "source cell")

    def find_graded_cell(self, name: str, notebook: str, assignment: str):
        return self._find(self.graded, name, "grade cell")


class SubmissionGrades:
    """The grades and comments of one submitted notebook, loaded in two queries, for nbgrader's SaveAutoGrades,
    which finds and commits each one by itself: ``find_grade`` / ``find_comment`` answer from them, and its
    commits wait for ``commit``."""

    def __init__(self, gradebook: Gradebook, notebook: str, assignment: str, student: str) -> None:
        self.db = _CommitAtEnd(gradebook.db)
        submitted = gradebook.find_submission_notebook(notebook, assignment, student)
        # with each one's cell (for its name) in the same query
        grades = gradebook.db.query(Grade).options(joinedload(Grade.cell)).filter(Grade.notebook_id == submitted.id)
        comments = gradebook.db.query(Comment).options(joinedload(Comment.cell))
        self.grades = {g.cell.name: g for g in grades}
        self.comments = {c.cell.name: c for c in comments.filter(Comment.notebook_id == submitted.id)}

    def find_grade(self, name: str, notebook: str, assignment: str, student: str):
        return NotebookCells._find(self.grades, name, "grade")

    def find_comment(self, name: str, notebook: str, assignment: str, student: str):
        return NotebookCells._find(self.comments, name, "comment")

    def commit(self) -> None:
        self.db.commit_now()
