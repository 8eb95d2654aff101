"""Grading on a Dask cluster (``--scheduler``): a real scheduler and two workers on loopback, started here.

The executions run on the workers, scoring stays in this process: the points must be those of local grading,
and a worker killed mid-batch must cost no result (the scheduler re-runs its task on the other worker).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from distributed import Client, LocalCluster
from tiny_course import ASSIGNMENT

from autograder import cli
from autograder.authoring import sample_class
from autograder.core.course_dir import REPO_ROOT
from autograder.core.errors import UsageError
from autograder.core.submission import State, Submission
from autograder.isolation import executors
from autograder.isolation.execute import Limits, cores, kernel_threads
from autograder.stages.pipeline import GradeOptions, grade_batch

OPTIONS = GradeOptions(limits=Limits(notebook_timeout=120, cell_timeout=20))
# the students of the kill test, all of them GRADED locally (test_grading_tiny.py), with their points
GRADED = {
    "reference": 4.0,
    "blank": 0.0,
    "mutant-add_abs": 2.0,
    "mutant-add_subtracts": 1.0,
    "cheats": 2.0,
}


class Cluster:
    """A scheduler and named workers, each a process group of its own that the test can kill."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.scheduler_file = tmp / "scheduler.json"
        self.procs: dict[str, subprocess.Popen] = {}
        self.scheduler = self._start(
            "scheduler",
            ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"],
        )
        deadline = time.monotonic() + 60
        while not self.scheduler_file.exists():
            if self.scheduler.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the scheduler did not start:\n{self.log('scheduler')}")
            time.sleep(0.2)
        self.address = json.loads(self.scheduler_file.read_text())["address"]

    def _start(self, name: str, args: list[str]) -> subprocess.Popen:
        # the workers import autograder and course from this checkout, as from a shared filesystem
        path = [str(REPO_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(path))
        with (self.tmp / f"{name}.log").open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "dask", *args, "--scheduler-file", str(self.scheduler_file)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=self.tmp,
                start_new_session=True,  # its own group: stopping it also stops a kernel it may have left
            )
        self.procs[name] = proc
        return proc

    def add_worker(self, name: str, nanny: bool = False) -> None:
        # no nanny by default: the worker is this process, so SIGKILL is a worker dying, not one being restarted
        self._start(
            name,
            ["worker", "--name", name, "--nworkers", "1", "--nthreads", "1", "--nanny" if nanny else "--no-nanny"]
            + ["--no-dashboard", "--death-timeout", "60"],  # a worker whose scheduler is gone (a crashed test) goes
        )

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")[-3000:]

    def kill(self, name: str) -> None:
        proc = self.procs[name]
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def stop(self) -> None:
        for name in reversed(list(self.procs)):
            self.kill(name)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    running = Cluster(tmp_path_factory.mktemp("dask"))
    try:
        for name in ("w0", "w1"):
            running.add_worker(name)
        with Client(running.address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=60)
        yield running
    finally:
        running.stop()


def _students(course, names):
    students = [s for s in sample_class.build(course, ASSIGNMENT) if s.name in names]
    assert {s.name for s in students} == set(names)
    sample_class.write(students, ASSIGNMENT, course.submitted)


def _per_cell(subs: list[Submission]) -> dict[str, tuple]:
    return {s.student: (s.state, s.reason, sorted((r.grade_id, r.points) for r in s.results)) for s in subs}


def test_the_sample_class_on_the_cluster_gets_the_points_of_local_grading(cluster, tiny, tmp_path):
    names = {"reference", "mutant-add_abs", "crash", "skips-tests"}  # graded, student fault, tampering
    _students(tiny, names)
    local = grade_batch(tiny, ASSIGNMENT, tiny.submitted, OPTIONS, output_root=tmp_path / "local")
    # the reference run cached by the local run is used here: the kill test makes one on the cluster
    remote = grade_batch(
        tiny, ASSIGNMENT, tiny.submitted, replace(OPTIONS, scheduler=cluster.address), output_root=tmp_path / "dask"
    )
    assert len(local) == len(names) and all(s.results for s in local)
    assert _per_cell(remote) == _per_cell(local)
    assert {s.student: (s.score, s.state) for s in remote} == {
        "reference": (4.0, State.GRADED),
        "mutant-add_abs": (2.0, State.GRADED),
        "crash": (1.0, State.STUDENT_FAULT),
        "skips-tests": (1.0, State.TAMPERING),
    }
    # the kernels ran on the workers, on both of them
    with Client(cluster.address, timeout=30, set_as_default=False) as client:
        executed = client.run(lambda dask_worker: dask_worker.state.executed_count)
    assert len(executed) == 2 and all(n >= 1 for n in executed.values()), executed
    assert sum(executed.values()) >= len(names)


