"""``autograder release``: student versions by nbgrader's generate_assignment, then a leak check.

generate_assignment also records the assignment (cells, checksums, hidden tests) in the gradebook, which
restore and scoring need later, so ``ensure_in_gradebook`` reuses it.
"""

from __future__ import annotations

import logging
from pathlib import Path

import nbformat
from nbgrader.api import MissingEntry
from nbgrader.converters import GenerateAssignment
from nbgrader.coursedir import CourseDirectory

from autograder.core.course_dir import CourseDir
from autograder.core.errors import ReleaseError, UsageError
from autograder.core.gradebook import exclusive, open_gradebook
from autograder.core.markup import BEGIN_HIDDEN, BEGIN_SOLUTION, secret_lines

log = logging.getLogger(__name__)


def generate(course: CourseDir, assignment: str) -> Path:
    """Run nbgrader's generate_assignment for one assignment; returns its release folder."""
    course.source_notebooks(assignment)  # nbgrader reads the notebooks: build them from their text first
    config = course.config()
    config.CourseDirectory.assignment_id = assignment
    config.GenerateAssignment.force = True
    coursedir = CourseDirectory(config=config)
    converter = GenerateAssignment(coursedir=coursedir, config=config)
    converter.log.setLevel(logging.ERROR)
    try:
        with exclusive(course.db_url):  # generate_assignment writes the assignment's cells into the gradebook
            converter.start()
    except UsageError:
        raise
    except Exception as exc:  # nbgrader raises NbGraderException with the reason already logged
        raise ReleaseError(f"nbgrader generate_assignment failed for {assignment}: {exc}") from exc
    return course.release / assignment


def leaks(source: Path, released: Path) -> list[str]:
    """Lines of solutions or hidden tests of ``source`` that appear in the released notebook."""
    src = nbformat.read(source, as_version=4)
    rel = nbformat.read(released, as_version=4)
    secrets = secret_lines(src)
    found = []
    for n, cell in enumerate(rel.cells):
        for line in cell.source.splitlines():
            stripped = line.strip()
            if stripped in secrets or stripped.startswith((BEGIN_SOLUTION, BEGIN_HIDDEN)):
                found.append(f"{released.name} cell {n}: {stripped}")
    return found


def release(course: CourseDir, assignment: str) -> Path:
    folder = generate(course, assignment)
    problems = []
    for source in course.source_notebooks(assignment):
        released = folder / source.name
        if not released.exists():
            problems.append(f"{released} was not written")
            continue
        problems += leaks(source, released)
    if problems:
        raise ReleaseError("solution code or hidden tests in the release:\n  " + "\n  ".join(problems))
    return folder


def ensure_in_gradebook(course: CourseDir, assignment: str) -> None:
    """Restore and scoring read the assignment from the gradebook: release it there if it is missing."""
    # locked from the look to the release: a second grader must not release the same assignment meanwhile, and
    # the first Gradebook() on an empty database creates the tables, which two at once cannot
    with exclusive(course.db_url):
        with open_gradebook(course.db_url) as gb:
            try:
                known = gb.find_assignment(assignment)
                if {nb.name for nb in known.notebooks} >= {p.stem for p in course.source_notebooks(assignment)}:
                    return
            except MissingEntry:
                pass
        release(course, assignment)
