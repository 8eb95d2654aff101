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


@pytest.fixture
def reap_sandboxes():
    """For a test that SIGKILLs a grader or a worker: the sandbox folders of the kernels it killed (which no
    one is left to remove) are removed after it, so later tests that look for leftovers see only their own."""
    import tempfile

    tmp = Path(tempfile.gettempdir())
    before = set(tmp.glob("ag-*"))
    yield
    for box in set(tmp.glob("ag-*")) - before:
        shutil.rmtree(box, ignore_errors=True)
