"""The sandbox itself (autograder/isolation/sandbox.py), probed with a plain Python process run exactly as a kernel is,
both ways a kernel starts: wrapped by bubblewrap, and forked by a worker's fork server (forkserver.py, root only):
what it can see, write, reach and use. The grading pipeline's use of it is test_attacks.py's."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import cli
from autograder.core.course_dir import DEFAULT_ROOT, REPO_ROOT
from autograder.core.errors import UsageError
from autograder.isolation.forkserver import ForkServer
from autograder.isolation.sandbox import Box, SandboxLimits, SandboxSpec, dir_bytes, require_bubblewrap, tree_rss

PROBE = r"""
import json, os, socket, sys
import getpass
out = {"uid": os.getuid(), "euid": os.geteuid(), "env": sorted(os.environ), "user": getpass.getuser()}
out["sees"] = {p: os.path.exists(p) for p in sys.argv[2:]}
out["home"] = sorted(os.listdir(sys.argv[1])) if os.path.isdir(sys.argv[1]) else []
out["root"] = sorted(os.listdir("/"))
from course.data import load_dataset
out["mnist1d"] = list(load_dataset("mnist1d").x_train.shape)
try:
    open("/opt/course/lib/course/checks.py", "a").write("#")
    out["course_writable"] = True
except OSError:
    out["course_writable"] = False
io = os.path.dirname(os.environ["COURSE_CHECK_LOG"])
open(os.path.join(io, "written"), "w").write("ok")
try:
    with open("/home/student/big", "wb") as fh:
        fh.write(b"x" * (64 * 2**20))
    out["tmpfs_capped"] = False
except OSError:
    out["tmpfs_capped"] = True
try:
    socket.create_connection(("127.0.0.1", int(os.environ["PROBE_PORT"])), timeout=2)
    out["network"] = True
except OSError:
    out["network"] = False
try:
    bytearray(8 * 2**30)
    out["memory_capped"] = False
except MemoryError:
    out["memory_capped"] = True
