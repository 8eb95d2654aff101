"""Where things live in the course root (``assignments/``) and the nbgrader configuration for it.

One function, ``nbgrader_config``, builds the configuration used both by the grader and by
``assignments/nbgrader_config.py`` (so JupyterLab's nbgrader extension and the CLI agree).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from traitlets.config import Config

from autograder.core import sources
from autograder.core.errors import UsageError

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ROOT = REPO_ROOT / "assignments"
COURSE_ID = "dl-training-lab"


def nbgrader_config(root: Path, db_url: str) -> Config:
    """The nbgrader settings this lab relies on (see DESIGN.md section 9)."""
    c = Config()
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.course_id = COURSE_ID
    c.CourseDirectory.db_url = db_url
    # a deleted test cell must come back, or its item would go ungraded
    c.OverwriteCells.add_missing_cells = True
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
    c.Exchange.assignment_dir = str(root)
    # the exchange the course releases to and students submit into; `nbgrader collect` reads it
    c.Exchange.root = str(exchange_root(root))
    # *.pct.py: the readable source a notebook is built from (sources.py), which holds the solutions
    c.CourseDirectory.ignore = [
        ".ipynb_checkpoints",
        "*.pyc",
        "__pycache__",
        "feedback",
        "mutants",
        "variants",
        "*.pct.py",
    ]
    return c


def exchange_root(root: Path) -> Path:
    """nbgrader's exchange: ``$AUTOGRADER_EXCHANGE`` where a hub shares one between its users (hub.py), else the
    course's own ``.work/exchange`` (``autograder lab``: one student, one machine)."""
    return Path(os.environ.get("AUTOGRADER_EXCHANGE") or root / ".work" / "exchange")


def files_digest(paths: Iterable[Path], digest: hashlib._Hash | None = None) -> hashlib._Hash:
    """A sha256 over each file's name and bytes, in the order given (``digest``: go on from it): what a cached
    result (the reference run, a student's inputs, the known-bug table) depends on."""
    digest = digest if digest is not None else hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest


@dataclass(frozen=True)
class CourseDir:
    """Paths of one course root; ``db_url`` defaults to ``sqlite:///<root>/gradebook.db``."""

    root: Path = DEFAULT_ROOT
    db_url: str = ""

    def __post_init__(self) -> None:
        if not self.root.is_dir():
            raise UsageError(f"course root not found: {self.root}")
        if not self.db_url:
            object.__setattr__(self, "db_url", f"sqlite:///{self.root / 'gradebook.db'}")
        from autograder.core.gradebook import parse  # here: SQLAlchemy stays out of what imports only the paths

        parse(self.db_url)  # a typo in the scheme or a missing driver: one line now, not after a reference run

    @property
    def source(self) -> Path:
        return self.root / "source"

    @property
    def release(self) -> Path:
        return self.root / "release"

    @property
    def submitted(self) -> Path:
        return self.root / "submitted"

    @property
    def autograded(self) -> Path:
        return self.root / "autograded"

    @property
    def feedback(self) -> Path:
        return self.root / "feedback"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def mutants(self) -> Path:
        return self.root / "mutants"

    @property
    def variants(self) -> Path:
        """Correct solutions written differently (mutant file format, ``# why:``): each must keep full marks."""
        return self.root / "variants"

    def work(self, name: str) -> Path:
        """Scratch space for generated material (sample class, validation runs); git-ignored."""
        path = self.root / ".work" / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def assignments(self) -> list[str]:
        return sorted(
            p.name
            for p in self.source.iterdir()
            if p.is_dir() and (any(p.glob("*.ipynb")) or any(p.glob(f"*{sources.SUFFIX}")))
        )

    def check_assignment(self, name: str) -> str:
        known = self.assignments()
        if name not in known:
            raise UsageError(f"unknown assignment {name!r}; known: {', '.join(known) or 'none'}")
        return name

    def source_notebooks(self, assignment: str) -> list[Path]:
        """The assignment's source notebooks, built first from their readable text where there is one."""
        folder = self.source / assignment
        if folder.is_dir():
            sources.build(folder)
        return sorted(folder.glob("*.ipynb"))

    def config(self) -> Config:
        return nbgrader_config(self.root, self.db_url)


def env_root() -> Path:
    """The course root: ``$AUTOGRADER_COURSE`` or the repository's ``assignments/``."""
    return Path(os.environ.get("AUTOGRADER_COURSE", DEFAULT_ROOT)).resolve()
