"""Stage 4, execute: run the restored notebook through papermill in its own sandboxed kernel (sandbox.py).

Runs in a worker process (see ``pipeline``); takes and returns plain data so it can cross the process
boundary. The check records come back tagged with the grade cell that wrote them (engine.py). Parameters
``SEED``, ``DEVICE`` and ``FAST`` are injected by papermill; FAST only shrinks ungraded experiments
(DESIGN.md section 5), so grading injects FAST=True by default and scores do not change.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import papermill
from papermill.execute import ERROR_MARKER_TAG

from autograder.core.markup import grade_id
from autograder.core.submission import State
from autograder.isolation import forkserver, warm
from autograder.isolation.engine import ENGINE_NAME, Outcome
from autograder.isolation.sandbox import Box, SandboxSpec

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    notebook_timeout: float = 600.0
    cell_timeout: float = 120.0
    max_output_bytes: int = 1_000_000
    startup_timeout: float = 60.0
    memory_rss_baseline: int = 2**30  # resident memory of a kernel with torch and the data loaded, roughly
    check_log_runs: int = 1  # the check log's caps, in runs of the notebook (the reference's copies, reference.py)

    def task_deadline(self) -> float:
        """How long one ``execute`` may run in its worker before the worker is presumed stuck and killed
        (executors.LocalPool): the notebook's limit and every kernel start it may try, with room to spare; only a
        grader blocked on something the notebook did gets there."""
        starts = sum(self.startup_timeout + RETRY_PAUSE * n for n in range(1, START_ATTEMPTS + 1))
        return self.notebook_timeout + starts + DEADLINE_SLACK_S


@dataclass
class ExecResult:
    nb_json: str | None
    fault: State | None  # STUDENT_FAULT or GRADER_FAULT when the run did not end normally
    reason: str
    seconds: float
    checks: list[dict]
    retries: list[str] = field(default_factory=list)  # why earlier attempts to start a kernel failed

    @property
    def never_started(self) -> bool:
        """The kernel did not come up (no cell ran): the grader's fault, worth another try."""
        return self.fault is State.GRADER_FAULT and self.nb_json is None


# Kernel starts fail now and then under load (a kernel that dies before kernel_info, a start past the timeout); a
# fresh sandbox usually starts. Bounded, so a machine that cannot start kernels at all still ends the batch.
START_ATTEMPTS = 3
RETRY_PAUSE = 1.0  # seconds, times the attempt number: lets a burst of starts pass
DEADLINE_SLACK_S = 60.0  # beyond a task's own limits: reading the notebook back, closing its sandbox


def cores() -> int:
    """The cores this process may use (its affinity: a SLURM job's or a container's share, not the machine's)."""
    return len(os.sched_getaffinity(0)) or os.cpu_count() or 1


