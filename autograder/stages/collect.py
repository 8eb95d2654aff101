"""Stage 1, collect: find each student's notebooks in nbgrader's layout ``DIR/<student>/<assignment>/*.ipynb``.

A student whose folder lacks an expected notebook still gets a record (a student fault), so the gradebook and
the CSV show a 0 with the reason instead of a missing row. A symbolic link (folder or notebook) is refused: it
could point at another student's notebook and earn its grade.
"""

from __future__ import annotations

from pathlib import Path

from autograder.core import late
from autograder.core.errors import UsageError
from autograder.core.submission import State, Submission


def collect(submissions_dir: Path, assignment: str, notebook_names: list[str]) -> list[Submission]:
    if not submissions_dir.is_dir():
        raise UsageError(f"submissions directory not found: {submissions_dir}")
    found: list[Submission] = []
    for student_dir in sorted(p for p in submissions_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        folder = student_dir / assignment
        if not folder.is_dir():
            continue
        linked = student_dir.is_symlink() or folder.is_symlink()
        for name in notebook_names:
            path = folder / f"{name}.ipynb"
            sub = Submission(student_dir.name, assignment, name, path if path.exists() or path.is_symlink() else None)
            when = None if linked else late.submitted_at(folder)
            sub.submitted_at = when.isoformat() if when else ""
            if sub.path is None:
                sub.fail(State.STUDENT_FAULT, f"no {name}.ipynb submitted")
            elif linked or path.is_symlink() or not path.is_file():
                sub.path = None
                sub.fail(State.STUDENT_FAULT, f"{name}.ipynb is a symbolic link or not a plain file: not graded")
            found.append(sub)
    return found
