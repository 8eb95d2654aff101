"""What ``grade`` shows while a batch runs: on a terminal a tqdm bar (done/total, rate, ETA, the last student and
how many were not graded cleanly), else one plain line per submission, which logs and CI read well."""

from __future__ import annotations

import sys
from typing import TextIO

from tqdm import tqdm

from autograder.core.submission import State, Submission


def row(sub: Submission) -> str:
    state = sub.shown_state + (f" ({sub.reason})" if sub.reason else "")
    flagged = f" [{len(sub.flags)} flag(s): see the feedback]" if sub.flags else ""
    return f"  {sub.student:42s} {sub.score:6g} / {sub.max_score:<6g} {state}{flagged}"


class Progress:
    def __init__(self, stream: TextIO | None = None, bar: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        self.bar_wanted = self.stream.isatty() if bar is None else bar
        self.bar: tqdm | None = None
        self.not_graded = 0

    def start(self, total: int) -> None:
        if self.bar_wanted:
            self.bar = tqdm(total=total, unit="nb", file=self.stream, dynamic_ncols=True, smoothing=0.1)

    def update(self, sub: Submission) -> None:
        if self.bar is None:
            print(row(sub), file=self.stream, flush=True)
            return
        self.not_graded += sub.state is not State.GRADED
        self.bar.set_postfix_str(f"{sub.student} {sub.shown_state}, not graded cleanly: {self.not_graded}")
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
