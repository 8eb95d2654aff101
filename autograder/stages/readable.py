"""Stage 2, readable: the file must be a valid notebook (JSON, nbformat 4 schema) before anything trusts it."""

from __future__ import annotations

import json

import nbformat

from autograder.core.submission import State, Submission

MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024  # larger than any honest submission; refuse before parsing


def read(sub: Submission) -> Submission:
    if not sub.ok or sub.path is None:
        return sub
    size = sub.path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        return sub.fail(
            State.STUDENT_FAULT, f"unreadable notebook: {size} bytes is over the {MAX_NOTEBOOK_BYTES} limit"
        )
    try:
        nb = nbformat.read(sub.path, as_version=4)
        nbformat.validate(nb)
    except (
        OSError,
        UnicodeDecodeError,
        json.JSONDecodeError,
        nbformat.ValidationError,
        KeyError,
        TypeError,
        AttributeError,
        ValueError,
        RecursionError,  # a notebook nested thousands of levels deep: the student's file, not our fault
        MemoryError,
    ) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return sub.fail(State.STUDENT_FAULT, f"unreadable notebook: {first[:200]}")
    sub.nb = nb
    return sub
