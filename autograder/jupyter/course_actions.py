"""The instructor's course page (instructor_server.py): release, collect, grade and release feedback, one button
each. Each button runs the commands an instructor would type in a terminal, as the instructor, on the course of
their server (``AUTOGRADER_COURSE``), and the page shows what they printed: nothing here grades or decides anything
itself, so the page and the terminal cannot disagree.

- release: ``autograder release A`` (student versions, leak-checked) then nbgrader's ``release_assignment``,
  which puts them in the exchange for students to fetch;
- collect: nbgrader's ``collect --update`` (the latest submission of each student, into ``submitted/``);
- grade: ``autograder grade A`` (the sandbox on, as always);
- feedback: ``autograder release-feedback A`` (the pages into the exchange, for "Fetch Feedback").
"""

from __future__ import annotations

import asyncio
import sys

from autograder.core.course_dir import CourseDir

OUTPUT_TAIL = 20_000  # characters of output shown


def commands(course: CourseDir, action: str, assignment: str) -> list[list[str]]:
    autograder = [sys.executable, "-m", "autograder", "--course", str(course.root)]
    nbgrader = [sys.executable, "-m", "nbgrader"]
    return {
        "release": [[*autograder, "release", assignment], [*nbgrader, "release_assignment", assignment, "--force"]],
        "collect": [[*nbgrader, "collect", assignment, "--update"]],
        "grade": [[*autograder, "grade", assignment]],
        "feedback": [[*autograder, "release-feedback", assignment]],
    }[action]


ACTIONS = {"release": "Release", "collect": "Collect", "grade": "Grade", "feedback": "Release feedback"}  # and labels
_one_at_a_time = asyncio.Lock()  # two clicks must not grade the same course at once


async def run(course: CourseDir, action: str, assignment: str) -> tuple[bool, str]:
    """Runs the action's commands in order, stopping at the first that fails: (all succeeded, their output)."""
    output = []
    async with _one_at_a_time:
        for command in commands(course, action, assignment):
            process = await asyncio.create_subprocess_exec(
                *command, cwd=course.root, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
            )
            out, _ = await process.communicate()
            output.append(f"$ {' '.join(command[2:])}\n{out.decode(errors='replace')}")  # without "python -m"
            if process.returncode != 0:
                return False, "".join(output)[-OUTPUT_TAIL:]
    return True, "".join(output)[-OUTPUT_TAIL:]
