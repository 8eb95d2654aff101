"""A fork server per grading worker: one sandboxed process that has imported torch, the course and ipykernel
once, and forks each kernel from there, so no kernel pays those imports (about 2 s of CPU each on this machine,
which two workers on two cores otherwise spend again for every notebook).

Why our own and not a library: Jupyter has no kernel provisioner that forks (jupyter_client's only one is
``LocalProvisioner``, a ``Popen``), and a fork server must build each child's sandbox itself, since bubblewrap
can only start new processes. The server runs in a bubblewrap sandbox like a kernel's, but as root there with
four capabilities (namespaces and mounts, setuid/setgid, dropping the bounding set); each child gets new
namespaces, fresh tmpfs and its own ``io`` directory and drops to the kernel's uid with no capabilities, as
``forkserver_inside.py`` describes. Used when the grader runs as root (it must hand out those capabilities) and
not with CUDA (the server imports torch before the fork; CUDA is not initialised, but that path is untested
here); elsewhere kernels start cold or warm as before.

Jupyter sees a forked kernel through ``ForkedProvisioner`` (a ``LocalProvisioner`` whose process is a
``ForkedProcess``: a pidfd on the kernel's init, found among this worker's processes by its ``NSpid``).
"""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

from autograder.isolation.sandbox import Box, SandboxSpec, process_tree

log = logging.getLogger(__name__)

# What comes with a module a notebook imports: torch._inductor.config is what seed_everything's
# torch.use_deterministic_algorithms imports (dynamo and inductor: another ~1.4 s in every notebook's setup cell
# otherwise); importing it starts no thread and initialises no device.
COMPANIONS = {"torch": ("torch._inductor.config",)}
KERNEL_MODULES = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel_launcher")


def preload(imported: Iterable[str]) -> tuple[str, ...]:
    """What a kernel starts with, before any student's code: the modules the assignment's released cells import
    (torch alone is ~1.5 s, scikit-learn ~1 s) and their companions. An assignment that imports no torch pays for
    none (the grader's own test course: its cold and forked kernels start seconds sooner)."""
    return tuple(dict.fromkeys(m for name in imported for m in (name, *COMPANIONS.get(name, ()))))


# for a kernel started with no assignment named: what every assignment of the course imports
PRELOAD = preload(("torch", "numpy", "matplotlib.pyplot", "course", "course.checks"))
SOURCE = (Path(__file__).with_name("forkserver_inside.py")).read_text(encoding="utf-8")
REPLY_TIMEOUT = 30.0  # seconds for one fork (milliseconds normally)


def usable(spec: SandboxSpec) -> bool:
    return spec.enabled and not spec.cuda and os.geteuid() == 0


class ForkServerError(RuntimeError):
    pass


