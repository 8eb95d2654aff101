"""The sandbox every grading kernel runs in: bubblewrap, rlimits, an unprivileged uid, and a watch from outside.

Inside (what a student's code sees):
- the system (``/usr``, ``/etc``, ...), Python and the virtual environment, read-only;
- the ``course`` package and the datasets, read-only, at neutral paths under ``/opt/course`` (the course root,
  the repository and the home directory are not there at all: no sources, mutants, releases, other students,
  results, gradebook or ``.work/``);
- ``/home/student`` (the working directory) and ``/tmp``: private, size-capped tmpfs that vanish with the kernel;
- one directory shared with the grader, ``io``: the connection file, the kernel's IPC sockets and the check log.
  The kernel talks to the grader over ZeroMQ's ``ipc://`` transport through it, so the sandbox needs no network
  (there is none: only its own loopback) and kernels cannot race for TCP ports;
- its own pid, net, ipc, uts and cgroup namespaces, no capabilities, a minimal ``/dev`` (plus the NVIDIA device
  files with ``--device cuda``), an unprivileged uid (below);
- rlimits (``prlimit``): address space (torch maps ~3.5 GiB just to import, so the budget is that plus the
  student's; not with CUDA, which reserves far more), processes, file size, open files, no core dumps.

The uid: when the grader runs as root, bubblewrap runs privileged (it must read a Python that may live under
``/root``) and ``setpriv`` inside drops to a uid of this kernel's own (no capabilities, no-new-privs), so the
kernel is no process of root's and the process limit counts only that kernel; ``USER``/``LOGNAME`` stand in for
the passwd entry it lacks. Otherwise bubblewrap makes a user namespace mapping the grader's uid to 65534, and
nested user namespaces are refused.

Outside: ``Watch``
polls the kernel's resident memory and the ``io`` directory's size, and the engine kills the whole sandbox
(``--die-with-parent``: killing bubblewrap ends its pid namespace) when it goes over, when the notebook's time
is up, and always at the end.

Why our own code and not a library: nothing on PyPI starts a Jupyter kernel inside bubblewrap; jupyter_client
lets a ``KernelManager`` subclass rewrite the launch command, which is all this needs (see engine.py).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.core.errors import UsageError

SANDBOX_UID = 65534  # the uid/gid the student's code runs as inside (nobody)
IMPORT_BASELINE = int(3.5 * 2**30)  # address space torch + the course need before the first student line
OPT = Path("/opt/course")  # where the course package and the data appear inside
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/sys")
# Environment the kernel may inherit from the grader's (everything else, tokens included, stays outside).
PASSTHROUGH = (
    "LANG",
    "LC_ALL",
    "TZ",
    "NPY_DISABLE_CPU_FEATURES",
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "CUDA_VISIBLE_DEVICES",
    "NVIDIA_VISIBLE_DEVICES",
    "SIMULATED_CUDA",
)
# what a fork server keeps (forkserver.py): new namespaces and mounts for each kernel, switching to the kernel's
# uid, emptying the kernel's bounding set
SERVER_CAPS = ("CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP")
INSTALL_HINT = "install it with `apt-get install bubblewrap` (make demo / make test do this as root)"


@dataclass(frozen=True)
class SandboxLimits:
    """What one kernel may use. Plain data: it crosses into the worker processes."""

    memory_bytes: int = 2 * 2**30  # the student's budget beyond the import baseline
    processes: int = 512  # processes and threads of the sandbox's uid
    file_bytes: int = 256 * 2**20  # largest file it may write
    io_bytes: int = 512 * 2**20  # all it may leave in the shared io directory (check log included)
    tmpfs_bytes: int = 256 * 2**20  # each of /home/student and /tmp
    open_files: int = 1024


@dataclass(frozen=True)
class SandboxSpec:
    """Whether and how kernels are sandboxed; ``hidden`` are paths that must never be visible inside."""

    enabled: bool = True
    cuda: bool = False
    limits: SandboxLimits = field(default_factory=SandboxLimits)
    hidden: tuple[str, ...] = ()


# every kernel's own namespaces (no network, pids, IPC, hostname) and, when the grader is not root, its user namespace
_NAMESPACES = ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
_NAMESPACES += ["--die-with-parent", "--new-session", "--hostname", "sandbox"]
_USER_NAMESPACE = ["--unshare-user", "--disable-userns", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID)]
_USER_NAMESPACE += ["--cap-drop", "ALL"]


def require_bubblewrap() -> None:
    """One clear line when the sandbox cannot run here (missing bwrap, or user namespaces refused)."""
    if shutil.which("bwrap") is None:
        raise UsageError(
            f"the grading sandbox needs bubblewrap (bwrap), which is not installed: {INSTALL_HINT}; or pass "
            "--no-sandbox on a machine that cannot have it (student code then runs with your rights)"
        )
    # the namespaces of a real kernel launch (Box.command): a container may allow some and refuse others (podman's
    # default seccomp profile refuses sethostname, which --hostname needs)
    user = _USER_NAMESPACE if os.geteuid() != 0 else []
    probe = subprocess.run(
        ["bwrap", *_NAMESPACES, *user, "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "true"],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        why = (probe.stderr.strip().splitlines() or ["no message"])[-1]
        raise UsageError(
            f"bubblewrap cannot create its namespaces here ({why}). In a container, run it with `--security-opt "
            "seccomp=unconfined --security-opt apparmor=unconfined --security-opt systempaths=unconfined` (Docker) "
            "or `--security-opt seccomp=unconfined --security-opt unmask=/proc/*` (podman); or pass --no-sandbox"
        )


KERNEL_UIDS = range(1 << 20, 1 << 30)  # a kernel's uid, when the grader is root: no passwd entry needed


def _uid_of_its_own() -> int:
    """A uid for one kernel: drawn at random from ``KERNEL_UIDS`` and held by no live process, so no two kernels
    share one (not even two kernels of one worker, one after the other: nothing one leaves under its uid, such as
    a process or a System V object, can be reached by the next under the same uid, and the process limit counts
    one kernel). Used only when the grader is root; otherwise each kernel has its own user namespace.

    Why at random and not a counter: workers, fork servers and graders of other courses on the machine draw
    without talking to each other; among 2^30 uids and a few hundred live kernels a clash is negligible, and
    the uids of live processes are skipped."""
    taken = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                taken.add(entry.stat().st_uid)
            except OSError:
                continue
    while True:
        uid = KERNEL_UIDS.start + secrets.randbelow(len(KERNEL_UIDS))
        if uid not in taken:
            return uid


class Box:
    """One kernel's sandbox: its shared ``io`` directory, its launch command and its environment."""

    def __init__(self, spec: SandboxSpec, parent: Path | None = None) -> None:
        self.spec = spec
        # short path: a Unix socket path must stay under 108 bytes. ``parent``: a fork server's spool (forkserver.py)
        # the grader process's pid in the name: ``sweep_stale_boxes`` can tell a box left by a killed grader
        self.root = Path(tempfile.mkdtemp(prefix=f"ag-{os.getpid()}-" if parent is None else "k", dir=parent))
        self.io = self.root / "io"
        self.io.mkdir()
        self.uid = _uid_of_its_own() if os.geteuid() == 0 else None
        if self.uid is not None:
            os.chown(self.io, self.uid, self.uid)
        self.check_log = self.io / "checks.jsonl"
        # made here, before the kernel: the grader reads this file (this inode) whatever the kernel later puts at
        # the path (engine.CheckLogReader), and the kernel guard appends to it through its own descriptor
        os.close(os.open(self.check_log, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        if self.uid is not None:
            os.chown(self.check_log, self.uid, self.uid)
        # the kernel guard's key (kernel_guard.py): read and deleted by the guard before any student code runs
        self.guard_key = secrets.token_bytes(32)
        self.guard_key_file = self.io / "guard.key"
        fd = os.open(self.guard_key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(self.guard_key)
        if self.uid is not None:
            os.chown(self.guard_key_file, self.uid, self.uid)
        self.connection_file = self.io / "kernel.json"
        self.launch_log = self.root / "launch.stderr"  # outside io: what bwrap and a kernel that fails to start say

    # -- paths shown inside ---------------------------------------------------------------------------------

    def _course_package(self) -> Path:
        import course

        return Path(course.__file__).resolve().parent

    def _system(self) -> list[str]:
        """The system read-only, then the private tmpfs mounts (before any bind below /tmp, which they would hide)."""
        args: list[str] = []
        self._made: set[Path] = {Path("/"), Path("/tmp"), Path("/home"), Path("/home/student")}
        for path in SYSTEM_DIRS:
            p = Path(path)
            if p.is_symlink():
                args += ["--symlink", os.readlink(p), path]
            elif p.is_dir():
                args += ["--ro-bind", path, path]
            self._made.add(p)
        args += ["--proc", "/proc", "--dev", "/dev"]
        if self.spec.cuda:
            for dev in sorted(Path("/dev").glob("nvidia*")):
                args += ["--dev-bind", str(dev), str(dev)]
        for tmp in ("/home/student", "/tmp"):
            args += ["--perms", "01777", "--size", str(self.spec.limits.tmpfs_bytes), "--tmpfs", tmp]
        return args

    def _binds(self, shared: Path) -> list[str]:
        """Python, the course package, the data, the PYTHONPATH entries shown, the directory shared with the
        grader (the io directory; a fork server's whole spool)."""
        from course import data

        args: list[str] = []
        for prefix in sorted({sys.base_prefix, sys.prefix, sys.exec_prefix}):
            if not prefix.startswith("/usr/"):
                args += self._bind("--ro-bind", Path(prefix), Path(prefix))
        args += self._bind("--ro-bind", self._course_package(), OPT / "lib" / "course")
        args += self._bind("--ro-bind", data.registry_path().resolve().parent, OPT / "datasets")
        if data.cache_dir().is_dir():
            args += self._bind("--ro-bind", data.cache_dir().resolve(), OPT / "cache")
        for entry in self._python_path():
            args += self._bind("--ro-bind", Path(entry), Path(entry))
        return [*args, *self._bind("--bind", shared, shared)]

    def _bind(self, how: str, source: Path, target: Path) -> list[str]:
        """A bind, after creating its missing parents world-traversable (bubblewrap would make them 0700, and the
        kernel's uid could not reach ``/root/.pyenv/...`` or ``/opt/course/...``)."""
        args = []
        for parent in reversed(target.parents):
            if parent not in self._made:
                args += ["--perms", "0755", "--dir", str(parent)]
                self._made.add(parent)
        self._made.add(target)
        return [*args, how, str(source), str(target)]

    def _python_path(self) -> list[str]:
        """The grader's PYTHONPATH entries that may be shown: none that holds a hidden path (a checkout on
        PYTHONPATH would otherwise show the whole course); the course package comes from /opt/course/lib."""
        hidden = [Path(h).resolve() for h in self.spec.hidden]
        kept = []
        for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep):
            if not entry or not Path(entry).is_dir():
                continue
            path = Path(entry).resolve()
            if any(path == h or path in h.parents or h in path.parents for h in hidden):
                continue
            kept.append(str(path))
        return kept

    def env(self, extra: dict[str, str]) -> dict[str, str]:
        """The kernel's whole environment (bubblewrap starts from an empty one)."""
        from course import data

        env = {k: os.environ[k] for k in PASSTHROUGH if k in os.environ}
        env.update(
            {
                "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
                "HOME": "/home/student",
                # the kernel's uid has no passwd entry: getpass.getuser() (torch's cache paths) reads these first
                "USER": "student",
                "LOGNAME": "student",
                "IPYTHONDIR": "/home/student/.ipython",
                "MPLCONFIGDIR": "/home/student/.matplotlib",
                "PYTHONPATH": os.pathsep.join([str(OPT / "lib"), *self._python_path()]),
                "COURSE_REGISTRY": str(OPT / "datasets" / data.registry_path().name),
                "COURSE_DATA_DIR": str(OPT / "cache"),
            }
        )
        env.update(extra)
        return env

    def rlimit_values(self) -> dict[str, int]:
        """The kernel's rlimits by ``resource.RLIMIT_*`` name (soft = hard)."""
        lim = self.spec.limits
        values = {"NPROC": lim.processes, "FSIZE": lim.file_bytes, "NOFILE": lim.open_files, "CORE": 0}
        if not self.spec.cuda:  # CUDA reserves tens of GiB of address space; Watch bounds its memory instead
            values["AS"] = IMPORT_BASELINE + lim.memory_bytes
        return values

    def _rlimits(self) -> list[str]:
        return ["prlimit", *(f"--{name.lower()}={value}" for name, value in self.rlimit_values().items()), "--"]

    def wrap(self, command: list[str], env: dict[str, str], forkserver: bool = False) -> list[str]:
        """``command`` (the kernel's) as it runs in the sandbox, with exactly ``env`` as its environment.

        As root, bubblewrap runs privileged (it can read the Python under ``/root``) and ``setpriv`` inside drops
        to this kernel's own uid with no capabilities and no way to regain any. Otherwise bubblewrap makes a user
        namespace and maps the grader's uid to 65534.

        ``forkserver``: the fork server's sandbox instead (root only): the same view of the system, this box's
        whole root shared (the kernels' boxes are made there), root with the four capabilities it needs to
        build each kernel's sandbox, and no rlimits (each kernel sets its own)."""
        # bwrap itself is found on the grader's PATH and started with the grader's library path (the kernel's
        # environment, given to the launcher, is only what --setenv puts inside)
        launcher = [shutil.which("bwrap") or "bwrap"]
        if os.environ.get("LD_LIBRARY_PATH"):
            launcher = ["/usr/bin/env", f"LD_LIBRARY_PATH={os.environ['LD_LIBRARY_PATH']}", *launcher]
        args = [*launcher, *_NAMESPACES, "--clearenv"]
        if forkserver:
            if self.uid is None:
                raise ValueError("a fork server needs the grader to run as root")
            args += ["--cap-drop", "ALL", *(a for cap in SERVER_CAPS for a in ("--cap-add", cap))]
        elif self.uid is None:
            args += _USER_NAMESPACE
        args += self._system()
        args += self._binds(self.root if forkserver else self.io)
        args += ["--chdir", "/home/student"]
        for key, value in sorted(env.items()):
            args += ["--setenv", key, value]
        if forkserver:
            return [*args, "--", *command]
        drop = []
        if self.uid is not None:
            drop = ["setpriv", f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups"]
            drop += ["--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]
        return [*args, "--", *drop, *self._rlimits(), *command]

    def prepare_connection_file(self) -> None:
        """jupyter_client writes the connection file private to the grader; the kernel's uid must read it."""
        if self.uid is not None and self.connection_file.exists():
            os.chown(self.connection_file, self.uid, self.uid)

    def launch_errors(self, limit: int = 600) -> str:
        try:
            text = self.launch_log.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return ""
        return text[-limit:]

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def process_alive(pid: int) -> bool:
    """Running (a zombie, killed and not yet reaped, is not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def sweep_stale_boxes(tmp: Path | None = None) -> list[Path]:
    """Remove the sandbox folders (``ag-PID-*``) of grader processes that are gone: a grader or worker killed
    with -9 cannot remove those of the kernels it was running. Another grader's live folders stay (its pid is
    alive); a folder whose pid was reused meanwhile stays until a later sweep."""
    removed = []
    for path in Path(tmp or tempfile.gettempdir()).glob("ag-*-*"):
        pid = path.name.split("-")[1]
        try:
            ours = path.is_dir() and not path.is_symlink() and path.lstat().st_uid == os.geteuid()
        except OSError:
            continue
        if ours and pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


# --------------------------------------------------------------------------- watching from outside


def process_tree() -> dict[int, list[int]]:
    """Parent pid -> child pids of every live process, from /proc (the fork server and the benchmark use it)."""
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (the whole sandbox when ``pid`` is bubblewrap)."""
    tree, total, todo = process_tree(), 0, [pid]
    page = os.sysconf("SC_PAGE_SIZE")
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/statm", encoding="ascii") as fh:
                total += int(fh.read().split()[1]) * page
        except (OSError, ValueError, IndexError):
            pass
        todo.extend(tree.get(current, []))
    return total


def dir_bytes(path: Path) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                pass
    return total


@dataclass
class Watch:
    """Limits checked from outside while a kernel runs; ``over`` says which was exceeded, if any."""

    box: Box
    memory_limit: int
    over: str = ""

    def check(self, pid: int) -> str:
        if not self.over:
            rss = tree_rss(pid)
            if rss > self.memory_limit:
                self.over = f"used more than {self.memory_limit / 2**30:.1f} GiB of memory"
            elif dir_bytes(self.box.io) > self.box.spec.limits.io_bytes:
                self.over = f"wrote more than {self.box.spec.limits.io_bytes / 2**20:.0f} MiB of files"
        return self.over
