"""Runs the stages over a batch: collect -> readable -> restore -> execute -> score -> feedback.

Restore and score touch the gradebook, so they run in this process one submission at a time (SQLite has one
writer); execution, the slow part, runs in a pool of worker processes. A stage that fails in an unexpected
way marks that submission a grader fault; the batch goes on.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder import collect, feedback, readable, restore, score
from autograder.course_dir import CourseDir
from autograder.execute import ExecResult, Limits, execute
from autograder.release import ensure_in_gradebook
from autograder.submission import State, Submission

log = logging.getLogger(__name__)


@dataclass
class GradeOptions:
    device: str = "auto"
    seed: int = 0
    fast: bool = True
    limits: Limits = field(default_factory=Limits)
    jobs: int = 2
    force: bool = True

    def parameters(self) -> dict:
        return {"SEED": self.seed, "DEVICE": self.device, "FAST": self.fast}


def _guard(name: str, stage: Callable[[Submission], object], sub: Submission) -> Submission:
    """Run one stage; an exception it did not expect is the grader's fault, recorded on this submission only."""
    started = time.perf_counter()
    try:
        stage(sub)
    except Exception as exc:  # noqa: BLE001 - the boundary that keeps one submission from stopping the batch
        log.debug("stage %s failed for %s:\n%s", name, sub.key, traceback.format_exc())
        sub.fail(State.GRADER_FAULT, f"{name}: {type(exc).__name__}: {exc}")
    finally:
        sub.timings[name] = sub.timings.get(name, 0.0) + time.perf_counter() - started
    return sub


def _apply_execution(sub: Submission, result: ExecResult) -> Submission:
    sub.timings["execute"] = result.seconds
    sub.checks = result.checks
    if result.nb_json is None:
        sub.nb = None
    else:
        sub.nb = nbformat.reads(result.nb_json, as_version=4)
    if result.fault:
        who, reason = result.fault.split(": ", 1)
        sub.fail(State.GRADER_FAULT if who == "grader" else State.STUDENT_FAULT, reason)
    return sub


def _autograded_path(out: Path, sub: Submission) -> Path:
    return out / "autograded" / sub.student / sub.assignment / f"{sub.notebook_name}.ipynb"


def _save(out: Path, sub: Submission) -> None:
    if sub.nb is None:
        return
    path = _autograded_path(out, sub)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(sub.nb, path)


def _save_summary(out: Path, sub: Submission) -> None:
    path = _autograded_path(out, sub).with_suffix(".result.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "student": sub.student,
                "assignment": sub.assignment,
                "notebook": sub.notebook_name,
                "state": sub.state.value,
                "reason": sub.reason,
                "score": sub.score,
                "max_score": sub.max_score,
                "items": [r.__dict__ for r in sub.results],
                "timings": sub.timings,
            },
            indent=1,
        ),
        encoding="utf-8",
    )


def grade_batch(
    course: CourseDir,
    assignment: str,
    submissions_dir: Path,
    options: GradeOptions,
    progress: Callable[[Submission], None] | None = None,
    output_root: Path | None = None,
) -> list[Submission]:
    """Grade every submission of ``assignment`` under ``submissions_dir``; autograded notebooks, result
    summaries and feedback go under ``output_root`` (default: the course root)."""
    out = output_root or course.root
    ensure_in_gradebook(course, assignment)
    config = course.config()
    names = [p.stem for p in course.source_notebooks(assignment)]
    subs = collect.collect(submissions_dir, assignment, names)
    for sub in subs:
        _guard("read", readable.read, sub)
        _guard("restore", lambda s: restore.restore(s, config, course.db_url), sub)
    runnable = [s for s in subs if s.ok and s.nb is not None]
    workdir_root = out / ".work" / "run" if output_root else course.work("run")
    threads = 1 if options.jobs > 1 else 2
    with ProcessPoolExecutor(
        max_workers=max(1, min(options.jobs, len(runnable) or 1)), mp_context=multiprocessing.get_context("spawn")
    ) as pool:
        futures = {}
        for sub in runnable:
            workdir = workdir_root / sub.student
            workdir.mkdir(parents=True, exist_ok=True)
            futures[sub.key] = pool.submit(
                execute, nbformat.writes(sub.nb), options.parameters(), options.limits, str(workdir), threads
            )
        for sub in subs:
            if sub.key in futures:
                try:
                    _apply_execution(sub, futures[sub.key].result())
                except Exception as exc:  # noqa: BLE001 - a dead worker process is the grader's fault
                    sub.fail(State.GRADER_FAULT, f"execute: {type(exc).__name__}: {exc}")
            _guard("score", lambda s: score.score(s, config, course.db_url), sub)
            _save(out, sub)
            _save_summary(out, sub)
            _guard("feedback", lambda s: feedback.write(s, out / "feedback"), sub)
            if progress:
                progress(sub)
    return subs


def load_results(course: CourseDir, assignment: str) -> list[dict]:
    """The summaries written by the last grading run, for ``report``."""
    return [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(course.autograded.glob(f"*/{assignment}/*.result.json"))
    ]


def rows(subs: Iterable[Submission]) -> list[dict]:
    return [
        {
            "student": s.student,
            "notebook": s.notebook_name,
            "score": s.score,
            "max": s.max_score,
            "state": s.state.value,
            "reason": s.reason,
        }
        for s in subs
    ]
