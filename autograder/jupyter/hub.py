"""``autograder hub``: one JupyterHub for a class on this machine: students and an instructor, each a real local
Unix user logging in with their own password (PAM), each with their own JupyterLab (hub_spawner.py).

What it sets up, in a state folder (``/srv/dl-training-lab`` by default, root's):
  1. nbgrader's exchange (``<state>/exchange``, shared by design: nbgrader's own permissions inside it keep one
     student's submission from another);
  2. each role's Jupyter settings, read through ``JUPYTER_CONFIG_PATH`` (each user's own ``~/.jupyter`` stays
     theirs): students get nbgrader's student tools and the course's exchange (lab.py's student settings);
     the instructor gets the formgrader and our answers and course pages (instructor_server.py) on the course;
  3. the course root, the instructor's own (0700: students must not read the sources, which hold the solutions
     and hidden tests). The instructor releases, collects, grades (``autograder grade``, sandbox on) and releases
     feedback from the course page, or in a terminal with the same commands;
  4. ``jupyterhub_config.py``, then the proxy (the pure-Python ``configurable-http-proxy``) and the hub, as two
     processes: the hub can restart without dropping a student's connection, and a restart leaves every user's
     server running (``cleanup_servers = False``): a student's work never depends on the hub staying up.
Stopping (``Hub.stop``) stops every user's server through the hub's API, then the hub, then the proxy.

JupyterHub must run as root here (it starts servers as other users). A deployment for a large class is the
zero-to-jupyterhub chart with our image instead (deploy/).
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from autograder.core.course_dir import COURSE_ID, DEFAULT_ROOT, CourseDir
from autograder.core.errors import UsageError
from autograder.jupyter import lab
from autograder.jupyter.hub_spawner import INSTRUCTORS, STUDENTS

DEFAULT_STATE = Path("/srv") / COURSE_ID
SERVICE = "autograder-hub"  # the hub's API client that stops the servers (hub.stop)
# what a copy of the repository's course takes (never generated folders: those are the instructor's to make)
GENERATED = ("release", "submitted", "autograded", "feedback", "reports", "logs", ".work", "gradebook.db", "student")


@dataclass(frozen=True)
class Roster:
    instructor: str
    students: tuple[str, ...]

    @property
    def users(self) -> tuple[str, ...]:
        return (self.instructor, *self.students)


def parse_roster(instructor: str, students: str) -> Roster:
    names = tuple(s.strip() for s in students.split(",") if s.strip())
    if not names:
        raise UsageError("--students needs at least one user name (comma-separated)")
    if instructor in names:
        raise UsageError(f"{instructor} cannot be both the instructor and a student")
    return Roster(instructor, names)


def check_host(roster: Roster) -> None:
    """What the hub needs of this machine, each missing piece one clear line (UsageError)."""
    if os.geteuid() != 0:
        raise UsageError("the hub starts each user's server as that user: run it as root")
    for tool in ("bwrap", "setpriv", "unshare"):
        if shutil.which(tool) is None:
            raise UsageError(f"{tool} is not installed (Debian: bubblewrap, util-linux); `make hub` installs it")
    missing = [name for name in roster.users if not _exists(name)]
    if missing:
        raise UsageError(
            f"no local user {', '.join(missing)}: create each with `useradd -m NAME` and `passwd NAME` "
            "(they log in with that password)"
        )


def _exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def instructors_course(roster: Roster, course: Path | None) -> CourseDir:
    """The course the instructor's server works on: ``course``, which must be the instructor's and closed to
    others, or by default ``~instructor/dl-training-lab``, made from the repository's course the first time
    (never touched again: it holds the gradebook and the class's work)."""
    owner = pwd.getpwnam(roster.instructor)
    if course is None:
        course = Path(owner.pw_dir) / COURSE_ID
        if not course.exists():
            shutil.copytree(DEFAULT_ROOT, course, ignore=shutil.ignore_patterns(*GENERATED), symlinks=True)
            _give(course, owner)
            course.chmod(0o700)
    st = course.stat()
    if st.st_uid != owner.pw_uid:
        raise UsageError(f"the course {course} must belong to the instructor: chown -R {roster.instructor} {course}")
    if st.st_mode & 0o077:
        raise UsageError(f"students could read the solutions in {course}: chmod 700 {course}")
    return CourseDir(course)


def _give(root: Path, owner: pwd.struct_passwd) -> None:
    for path in [root, *root.rglob("*")]:
        os.lchown(path, owner.pw_uid, owner.pw_gid)


def prepare(course: CourseDir, roster: Roster, state: Path, ip: str, port: int) -> Path:
    """The state folder (module docstring) and the hub's configuration in it; returns the configuration file."""
    state.mkdir(parents=True, exist_ok=True)
    state.chmod(0o755)  # users reach the exchange and their role's settings through it
    exchange = state / "exchange"
    exchange.mkdir(exist_ok=True)
    exchange.chmod(0o777)  # nbgrader's exchange: every user writes into it, nbgrader's modes guard what is inside
    student_dir = state / "jupyter-student"
    lab.write_jupyter_config(student_dir)
    (student_dir / "nbgrader_config.py").write_text(lab.student_config(exchange), encoding="utf-8")
    for path in [student_dir, *student_dir.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    # the instructor's alone: it names the gradebook, whose URL may hold a PostgreSQL password
    instructor_dir = lab.write_instructor_config(course, state / "jupyter-instructor")
    owner = pwd.getpwnam(roster.instructor) if _exists(roster.instructor) else None
    for path in [instructor_dir, *instructor_dir.rglob("*")]:
        path.chmod(0o700 if path.is_dir() else 0o600)
        if owner is not None and os.geteuid() == 0:
            os.lchown(path, owner.pw_uid, owner.pw_gid)
    role_env = {
        STUDENTS: {"JUPYTER_CONFIG_PATH": str(student_dir), "AUTOGRADER_EXCHANGE": str(exchange)},
        INSTRUCTORS: {
            "JUPYTER_CONFIG_PATH": str(instructor_dir),
            "AUTOGRADER_COURSE": str(course.root),
            "AUTOGRADER_DB_URL": course.db_url,
            "AUTOGRADER_EXCHANGE": str(exchange),
        },
    }
    stage = state / "mnt"  # hub_spawner.as_user's
    stage.mkdir(exist_ok=True)
    stage.chmod(0o700)
    hub_port, api_port = _free_port(), _free_port()
    settings = {
        "bind_url": f"http://{ip}:{port}",
        "hub_bind_url": f"http://127.0.0.1:{hub_port}",
        "proxy_api": f"http://127.0.0.1:{api_port}",
        "state": str(state),
        "groups": {INSTRUCTORS: [roster.instructor], STUDENTS: list(roster.students)},
        "role_env": role_env,
        "stage": str(stage),
    }
    settings_file = state / "hub.json"
    settings_file.touch(mode=0o600)
    settings_file.chmod(0o600)  # root's (the hub's): the instructor's environment, the gradebook's URL with it
    settings_file.write_text(json.dumps(settings, indent=1), encoding="utf-8")
    config = state / "jupyterhub_config.py"
    config.write_text(CONFIG, encoding="utf-8")
    return config


# JupyterHub's configuration: the values come from hub.json beside it (prepare), the secrets from the environment
CONFIG = """# Written by `autograder hub` (autograder/jupyter/hub.py); settings in hub.json beside this file.
import json
import os
from pathlib import Path

c = get_config()  # noqa: F821
here = Path(__file__).parent
settings = json.loads((here / "hub.json").read_text())

c.JupyterHub.bind_url = settings["bind_url"]
c.JupyterHub.hub_bind_url = settings["hub_bind_url"]
c.JupyterHub.db_url = f"sqlite:///{here / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(here / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(here / "jupyterhub.pid")
# a restart of the hub leaves every user's server (and the work in it) running; hub.stop stops them
c.JupyterHub.cleanup_servers = False
# the proxy is started beside the hub (hub.py), so its routes survive a restart of the hub
c.ConfigurableHTTPProxy.should_start = False
c.ConfigurableHTTPProxy.api_url = settings["proxy_api"]

# real local users and their own passwords (PAM); only the class may log in
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = {user for users in settings["groups"].values() for user in users}
c.JupyterHub.load_groups = {group: {"users": users} for group, users in settings["groups"].items()}
c.JupyterHub.services = [{"name": "autograder-hub", "api_token": os.environ["AUTOGRADER_HUB_TOKEN"]}]
c.JupyterHub.load_roles = [
    {"name": "autograder-hub", "scopes": ["admin:servers", "list:users", "read:users"], "services": ["autograder-hub"]},
]

c.JupyterHub.spawner_class = "autograder.jupyter.hub_spawner.CourseSpawner"
c.CourseSpawner.role_env = settings["role_env"]
c.CourseSpawner.stage_dir = settings["stage"]
c.Spawner.default_url = "/lab"
c.Spawner.http_timeout = 120
c.Spawner.args = json.loads(os.environ.get("AUTOGRADER_HUB_SERVER_ARGS", "[]"))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Hub:
    """A running hub (``start``): its URL, the proxy and hub processes, and what restarting the hub needs."""

    state: Path
    url: str
    env: dict[str, str]
    proxy: subprocess.Popen
    hub: subprocess.Popen | None = None
    logs: list = field(default_factory=list)

    def start_hub(self, timeout: float = 120.0) -> None:
        log = (self.state / "jupyterhub.log").open("ab")
        self.logs.append(log)
        command = [sys.executable, "-m", "jupyterhub", "-f", str(self.state / "jupyterhub_config.py")]
        # a session of its own, as the proxy's: Ctrl-C on `autograder hub` reaches only it, whose stop() then stops
        # the servers first (the hub, interrupted itself, would leave them running: cleanup_servers is off)
        self.hub = subprocess.Popen(  # noqa: S603
            command, cwd=self.state, env=self.env, stdout=log, stderr=log, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.hub.poll() is not None:
                raise UsageError(f"JupyterHub exited with code {self.hub.returncode}; see {self.state}/jupyterhub.log")
            try:
                with urllib.request.urlopen(f"{self.url}/hub/api/", timeout=2) as reply:  # noqa: S310 - our own hub
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.25)
        raise UsageError(f"JupyterHub did not answer within {timeout:.0f} s; see {self.state}/jupyterhub.log")

    def stop_hub(self) -> None:
        """The hub alone (the servers and the proxy go on): a restart is ``stop_hub`` then ``start_hub``."""
        if self.hub is not None and self.hub.poll() is None:
            self.hub.send_signal(signal.SIGTERM)
            try:
                self.hub.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.hub.kill()
                self.hub.wait()
        self.hub = None

    def api(self, path: str, method: str = "GET") -> object:
        request = urllib.request.Request(  # noqa: S310 - our own hub
            f"{self.url}/hub/api/{path}",
            method=method,
            headers={"Authorization": f"token {self.env['AUTOGRADER_HUB_TOKEN']}"},
        )
        with urllib.request.urlopen(request, timeout=60) as reply:  # noqa: S310
            body = reply.read()
        return json.loads(body) if body else None

    def stop_servers(self, timeout: float = 60.0) -> None:
        users = [u["name"] for u in self.api("users") if u.get("server") or u.get("pending")]
        for name in users:
            try:
                self.api(f"users/{name}/server", method="DELETE")
            except OSError:
                pass  # stopping already, or gone
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(u.get("server") or u.get("pending") for u in self.api("users")):
            time.sleep(0.25)

    def stop(self) -> None:
        try:
            if self.hub is not None and self.hub.poll() is None:
                self.stop_servers()
        finally:
            self.stop_hub()
            self.proxy.terminate()
            try:
                self.proxy.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proxy.kill()
                self.proxy.wait()
            for log in self.logs:
                log.close()


def start(course: CourseDir, roster: Roster, state: Path, ip: str, port: int, server_args: tuple[str, ...] = ()) -> Hub:
    """Prepare (``prepare``), then start the proxy and the hub; returns once the hub answers.
    ``server_args``: more options for every user's JupyterLab (the browser test exposes the app to the page)."""
    check_host(roster)
    prepare(course, roster, state, ip, port)
    settings = json.loads((state / "hub.json").read_text(encoding="utf-8"))
    bin_dir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "")]),
        "CONFIGPROXY_AUTH_TOKEN": secrets.token_hex(32),
        "AUTOGRADER_HUB_TOKEN": secrets.token_hex(32),
        "AUTOGRADER_HUB_SERVER_ARGS": json.dumps(list(server_args)),
    }
    api = settings["proxy_api"].rsplit(":", 1)
    proxy_log = (state / "proxy.log").open("ab")
    proxy = subprocess.Popen(  # noqa: S603
        [
            str(Path(bin_dir) / "configurable-http-proxy"),
            "--ip",
            ip,
            "--port",
            str(port),
            "--api-ip",
            "127.0.0.1",
            "--api-port",
            api[1],
            "--error-target",
            f"{settings['hub_bind_url']}/hub/error",
        ],
        cwd=state,
        env=env,
        stdout=proxy_log,
        stderr=proxy_log,
        start_new_session=True,
    )
    host = "127.0.0.1" if ip in ("0.0.0.0", "") else ip
    hub = Hub(state, f"http://{host}:{port}", env, proxy, logs=[proxy_log])
    try:
        hub.start_hub()
    except BaseException:
        hub.stop()
        raise
    return hub
