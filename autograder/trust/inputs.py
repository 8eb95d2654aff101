"""Per-student inputs: each student's hidden tests draw their own inputs, so a shared table of outputs is worthless.

Hidden tests seed their inputs with ``course.seeding.vary(k)``, which is ``k`` outside grading. When the course
asks for it (``course.toml``)::

    [inputs]
    per_student = true

every submission gets a *variant*, a hash of the student's id and the assignment's version (its source notebooks:
not the device, the torch version or the grading options, so a student's inputs are the same on CPU and GPU and in
a re-grade of the same version). ``assign`` makes it the notebook's first cell, the grader's, which tells
``course.seeding`` the variant before any other cell runs. The expected side for that variant comes from the
reference run with the same variant (reference.py runs many variants in one kernel), outside the student's
process, as for everyone else (verify.py). With ``per_student`` off (the default) the variant is "" and nothing
changes.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

from nbformat.v4 import new_code_cell

from autograder.core.course_dir import CourseDir, files_digest
from autograder.core.errors import UsageError
from autograder.core.submission import Submission

SECTION = "inputs"
FILENAME = "course.toml"  # shared with late.py, which owns the file's other sections
NO_VARIANT = ""
SEEDING = '__import__("course.seeding", fromlist=["vary"])'


def per_student(root: Path) -> bool:
    """Whether the course at ``root`` gives each student their own hidden-test inputs (``[inputs] per_student``)."""
    path = Path(root) / FILENAME
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: cannot read it: {exc}") from None
    section = data.get(SECTION, {})
    if not isinstance(section, dict) or set(section) - {"per_student"}:
        raise UsageError(f"{path}: [{SECTION}]: expected only the key per_student = true or false")
    value = section.get("per_student", False)
    if not isinstance(value, bool):
        raise UsageError(f"{path}: {SECTION}.per_student: expected true or false, got {value!r}")
    return value


def assignment_version(course: CourseDir, assignment: str) -> str:
    """What a student's inputs depend on besides their id: the assignment's source notebooks."""
    return files_digest(course.source_notebooks(assignment)).hexdigest()


def variant(student: str, version: str) -> str:
    """The student's variant: public to them (it only picks their inputs), different for every student."""
    return hashlib.sha256(f"inputs\0{version}\0{student}".encode()).hexdigest()[:16]


def variants_of(
    course: CourseDir, assignment: str, students: Iterable[str], drawn_as: Mapping[str, str] | None = None
) -> dict[str, str]:
    """``{student: variant}``; every variant is "" when the course does not vary inputs. A student named in
    ``drawn_as`` draws the inputs of the name it maps to (validate's sample class shares a few)."""
    if not per_student(course.root):
        return {s: NO_VARIANT for s in students}
    version = assignment_version(course, assignment)
    return {s: variant((drawn_as or {}).get(s, s), version) for s in students}


def setter_line(variant_: str, state: str = "") -> str:
    """The line that makes ``course.seeding.vary`` draw ``variant_``'s inputs (restoring ``state`` first)."""
    return f"{SEEDING}.use_inputs({variant_!r}{', ' + state if state else ''})  # grader: the hidden tests' inputs"


def state_line(name: str) -> str:
    """The line that keeps the global random state in ``name``, for ``setter_line`` to restore."""
    return f"{name} = {SEEDING}.random_state()  # grader: each copy of the next test cell starts from here"


def assign(sub: Submission, variant_: str) -> Submission:
    """Stage after withhold: the submission's inputs, set by the notebook's first cell (none for "")."""
    sub.inputs = variant_
    if sub.ok and sub.nb is not None and variant_:
        sub.nb.cells.insert(0, new_code_cell(setter_line(variant_)))
    return sub