def test_kernel_threads_come_from_the_worker_machine(cluster):
    """The client's cores and --jobs say nothing of a worker's machine: each worker splits its own cores between
    the task slots of the workers on it (here two single-thread workers on this machine)."""
    with Client(cluster.address, set_as_default=False) as client:
        on_workers = set(client.run(lambda: 0).keys())
        threads = [client.submit(kernel_threads, None, pure=False, workers=[w]).result(timeout=60) for w in on_workers]
    assert threads == [max(1, cores() // len(on_workers))] * len(on_workers)
    assert kernel_threads(3) == 3 and kernel_threads(None) == cores()  # given; and in no worker at all


def test_an_unreachable_scheduler_is_one_line_and_exit_2(tiny, capsys, monkeypatch):
    _students(tiny, {"reference"})
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT_S", 2.0)
    port = _closed_port()
    started = time.monotonic()
    rc = cli.main(
        ["--course", str(tiny.root), "grade", ASSIGNMENT, "--force", "--scheduler", f"tcp://127.0.0.1:{port}"]
    )
    err = capsys.readouterr().err.strip()
    assert rc == 2 and time.monotonic() - started < 60
    assert err.startswith(f"autograder: error: cannot reach the Dask scheduler at tcp://127.0.0.1:{port}")
    assert "\n" not in err and "Traceback" not in err
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--course", str(tiny.root), "grade", ASSIGNMENT, "--scheduler", "127.0.0.1:8786"])
    err = capsys.readouterr().err.strip()
    assert exit_info.value.code == 2 and "bad scheduler address '127.0.0.1:8786'" in err and "\n" not in err


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_scheduler_without_workers_is_a_usage_error_and_a_vanished_cluster_no_hang(monkeypatch):
    monkeypatch.setattr(executors, "WORKER_WAIT_S", 1.0)
    with LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as empty:
        with pytest.raises(UsageError, match="no Dask worker joined the scheduler"):
            executors.DaskPool(empty.scheduler_address)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0") as small:
        pool = executors.DaskPool(small.scheduler_address)
        try:
            job = pool.submit(time.sleep, 20)
            assert pool.submit(sum, [1, 2]).result() == 3
            (worker,) = small.workers.values()
            small.sync(worker.close, executor_wait=False)  # the last worker leaves with a task in flight
            started = time.monotonic()
            with pytest.raises(RuntimeError, match="no Dask worker left"):
                job.result()
            assert time.monotonic() - started < 30
        finally:
            pool.close()


@pytest.mark.usefixtures("reap_sandboxes")
def test_a_worker_killed_mid_batch_costs_no_result(cluster, tiny):
    _students(tiny, set(GRADED))
    killed: list[tuple[str, int]] = []
    watcher = Client(cluster.address, timeout=30, set_as_default=False)

    def kill_a_busy_worker(sub: Submission) -> None:
        if killed:
            return
        info = watcher.scheduler_info(n_workers=-1)["workers"]
        busy = {addr: len(tasks) for addr, tasks in watcher.processing().items() if tasks}
        assert busy, "nothing left running: the batch is too small to test a worker's death"
        addr = max(busy, key=busy.get)
        killed.append((info[addr]["name"], busy[addr]))
        cluster.kill(info[addr]["name"])

    try:
        subs = grade_batch(
            tiny, ASSIGNMENT, tiny.submitted, replace(OPTIONS, scheduler=cluster.address), kill_a_busy_worker
        )
    finally:
        watcher.close()
    assert len(killed) == 1 and killed[0][1] >= 1  # a worker died with a notebook in flight
    got = {s.student: (s.score, s.state, s.reason) for s in subs}
    assert got == {name: (points, State.GRADED, "") for name, points in GRADED.items()}


def test_a_task_past_its_deadline_is_stopped_and_its_worker_replaced(tmp_path):
    """A task stuck in the worker (not in a kernel, whose own limits would end it) cannot hold the batch: past its
    deadline its result is TaskTimeout and its worker process ends; the nanny starts a fresh one that takes the
    next task. Its own cluster: the worker here is restarted, the module's workers are not."""
    running = Cluster(tmp_path)
    try:
        running.add_worker("nannied", nanny=True)
        pool = executors.DaskPool(running.address, deadline=3)
        try:
            began = time.monotonic()
            with pytest.raises(executors.TaskTimeout, match="after 3 s"):
                pool.submit(time.sleep, 600).result()
            assert time.monotonic() - began < 60
            assert pool.submit(sum, [1, 2]).result() == 3
            assert "exited with status 75" in running.log("nannied")  # _end_this_worker's, not a crash
        finally:
            pool.close()
    finally:
        running.stop()
