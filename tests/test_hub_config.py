"""`autograder hub`'s setup without starting a hub (test_hub.py starts one): the roster and the host's checks, the
instructor's course (theirs, closed to students), the state folder and JupyterHub's configuration as JupyterHub
reads it, and the spawner's command."""

from __future__ import annotations

import json
import os
import pwd
import sys
from pathlib import Path

import pytest
from cli_command import autograder
from tiny_course import make_course
from traitlets.config import Config

from autograder.core.course_dir import COURSE_ID, CourseDir
from autograder.core.errors import UsageError
from autograder.jupyter import hub, hub_spawner, lab

ROOT = os.geteuid() == 0


def test_a_roster_needs_students_and_an_instructor_who_is_not_one_of_them():
    assert hub.parse_roster("ann", " bob, carl ,") == hub.Roster("ann", ("bob", "carl"))
    for students in ("", " , "):
        with pytest.raises(UsageError, match="at least one"):
            hub.parse_roster("ann", students)
    with pytest.raises(UsageError, match="both the instructor and a student"):
        hub.parse_roster("ann", "bob,ann")


def test_the_command_line_says_what_is_missing_in_one_line_with_exit_code_2():
    import subprocess

    result = subprocess.run(
        [*autograder("hub"), "--instructor", "no-such-user-1", "--students", "no-such-user-2"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    expected = "no local user no-such-user-1, no-such-user-2" if ROOT else "run it as root"
    assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.skipif(not ROOT, reason="handing the course to another user needs root")
def test_the_course_must_be_the_instructors_and_closed_to_students(tmp_path):
    course = make_course(tmp_path / "course")
    roster = hub.Roster("nobody", ("daemon",))
    with pytest.raises(UsageError, match="chown -R nobody"):
        hub.instructors_course(roster, course)  # root's
    nobody = pwd.getpwnam("nobody")
    hub._give(course, nobody)
    course.chmod(0o755)
    with pytest.raises(UsageError, match="chmod 700"):
        hub.instructors_course(roster, course)
    course.chmod(0o700)
    assert hub.instructors_course(roster, course).root == course


def _read_config(config: Path, env: dict[str, str]) -> Config:
    """The configuration file as JupyterHub loads it (a Python file run with ``get_config``)."""
    c = Config()
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        code = compile(config.read_text(encoding="utf-8"), str(config), "exec")
        exec(code, {"get_config": lambda: c, "__file__": str(config)})  # noqa: S102 - our own generated file
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return c


def test_the_state_folder_and_the_configuration_jupyterhub_reads(tmp_path):
    course = CourseDir(make_course(tmp_path / "course"))
    state = tmp_path / "state"
    roster = hub.Roster("ann", ("bob", "carl"))
    config = hub.prepare(course, roster, state, "127.0.0.1", 8123)
    exchange = state / "exchange"
    assert exchange.stat().st_mode & 0o777 == 0o777

    c = _read_config(config, {"AUTOGRADER_HUB_TOKEN": "t", "AUTOGRADER_HUB_SERVER_ARGS": '["--x=1"]'})
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8123"
    assert c.JupyterHub.authenticator_class == "pam" and c.Authenticator.allowed_users == {"ann", "bob", "carl"}
    assert c.JupyterHub.load_groups == {
        hub_spawner.INSTRUCTORS: {"users": ["ann"]},
        hub_spawner.STUDENTS: {"users": ["bob", "carl"]},
    }
    assert c.JupyterHub.cleanup_servers is False and c.ConfigurableHTTPProxy.should_start is False
    assert c.JupyterHub.spawner_class == "autograder.jupyter.hub_spawner.CourseSpawner" and c.Spawner.args == ["--x=1"]
    text = config.read_text().lower()
    assert "dummy" not in text and ".password" not in text, "no shared password in what is deployed"

    roles = c.CourseSpawner.role_env
    student = Path(roles[hub_spawner.STUDENTS]["JUPYTER_CONFIG_PATH"])
    students_nbgrader = (student / "nbgrader_config.py").read_text()
    assert repr(COURSE_ID) in students_nbgrader and repr(str(exchange)) in students_nbgrader
    assert "replace_missing_files = True" in students_nbgrader
    disabled = json.loads((student / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    assert set(disabled) == set(lab.INSTRUCTOR_PLUGINS)
    assert str(course.root) not in json.dumps(roles[hub_spawner.STUDENTS]), "students are not told where it is"
    teacher = roles[hub_spawner.INSTRUCTORS]
    assert (teacher["AUTOGRADER_COURSE"], teacher["AUTOGRADER_EXCHANGE"]) == (str(course.root), str(exchange))
    extensions = json.loads((Path(teacher["JUPYTER_CONFIG_PATH"]) / "jupyter_server_config.json").read_text())
    assert extensions["ServerApp"]["jpserver_extensions"]["autograder.jupyter.instructor_server"] is True
    # what names the gradebook (its URL may hold a password) is closed to students
    assert (state / "hub.json").stat().st_mode & 0o077 == 0
    instructors_files = [Path(teacher["JUPYTER_CONFIG_PATH"]), *Path(teacher["JUPYTER_CONFIG_PATH"]).rglob("*")]
    assert all(p.stat().st_mode & 0o077 == 0 for p in instructors_files)
    assert all(p.stat().st_mode & 0o044 for p in [student, *student.rglob("*")])  # students read theirs


def test_the_instructors_nbgrader_uses_the_hubs_exchange(tmp_path, monkeypatch):
    course = CourseDir(make_course(tmp_path / "course"))
    assert course.config().Exchange.root == str(course.root / ".work" / "exchange")  # `autograder lab`'s own
    monkeypatch.setenv("AUTOGRADER_EXCHANGE", str(tmp_path / "shared"))
    assert course.config().Exchange.root == str(tmp_path / "shared")


def test_a_server_starts_as_its_user_with_roots_home_hidden_and_only_python_shown(tmp_path):
    command = hub_spawner.as_user("nobody", ["python", "-m", "jupyterhub.singleuser"], tmp_path / "stage")
    nobody = pwd.getpwnam("nobody")
    setpriv = next(i for i, arg in enumerate(command) if Path(arg).name == "setpriv")
    assert f"--reuid={nobody.pw_uid}" in command[setpriv:] and f"--regid={nobody.pw_gid}" in command[setpriv:]
    assert command[-3:] == ["python", "-m", "jupyterhub.singleuser"]
    wrapper = command[:setpriv]
    assert Path(wrapper[0]).name == "unshare" and {"--pid", "--mount", "--kill-child", "--mount-proc"} <= set(wrapper)
    script = wrapper[wrapper.index("-c") + 1].splitlines()
    assert "mount -t tmpfs -o mode=0755 tmpfs /root" in script and script[-1] == 'exec "$@"'
    hidden = script.index("mount -t tmpfs -o mode=0755 tmpfs /root")
    for n, prefix in enumerate(hub_spawner.hidden_prefixes()):  # kept aside before /root is hidden, then back
        assert script.index(f"mount --rbind {prefix} {tmp_path / 'stage' / str(n)}") < hidden
        assert script.index(f"mount --move {tmp_path / 'stage' / str(n)} {prefix}") > hidden
    if sys.base_prefix.startswith("/root/"):
        assert sys.base_prefix in hub_spawner.hidden_prefixes()


@pytest.mark.skipif(not ROOT, reason="the view is made as root")
def test_in_that_view_the_user_runs_the_courses_python_and_a_grading_sandbox_of_their_own(tmp_path):
    """What the instructor's server does: run this Python, and bubblewrap (unprivileged) with a /proc of its own."""
    import subprocess

    stage = tmp_path / "stage"
    probe = [
        sys.executable,
        "-c",
        "import os, subprocess, sys; print(os.getuid(), sys.base_prefix, os.path.exists('/root/.bashrc')); "
        "subprocess.run(['bwrap', '--unshare-user', '--unshare-pid', '--unshare-net', '--ro-bind', '/', '/', "
        "'--proc', '/proc', '--dev', '/dev', 'true'], check=True)",
    ]
    result = subprocess.run(hub_spawner.as_user("nobody", probe, stage), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    uid, prefix, sees_roots_files = result.stdout.split()
    assert (int(uid), prefix, sees_roots_files) == (pwd.getpwnam("nobody").pw_uid, sys.base_prefix, "False")


def test_by_default_the_instructor_gets_a_copy_of_the_course_made_once_and_closed_to_others(tmp_path, monkeypatch):
    me = pwd.getpwuid(os.geteuid())
    teacher = pwd.struct_passwd((me.pw_name, "x", me.pw_uid, me.pw_gid, "", str(tmp_path), "/bin/sh"))
    monkeypatch.setattr(hub.pwd, "getpwnam", lambda name: teacher)
    roster = hub.Roster(me.pw_name, ("someone",))
    course = hub.instructors_course(roster, None)
    assert course.root == tmp_path / COURSE_ID and course.root.stat().st_mode & 0o777 == 0o700
    assert course.assignments() == CourseDir().assignments()
    assert not any((course.root / name).exists() for name in hub.GENERATED), "nothing generated is copied"
    (course.root / "gradebook.db").write_text("the class's grades")
    assert hub.instructors_course(roster, None).root == course.root
    assert (course.root / "gradebook.db").read_text() == "the class's grades", "made once, never touched again"
