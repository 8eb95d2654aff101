"""The local worker pool never lets a batch wait for ever (executors.LocalPool): a task past its deadline has its
worker killed and raises TaskTimeout, a worker that dies costs only the tasks it was running, and the pool goes
on with fresh workers."""

from __future__ import annotations

import os
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from autograder.isolation import executors


def _after(value: object, seconds: float) -> object:
    time.sleep(seconds)
    return value


def _stuck(pid_file: str) -> None:
    Path(pid_file).write_text(str(os.getpid()))
    time.sleep(600)  # as a worker blocked in open() on a FIFO would be


def _die() -> None:
    os._exit(3)


def _gone(pid: int, within: float = 5.0) -> bool:
    """Whether the process has ended (a signal is delivered asynchronously: give it a moment)."""
    until = time.monotonic() + within
    while True:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state in ("Z", "X"):  # killed, waiting to be reaped
            return True
        if time.monotonic() > until:
            return False
        time.sleep(0.05)


def test_a_stuck_task_is_stopped_at_its_deadline_and_the_others_finish(tmp_path):
    pid_file = tmp_path / "pid"
    with executors.pool(None, 2, deadline=3.0) as pool:
        stuck = pool.submit(_stuck, str(pid_file))
        others = [pool.submit(_after, n, 0.2) for n in range(5)]
        started = time.monotonic()
        with pytest.raises(executors.TaskTimeout, match="after 3 s"):
            stuck.result()
        waited = time.monotonic() - started
        assert waited < 3.0 + 3 * executors.POLL_S + 10  # not the 600 s the task would take
        assert _gone(int(pid_file.read_text()))
        assert [job.result() for job in others] == list(range(5))
        assert pool.submit(_after, "later", 0).result() == "later"


def test_a_worker_that_dies_costs_only_its_own_task():
    # one worker, so the others are queued (not charged) each time the dying task breaks the executor
    with executors.pool(None, 1, deadline=60.0) as pool:
        dying = pool.submit(_die)
        others = [pool.submit(_after, n, 0.3) for n in range(4)]
        with pytest.raises(BrokenProcessPool):
            dying.result()  # run again RERUNS times, dying each time
        assert [job.result() for job in others] == list(range(4))
        assert pool.submit(_after, "later", 0).result() == "later"


def test_a_task_is_timed_from_when_a_worker_starts_it():
    # one worker, three tasks of 2 s and a deadline of 3 s: the last waits 4 s in the queue, and is not stopped
    with executors.pool(None, 1, deadline=3.0) as pool:
        jobs = [pool.submit(_after, n, 2.0) for n in range(3)]
        assert [job.result() for job in jobs] == [0, 1, 2]
