"""A papermill engine for grading, registered as ``autograder`` in papermill's engine registry.

It is papermill's nbclient engine with what grading needs and papermill lacks:
- the kernel in its sandbox (``sandbox.Box``), reached over ZeroMQ's ``ipc://`` transport through the sandbox's
  shared directory: no network needed and no TCP port to race for;
- errors allowed, so every later test cell still runs;
- a per-cell limit that interrupts the cell (the cell gets an error, the notebook goes on);
- a watch thread that kills the kernel when the notebook's time is up (a loop that ignores interrupts still
  ends) or the sandbox goes over its memory or disk budget;
- a cap on each cell's output, applied as it arrives (a huge print cannot fill the grader's memory);
- the check log read after every cell, so each check record is attributed, outside the kernel, to the cell that
  was running when it was written (the grader re-checks them per test cell: verify.py);
- an ``outcome`` object that keeps the notebook and what went wrong even when the kernel dies, since
  papermill raises without returning the notebook in that case.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import signal
import stat
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import DeadKernelError
from nbclient.util import ensure_async
from nbformat import NotebookNode, v4
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines

from autograder.core.markup import grade_id
from autograder.isolation.forkserver import ForkedProvisioner, ForkServer
from autograder.isolation.sandbox import Box, Watch

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
    over_limit: str = ""  # which sandbox budget the kernel went over (it was killed)
    log_overflow: str = ""  # which cap on the check log the notebook went over (the rest was not read)
    checks: list[dict] = field(default_factory=list)  # check records, each tagged outside with its "cell"


MAX_CHECK_LOG_BYTES = 128 * 2**20  # far above any reference's log (02's is ~7 MB); the rest is not read
MAX_RECORD_BYTES = 16 * 2**20  # one check of the largest tensor a test compares is far smaller
MAX_RECORDS = 200_000  # the largest reference writes a few thousand
CHUNK = 2**20


NOTEBOOK_OUTPUT_CELLS = 4  # the whole notebook's outputs: at most this many cells' worth (max_output_bytes each)
ERROR_TEXT_CHARS = 4000  # an error's message and each traceback line, at most
GUARD_ID = "__guard__"  # records of the kernel guard (kernel_guard.py), and the verdicts made of them here


class GuardLedger:
    """The kernel guard's signed records, checked outside the kernel: each must carry the HMAC of its sequence
    number and event under this kernel's key (the student never sees the key: the guard read and deleted it
    before any student code), the sequence must have no gap (a record removed from the log leaves one), and a
    notebook that ran to its end must end with the guard's ``end``. What it finds becomes plain records with
    ``id`` ``__guard__``: ``kind`` ``tampering`` (with the reason) or ``forbidden`` (item and function)."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self.next = 0
        self.last = ""
        self.problem = ""

    def _verdict(self, kind: str, case: str, cell: str | None, **extra: str) -> dict:
        return {"id": GUARD_ID, "kind": kind, "case": case, "cell": cell, **extra}

    def take(self, record: dict, cell: str | None) -> list[dict]:
        seq, event, mac = record.get("seq"), record.get("event"), record.get("mac")
        if self.problem:
            return []
        if type(seq) is not int or type(event) is not str or type(mac) is not str:
            return self._fail("a kernel guard record is malformed", cell)
        good = hmac.new(self.key, f"{seq}\n{event}".encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(good, mac):
            return self._fail("a kernel guard record was forged", cell)
        if seq != self.next:
            return self._fail("kernel guard records were removed from the check log", cell)
        self.next, self.last = seq + 1, event
        if event.startswith("tamper "):
            return self._fail(f"the kernel's guard stopped it: {event.removeprefix('tamper ')}", cell)
        if event.startswith("forbidden "):
            _, item, *name = event.split(" ")
            return [self._verdict("forbidden", f"{item}: {' '.join(name)}", cell, item=item, name=" ".join(name))]
        return []

    def _fail(self, why: str, cell: str | None) -> list[dict]:
        self.problem = why
        return [self._verdict("tampering", why, cell)]

    def finish(self, ran_to_the_end: bool, cell: str | None) -> list[dict]:
        if self.problem or not ran_to_the_end or self.last == "end":
            return []
        if self.next == 0:
            return self._fail("the kernel guard never reported", cell)
        return self._fail("the kernel guard's last records are missing from the check log", cell)


class CheckLogReader:
    """Reads what the kernel appended to the check log since the last call. The kernel writes each record
    before its check returns, so after a cell finishes its records are on disk; records written later (a
    student's thread) land in a later cell and only fail verification there.

    The kernel may replace the file at its path by anything (a FIFO would block ``open`` until a writer came, a
    directory cannot be read): so the file is opened once, before the kernel runs any cell (the sandbox made it),
    without following a link and without blocking, and read through that descriptor only if it is a regular
    file, in chunks, with caps on the bytes, on one record's size and on the number of check records
    (``overflow`` says which was hit: a student fault). Every line is parsed, so the kernel guard's records are
    read even after the cap on check records. ``close`` releases the descriptor."""

    def __init__(self, path: Path, guard_key: bytes | None = None, runs: int = 1) -> None:
        self.path = path
        self.max_bytes, self.max_records = MAX_CHECK_LOG_BYTES * runs, MAX_RECORDS * runs
        self.guard = GuardLedger(guard_key) if guard_key is not None else None
        try:
            self.fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            self.fd = -1
        self.offset = 0
        self.partial = b""
        self.skipping = False  # inside a line longer than MAX_RECORD_BYTES
        self.count = 0
        self.overflow = ""

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def _chunks(self):
        fd = self.fd
        if fd < 0:
            return
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                self.overflow = self.overflow or "the check log was replaced by something other than a file"
                return
            while self.offset < self.max_bytes:
                data = os.pread(fd, min(CHUNK, self.max_bytes - self.offset), self.offset)
                if not data:
                    return
                self.offset += len(data)
                yield data
            self.overflow = self.overflow or f"the check log grew past {self.max_bytes // 2**20} MiB"
        except OSError:
            return

    def _lines(self):
        for data in self._chunks():
            *complete, rest = (self.partial + data).split(b"\n")
            self.partial = b""
            for line in complete:
                if self.skipping:  # the end of a line that was too long
                    self.skipping = False
                    continue
                yield line
            if len(rest) > MAX_RECORD_BYTES:
                self.overflow = self.overflow or f"a check record was longer than {MAX_RECORD_BYTES // 2**20} MiB"
                self.skipping, rest = True, b""
            self.partial = b"" if self.skipping else rest

    def read(self, cell: str | None) -> list[dict]:
        records = []
        for line in self._lines():
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
                continue  # a student writing to the log only spoils their own records
            if not isinstance(record, dict):
                continue
            if record.get("id") == GUARD_ID:  # only the ledger's verdicts carry this id onwards
                records += self.guard.take(record, cell) if self.guard is not None else []
                continue
            if self.count >= self.max_records:
                self.overflow = self.overflow or f"the notebook wrote more than {self.max_records} check records"
                continue
            self.count += 1
            record["cell"] = cell  # set here, outside the kernel: whatever the line claimed is replaced
            records.append(record)
        return records

    def finish(self, ran_to_the_end: bool, cell: str | None) -> list[dict]:
        """After the last cell: the ledger's verdict on a run that should have ended with the guard's ``end``."""
        return self.guard.finish(ran_to_the_end, cell) if self.guard is not None else []


class SandboxedKernelManager(AsyncKernelManager):
    """jupyter_client's manager with the launch command wrapped by the sandbox (``box``; None: no sandbox), or
    the kernel forked by this worker's fork server (``forkserver``, which builds the same sandbox itself).
    Always the ``ipc`` transport, with the connection file and sockets in the box's shared directory."""

    box: Box | None = None
    forkserver: ForkServer | None = None

    async def _async_pre_start_kernel(self, **kw):
        if self.forkserver is not None and self.provisioner is None:
            self.kernel_id = self.kernel_id or str(uuid.uuid4())
            self.provisioner = ForkedProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        # jupyter_client checks every 0.1 s whether a killed kernel is gone; it is within milliseconds, and the
        # first check always comes too early, so the default costs 0.1 s of every notebook
        await super()._async_wait(pollinterval=min(pollinterval, 0.005))

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        command = guarded(super().format_kernel_cmd([*(extra_arguments or []), *KERNEL_OPTIONS]))
        if self.box is None or not self.box.spec.enabled:
            return command
        self.box.prepare_connection_file()
        if self.forkserver is not None:
            return command
        return self.box.wrap(command, dict((self._launch_args or {}).get("env") or {}))


GUARD = (Path(__file__).with_name("kernel_guard.py")).read_text(encoding="utf-8")
# Tracebacks in IPython's plain form: its default ("Context") reads and highlights the source around every frame,
# ~0.5 s per failing cell in a grading kernel (a known bug fails many). Nobody reads them from the kernel: the
# feedback shows each check's message, the instructor's copy keeps the frames and lines.
KERNEL_OPTIONS = ["--InteractiveShell.xmode=Plain"]


def guard_on() -> bool:
    """Off only where ``AUTOGRADER_KERNEL_GUARD=0``: scripts/benchmark.py --guard-cost measures what it costs."""
    return os.environ.get("AUTOGRADER_KERNEL_GUARD", "1") != "0"


def guarded(command: list[str]) -> list[str]:
    """``python -m ipykernel_launcher ARGS`` as ``python -c <kernel_guard.py> ARGS``: the audit hook is in place
    before the kernel runs any cell (kernel_guard.py)."""
    if command[1:3] == ["-m", "ipykernel_launcher"] and guard_on():
        return [command[0], "-c", GUARD, *command[3:]]
    return command


class PromptClient(AsyncKernelClient):
    """jupyter_client's client, but ready as soon as the kernel is: ``wait_for_ready`` waits 0.2 s for IOPub
    to go quiet after the kernel_info reply (a fixed 0.2 s of every notebook); over the local ``ipc`` transport
    its messages arrive within milliseconds, so each IOPub wait there is capped at READY_IOPUB_WAIT. A message
    that still comes late belongs to no cell (nbclient matches replies by parent id) and is dropped."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        channel = self.iopub_channel
        original = channel.get_msg
        channel.get_msg = lambda timeout=None: original(timeout=min(timeout or READY_IOPUB_WAIT, READY_IOPUB_WAIT))
        try:
            await AsyncKernelClient.wait_for_ready(self, timeout)
        finally:
            del channel.get_msg


READY_IOPUB_WAIT = 0.05  # seconds
KERNEL_ALIVE_POLL = 0.02  # seconds between checks that a running cell's kernel is alive
# seconds an interrupted cell has to stop before its kernel is killed: Python code stops at its next bytecode, and
# one call into a library (a large matmul) rarely runs this long on the course's sizes
INTERRUPT_GRACE = 5.0


def new_kernel_manager(box: Box, forkserver: ForkServer | None = None, **kw) -> SandboxedKernelManager:
    km = SandboxedKernelManager(kernel_name="python3", client_class="autograder.isolation.engine.PromptClient", **kw)
    km.box = box
    km.forkserver = forkserver
    km.transport = "ipc"
    km.connection_file = str(box.connection_file)
    # interrupt over the control channel: a SIGINT to the process would reach bubblewrap, not the kernel
    km.kernel_spec.interrupt_mode = "message"
    return km


class GradingClient(PapermillNotebookClient):
    """nbclient with a sandboxed kernel, a watch, an output cap and per-cell check records; see the module
    docstring."""

    def __init__(
        self,
        nb_man,
        outcome: Outcome,
        notebook_timeout: float,
        max_output_bytes: int,
        box: Box,
        memory_limit: int,
        warm_km: SandboxedKernelManager | None = None,
        forkserver: ForkServer | None = None,
        check_log_runs: int = 1,
        **kw,
    ):
        super().__init__(nb_man, **kw)
        self.forkserver = forkserver
        self.warm_km = warm_km  # started already in ``box`` (warm.py): nbclient then skips starting one
        self.outcome = outcome
        self.notebook_timeout = notebook_timeout
        self.max_output_bytes = max_output_bytes
        self.box = box
        self.watch = Watch(box, memory_limit)
        self.log_reader = CheckLogReader(box.check_log, box.guard_key if guard_on() else None, check_log_runs)
        self._output_bytes: dict[int, int] = {}
        self._notebook_bytes = 0
        self._done = threading.Event()

    def create_kernel_manager(self):
        if self.warm_km is not None:
            self.km = self.warm_km
            return self.km
        self.km = new_kernel_manager(self.box, self.forkserver, config=self.config)
        return self.km

    def _kernel_pid(self) -> int | None:
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        return process.pid if process is not None and process.poll() is None else None

    def _kill_kernel(self) -> None:
        # called from the watch thread: signal the process directly instead of touching the event loop. The
        # process is bubblewrap (or the plain kernel without a sandbox): its pid namespace dies with it.
        pid = self._kernel_pid()
        if pid is not None:
            os.kill(pid, signal.SIGKILL)

    def _watch(self) -> None:
        deadline = time.monotonic() + self.notebook_timeout
        while not self._done.wait(0.25):
            if time.monotonic() > deadline:
                self.outcome.notebook_timed_out = True
                self._kill_kernel()
                return
            pid = self._kernel_pid()
            if pid is not None and self.watch.check(pid):
                self.outcome.over_limit = self.watch.over
                self._kill_kernel()
                return

    def papermill_execute_cells(self):
        watcher = threading.Thread(target=self._watch, daemon=True)
        watcher.start()
        try:
            for index, cell in enumerate(self.nb.cells):
                self.outcome.last_cell = index
                try:
                    self.nb_man.cell_start(cell, index)
                    self.execute_cell(cell, index)
                finally:
                    self.outcome.checks += self.log_reader.read(grade_id(cell))
                    self.outcome.log_overflow = self.log_reader.overflow
                    self.nb_man.cell_complete(self.nb.cells[index], cell_index=index)
            ended = not (self.outcome.kernel_died or self.outcome.notebook_timed_out or self.outcome.over_limit)
            self.outcome.checks += self.log_reader.finish(ended, None)
        finally:
            self._done.set()
            self.log_reader.close()

    async def _async_poll_kernel_alive(self) -> None:
        # nbclient looks every 1 s for a dead kernel while a cell runs, so a kernel that dies (a crash, the guard's
        # kill on tampering, os._exit) cost up to 1 s of waiting; the check is a waitpid, cheap at this rate
        while True:
            await asyncio.sleep(KERNEL_ALIVE_POLL)
            try:
                await self._async_check_alive()
            except DeadKernelError:
                assert self.task_poll_for_reply is not None
                self.task_poll_for_reply.cancel()
                return

    async def _async_handle_timeout(self, timeout, cell=None):
        self.outcome.timed_out_cells.append(self.outcome.last_cell)
        reply = await super()._async_handle_timeout(timeout, cell)  # interrupts; the cell gets a timeout error
        if not await self._answers_interrupt():
            # a cell that ignores the interrupt (SIGINT ignored, a loop catching KeyboardInterrupt) keeps the kernel
            # busy: every later cell would wait its whole limit behind it until the notebook's time is up
            self.outcome.over_limit = f"ran longer than {timeout:g} s and did not stop when interrupted"
            self._kill_kernel()
        return reply

    async def _answers_interrupt(self) -> bool:
        """Whether the interrupted cell's execute_reply arrives within ``INTERRUPT_GRACE`` seconds (the only
        request the kernel has: any reply is its). Python code stops at its next bytecode when interrupted."""
        deadline = time.monotonic() + INTERRUPT_GRACE
        while (left := deadline - time.monotonic()) > 0:
            try:
                msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=left))
            except Empty:
                return False
            if msg.get("msg_type") == "execute_reply":
                return True
        return False

    def _within_cap(self, outs, msg, cell_index: int) -> bool:
        """Charge a message to its cell's output budget and to the notebook's (NOTEBOOK_OUTPUT_CELLS cells'
        worth); past either, one note in the cell and nothing more kept. Every route counts (outputs, display
        updates, comm/widget messages): each would otherwise be held in the grader's memory and written into the
        autograded notebook, which so stays bounded whatever the kernel sends."""
        size = sum(len(str(v)) for v in msg.get("content", {}).values())
        used = self._output_bytes.get(cell_index, 0) + size
        self._output_bytes[cell_index] = used
        self._notebook_bytes += size
        budget = self.max_output_bytes * NOTEBOOK_OUTPUT_CELLS
        if used <= self.max_output_bytes and self._notebook_bytes <= budget:
            return True
        if cell_index not in self.outcome.truncated_cells:
            self.outcome.truncated_cells.append(cell_index)
            whole = self._notebook_bytes > budget
            outs.append(
                v4.new_output(
                    "stream",
                    name="stdout",
                    text=f"\n[output truncated by the grader: over {budget if whole else self.max_output_bytes} bytes"
                    f"{' in the whole notebook' if whole else ''}]\n",
                )
            )
        return False

    def output(self, outs, msg, display_id, cell_index):
        if msg.get("msg_type") == "error":
            # always kept, however much the cell printed before: nbgrader scores a test cell by its error; its
            # text cut short so that it costs little
            content = msg.get("content", {})
            content["evalue"] = str(content.get("evalue", ""))[:ERROR_TEXT_CHARS]
            content["traceback"] = [str(line)[:ERROR_TEXT_CHARS] for line in content.get("traceback", [])[-20:]]
            return super().output(outs, msg, display_id, cell_index)
        if not self._within_cap(outs, msg, cell_index):
            return None
        return super().output(outs, msg, display_id, cell_index)

    def _update_display_id(self, display_id, msg):
        cell_index = max(self.outcome.last_cell, 0)
        if self._within_cap(self.nb.cells[cell_index].setdefault("outputs", []), msg, cell_index):
            super()._update_display_id(display_id, msg)

    def handle_comm_msg(self, outs, msg, cell_index):
        if self._within_cap(outs, msg, cell_index):
            super().handle_comm_msg(outs, msg, cell_index)


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
        check_log_runs: int,
        kernel_env: dict[str, str],
        kernel_cwd: str,
        box: Box,
        memory_limit: int,
        warm_km: SandboxedKernelManager | None = None,
        forkserver: ForkServer | None = None,
        **kwargs,
    ):
        client = GradingClient(
            nb_man,
            outcome,
            notebook_timeout,
            max_output_bytes,
            box,
            memory_limit,
            warm_km,
            forkserver,
            check_log_runs,
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
            with open(box.launch_log, "wb") as launch_log:
                client.execute(env=kernel_env, cwd=kernel_cwd, stdout=subprocess.DEVNULL, stderr=launch_log)
        except DeadKernelError:
            outcome.kernel_died = True
        finally:
            client.log_reader.close()  # also when the kernel never started
        outcome.nb = nb_man.nb
        return nb_man.nb


papermill_engines.register(ENGINE_NAME, GradingEngine)
