import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from tiny_course import ASSIGNMENT, make_course  # noqa: E402

from autograder.course_dir import CourseDir  # noqa: E402
from autograder.release import release  # noqa: E402


@pytest.fixture(scope="session")
def _tiny_template(tmp_path_factory) -> Path:
    root = make_course(tmp_path_factory.mktemp("tiny") / "course")
    release(CourseDir(root), ASSIGNMENT)
    return root


@pytest.fixture
def tiny(_tiny_template, tmp_path) -> CourseDir:
    """A released tiny course in a fresh folder of its own (gradebook included)."""
    root = tmp_path / "course"
    shutil.copytree(_tiny_template, root)
    return CourseDir(root)