status = dict(l.split(":", 1) for l in open("/proc/self/status").read().splitlines() if ":" in l)
out["caps"] = {k: int(status[k], 16) for k in ("CapInh", "CapPrm", "CapEff", "CapAmb")}
out["no_new_privs"] = int(status["NoNewPrivs"])
out["processes"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
print(json.dumps(out))
"""


def _forked_run(server: ForkServer, box: Box, argv: list[str], env: dict) -> tuple[str, str]:
    """Its stdout and stderr (a forked process is not our child: no exit status)."""
    out, err = box.root / "stdout", box.root / "stderr"
    out.touch()
    err.touch()
    server.spawn(argv, env, box, str(out), str(err)).wait(120)
    return out.read_text(), err.read_text()


def run_in_box(
    spec: SandboxSpec, code: str, *args: str, extra_env: dict | None = None, server: ForkServer | None = None
) -> tuple[dict, Box]:
    box = Box(spec, parent=server.spool if server else None)
    env = box.env({"COURSE_CHECK_LOG": str(box.check_log), **(extra_env or {})})
    argv = [sys.executable, "-c", code, *args]
    try:
        if server is not None:
            stdout, stderr = _forked_run(server, box, argv, env)
        else:
            done = subprocess.run(box.wrap(argv, env), env=env, cwd=box.io, capture_output=True, text=True)
            assert done.returncode == 0, done.stderr[-2000:]
            stdout, stderr = done.stdout, done.stderr
        assert stdout, stderr[-2000:]
        written = (box.io / "written").read_text() if (box.io / "written").exists() else ""
        return {**json.loads(stdout.splitlines()[-1]), "io": written}, box
    finally:
        box.cleanup()


SPEC = SandboxSpec(
    limits=SandboxLimits(memory_bytes=2**30, tmpfs_bytes=16 * 2**20),
    hidden=tuple(str(h) for h in (DEFAULT_ROOT, REPO_ROOT, Path.home())),
)


@pytest.fixture(scope="module")
def server():
    if os.geteuid() != 0:
        pytest.skip("a fork server needs the grader to run as root (kernels then start through bubblewrap only)")
    started = ForkServer(SPEC, lambda box: box.env({"COURSE_CHECK_LOG": "/dev/null"}), 120)
    yield started
    started.stop()
    assert not started.spool.exists()


@pytest.fixture(scope="module", params=["bubblewrap", "forked"])
def probed(request):
    import socket

    server = request.getfixturevalue("server") if request.param == "forked" else None
    listener = socket.create_server(("127.0.0.1", 0))
    visible = [str(DEFAULT_ROOT / "source"), str(REPO_ROOT / "autograder"), str(DEFAULT_ROOT), str(REPO_ROOT / "tests")]
    os.environ["AUTOGRADER_TEST_SECRET"] = "s3cr3t"
    try:
        port = {"PROBE_PORT": str(listener.getsockname()[1])}
        out, box = run_in_box(SPEC, PROBE, str(Path.home()), *visible, extra_env=port, server=server)
    finally:
        os.environ.pop("AUTOGRADER_TEST_SECRET")
        listener.close()
    return out, box, visible


def test_the_kernel_sees_no_course_repository_or_home(probed):
    out, _, visible = probed
    assert out["sees"] == dict.fromkeys(visible, False)
    # of the home directory only the way to the Python installation, when it lives there (pyenv)
    python_under_home = [Path(p) for p in {sys.base_prefix, sys.prefix} if Path(p).is_relative_to(Path.home())]
    assert out["home"] == sorted({p.relative_to(Path.home()).parts[0] for p in python_under_home})


def test_the_kernel_runs_unprivileged_with_a_scrubbed_environment(probed):
    out, _, _ = probed
    assert out["uid"] != 0 and out["euid"] != 0
    assert out["user"] == "student"  # no passwd entry for the uid: torch's cache paths still resolve
    assert out["caps"] == dict.fromkeys(["CapInh", "CapPrm", "CapEff", "CapAmb"], 0) and out["no_new_privs"] == 1
    assert len(out["processes"]) <= 2  # its own pid namespace: its init and itself, no grader, server or kernel
    assert "AUTOGRADER_TEST_SECRET" not in out["env"] and "PROBE_PORT" in out["env"]


def test_data_and_course_are_read_only_and_load(probed):
    out, _, _ = probed
    assert out["mnist1d"] == [4000, 40]
    assert out["course_writable"] is False


def test_limits_network_and_the_shared_directory(probed):
    out, box, _ = probed
    assert out["network"] is False  # only its own loopback: the host's listener is not there
    assert out["tmpfs_capped"] is True and out["memory_capped"] is True
    assert out["io"] == "ok"  # the one directory it shares with the grader
    assert not box.root.exists()  # cleaned up


def test_dir_bytes_and_tree_rss_measure(tmp_path):
    (tmp_path / "a").write_bytes(b"x" * 100_000)
    assert dir_bytes(tmp_path) >= 100_000
    assert tree_rss(os.getpid()) > 10 * 2**20


def test_pythonpath_entries_that_hold_the_course_are_not_shown(monkeypatch, tmp_path):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path), str(REPO_ROOT), str(DEFAULT_ROOT / "source")]))
    box = Box(SandboxSpec(hidden=(str(DEFAULT_ROOT), str(REPO_ROOT))))
    try:
        assert box._python_path() == [str(tmp_path.resolve())]
    finally:
        box.cleanup()


def test_missing_bubblewrap_is_one_line_naming_the_fix(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(UsageError, match="apt-get install bubblewrap.*--no-sandbox"):
        require_bubblewrap()
    assert cli.main(["grade", "01_optimizers", "--submissions", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "bubblewrap" in err and "--no-sandbox" in err


def test_refused_namespaces_name_the_container_flags(monkeypatch, tmp_path):
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to creating new namespace' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    with pytest.raises(UsageError, match="seccomp=unconfined.*unmask=/proc"):
        require_bubblewrap()


def test_the_probe_asks_for_every_namespace_a_kernel_gets(monkeypatch, tmp_path):
    # podman's default seccomp profile lets bubblewrap make its namespaces but refuses sethostname: a probe without
    # --hostname passed there, and every kernel then died at start, three tries each
    fake = tmp_path / "bwrap"
    fake.write_text(
        '#!/bin/sh\nfor a in "$@"; do [ "$a" = --hostname ] && { echo "bwrap: Can\'t set hostname to sandbox: '
        'Operation not permitted" >&2; exit 1; }; done\nexec "$REAL_BWRAP" "$@"\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("REAL_BWRAP", shutil.which("bwrap") or "/usr/bin/bwrap")
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    with pytest.raises(UsageError, match="Can't set hostname.*seccomp=unconfined.*unmask=/proc"):
        require_bubblewrap()


LEAVE_BEHIND = r"""
import ctypes, json, os, subprocess, sys
seen = {p: os.path.exists(p) for p in ("/tmp/left", "/home/student/left")}
shmget = ctypes.CDLL(None, use_errno=True).shmget
seen["sysv shm"] = shmget(0x5A17, 0, 0) >= 0  # a System V segment outlives its process unless removed
assert shmget(0x5A17, 4096, 0o1000 | 0o666) >= 0  # IPC_CREAT
seen["spool"] = sorted(os.listdir(os.path.dirname(os.path.dirname(os.path.dirname(os.environ["COURSE_CHECK_LOG"])))))
for p in ("/tmp/left", "/home/student/left"):
    open(p, "w").write("x")
# a process that outlives this one (its own session, stdio detached) and would write later
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3); open('/tmp/late', 'w').write('x')"],
                 start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(json.dumps(seen))
