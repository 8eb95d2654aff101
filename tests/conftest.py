import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from tiny_course import ASSIGNMENT, make_course  # noqa: E402

from autograder.core.course_dir import CourseDir  # noqa: E402
from autograder.handout.release import release  # noqa: E402


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


def pytest_terminal_summary(terminalreporter):
    """The grader's peak memory over the whole run, in every report (issue: bounded memory under attack): this
    process (the grader's main process in the grading tests) and the largest process it waited for (a worker, a
    kernel, a fork server)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    terminalreporter.write_line(
        f"peak memory: this test process {own:.0f} MiB, largest finished child process {children:.0f} MiB"
    )
