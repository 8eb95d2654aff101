"""Results that survive the grader: each submission's result is written last and atomically, keyed by what it
depends on, so the same command after a crash (or a kill -9) grades only what is missing or changed.

A result is reused when its summary file (``<student>/<assignment>/<notebook>.result.json``, the commit marker:
written after the gradebook rows, the autograded notebook and the feedback) holds the same key: a hash of the
submitted file's bytes, of the assignment's version (``reference.version_key``: the source notebooks with their
hidden tests, the course package, the parameters, torch) and of the options that change what runs. A changed
submission, a changed reference or hidden test, or other limits mean a regrade. A grader fault is never reused.
A submission killed between its gradebook rows and its summary is graded again; nbgrader then updates its rows
in place, so nothing is counted twice.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from autograder.core.submission import State, Submission


def autograded_path(out: Path, sub: Submission) -> Path:
    return out / "autograded" / sub.student / sub.assignment / f"{sub.notebook_name}.ipynb"


def summary_path(out: Path, sub: Submission) -> Path:
    return autograded_path(out, sub).with_suffix(".result.json")


def checks_path(out: Path, sub: Submission) -> Path:
    """Every check the notebook ran, as plain data (for the outside re-check and the diagnosis)."""
    return autograded_path(out, sub).with_suffix(".checks.jsonl")


def result_key(submitted: Path | None, version: str, options: dict[str, Any]) -> str:
    digest = hashlib.sha256(submitted.read_bytes() if submitted is not None else b"")
    digest.update(b"\0" + version.encode() + b"\0")
    digest.update(json.dumps(options, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:32]


def options_that_matter(options: Any) -> dict[str, Any]:
    """The grading options a result depends on (not jobs, not force: they change how fast, not what)."""
    return {
        "graded_only": options.graded_only,
        "sandbox": options.sandbox,
        "limits": dataclasses.asdict(options.limits),
        "sandbox_limits": dataclasses.asdict(options.sandbox_limits),
    }


def write_atomic(path: Path, text: str) -> None:
    """Readers (and a later run) see the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def previous(summary: Path, submitted: Path | None, key: str) -> Submission | None:
    """The earlier result of this exact submission under this version, or None (absent, torn, stale, a fault)."""
    try:
        data = json.loads(summary.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("result_key") != key:
        return None
    try:
        sub = Submission.from_summary(data, submitted)
    except (KeyError, TypeError, ValueError):
        return None
    return sub if sub.state is not State.GRADER_FAULT else None
