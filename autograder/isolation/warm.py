"""Warm kernels: each worker process starts the kernel for its next submission when it starts a notebook (and once
when it starts), so the kernel's own start, and ``import torch`` and the course package where the kernel is not
forked from a server that has them (forkserver.py), happen while the current notebook runs, not inside the next
student's first cell.

Isolation is what a cold start gives: every warm kernel has a fresh sandbox (``Box``) of its own, is started before
any student's code exists in it, runs one submission and is then shut down with its sandbox; while it waits, the
kernel of the notebook running beside it cannot see it (separate pid, mount and ipc namespaces). What runs before the
student is one line in a throwaway namespace that imports modules (no name reaches the student's namespace, no
execution count is used, CUDA is not initialised: importing torch does not touch the GPU). A warm kernel started
for other settings (sandbox, device, threads) is discarded, as is one that died; the submission then starts cold.
The last warm kernel of a worker goes when the worker exits (bubblewrap's --die-with-parent, and atexit).
"""

from __future__ import annotations

import atexit
import subprocess
import threading
from dataclasses import dataclass
from typing import Any

from jupyter_client.utils import run_sync

from autograder.isolation.engine import SandboxedKernelManager, new_kernel_manager
from autograder.isolation.forkserver import PRELOAD, ForkServer
from autograder.isolation.sandbox import Box, SandboxSpec


def kernel_arguments(modules: tuple[str, ...]) -> list[str]:
    """What nbclient would pass when it starts a kernel itself (papermill's default history file), and a line that
    imports ``modules`` in a throwaway namespace (with a fork server they are there already and cost nothing); a
    module that fails to import is left to the notebook's own cell, which shows the error."""
    line = f'exec("for _m in {modules!r}:\\n try: __import__(_m)\\n except Exception: pass", {{}})'
    return ["--HistoryManager.hist_file=:memory:", f"--IPKernelApp.exec_lines={line}"]


@dataclass
class WarmKernel:
    box: Box
    km: SandboxedKernelManager
    key: Any

    def alive(self) -> bool:
        process = getattr(self.km.provisioner, "process", None)
        return process is not None and process.poll() is None

    def discard(self) -> None:
        try:
            run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 - a kernel already gone: nothing left to stop
            pass
        self.box.cleanup()


_lock = threading.Lock()
_next: WarmKernel | None = None


def take(key: Any) -> WarmKernel | None:
    """This worker's warm kernel if it was started for ``key`` and is alive; else None (and it is discarded)."""
    global _next
    with _lock:
        warm, _next = _next, None
    if warm is None:
        return None
    if warm.key != key or not warm.alive():
        warm.discard()
        return None
    return warm


def start(
    key: Any, spec: SandboxSpec, env_for: Any, forkserver: ForkServer | None = None, modules: tuple[str, ...] = PRELOAD
) -> None:
    """Start the kernel for this worker's next submission (``env_for(box)`` gives its environment), forked by
    ``forkserver`` when there is one, with ``modules`` imported before any student's code."""
    global _next
    box = Box(spec, parent=forkserver.spool if forkserver else None)
    km = new_kernel_manager(box, forkserver)
    try:
        with open(box.launch_log, "wb") as launch_log:
            run_sync(km.start_kernel)(
                extra_arguments=kernel_arguments(modules),
                env=env_for(box),
                cwd=str(box.io),
                stdout=subprocess.DEVNULL,
                stderr=launch_log,
            )
    except Exception:  # noqa: BLE001 - no warm kernel then: the next submission starts cold
        box.cleanup()
        return
    with _lock:
        stale, _next = _next, WarmKernel(box, km, key)
    if stale is not None:
        stale.discard()


@atexit.register
def _discard_last() -> None:
    warm = take(object())  # matches no key: always discarded
    del warm
