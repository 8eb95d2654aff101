"""The spawner of ``autograder hub`` (hub.py): each user's JupyterLab as that local Unix user, with their role's
settings. Imported by the JupyterHub process (root) from the configuration hub.py writes.

JupyterHub's ``LocalProcessSpawner`` switches to the user before it runs the server, so the server's Python must be
reachable by every user. Here it often is not (a pyenv Python under ``/root``, 0700), and widening ``/root`` for
everyone would be the wrong fix. So the server starts, still as root, in a mount and pid namespace of its own
(``unshare``): the host's tree as it is, except ``/root``, which becomes an empty tmpfs with only the interpreter's
prefixes bound back in, and ``setpriv`` then becomes the user (uid, gid, groups) before the server runs. The pid
namespace ends with the server: stopping it (a signal to ``unshare``, whose child, the namespace's first process,
is then killed) stops every kernel and terminal the user started, nothing is left running.

The role is the user's hub group: instructors (``formgrade-<course>``) get the formgrader, our answers and course
pages and the course root (``AUTOGRADER_COURSE``); students (``nbgrader-<course>``) get nbgrader's student tools
only (lab.py's student settings).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shlex
import shutil
import signal
import sys
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Dict, Unicode

from autograder.core.course_dir import COURSE_ID

# the hub's groups, named as nbgrader's JupyterHub setups name a course's roles (one hub may serve several courses)
INSTRUCTORS = f"formgrade-{COURSE_ID}"
STUDENTS = f"nbgrader-{COURSE_ID}"


def hidden_prefixes() -> list[str]:
    """The interpreter's prefixes that lie below /root (hidden from users by the tmpfs): bound back read-only."""
    return sorted({p for p in (sys.base_prefix, sys.prefix, sys.exec_prefix) if p == "/root" or p.startswith("/root/")})


def as_user(name: str, command: list[str], stage: Path) -> list[str]:
    """``command`` as the user ``name``, from root, in the view described in the module docstring. ``stage``: an
    empty folder of root's where the interpreter's prefixes wait while ``/root`` is replaced."""
    user = pwd.getpwnam(name)
    script = ["set -e"]
    prefixes = hidden_prefixes()
    for n, prefix in enumerate(prefixes):
        script.append(f"mkdir -p {shlex.quote(str(stage / str(n)))}")
        script.append(f"mount --rbind {shlex.quote(prefix)} {shlex.quote(str(stage / str(n)))}")
    script.append("mount -t tmpfs -o mode=0755 tmpfs /root")
    for n, prefix in enumerate(prefixes):  # mkdir -p: the folders on the way world-traversable (umask 022)
        script.append(f"mkdir -p {shlex.quote(prefix)}")
        script.append(f"mount --move {shlex.quote(str(stage / str(n)))} {shlex.quote(prefix)}")
    script.append('exec "$@"')
    return [
        # util-linux's unshare, not bubblewrap: bubblewrap covers parts of its /proc, and the kernel then refuses
        # the grading sandbox (bubblewrap again, unprivileged) a /proc of its own inside the instructor's server
        shutil.which("unshare") or "unshare",
        "--mount",
        "--pid",
        "--fork",
        "--kill-child",
        "--mount-proc",
        "--propagation",
        "private",
        "--",
        "/bin/sh",
        "-c",
        "\n".join(script),
        "sh",
        shutil.which("setpriv") or "setpriv",
        f"--reuid={user.pw_uid}",
        f"--regid={user.pw_gid}",
        "--init-groups",
        "--",
        *command,
    ]


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class CourseSpawner(LocalProcessSpawner):
    """LocalProcessSpawner with the server wrapped by ``as_user`` and the environment of the user's role."""

    role_env = Dict(
        config=True,
        help="Environment of each role's servers: {INSTRUCTORS: {...}, STUDENTS: {...}} (hub.py writes it).",
    )
    server_python = Unicode(sys.executable, config=True, help="The Python that runs jupyterhub.singleuser.")
    stage_dir = Unicode(config=True, help="An empty folder of root's for as_user (hub.py makes it).")

    def role(self) -> str:
        groups = {g.name for g in self.user.groups}
        return INSTRUCTORS if INSTRUCTORS in groups else STUDENTS

    def get_env(self) -> dict:
        env = super().get_env()
        env.update(self.role_env.get(self.role(), {}))
        return env

    def make_preexec_fn(self, name):
        # root until setpriv: bubblewrap needs it to build the view (as_user); only the working folder is set here
        home = pwd.getpwnam(name).pw_dir

        def preexec() -> None:
            os.chdir(home)

        return preexec

    async def _signal(self, sig):
        # unshare --fork ignores SIGINT and SIGTERM while it waits for its child: the server, the first process of
        # the user's pid namespace, gets them instead (it handles both: a clean shutdown of its kernels); SIGKILL
        # goes to unshare, which kills its child (--kill-child), and so the whole namespace
        if sig not in (0, signal.SIGKILL):
            for child in _children(self.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child, sig)
        return await super()._signal(sig)

    async def start(self):
        command = [self.server_python, "-m", "jupyterhub.singleuser"]
        self.cmd = as_user(self.user.name, command, Path(self.stage_dir) / self.user.name)
        return await super().start()
