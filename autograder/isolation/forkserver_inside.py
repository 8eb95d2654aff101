"""The fork server's own program: runs inside a bubblewrap sandbox (as root there, with only the capabilities it
needs to build each kernel's sandbox), imports torch and the course once, then forks one kernel per request.
Started by ``forkserver.py`` as ``python -c <this file's text>``: the autograder package is not visible inside,
so this file uses the standard library only.

Each request (one JSON line on stdin) becomes, after ``fork``:

    intermediate   setsid; new mount, pid and ipc namespaces (SysV shared memory would outlive the kernel); fresh
                   tmpfs on /home/student and /tmp, with the server's binds below them (a venv under /tmp) bound
                   again; the kernel's own ``io`` directory bound at the same path as outside; forks ``init``
                   and exits. The network namespace is the server's (only its loopback, up, as in a cold
                   kernel's sandbox): a socket dies with the kernel's processes, which no other kernel of this
                   server shares a pid namespace with
    init (pid 1)   a fresh /proc; rlimits; drops to the kernel's uid with no capabilities and no-new-privs (what
                   ``setpriv`` does for a cold kernel); forks the kernel, reaps, exits with the kernel's status
    kernel         stdio redirected, every other descriptor closed, exactly the requested environment and
                   working directory, then ``python -m MODULE`` or ``python -c CODE`` as the request's argv says

so a forked kernel sees what a cold one (``Box.wrap``) sees, and nothing of an earlier one: its namespaces and
tmpfs are new, its pid namespace (every process it started) dies with it, the server's memory reaches it only as
copy-on-write pages of imported modules. The reply is ``{"pid": P}`` (init's pid in the server's namespace; the
grader finds the same process among its own by ``NSpid``) or ``{"error": ...}``.
"""

import ctypes
import json
import os
import re
import resource
import signal
import stat
import sys

CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWPID = 0x00020000, 0x08000000, 0x20000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_SET_CHILD_SUBREAPER = 1, 24, 38, 36
SYS_CAPSET = 126  # x86_64 (the only architecture the grader's wheels are built for here)
_LINUX_CAPABILITY_VERSION_3 = 0x20080522

libc = ctypes.CDLL(None, use_errno=True)


def _ok(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source, target, fstype, flags, data=None) -> None:
    enc = lambda s: None if s is None else s.encode()  # noqa: E731
    _ok(libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)), f"mount {target}")