"""


def _leave_behind(server: ForkServer) -> tuple[dict, str, int | None]:
    """What a forked kernel found of the one before it (LEAVE_BEHIND's output), its box's name and its uid."""
    box = Box(SPEC, parent=server.spool)
    try:
        env = box.env({"COURSE_CHECK_LOG": str(box.check_log)})
        out, err = _forked_run(server, box, [sys.executable, "-c", LEAVE_BEHIND], env)
        assert out, err
        return json.loads(out.splitlines()[-1]), box.root.name, box.uid
    finally:
        box.cleanup()


def test_a_forked_kernel_gets_nothing_of_the_one_before(server):
    """Files on its tmpfs, a System V shared memory segment, a process left running, the server's spool: none
    reaches the next kernel forked."""
    nothing = {"/tmp/left": False, "/home/student/left": False, "sysv shm": False}
    uids = set()
    for _ in range(2):
        seen, name, uid = _leave_behind(server)
        assert seen == {**nothing, "spool": [name]}  # and of the spool only its own box
        uids.add(uid)
    assert len(uids) == 2 and server.box.uid not in uids  # each kernel its own uid, none the server's
    survivors = [p for p in os.listdir("/proc") if p.isdigit() and _uid_of(p) in uids and int(p) != os.getpid()]
    assert survivors == []  # the background process died with its kernel's pid namespace


BELOW_TMP = r"""
import json, os, probe_mod
try:
    open(os.path.join(os.path.dirname(probe_mod.__file__), "new"), "w")
    writable = True
except OSError:
    writable = False
print(json.dumps({"value": probe_mod.VALUE, "writable": writable, "tmp": sorted(os.listdir("/tmp"))}))
"""


def test_what_the_server_binds_below_tmp_a_forked_kernel_sees_read_only(monkeypatch, tmp_path):
    """A venv or PYTHONPATH entry that lives under /tmp (a clone in /tmp, as CI may make) is bound below the
    server's /tmp; the fresh tmpfs each kernel gets on /tmp must not hide it, nor make it writable."""
    if os.geteuid() != 0:
        pytest.skip("a fork server needs the grader to run as root")
    assert tmp_path.is_relative_to("/tmp"), tmp_path
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "probe_mod.py").write_text("VALUE = 42\n")
    monkeypatch.setenv("PYTHONPATH", str(lib))
    server = ForkServer(SPEC, lambda box: box.env({"COURSE_CHECK_LOG": "/dev/null"}), 120)
    box = Box(SPEC, parent=server.spool)
    try:
        out, err = _forked_run(server, box, [sys.executable, "-c", BELOW_TMP], box.env({}))
    finally:
        box.cleanup()
        server.stop()
    assert out, err
    seen = json.loads(out.splitlines()[-1])
    # of /tmp only the ways to what is bound there: this folder, its own io directory, the venv of a clone in /tmp
    venv = [Path(p) for p in {sys.prefix, sys.base_prefix} if Path(p).is_relative_to("/tmp")]
    bound = [tmp_path, server.spool, *venv]
    tmp = sorted({p.relative_to("/tmp").parts[0] for p in bound})
    assert seen == {"value": 42, "writable": False, "tmp": tmp}
    assert not (lib / "new").exists()


def _uid_of(pid: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            return int(next(line for line in fh if line.startswith("Uid:")).split()[1])
    except (OSError, StopIteration):
        return None
