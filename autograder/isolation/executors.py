"""Where the executions run: a pool of local worker processes, or the workers of a Dask distributed cluster
(``grade --scheduler tcp://HOST:PORT``).

Both give ``submit(fn, *args)`` returning a future with ``.result()``, which is all ``pipeline.grade_batch``
needs; neither lets a batch wait for ever. A task that runs past its deadline has its worker process ended (its
sandboxes go with it: bubblewrap's ``--die-with-parent``) and its ``result`` raises TaskTimeout; the other tasks
that this interrupted run again on fresh workers (locally: LocalPool; on Dask: the scheduler, DaskPool).

Only execution moves to the cluster: restore, score and feedback stay in the one client process, so the
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
import os
import re
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from autograder.core.errors import UsageError

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 20.0  # an unreachable scheduler is a usage error after this long, not a hang
WORKER_WAIT_S = 120.0  # how long a batch waits for a first worker, or for one after the last one left
POLL_S = 2.0  # how often a waiting ``result()`` checks that the cluster still has workers, or its deadline
RERUNS = 2  # how many times a task is run again after a worker's death interrupted it

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
def pool(
    scheduler: str | None,
    workers: int,
    warm_up: Callable[[], None] | None = None,
    deadline: float | None = None,
) -> Iterator[Pool]:
    """Local worker processes (``workers`` of them, each running ``warm_up`` first), or the Dask cluster whose
    scheduler is at ``scheduler``; either way each task is stopped ``deadline`` seconds after it started."""
    if scheduler is None:
        local = LocalPool(workers, warm_up, deadline)
        try:
            yield local
        finally:
            local.close()
        return
    dask_pool = DaskPool(check_scheduler_address(scheduler), deadline=deadline)
    try:
        yield dask_pool
    finally:
        dask_pool.close()


class TaskTimeout(Exception):
    """A task ran past its deadline: its worker was killed."""


def _run_marked(marker: str, fn: Callable[..., Any], *args: Any) -> Any:
    """In the worker: say which process runs this task, then run it (the pool times the task from here)."""
    Path(marker).write_text(str(os.getpid()))
    return fn(*args)


class LocalPool:
    """ProcessPoolExecutor plus what it lacks for a batch that must finish: a deadline per task, counted from
    when a worker starts it (a marker file with the worker's pid), and a way on after a worker dies. Killing one
    worker breaks an executor for every task in it (BrokenProcessPool), so the tasks still unfinished are run
    again on a new executor; a task that had started when its executor broke (it may be the cause) runs again at
    most RERUNS times, one still queued is not charged. Ours because no pool in the standard library or in our
    dependencies stops one task (loky, Dask and Pebble's ProcessPool could; none is a dependency today)."""

    def __init__(self, workers: int, warm_up: Callable[[], None] | None, deadline: float | None) -> None:
        self.workers, self.warm_up, self.deadline = workers, warm_up, deadline
        self.markers = tempfile.TemporaryDirectory(prefix="autograder-tasks-")
        self.jobs: list[LocalJob] = []
        self.executor = self._new_executor()

    def _new_executor(self) -> ProcessPoolExecutor:
        # spawn, not fork: the grader's process holds threads and a gradebook connection
        context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=context, initializer=self.warm_up)

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> LocalJob:
        job = LocalJob(self, str(Path(self.markers.name) / str(len(self.jobs))), fn, args)
        self.jobs.append(job)
        job.start()
        return job

    def replace_broken(self, broken: ProcessPoolExecutor) -> None:
        """A new executor for every unfinished task of ``broken`` (once, whichever task noticed first)."""
        if self.executor is not broken:
            return
        broken.shutdown(wait=False, cancel_futures=True)
        self.executor = self._new_executor()
        for job in self.jobs:
            if job.executor is broken and not job.finished():
                job.restart(charged=job.started() is not None)

    def close(self) -> None:
        for job in self.jobs:
            job.kill()  # anything still running (the batch stopped early): its worker and sandboxes go now
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.markers.cleanup()


class LocalJob:
    def __init__(self, owner: LocalPool, marker: str, fn: Callable[..., Any], args: tuple) -> None:
        self.owner, self.prefix, self.fn, self.args = owner, marker, fn, args
        self.marker = ""
        self.runs = self.reruns = 0
        self.timed_out = False
        self.executor: ProcessPoolExecutor | None = None
        self.future: Future | None = None

    def start(self) -> None:
        self.runs += 1
        self.marker = f"{self.prefix}.{self.runs}"  # one per run: a worker of the broken executor may write late
        self.executor = self.owner.executor
        self.future = self.executor.submit(_run_marked, self.marker, self.fn, *self.args)

    def restart(self, charged: bool) -> None:
        if charged and self.reruns >= RERUNS:
            return
        self.reruns += charged
        self.start()

    def finished(self) -> bool:
        assert self.future is not None
        return self.timed_out or (self.future.done() and not isinstance(self.future.exception(), BrokenProcessPool))

    def started(self) -> tuple[int, float] | None:
        """(pid, when) of the worker running this task, once one has started it."""
        try:
            return int(Path(self.marker).read_text()), Path(self.marker).stat().st_mtime
        except (OSError, ValueError):
            return None

    def kill(self) -> None:
        started = self.started()
        if started is not None and self.future is not None and not self.future.done():
            try:
                os.kill(started[0], signal.SIGKILL)
            except ProcessLookupError:
                pass

    def result(self) -> Any:
        while True:
            assert self.future is not None and self.executor is not None
            try:
                return self.future.result(timeout=POLL_S)
            except TimeoutError:
                if self.future.done():  # finished meanwhile, or the task itself raised TimeoutError
                    return self.future.result()
            except BrokenProcessPool:
                broken = self.future
                self.owner.replace_broken(self.executor)
                if self.future is broken:  # not run again: it has had its RERUNS
                    raise
                continue
            started = self.started()
            deadline = self.owner.deadline
            if deadline is not None and started is not None and time.time() - started[1] > deadline:
                self.timed_out = True
                self.kill()
                self.owner.replace_broken(self.executor)
                raise TaskTimeout(f"it was still running after {deadline:g} s: its worker was stopped")


START_TOPIC = "autograder-task-started"  # a Dask event per task: its key and its worker, timed by the scheduler


def _run_announced(fn: Callable[..., Any], *args: Any) -> Any:
    """On a Dask worker: tell the scheduler which worker started this task and when, then run it."""
    from distributed import get_worker

    worker = get_worker()
    key = worker.get_current_task()
    worker.log_event(f"{START_TOPIC}-{key}", {"key": str(key), "worker": worker.address})
    return fn(*args)


async def _end_this_worker() -> None:  # a coroutine: Dask runs only those without waiting for the reply
    """Run on a worker whose task is past its deadline: the process ends, as a local worker is SIGKILLed (its
    kernels' sandboxes go with it: ``--die-with-parent``); a nanny starts a fresh one, the scheduler re-runs the
    other tasks it held."""
    os._exit(75)


class DaskPool:
    """A ``distributed.Client`` seen as a pool: ``submit`` and futures whose ``result`` cannot wait forever.

    The deadline of a task counts from when a worker started it (``_run_announced``'s event, timed by the
    scheduler). A task past it is cancelled, so it is never run again, and its worker process is ended: a
    thread cannot be stopped, and a task stuck in the worker would otherwise hold its slot for good."""

    def __init__(
        self,
        address: str,
        connect_timeout: float | None = None,
        worker_wait: float | None = None,
        deadline: float | None = None,
    ):
        from distributed import Client  # imported here: local grading never pays for importing Dask

        # the module's values read at call time, so a test (or a patient caller) can change them
        connect_timeout = CONNECT_TIMEOUT_S if connect_timeout is None else connect_timeout
        self.worker_wait = worker_wait = WORKER_WAIT_S if worker_wait is None else worker_wait
        self.address, self.deadline = address, deadline
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
        return DaskJob(self.client.submit(_run_announced, fn, *args, pure=False, retries=0), self)

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
            self._stop_if_late()

    def started(self) -> tuple[str, float] | None:
        """(worker address, scheduler time) of the latest start of this task, once a worker has started it."""
        events = self._owner.client.get_events(f"{START_TOPIC}-{self.future.key}")
        return (events[-1][1]["worker"], events[-1][0]) if events else None

    def _stop_if_late(self) -> None:
        deadline = self._owner.deadline
        started = self.started() if deadline is not None else None
        if started is None:
            return
        now = self._owner.client.run_on_scheduler(time.time)  # the clock the start was timed by
        if now - started[1] <= deadline:
            return
        self.future.cancel()
        try:
            self._owner.client.run(_end_this_worker, workers=[started[0]], wait=False)
        except Exception as exc:  # noqa: BLE001 - the worker went by itself meanwhile
            log.debug("ending the Dask worker %s: %s", started[0], exc)
        raise TaskTimeout(f"it was still running after {deadline:g} s: its Dask worker was stopped")


def _allowed_failures() -> int:
    import dask

    return int(dask.config.get("distributed.scheduler.allowed-failures"))


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())
