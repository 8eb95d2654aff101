"""A papermill engine for grading, registered as ``autograder`` in papermill's engine registry.

It is papermill's nbclient engine with what grading needs and papermill lacks:
- errors allowed, so every later test cell still runs;
- a per-cell limit that interrupts the cell (the cell gets an error, the notebook goes on);
- a per-notebook limit enforced by killing the kernel (a loop that ignores interrupts still ends);
- a cap on each cell's output, applied as it arrives (a huge print cannot fill the grader's memory);
- an ``outcome`` object that keeps the notebook and what went wrong even when the kernel dies, since
  papermill raises without returning the notebook in that case.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import threading
from dataclasses import dataclass, field

from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode, v4
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines

ENGINE_NAME = "autograder"
log = logging.getLogger(__name__)
log.setLevel(logging.CRITICAL)  # nbclient logs every timeout and interrupt; the outcome records them instead


@dataclass
class Outcome:
    """What happened to one execution, filled in by the engine."""

    nb: NotebookNode | None = None
    kernel_died: bool = False
    notebook_timed_out: bool = False
    timed_out_cells: list[int] = field(default_factory=list)
    truncated_cells: list[int] = field(default_factory=list)
    last_cell: int = -1


class GradingClient(PapermillNotebookClient):
    """nbclient with a notebook deadline and an output cap; see the module docstring."""

    def __init__(self, nb_man, outcome: Outcome, notebook_timeout: float, max_output_bytes: int, **kw):
        super().__init__(nb_man, **kw)
        self.outcome = outcome
        self.notebook_timeout = notebook_timeout
        self.max_output_bytes = max_output_bytes
        self._output_bytes: dict[int, int] = {}

    def _kill_kernel(self) -> None:
        # called from the watchdog thread: signal the process directly instead of touching the event loop
        self.outcome.notebook_timed_out = True
        provisioner = getattr(self.km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        if process is not None and process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)

    def papermill_execute_cells(self):
        watchdog = threading.Timer(self.notebook_timeout, self._kill_kernel)
        watchdog.daemon = True
        watchdog.start()
        try:
            for index, cell in enumerate(self.nb.cells):
                self.outcome.last_cell = index
                try:
                    self.nb_man.cell_start(cell, index)
                    self.execute_cell(cell, index)
                finally:
                    self.nb_man.cell_complete(self.nb.cells[index], cell_index=index)
        finally:
            watchdog.cancel()

    async def _async_handle_timeout(self, timeout, cell=None):
        self.outcome.timed_out_cells.append(self.outcome.last_cell)
        return await super()._async_handle_timeout(timeout, cell)

    def output(self, outs, msg, display_id, cell_index):
        size = sum(len(str(v)) for v in msg.get("content", {}).values())
        used = self._output_bytes.get(cell_index, 0) + size
        self._output_bytes[cell_index] = used
        if used > self.max_output_bytes:
            if cell_index not in self.outcome.truncated_cells:
                self.outcome.truncated_cells.append(cell_index)
                outs.append(
                    v4.new_output(
                        "stream",
                        name="stdout",
                        text=f"\n[output truncated by the grader at {self.max_output_bytes} bytes]\n",
                    )
                )
            return None
        return super().output(outs, msg, display_id, cell_index)


class GradingEngine(NBClientEngine):
    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        *,
        outcome: Outcome,
        notebook_timeout: float,
        max_output_bytes: int,
        kernel_env: dict[str, str],
        kernel_cwd: str,
        **kwargs,
    ):
        client = GradingClient(
            nb_man,
            outcome,
            notebook_timeout,
            max_output_bytes,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=log,
            allow_errors=True,
            interrupt_on_timeout=True,
            error_on_timeout={
                "ename": "CellTimeoutError",
                "evalue": f"the cell ran longer than {execution_timeout} s and was interrupted",
                "traceback": [],
            },
            raise_on_iopub_timeout=False,
            record_timing=True,
            shutdown_kernel="immediate",  # the notebook is done: a graceful shutdown only costs ~1 s
        )
        outcome.nb = nb_man.nb
        try:
            client.execute(env=kernel_env, cwd=kernel_cwd, stderr=subprocess.DEVNULL)
        except DeadKernelError:
            outcome.kernel_died = True
        outcome.nb = nb_man.nb
        return nb_man.nb


papermill_engines.register(ENGINE_NAME, GradingEngine)
