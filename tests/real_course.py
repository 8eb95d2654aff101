"""A copy of the repository's course (sources and mutants) in a test's own folder, so tests that release, grade or
serve it never touch the repository's assignments/."""

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import nbformat
from cli_command import autograder

from autograder.authoring import sample_class
from autograder.core.course_dir import DEFAULT_ROOT, CourseDir
from autograder.core.submission import State, Submission
from autograder.handout.release import release
from autograder.stages.pipeline import load_results

ASSIGNMENTS = CourseDir(DEFAULT_ROOT).assignments()


def copy_course(folder: Path) -> CourseDir:
    root = folder / "course"
    shutil.copytree(DEFAULT_ROOT / "source", root / "source")
    shutil.copytree(DEFAULT_ROOT / "mutants", root / "mutants")
    shutil.copytree(DEFAULT_ROOT / "rubrics", root / "rubrics")
    shutil.copy(DEFAULT_ROOT / "course.toml", root / "course.toml")  # graded as configured: per-student inputs
    return CourseDir(root)


def errors_in(course: CourseDir, student: str, assignment: str) -> list[str]:
    """Every error output in a student's autograded notebooks, as 'Name: value'."""
    outputs = [
        o
        for path in sorted((course.autograded / student / assignment).glob("*.ipynb"))
        for cell in nbformat.read(path, as_version=4).cells
        for o in cell.get("outputs", [])
    ]
    return [f"{o.ename}: {o.evalue}" for o in outputs if o.output_type == "error"]


def grade_in_full(
    folder: Path,
    assignment: str,
    env: dict[str, str],
    device: str,
    extra: Callable[[sample_class.Student], list[sample_class.Student]] | None = None,
) -> tuple[CourseDir, dict[str, Submission]]:
    """`autograder grade --device DEVICE` in a child process with ``env``, every cell run (experiments included, FAST
    injected as grading does), on the reference as a student plus the students ``extra`` makes from it."""
    course = copy_course(folder)
    release(course, assignment)
    reference = next(s for s in sample_class.build(course, assignment, misbehaving=False) if s.name == "reference")
    sample_class.write([reference, *(extra(reference) if extra else [])], assignment, course.submitted)
    command = autograder("grade", assignment, course=course)
    result = subprocess.run([*command, "--device", device], env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    return course, {s.student: s for s in load_results(course, assignment)}


def autograded(sub: Submission) -> tuple[float, float]:
    """Points and maximum of the autograded cells: written answers wait for a person (pending, 0 points)."""
    cells = [r for r in sub.results if not r.manual]
    return sum(r.points for r in cells), sum(r.max_points for r in cells)


def assert_full_marks_and_no_error(course: CourseDir, subs: dict[str, Submission], assignment: str) -> None:
    ref = subs["reference"]
    points, maximum = autograded(ref)
    assert (ref.state, points) == (State.GRADED, maximum), ref.reason
    assert maximum > 0
    assert errors_in(course, "reference", assignment) == []
