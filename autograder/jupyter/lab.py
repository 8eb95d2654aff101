"""``autograder lab``: JupyterLab 4 for a student, on the release notebooks, with nbgrader's student tools.

What a student sees is set up the way a course server would set it up, only on one machine:
  1. every assignment is released (``release.release``: student versions, leak-checked);
  2. nbgrader's exchange (``<course>/.work/exchange``) gets the releases, so the Assignments tab lists them and
     Submit works (``nbgrader collect`` then moves submissions into ``submitted/``);
  3. the release notebooks are copied into the student's folder (``<course>/student`` by default) unless a copy
     is already there: a student's work is never overwritten;
  4. JupyterLab starts on that folder with the student half of nbgrader's extension (Validate, Assignments) and
     without the instructor half (formgrader, create assignment, course list), through its own Jupyter config
     directory, so the instructor's settings elsewhere are untouched.
The server is JupyterLab's own (``jupyter lab``); this module only prepares its folders and prints the URL once
it answers.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory

from autograder.core.course_dir import COURSE_ID, CourseDir
from autograder.core.errors import UsageError
from autograder.handout.release import release

INSTRUCTOR_PLUGINS = [
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
]
INSTRUCTOR_SERVER_EXTENSIONS = ["nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list"]


def student_config(exchange: Path, workdir: Path | None = None) -> str:
    """nbgrader_config.py for a student: which course and where its exchange is; with ``workdir`` (one student on
    one machine) also the student's folder and their record of submissions (nbgrader's default cache is shared by
    every course of the user). On a hub each student works in their home and keeps their own cache there."""
    text = (
        "# Written by `autograder lab` or `autograder hub`: the student's side of the nbgrader exchange.\n"
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        "# fetching again over existing work keeps it and brings back only what is missing (nbgrader refuses else)\n"
        "c.ExchangeFetchAssignment.replace_missing_files = True\n"
    )
    if workdir is not None:
        text += (
            f"c.Exchange.assignment_dir = {str(workdir)!r}\n"
            f"c.Exchange.cache = {str(exchange.parent / 'student-cache')!r}\n"
        )
    return text


def release_to_exchange(course: CourseDir, assignment: str, exchange: Path) -> None:
    config = course.config()
    config.Exchange.root = str(exchange)  # course.work("exchange") unless a test points elsewhere
    config.ExchangeReleaseAssignment.force = True  # a newer release replaces the last one
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    result = api.release_assignment(assignment)
    if not result["success"]:
        raise UsageError(f"nbgrader could not release {assignment} to {exchange}: {result.get('error', '')[-300:]}")


def write_jupyter_config(config_dir: Path) -> None:
    (config_dir / "labconfig").mkdir(parents=True, exist_ok=True)
    (config_dir / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {p: True for p in INSTRUCTOR_PLUGINS}}, indent=1), encoding="utf-8"
    )
    (config_dir / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": {e: False for e in INSTRUCTOR_SERVER_EXTENSIONS}}}, indent=1),
        encoding="utf-8",
    )


def prepare(course: CourseDir, workdir: Path) -> tuple[list[Path], Path]:
    """Release everything, fill the exchange and the student's folder; returns (notebooks, jupyter config dir)."""
    exchange = course.work("exchange")
    exchange.chmod(0o777)  # nbgrader's exchange is shared by design; it refuses a root others cannot write
    workdir.mkdir(parents=True, exist_ok=True)
    notebooks = []
    for name in course.assignments():
        released = release(course, name)
        release_to_exchange(course, name, exchange)
        for nb in sorted(released.glob("*.ipynb")):
            target = workdir / name / nb.name
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(nb, target)
            notebooks.append(target)
    (workdir / "nbgrader_config.py").write_text(student_config(exchange, workdir), encoding="utf-8")
    config_dir = course.work("jupyter-student")
    write_jupyter_config(config_dir)
    return notebooks, config_dir


def command(workdir: Path, ip: str, port: int, token: str, extra: tuple[str, ...] = ()) -> list[str]:
    options = [
        f"--ServerApp.root_dir={workdir}",
        f"--ServerApp.ip={ip}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
    ]
    if os.geteuid() == 0:  # CI containers run as root; the Docker image runs as a user
        options.append("--allow-root")
    return [sys.executable, "-m", "jupyter", "lab", "--no-browser", *options, *extra]


