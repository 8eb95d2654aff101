"""The log file of one ``grade`` batch: ``<out>/logs/<assignment>-<UTC time>.log``, one line per submission with
its state, points, stage times and what the grader did about its own trouble (kernel starts retried, a result
kept from an earlier run), between a header and a summary line. Plain text, written as results arrive, so a
batch that was killed leaves the lines of everything it finished."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import TextIO

from autograder.core.submission import Submission


def _stamp(t: float | None = None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


REFERENCE = "reference:"


class BatchLog:
    def __init__(self, out: Path, assignment: str, header: str) -> None:
        folder = out / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        started = time.time()
        self.path = folder / f"{assignment}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime(started))}.log"
        n = 1
        while self.path.exists():  # two batches in the same second
            n += 1
            self.path = folder / f"{assignment}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime(started))}-{n}.log"
        self._file: TextIO = self.path.open("a", encoding="utf-8")
        self._started = started
        self._states: Counter[str] = Counter()
        self._line(f"{_stamp(started)} batch {assignment}: {header}")

    def _line(self, text: str) -> None:
        self._file.write(text.replace("\n", " ") + "\n")
        self._file.flush()

    def submission(self, sub: Submission, kept: bool = False) -> None:
        self._states[sub.state.value] += 1
        times = " ".join(f"{stage}={seconds:.2f}s" for stage, seconds in sub.timings.items())
        extra = ["kept from an earlier run (same submission, same assignment version)"] if kept else []
        extra += sub.notes
        why = f" reason: {sub.reason}" if sub.reason else ""
        self._line(
            f"{_stamp()} {sub.student} {sub.notebook_name} {sub.state.value} {sub.score:g}/{sub.max_score:g} "
            f"{times}{why}" + "".join(f" | {e}" for e in extra)
        )

    def reference(self, runs: int, variants: int, seconds: float) -> None:
        """What the reference runs of this batch cost (reference.py; none when cached)."""
        self._line(f"{_stamp()} {REFERENCE} {runs} run(s) for {variants} variant(s) of the inputs, {seconds:.1f} s")

    def close(self) -> None:
        counts = ", ".join(f"{n} {state}" for state, n in sorted(self._states.items()))
        self._line(f"{_stamp()} done in {time.time() - self._started:.1f} s: {counts or 'no submissions'}")
        self._file.close()
