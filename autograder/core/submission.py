"""The record that flows through the grading stages: one student's notebook of one assignment."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from nbformat import NotebookNode

from autograder.core.late import Penalty, apply


class State(enum.StrEnum):
    PENDING = "pending"
    GRADED = "graded"
    STUDENT_FAULT = "student fault"
    GRADER_FAULT = "grader fault"
    TAMPERING = "tampering suspected"  # graded, but a cell's records did not hold up outside the kernel


NEEDS_MANUAL = "needs manual grading"


@dataclass
class ItemResult:
    """One grade cell's outcome as shown to the student: points and the check's message, never its source."""

    grade_id: str
    item: str
    points: float
    max_points: float
    message: str = ""
    hidden: bool = False
    # known bugs whose check values this failed cell reproduces (diagnosis.py): [{"mutant": name, "bug": text}]
    diagnosis: list[dict[str, str]] = field(default_factory=list)
    manual: bool = False  # a written answer, graded by hand (manual_grades.py); ``message`` is the grader's comment
    pending: bool = False  # a written answer nobody has graded yet: 0 points for now, not final


@dataclass
class Submission:
    student: str
    assignment: str
    notebook_name: str
    path: Path | None
    state: State = State.PENDING
    reason: str = ""
    nb: NotebookNode | None = None
    results: list[ItemResult] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    checks: list[dict] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # static findings in the student's code (flags.py)
    result_key: str = ""  # what this result depends on (resume.py): same key, same result
    notes: list[str] = field(default_factory=list)  # what the grader did about its own trouble (start retries)
    version: str = ""  # the assignment version it was graded against (reference.version_key)
    inputs: str = ""  # the variant of the hidden tests' inputs it was graded with (inputs.py); "" for the shared ones
    submitted_at: str = ""  # ISO time from nbgrader's timestamp.txt beside the notebook, if any (late.py)
    penalty: Penalty | None = None  # late work (final_grade.py, at report time); None: not late, nothing off

    @property
    def key(self) -> str:
        return f"{self.student}/{self.assignment}/{self.notebook_name}"

    def fail(self, state: State, reason: str) -> Submission:
        """Record a fault; the first reason wins (later stages only add detail)."""
        if self.state in (State.PENDING, State.GRADED):
            self.state, self.reason = state, reason
        return self

    def cannot_grade(self, reason: str) -> Submission:
        """The grader's fault that no earlier fault of the student's can stand before: nothing of this submission
        may be scored (e.g. no expected side); the student's own reason is kept after it."""
        earlier = self.reason if self.state not in (State.PENDING, State.GRADED) else ""
        self.state, self.reason = State.GRADER_FAULT, f"{reason}; also: {earlier}" if earlier else reason
        return self

    def suspect(self, reason: str) -> Submission:
        """Tampering suspected: the state says so whatever else happened, and the reason keeps both."""
        why = f"not confirmed outside the kernel: {reason}"
        self.reason = f"{self.reason}; {why}" if self.state is not State.GRADED and self.reason else why
        self.state = State.TAMPERING
        return self

    @property
    def ok(self) -> bool:
        return self.state is State.PENDING

    def to_summary(self) -> dict:
        """Plain data written beside the autograded notebook: what ``report`` and a re-grade read back."""
        return {
            "student": self.student,
            "assignment": self.assignment,
            "notebook": self.notebook_name,
            "state": self.state.value,
            "reason": self.reason,
            "score": self.score,
            "max_score": self.max_score,
            "items": [asdict(r) for r in self.results],
            "flags": self.flags,
            "timings": self.timings,
            "result_key": self.result_key,
            "notes": self.notes,
            "version": self.version,
            "submitted_at": self.submitted_at,
            "inputs": self.inputs,
        }

    @classmethod
    def from_summary(cls, summary: dict, path: Path | None = None) -> Submission:
        sub = cls(
            summary["student"],
            summary["assignment"],
            summary["notebook"],
            path,
            State(summary["state"]),
            summary["reason"],
        )
        sub.results = [ItemResult(**item) for item in summary["items"]]
        sub.timings = summary.get("timings", {})
        sub.flags = list(summary.get("flags", []))
        sub.result_key = str(summary.get("result_key", ""))
        sub.notes = list(summary.get("notes", []))
        sub.version = str(summary.get("version", ""))
        sub.submitted_at = str(summary.get("submitted_at", ""))
        sub.inputs = str(summary.get("inputs", ""))
        return sub

    @property
    def score(self) -> float:
        """The points earned, written answers included, before any late penalty."""
        return sum(r.points for r in self.results)

    @property
    def final_score(self) -> float:
        """The points that count: ``score`` less the late penalty."""
        return self.score if self.penalty is None else apply(self.score, self.penalty)

    @property
    def late(self) -> str:
        """Why points came off for lateness (one line), or "" when it was on time."""
        return self.penalty.describe() if self.penalty is not None and self.penalty.days else ""

    @property
    def shown_state(self) -> str:
        """The state as tables and pages show it: a graded notebook with written answers not yet graded by hand
        "needs manual grading" (its total is not final)."""
        if self.state is State.GRADED and self.pending:
            return NEEDS_MANUAL
        return self.state.value

    @property
    def pending(self) -> int:
        """Written answers of this notebook that nobody has graded yet."""
        return sum(r.pending for r in self.results)

    @property
    def max_score(self) -> float:
        return sum(r.max_points for r in self.results)


def items_of(subs: Iterable[Submission]) -> list[str]:
    """The graded items of a batch in notebook order (the columns of tables and of the CSV)."""
    items: list[str] = []
    for sub in subs:
        for r in sub.results:
            if r.item not in items:
                items.append(r.item)
    return items