class ForkedProcess:
    """The ``Popen`` face of a forked kernel's init (pid 1 of its namespace: killing it ends every process the
    kernel started). Not our child, so no exit status: ``returncode`` is -1 once it is gone."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._fd: int | None = os.pidfd_open(pid)
        self.returncode: int | None = None

    def poll(self) -> int | None:
        fd = self._fd
        if self.returncode is None and fd is not None:
            try:
                ended = bool(select.select([fd], [], [], 0)[0])
            except (OSError, ValueError):  # closed by another thread's wait(): gone
                ended = True
            if ended:
                self._gone()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None and self._fd is not None:
            if not select.select([self._fd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            self._gone()
        return self.returncode if self.returncode is not None else -1

    def _gone(self) -> None:
        self.returncode = -1
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def send_signal(self, signum: int) -> None:
        if self.poll() is None and self._fd is not None:
            signal.pidfd_send_signal(self._fd, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.kill()  # init ignores SIGTERM from outside its namespace: only SIGKILL ends it


class ForkServer:
    """The server process (in the sandbox of ``server_box``) and the requests to it; one request at a time."""

    def __init__(
        self,
        spec: SandboxSpec,
        env_for: Callable[[Box], dict[str, str]],
        timeout: float,
        modules: tuple[str, ...] = PRELOAD,
    ) -> None:
        """``env_for(box)``: a kernel's environment in ``box`` (the server's own stands in for its kernels');
        ``modules``: what it imports once for every kernel it forks (``preload``)."""
        self.box = Box(spec)  # its root is shown inside; each kernel's box is made below it (``spool``)
        self.spool = self.box.root
        command = [sys.executable, "-c", SOURCE, json.dumps([*modules, *KERNEL_MODULES])]
        try:
            with open(self.box.launch_log, "wb") as errors:
                self.proc = subprocess.Popen(
                    self.box.wrap(command, env_for(self.box), forkserver=True),
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=errors,
                )
        except Exception:
            self.box.cleanup()
            raise
        self._lock = threading.Lock()
        self._buffer = b""
        if self._read_line(timeout).get("ready") is not True:
            raise ForkServerError("the fork server did not start")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def _read_line(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                self.stop()
                raise ForkServerError(f"the fork server did not answer in {timeout:g} s")
            chunk = os.read(fd, 65536)
            if not chunk:
                said = self.box.launch_errors()
                self.stop()
                raise ForkServerError("the fork server exited" + (f": {said}" if said else ""))
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def spawn(self, argv: list[str], env: dict[str, str], box: Box, stdout: str | None, stderr: str | None):
        """Fork ``python ARGV`` (``-m MODULE`` or ``-c CODE``) as a kernel in its own sandbox, ``box`` (made
        under ``spool``)."""
        lim = box.spec.limits
        request = {
            "argv": argv,
            "env": env,
            "cwd": "/home/student",
            "io": str(box.io),
            "spool": str(self.spool),
            "stdout": stdout,
            "stderr": stderr,
            "uid": box.uid,
            "tmpfs_bytes": lim.tmpfs_bytes,
            "rlimits": {name: [value, value] for name, value in box.rlimit_values().items()},
        }
        with self._lock:
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
            self.proc.stdin.flush()
            reply = self._read_line(REPLY_TIMEOUT)
        if "pid" not in reply:
            raise ForkServerError(f"the fork server could not start a kernel: {reply.get('error')}")
        return ForkedProcess(self._host_pid(reply["pid"]))

    def _host_pid(self, inner: int) -> int:
        """Our pid of the process the server knows as ``inner`` (its /proc/PID/status says ``NSpid: ours inner
        1``: the server's namespace is one level down from ours, the kernel's two)."""
        tree, todo = process_tree(), [self.proc.pid]
        while todo:
            pid = todo.pop()
            try:
                with open(f"/proc/{pid}/status", encoding="ascii") as fh:
                    ns = next(line.split()[1:] for line in fh if line.startswith("NSpid:"))
            except (OSError, StopIteration):
                ns = []
            if len(ns) == 3 and ns[1] == str(inner):
                return pid
            todo.extend(tree.get(pid, []))
        raise ForkServerError(f"the forked kernel (pid {inner} in the server) is not among this worker's processes")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()  # bubblewrap: its pid namespace, every kernel of this server with it, ends
            self.proc.wait()
        self.box.cleanup()


_server: tuple[Any, ForkServer] | None = None
_failed: set = set()  # settings for which the server could not start: not tried again by this worker
_server_lock = threading.Lock()


def for_worker(
    spec: SandboxSpec, threads: int, env_for, timeout: float, modules: tuple[str, ...] = PRELOAD
) -> ForkServer | None:
    """This worker's fork server for ``spec``, ``threads`` and the preloaded ``modules`` (started on first use,
    again if it died or the settings changed), or None where it does not apply or cannot start (kernels then start
    without it)."""
    global _server
    if not usable(spec):
        return None
    key = (spec, threads, modules)
    with _server_lock:
        if key in _failed:
            return None
        if _server is not None and (_server[0] != key or not _server[1].alive()):
            _server[1].stop()
            _server = None
        if _server is None:
            try:
                _server = (key, ForkServer(spec, env_for, timeout, modules))
            except (OSError, ForkServerError) as exc:
                log.warning("no fork server, kernels start on their own: %s", exc)
                _failed.add(key)
                return None
        return _server[1]


def give_up(server: ForkServer, why: str) -> None:
    """A server that could not fork a kernel (a container that forbids its mounts, say) is stopped and not
    started again by this worker: its kernels start without it, instead of every notebook failing first."""
    global _server
    with _server_lock:
        if _server is not None and _server[1] is server:
            log.warning("the fork server failed (%s); this worker's kernels start on their own from now on", why)
            _failed.add(_server[0])
            _server = None
    server.stop()


@atexit.register
def stop_worker_server() -> None:
    """Stop this process's fork server (a worker's goes when the worker exits)."""
    global _server
    with _server_lock:
        if _server is not None:
            _server[1].stop()
            _server = None


class ForkedProvisioner(LocalProvisioner):
    """``LocalProvisioner`` that asks the kernel manager's fork server for the process instead of ``Popen``."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        km = self.parent
        stderr = getattr(kwargs.get("stderr"), "name", None)  # the launch log the engine opened
        try:
            self.process = km.forkserver.spawn(cmd, dict(kwargs.get("env") or {}), km.box, None, stderr)
        except (OSError, ForkServerError) as exc:
            give_up(km.forkserver, str(exc))
            raise
        self.pid, self.pgid, self.cwd = self.process.pid, None, "/home/student"
        return self.connection_info

    async def wait(self) -> int | None:
        """LocalProvisioner's wait polls every 0.1 s; a killed pid namespace is gone in milliseconds."""
        while self.process is not None and self.process.poll() is None:
            await asyncio.sleep(0.005)
        return await super().wait()
