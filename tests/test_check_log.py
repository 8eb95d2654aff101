"""What the grader reads from a kernel, read as if the kernel were hostile: the check log (engine.CheckLogReader),
the kernel guard's signed records (engine.GuardLedger), and a submitted notebook nested too deep to parse."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading

import pytest

from autograder.core.submission import State, Submission
from autograder.isolation import engine
from autograder.isolation.engine import GUARD_ID, CheckLogReader, GuardLedger
from autograder.stages import readable

KEY = b"k" * 32


def signed(seq: int, event: str, key: bytes = KEY) -> dict:
    mac = hmac.new(key, f"{seq}\n{event}".encode(), hashlib.sha256).hexdigest()
    return {"id": GUARD_ID, "seq": seq, "event": event, "mac": mac}


@pytest.fixture
def log(tmp_path):
    path = tmp_path / "checks.jsonl"
    path.touch()
    return path


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_records_are_read_through_the_descriptor_opened_before_the_kernel_ran(log):
    reader = CheckLogReader(log)
    log.write_text(json.dumps({"id": "a", "got": 1}) + "\n")
    log.unlink()
    os.mkfifo(log)  # a FIFO at the path: opening it would block; the grader never opens the path again
    done = []
    thread = threading.Thread(target=lambda: done.append(reader.read("c")), daemon=True)
    thread.start()
    thread.join(5)
    assert done == [[{"id": "a", "got": 1, "cell": "c"}]]
    reader.close()


def test_a_directory_or_a_link_at_the_path_leaks_no_descriptor(tmp_path):
    before = _open_fds()
    for n in range(50):
        path = tmp_path / f"log{n}"
        path.mkdir()
        reader = CheckLogReader(path)
        assert reader.read("c") == []
        reader.close()
        link = tmp_path / f"link{n}"
        link.symlink_to("/etc/passwd")
        assert CheckLogReader(link).read("c") == []  # not followed: nothing read
    assert _open_fds() == before


def test_caps_on_records_and_record_size_are_a_stated_overflow(log, monkeypatch):
    monkeypatch.setattr(engine, "MAX_RECORDS", 100)
    monkeypatch.setattr(engine, "MAX_RECORD_BYTES", 1000)
    with log.open("a") as fh:
        fh.write("{}\n" * 500)
        fh.write('{"id": "' + "x" * 5000 + '"}\n')
        fh.write(json.dumps(signed(0, "end")) + "\n")
    reader = CheckLogReader(log, KEY)
    records = reader.read("c")
    assert len(records) == 100 and "more than 100 check records" in reader.overflow
    assert reader.finish(True, None) == []  # the guard's records are read past the cap
    reader.close()


def test_the_reference_runs_caps_scale_with_its_runs_and_only_theirs(log, monkeypatch):
    """A reference run with copies per variant (reference.py) records several runs' worth: its caps scale."""
    monkeypatch.setattr(engine, "MAX_RECORDS", 100)
    monkeypatch.setattr(engine, "MAX_CHECK_LOG_BYTES", 2500)
    with log.open("a") as fh:
        fh.write("{}\n" * 250)
    for runs, read in ((1, 100), (2, 200), (3, 250)):
        reader = CheckLogReader(log, runs=runs)
        assert len(reader.read("c")) == read and bool(reader.overflow) == (read < 250)
        reader.close()
    monkeypatch.setattr(engine, "MAX_RECORDS", 10**6)
    with log.open("a") as fh:
        fh.write("{}\n" * 2000)  # 6750 bytes in all: past twice the byte cap, not three times
    for runs, read in ((2, 5000 // 3), (3, 2250)):
        reader = CheckLogReader(log, runs=runs)
        assert len(reader.read("c")) == read and ("past 0 MiB" in reader.overflow) == (runs == 2)
        reader.close()


def test_a_sparse_log_is_read_in_bounded_chunks(log, monkeypatch):
    monkeypatch.setattr(engine, "MAX_CHECK_LOG_BYTES", 8 * 2**20)
    with log.open("ab") as fh:
        fh.truncate(2**40)
    reader = CheckLogReader(log)
    assert reader.read("c") == [] and reader.overflow
    reader.close()


def test_the_ledger_accepts_the_guard_and_refuses_forgery_gaps_and_a_missing_end():
    ledger = GuardLedger(KEY)
    assert ledger.take(signed(0, "seal"), "a") == []
    hit = ledger.take(signed(1, "forbidden adam Adam.step"), "adam__hidden")
    assert hit == [
        {
            "id": GUARD_ID,
            "kind": "forbidden",
            "case": "adam: Adam.step",
            "cell": "adam__hidden",
            "item": "adam",
            "name": "Adam.step",
        }
    ]
    assert ledger.take(signed(2, "end"), None) == [] and ledger.finish(True, None) == []

    forged = GuardLedger(KEY)
    assert "forged" in forged.take(signed(0, "end", key=b"guess"), None)[0]["case"]
    gap = GuardLedger(KEY)
    gap.take(signed(0, "seal"), "a")
    assert "removed" in gap.take(signed(2, "end"), "b")[0]["case"]  # seq 1 (a forbidden call?) was deleted
    cut = GuardLedger(KEY)
    cut.take(signed(0, "seal"), "a")
    assert "missing" in cut.finish(True, None)[0]["case"]
    assert cut.finish(False, None) == []  # a kernel that died wrote no end: its fault is told elsewhere
    silent = GuardLedger(KEY)
    assert "never reported" in silent.finish(True, None)[0]["case"]
    stopped = GuardLedger(KEY)
    assert "stopped it: a cell" in stopped.take(signed(0, "tamper a cell changed it"), "x")[0]["case"]


def test_a_notebook_nested_too_deep_is_the_students_fault(tmp_path):
    path = tmp_path / "deep.ipynb"
    depth = 100_000
    path.write_text('{"cells": [], "metadata": {"x": ' + "[" * depth + "]" * depth + '}, "nbformat": 4}')
    sub = readable.read(Submission("s", "a", "deep", path))
    assert sub.state is State.STUDENT_FAULT and "unreadable notebook" in sub.reason