def _drop_privileges(uid: int) -> None:
    """``setpriv --reuid --regid --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs``."""
    last = int(open("/proc/sys/kernel/cap_last_cap").read())
    for cap in range(last + 1):
        _ok(libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0), "drop capability")
    header = (ctypes.c_uint32 * 2)(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable: all empty
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    _ok(libc.syscall(SYS_CAPSET, header, data), "capset")
    _ok(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
    for field in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        if int(status[field].strip(), 16) != 0:
            raise OSError(f"{field} is not empty after dropping privileges")


def _mounts_below(paths: tuple, skip: str) -> list:
    """The server's mounts below ``paths`` (bubblewrap's binds of a venv, the course or PYTHONPATH entries that
    live under /tmp), in mount order, outermost only, with whether each is read-only; ``skip`` (the spool) and
    what is below it are left out."""
    found = []
    with open("/proc/self/mountinfo", encoding="utf-8") as fh:
        for line in fh:
            fields = line.split()
            point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
            under = [p for p in paths if point.startswith(p + "/")]
            if not under or point == skip or point.startswith(skip + "/"):
                continue
            if any(point == q or point.startswith(q + "/") for q, _ in found):
                continue  # inside an earlier one: its recursive bind brings it along
            found.append((point, "ro" in fields[5].split(",")))
    return found


def _sandbox_files(request: dict) -> None:
    """In the new mount namespace: fresh tmpfs on /home/student and /tmp with what the server had bound below
    them bound again (read-only where it was), and this kernel's io directory (and nothing else of the spool,
    which the tmpfs on /tmp hides) at its path outside."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    tmpfs = ("/home/student", "/tmp")
    kept = [(point, ro, os.open(point, os.O_PATH)) for point, ro in _mounts_below(tmpfs, request["spool"])]
    io = request["io"]
    io_fd = os.open(io, os.O_PATH | os.O_DIRECTORY)
    size = request["tmpfs_bytes"]
    for path in tmpfs:
        _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=1777")
    os.umask(0o022)  # the parents made below must be traversable by the kernel's uid
    for point, ro, fd in kept:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            os.makedirs(point, mode=0o755, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(point), mode=0o755, exist_ok=True)
            open(point, "a").close()
        _mount(f"/proc/self/fd/{fd}", point, None, MS_BIND | MS_REC)
        if ro:
            _mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
        os.close(fd)
    os.makedirs(io, mode=0o755)
    _mount(f"/proc/self/fd/{io_fd}", io, None, MS_BIND)
    os.close(io_fd)


def _open_stdio(request: dict) -> list:
    """The kernel's stdin, stdout and stderr, opened before the tmpfs on /tmp hides the files named."""
    null = os.open("/dev/null", os.O_RDWR)
    out = os.open(request["stdout"], os.O_WRONLY | os.O_APPEND) if request.get("stdout") else null
    err = os.open(request["stderr"], os.O_WRONLY | os.O_APPEND) if request.get("stderr") else null
    return [null, out, err]


def _redirect(stdio: list) -> None:
    for fd, target in enumerate(stdio):
        os.dup2(target, fd)
    os.closerange(3, 1 << 16)


def _run_python(argv: list, cwd: str) -> None:
    """What ``python ARGS`` would do from here: ``-m MODULE ...`` or ``-c CODE ...`` (sys.path[0] as Python sets
    it: the working directory for -m, '' for -c)."""
    import runpy

    if argv[1] == "-m":
        sys.argv = [argv[2], *argv[3:]]
        sys.path[0] = cwd
        runpy.run_module(argv[2], run_name="__main__", alter_sys=True)
    elif argv[1] == "-c":
        sys.argv = ["-c", *argv[3:]]
        sys.path[0] = ""
        exec(compile(argv[2], "<string>", "exec"), {"__name__": "__main__", "__builtins__": __builtins__})
    else:
        raise ValueError(f"the fork server runs `python -m` or `python -c`, not {argv[1:2]}")


def _kernel(request: dict) -> None:
    _ok(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "pdeathsig")
    for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    _redirect(request["stdio"])
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    _run_python(request["argv"], request["cwd"])


def _init(request: dict) -> int:
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    for name, (soft, hard) in request["rlimits"].items():
        resource.setrlimit(getattr(resource, f"RLIMIT_{name}"), (soft, hard))
    _drop_privileges(request["uid"])
    kernel = os.fork()
    if kernel == 0:
        try:
            _kernel(request)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException as exc:  # noqa: BLE001 - said on the kernel's stderr (the launch log)
            print(f"forked kernel failed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            code = 1
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()  # what Python's own exit would do (os._exit does not)
            except (OSError, ValueError):
                pass
        os._exit(code)
    os.closerange(0, 1 << 16)  # init keeps nothing of the server's or the kernel's files open
    while True:  # pid 1 reaps whatever the kernel's processes leave; it ends with the kernel
        pid, status = os.wait()
        if pid == kernel:
            return os.waitstatus_to_exitcode(status)


def _spawn(request: dict) -> int:
    """Fork the intermediate, which reports init's pid through a pipe and exits."""
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # init waits for the kernel itself
        code = 0
        try:
            os.setsid()
            _ok(libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC), "unshare")
            request["stdio"] = _open_stdio(request)
            _sandbox_files(request)
            init = os.fork()
            if init == 0:
                os.close(write)
                os._exit(_init(request) & 0xFF)
            os.write(write, json.dumps({"pid": init}).encode())
        except BaseException as exc:  # noqa: BLE001 - back to the server, which replies with it
            os.write(write, json.dumps({"error": f"{type(exc).__name__}: {exc}"}).encode())
            code = 1
        os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        reply = fh.read()
    try:
        os.waitpid(child, 0)
    except ChildProcessError:
        pass  # reaped already by _reap
    return reply


def _reap(*_: object) -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def main() -> None:
    preload = json.loads(sys.argv[1])
    for module in preload:
        try:
            __import__(module)
        except Exception:  # noqa: BLE001 - named by a notebook: its own cell imports it again and shows the error
            pass
    _ok(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "subreaper")  # each init is reparented here and reaped
    signal.signal(signal.SIGCHLD, _reap)
    out = os.fdopen(os.dup(1), "wb", buffering=0)
    out.write(b'{"ready": true}\n')
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        try:
            reply = _spawn(json.loads(line))
        except Exception as exc:  # noqa: BLE001 - a request the server cannot carry out is answered, not fatal
            reply = json.dumps({"error": f"{type(exc).__name__}: {exc}"}).encode()
        out.write(reply + b"\n")


if __name__ == "__main__":
    main()
