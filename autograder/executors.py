"""Where the executions run: a pool of local worker processes, or the workers of a Dask distributed cluster
(``grade --scheduler tcp://HOST:PORT``).

Both give ``submit(fn, *args)`` returning a future with ``.result()``, which is all ``pipeline.grade_batch``
needs. Only execution moves to the cluster: restore, score and feedback stay in the one client process, so the
gradebook keeps a single writer. ``execute`` returns its outcome (a student's crash or time-out is data in the
result), so a task that raises is the grader's bug and is not retried; a task whose worker died is re-run on
another worker by the scheduler (up to ``distributed.scheduler.allowed-failures`` deaths, 3 by default), then
fails with ``KilledWorker``, which the pipeline records as a grader fault.

A worker needs what a local worker process has: the ``autograder`` and ``course`` packages importable, the
course root, the submissions and the output folder at the same paths (a shared filesystem), and bubblewrap.
"""

from __future__ import annotations

import logging
import multiprocessing
import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Protocol

from autograder.errors import UsageError

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 20.0  # an unreachable scheduler is a usage error after this long, not a hang
WORKER_WAIT_S = 120.0  # how long a batch waits for a first worker, or for one after the last one left
POLL_S = 2.0  # how often a waiting ``result()`` checks that the cluster still has workers

_ADDRESS = re.compile(r"(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})")


class Job(Protocol):
    def result(self) -> Any: ...


class Pool(Protocol):
    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Job: ...


def check_scheduler_address(address: str) -> str:
    """``address`` when it has the form ``tcp://HOST:PORT`` (or ``tls://``); a UsageError otherwise."""
    match = _ADDRESS.fullmatch(address)
    if match is None or not 0 < int(match.group(3)) < 65536:
        raise UsageError(f"bad scheduler address {address!r}: expected tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786")
    return address


@contextmanager
def pool(scheduler: str | None, workers: int, warm_up: Callable[[], None] | None = None) -> Iterator[Pool]:
    """Local worker processes (``workers`` of them, each running ``warm_up`` first), or the Dask cluster whose
    scheduler is at ``scheduler``."""
    if scheduler is None:
        # spawn, not fork: the grader's process holds threads and a gradebook connection
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=warm_up) as local:
            yield local
        return
    dask_pool = DaskPool(check_scheduler_address(scheduler))
    try:
        yield dask_pool
    finally:
        dask_pool.close()


class DaskPool:
    """A ``distributed.Client`` seen as a pool: ``submit`` and futures whose ``result`` cannot wait forever."""

    def __init__(self, address: str, connect_timeout: float | None = None, worker_wait: float | None = None):
        from distributed import Client  # imported here: local grading never pays for importing Dask

        # the module's values read at call time, so a test (or a patient caller) can change them
        connect_timeout = CONNECT_TIMEOUT_S if connect_timeout is None else connect_timeout
        self.worker_wait = worker_wait = WORKER_WAIT_S if worker_wait is None else worker_wait
        self.address = address
        try:
            # set_as_default=False: this client must not capture dask computations elsewhere in the process
            self.client = Client(address, timeout=connect_timeout, set_as_default=False)
        except (OSError, ValueError) as exc:  # TimeoutError is an OSError
            raise UsageError(f"cannot reach the Dask scheduler at {address}: {_one_line(exc)}") from None
        try:
            self.client.wait_for_workers(1, timeout=worker_wait)
        except TimeoutError:
            self.client.close()
            raise UsageError(
                f"no Dask worker joined the scheduler at {address} within {worker_wait:g} s "
                f"(start some: dask worker {address})"
            ) from None
        self._no_workers_since: float | None = None
        self._warn_if_no_rerun()

    def _warn_if_no_rerun(self) -> None:
        try:
            allowed = self.client.run_on_scheduler(_allowed_failures)
        except Exception:  # noqa: BLE001 - a scheduler that refuses run_on_scheduler only loses this warning
            return
        if allowed < 1:
            log.warning(
                "the scheduler at %s has distributed.scheduler.allowed-failures=%s: a worker that dies loses its "
                "notebooks (they become grader faults) instead of re-running them elsewhere",
                self.address,
                allowed,
            )

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> DaskJob:
        # pure=False: two identical notebooks are two runs (Dask would share one result under one key);
        # retries=0: a task that raises is the grader's bug, running it again would not help
        return DaskJob(self.client.submit(fn, *args, pure=False, retries=0), self)

    def check_workers(self) -> None:
        """Raise when the cluster has had no worker for ``worker_wait`` seconds: the batch must not hang."""
        if self.client.nthreads():
            self._no_workers_since = None
            return
        now = time.monotonic()
        if self._no_workers_since is None:
            self._no_workers_since = now
        if now - self._no_workers_since >= self.worker_wait:
            raise RuntimeError(f"no Dask worker left on the scheduler at {self.address} for {self.worker_wait:g} s")

    def close(self) -> None:
        try:
            self.client.close(timeout=10)
        except Exception as exc:  # noqa: BLE001 - every result is in by now; a slow goodbye changes nothing
            log.debug("closing the Dask client: %s", exc)


class DaskJob:
    """A Dask future whose ``result`` gives up (RuntimeError) when the cluster runs out of workers."""

    def __init__(self, future: Any, owner: DaskPool):
        self.future = future
        self._owner = owner

    def result(self) -> Any:
        while True:
            try:
                return self.future.result(timeout=POLL_S)
            except TimeoutError:
                if self.future.done():  # finished meanwhile, or the task itself raised TimeoutError
                    return self.future.result()
            self._owner.check_workers()


def _allowed_failures() -> int:
    import dask

    return int(dask.config.get("distributed.scheduler.allowed-failures"))


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())
