"""One kernel leaves nothing the next kernel on the same worker can find (issue: no channel between students).

Two submissions graded by one worker, one after the other: the first plants something everywhere a sandboxed
kernel could reach (files in its home, /tmp and /dev/shm, a key in the user keyring, SysV shared memory and a
message queue, a listening abstract Unix socket, a background process); the second, under another uid, looks
for each before planting its own, and then checks it can see its own plants (so the search itself is shown to
work wherever the sandbox lets a kernel plant at all). Both modes: kernels forked by the worker's fork server
and cold ones.
"""

from __future__ import annotations

import json
import os

import nbformat
import pytest
from tiny_course import ASSIGNMENT

from autograder.authoring import sample_class
from autograder.isolation.execute import Limits
from autograder.stages.pipeline import GradeOptions, grade_batch

SEARCH_AND_PLANT = r"""
import ctypes, json, os, socket, subprocess
libc = ctypes.CDLL(None, use_errno=True)
NAME = "ag-plant"
PATHS = {"tmp": "/tmp/" + NAME, "home": os.path.expanduser("~/" + NAME), "shm": "/dev/shm/" + NAME}

def look():
    seen = [k for k, p in PATHS.items() if os.path.exists(p)]
    try:
        if NAME in open("/proc/keys").read():
            seen.append("keyring")
    except OSError:
        pass
    if libc.shmget(0x4147, 0, 0) >= 0:
        seen.append("sysv shm")
    if libc.msgget(0x4148, 0) >= 0:
        seen.append("sysv msg")
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect("\0" + NAME)
        seen.append("abstract socket")
    except OSError:
        pass
    finally:
        s.close()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if open(f"/proc/{pid}/cmdline", "rb").read() == b"sleep\x00" + b"4747\x00":
                seen.append("process")
        except OSError:
            pass
    return sorted(set(seen))

def plant():
    planted = []
    for key, path in PATHS.items():
        try:
            with open(path, "w") as fh:
                fh.write("x")
            planted.append(key)
        except OSError:
            pass
    if libc.syscall(248, b"user", NAME.encode(), b"x", 1, ctypes.c_int(-4)) >= 0:  # add_key, KEY_SPEC_USER_KEYRING
        planted.append("keyring")
    if libc.shmget(0x4147, 4096, 0o1666) >= 0:
        planted.append("sysv shm")
    if libc.msgget(0x4148, 0o1666) >= 0:
        planted.append("sysv msg")
    global LISTENER
    LISTENER = socket.socket(socket.AF_UNIX)
    try:
        LISTENER.bind("\0" + NAME)
        LISTENER.listen()
        planted.append("abstract socket")
    except OSError:
        pass
    try:
        subprocess.Popen(["sleep", "4747"], start_new_session=True)
        planted.append("process")
    except OSError:
        pass
    return planted

print("UID " + json.dumps([os.getuid()]))
print("FOUND " + json.dumps(look()))
print("PLANTED " + json.dumps(plant()))
print("SELF " + json.dumps(look()))
"""


def _said(course, student: str) -> dict[str, list[str]]:
    nb = nbformat.read(course.autograded / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stdout")
    return {line.split(" ", 1)[0]: json.loads(line.split(" ", 1)[1]) for line in text.splitlines() if " [" in line}


@pytest.mark.parametrize("mode", ["forked", "cold"])
def test_nothing_one_kernel_plants_reaches_the_next(tmp_path, mode):
    from tiny_course import make_course

    from autograder.core.course_dir import CourseDir
    from autograder.handout.release import release

    course = CourseDir(make_course(tmp_path / "course"))
    release(course, ASSIGNMENT)
    blank = next(s for s in sample_class.build(course, ASSIGNMENT) if s.name == "blank").notebooks
    planted = {name: sample_class.insert_before_first_solution(nb, SEARCH_AND_PLANT) for name, nb in blank.items()}
    # collected in name order, one worker: a-first's kernel runs (and ends) before b-second's
    students = [sample_class.Student(name, planted, kind="misbehaving") for name in ("a-first", "b-second")]
    sample_class.write(students, ASSIGNMENT, course.submitted)
    options = GradeOptions(jobs=1, warm_kernels=mode == "forked", limits=Limits(notebook_timeout=60, cell_timeout=30))
    subs = {s.student: s for s in grade_batch(course, ASSIGNMENT, course.submitted, options)}
    first, second = _said(course, "a-first"), _said(course, "b-second")
    assert first["FOUND"] == [] and second["FOUND"] == [], (first, second)
    if os.geteuid() == 0:  # each kernel its own uid (otherwise each its own user namespace)
        assert first["UID"] != second["UID"], (first, second)
    # the search works: each kernel sees what it planted itself (the sandbox refuses the keyring outright)
    # (a process just started may not show its command line yet: not required)
    assert set(second["PLANTED"]) >= set(second["SELF"]) >= {"tmp", "home", "sysv shm", "abstract socket"}, second
    assert "keyring" not in second["PLANTED"], "a kernel could add a key to its user keyring"
    assert all(s.state.value == "graded" for s in subs.values()), {k: s.reason for k, s in subs.items()}
