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

from nbgrader.api import Gradebook
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from autograder.errors import UsageError

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
