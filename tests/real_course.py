"""A copy of the repository's course (sources and mutants) in a test's own folder, so tests that release, grade or
serve it never touch the repository's assignments/."""

import shutil
from pathlib import Path

from autograder.course_dir import DEFAULT_ROOT, CourseDir

ASSIGNMENTS = CourseDir(DEFAULT_ROOT).assignments()


def copy_course(folder: Path) -> CourseDir:
    root = folder / "course"
    shutil.copytree(DEFAULT_ROOT / "source", root / "source")
    shutil.copytree(DEFAULT_ROOT / "mutants", root / "mutants")
    return CourseDir(root)