def kernel_threads(threads: int | None) -> int:
    """``threads``; or, for a notebook on a Dask worker (None: the client cannot know the worker's machine),
    this machine's cores over the task slots of every worker on it, so kernels running at once do not
    oversubscribe the cores."""
    if threads is not None:
        return threads
    try:
        from distributed import get_client, get_worker
        from distributed.comm import get_address_host

        worker = get_worker()
        host = get_address_host(worker.address)
        here = [w for w in get_client().scheduler_info()["workers"].values() if w.get("host") == host]
        slots = sum(w["nthreads"] for w in here) or worker.state.nthreads
    except (ImportError, ValueError, KeyError, OSError):  # not on a Dask worker, or the scheduler would not say
        slots = 1
    return max(1, cores() // max(1, slots))


def kernel_env(check_log: Path, threads: int, box: Box | None = None) -> dict[str, str]:
    """What the kernel's environment holds: in a sandbox only what ``Box.env`` lets in, else the grader's."""
    extra = {
        "COURSE_CHECK_LOG": str(check_log),
        "AUTOGRADER_GUARD_KEY": str(box.guard_key_file) if box is not None else "",
        "CUBLAS_WORKSPACE_CONFIG": ":4096:8",  # deterministic cuBLAS (torch.use_deterministic_algorithms)
        "PYTHONHASHSEED": "0",
        "MPLBACKEND": "agg",
        # two kernels on two cores: one thread each avoids oversubscription and keeps float sums in one order
        "OMP_NUM_THREADS": str(threads),
        "MKL_NUM_THREADS": str(threads),
    }
    if box is not None and box.spec.enabled:
        return box.env(extra)
    return {**os.environ, **extra}


def _where(nb, index: int) -> str:
    """A cell as the student can find it: its position and the graded cell it follows."""
    before = [grade_id(c) for c in nb.cells[: index + 1] if grade_id(c)] if nb is not None else []
    return f"cell {index}" + (f" (at or after {before[-1]})" if before else "")


def describe(outcome: Outcome, limits: Limits) -> str | None:
    """Why a run that reached the notebook's cells is the student's fault, or None when it ended normally."""
    if outcome.notebook_timed_out:
        return f"timed out: the notebook ran longer than {limits.notebook_timeout:g} s"
    if outcome.over_limit:
        return f"stopped in {_where(outcome.nb, outcome.last_cell)}: it {outcome.over_limit}"
    if outcome.kernel_died:
        return f"kernel crashed in {_where(outcome.nb, outcome.last_cell)}"
    if outcome.log_overflow:
        return f"stopped reading its check records: {outcome.log_overflow}"
    if outcome.timed_out_cells:
        cells = ", ".join(_where(outcome.nb, c) for c in outcome.timed_out_cells)
        return f"timed out: {cells} ran longer than {limits.cell_timeout:g} s"
    return None


def _without_papermill_markers(nb):
    """papermill inserts two markdown cells when a cell failed; grading expects errors, so drop them."""
    if nb is not None:
        nb.cells = [c for c in nb.cells if ERROR_MARKER_TAG not in c.get("metadata", {}).get("tags", [])]
    return nb


def _worker_kernels(sandbox: SandboxSpec, threads: int, limits: Limits, modules: tuple[str, ...]):
    """What a worker's warm kernels are keyed by, their environment, and its fork server (None where none)."""
    key = (sandbox, threads, limits.startup_timeout, modules)
    env_for = lambda box: kernel_env(box.check_log, threads, box)  # noqa: E731
    return key, env_for, forkserver.for_worker(sandbox, threads, env_for, limits.startup_timeout, modules)


def prepare_worker(
    sandbox: SandboxSpec, threads: int, limits: Limits, preload: tuple[str, ...] = forkserver.PRELOAD
) -> None:
    """A grading worker's first act (the pool's initializer): its fork server and first warm kernel start
    while the grader is still restoring the submissions."""
    try:
        key, env_for, server = _worker_kernels(sandbox, threads, limits, preload)
        warm.start(key, sandbox, env_for, server, preload)
    except Exception as exc:  # noqa: BLE001 - an initializer that raises would break the whole pool
        log.warning("could not prepare this worker's kernels (they start when needed): %s", exc)


def execute(
    nb_json: str,
    parameters: dict,
    limits: Limits,
    sandbox: SandboxSpec,
    threads: int | None = 1,
    warm_kernels: bool = False,
    preload: tuple[str, ...] = forkserver.PRELOAD,
) -> ExecResult:
    """Execute one notebook in a fresh sandbox; never raises for anything the notebook does. A kernel that does
    not start is started again, up to START_ATTEMPTS times (the last time without the fork server); the reasons
    of the failed starts come back in ``retries``. With ``warm_kernels`` (a grading worker's setting) kernels are
    forked by this worker's fork server where it applies (forkserver.py), the first attempt uses the kernel
    started while the previous notebook ran (warm.py), and the kernel for the next one starts now. ``threads``
    None: worked out here (``kernel_threads``). ``preload``: what warm kernels import before the student's first
    cell (``forkserver.preload``)."""
    threads = kernel_threads(threads)
    if not warm_kernels:
        return retry_start(lambda: execute_once(nb_json, parameters, limits, sandbox, threads))
    key, env_for, server = _worker_kernels(sandbox, threads, limits, preload)
    attempts = iter([(warm.take(key), server), *[(None, server)] * (START_ATTEMPTS - 2), (None, None)])
    # the next submission's kernel starts now and is ready when this notebook is done: started after it, it
    # would still be starting when the next task arrives (a worker with a queue of work never waits idle).
    # Two kernels of this worker are alive at once, in sandboxes of their own (separate pid, mount and ipc
    # namespaces): the waiting one runs nothing of a student's until this one is gone.
    warm.start(key, sandbox, env_for, server, preload)
    return retry_start(lambda: execute_once(nb_json, parameters, limits, sandbox, threads, *next(attempts)))


def retry_start(
    attempt: Callable[[], ExecResult], attempts: int = START_ATTEMPTS, pause: float = RETRY_PAUSE
) -> ExecResult:
    retries: list[str] = []
    for n in range(1, attempts + 1):
        result = attempt()
        if not result.never_started or n == attempts:
            break
        retries.append(result.reason)
        log.warning("kernel start failed (attempt %d of %d), retrying: %s", n, attempts, result.reason)
        time.sleep(pause * n)
    if result.never_started and retries:
        result.reason += f" (after {attempts} attempts)"
    result.retries = retries
    return result


def execute_once(
    nb_json: str,
    parameters: dict,
    limits: Limits,
    sandbox: SandboxSpec,
    threads: int = 1,
    warm_kernel: warm.WarmKernel | None = None,
    server: forkserver.ForkServer | None = None,
) -> ExecResult:
    """One attempt: one sandbox, one kernel (``warm_kernel``'s, already started in its own box, or a new one,
    forked by ``server`` if given), the whole notebook."""
    start = time.perf_counter()
    nb = nbformat.reads(nb_json, as_version=4)
    if server is not None and not server.alive():
        server = None  # given up meanwhile (forkserver.give_up): this kernel starts on its own
    if warm_kernel is not None:
        box = warm_kernel.box
    else:
        box = Box(sandbox, parent=server.spool if server is not None else None)
    outcome = Outcome()
    try:
        papermill.execute_notebook(
            nb,
            None,
            parameters=parameters,
            engine_name=ENGINE_NAME,
            kernel_name="python3",
            progress_bar=False,
            request_save_on_cell_execute=False,
            start_timeout=limits.startup_timeout,
            execution_timeout=limits.cell_timeout,
            outcome=outcome,
            notebook_timeout=limits.notebook_timeout,
            max_output_bytes=limits.max_output_bytes,
            check_log_runs=limits.check_log_runs,
            kernel_env=kernel_env(box.check_log, threads, box),
            kernel_cwd=str(box.io),
            box=box,
            memory_limit=limits.memory_rss_baseline + sandbox.limits.memory_bytes,
            warm_km=warm_kernel.km if warm_kernel is not None else None,
            forkserver=server,
        )
    except papermill.PapermillExecutionError:
        pass  # errors in cells are the student's and are scored per cell
    except MemoryError:  # what the kernel sent did not fit in this worker (the caps should make this rare)
        memory = "stopped: the grader ran out of memory holding this notebook's outputs or check records"
        return ExecResult(None, State.STUDENT_FAULT, memory, time.perf_counter() - start, [])
    except Exception as exc:  # the kernel did not start, or papermill itself failed: not the student's fault
        if outcome.nb is None or outcome.last_cell < 0:
            said = box.launch_errors()
            reason = f"execution failed: {type(exc).__name__}: {exc}" + (f" (the kernel said: {said})" if said else "")
            return ExecResult(None, State.GRADER_FAULT, reason, time.perf_counter() - start, [])
        log.warning("execution ended early: %s", exc)
    finally:
        box.cleanup()
    reason = describe(outcome, limits)
    executed = _without_papermill_markers(outcome.nb)
    return ExecResult(
        nbformat.writes(executed) if executed is not None else None,
        State.STUDENT_FAULT if reason else None,
        reason or "",
        time.perf_counter() - start,
        outcome.checks,
    )