def wait_until_serving(url: str, proc: subprocess.Popen, timeout: float = 120.0) -> float:
    """Seconds until the server of ``url`` (the lab URL from ``start``) answers its status API; UsageError when the
    server exits or does not answer in time."""
    status = url.replace("/lab?", "/api/status?")
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise UsageError(f"JupyterLab exited with code {proc.returncode}; its log above says why")
        try:
            with urllib.request.urlopen(status, timeout=2) as response:  # noqa: S310 - localhost, our own server
                if response.status == 200:
                    return time.perf_counter() - started
        except OSError:
            time.sleep(0.25)
    raise UsageError(f"JupyterLab did not answer within {timeout:.0f} s")


def start(
    course: CourseDir, workdir: Path, ip: str, port: int, env: dict[str, str], extra: tuple[str, ...] = ()
) -> tuple[subprocess.Popen, str]:
    """Prepare and start the server; returns the process and the URL with its token (not yet waited for).
    ``extra``: more ``jupyter lab`` options (the browser test exposes the app to the page)."""
    _, config_dir = prepare(course, workdir)
    token = secrets.token_hex(16)
    env = {**env, "JUPYTER_CONFIG_DIR": str(config_dir)}
    proc = subprocess.Popen(command(workdir, ip, port, token, extra), cwd=workdir, env=env)  # noqa: S603
    host = "127.0.0.1" if ip in ("0.0.0.0", "") else ip
    return proc, f"http://{host}:{port}/lab?token={token}"


# ---- the instructor's lab --------------------------------------------------------------------------------------

INSTRUCTOR_EXTENSIONS = {
    "nbgrader.server_extensions.formgrader": True,  # manual grading, one notebook at a time, on our gradebook
    "autograder.jupyter.instructor_server": True,  # the class's answers to one question on one page, with the rubric
    "nbgrader.server_extensions.course_list": False,  # one course here
    "nbgrader.server_extensions.assignment_list": False,  # the student's side
}


def instructor_nbgrader_config(course: CourseDir) -> str:
    """nbgrader_config.py for the formgrader: this course root and its gradebook (SQLite or PostgreSQL)."""
    return (
        "# Written by `autograder lab --instructor`: the formgrader on this course's gradebook.\n"
        "from pathlib import Path\n"
        "from autograder.core.course_dir import nbgrader_config\n"
        "c = get_config()  # noqa: F821\n"
        f"c.merge(nbgrader_config(Path({str(course.root)!r}), {course.db_url!r}))\n"
    )


def write_instructor_config(course: CourseDir, config_dir: Path) -> Path:
    """The instructor's Jupyter settings in ``config_dir``: the formgrader and our pages on ``course``."""
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": INSTRUCTOR_EXTENSIONS}}, indent=1), encoding="utf-8"
    )
    (config_dir / "nbgrader_config.py").write_text(instructor_nbgrader_config(course), encoding="utf-8")
    return config_dir


def prepare_instructor(course: CourseDir) -> Path:
    """Release every assignment (the gradebook then knows its cells) and write the instructor's Jupyter config."""
    for name in course.assignments():
        release(course, name)
    course.work("exchange").chmod(0o777)  # the formgrader checks nbgrader's exchange, shared by design
    return write_instructor_config(course, course.work("jupyter-instructor"))


def start_instructor(
    course: CourseDir, ip: str, port: int, env: dict[str, str], extra: tuple[str, ...] = ()
) -> tuple[subprocess.Popen, str]:
    """JupyterLab on the course root with nbgrader's formgrader and our answers page (instructor_server.py);
    returns the process and the URL with its token (not yet waited for)."""
    config_dir = prepare_instructor(course)
    token = secrets.token_hex(16)
    env = {
        **env,
        "JUPYTER_CONFIG_DIR": str(config_dir),
        "AUTOGRADER_COURSE": str(course.root),
        "AUTOGRADER_DB_URL": course.db_url,
    }
    proc = subprocess.Popen(command(course.root, ip, port, token, extra), cwd=course.root, env=env)  # noqa: S603
    host = "127.0.0.1" if ip in ("0.0.0.0", "") else ip
    return proc, f"http://{host}:{port}/lab?token={token}"
