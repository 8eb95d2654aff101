"""The one way tests spell an ``autograder`` command line (run in a child process, as users run it)."""

import sys


def autograder(*args: str, course=None) -> list[str]:
    """``python -m autograder [--course ROOT] ARGS`` with this interpreter; ``course`` a ``CourseDir``."""
    return [sys.executable, "-m", "autograder", *(["--course", str(course.root)] if course is not None else []), *args]
