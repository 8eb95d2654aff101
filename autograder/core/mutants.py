"""Known bugs ("mutants"): files ``assignments/mutants/<assignment>/<name>.py``, each one edit of one solution cell.

A header of comment lines, then one or more hunks that edit the reference solution of that cell::

    # replaces: adam_impl        (grade_id of the solution cell)
    # breaks: adam               (the item whose test cells must lose points, and only it)
    # bug: no bias correction    (one line for the table)
    <<<<<<< reference
            m_hat = m / (1 - beta1**t)
    =======
            m_hat = m
    >>>>>>> mutant

Each ``reference`` block must occur exactly once in the reference cell (markers stripped), so a mutant is the
reference plus a visible, reviewable bug, and it fails loudly when the reference changes under it. A body
without hunks is taken as the whole replacement cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_HEADER = re.compile(r"^#\s*(replaces|breaks|bug|why):\s*(.+?)\s*$")
NOTHING = "nothing"  # what a correct variant breaks
OURS, SEP, THEIRS = "<<<<<<< reference", "=======", ">>>>>>> mutant"


class MutantError(Exception):
    """A mutant file without its header, or whose reference block is not in the reference cell."""


@dataclass(frozen=True)
class Mutant:
    name: str
    replaces: str
    breaks: str
    bug: str
    body: str
    hunks: tuple[tuple[str, str], ...] = ()

    def apply(self, reference: str) -> str:
        """The cell's source with the bug: the hunks applied to ``reference``, or the body itself."""
        if not self.hunks:
            return self.body
        source = reference
        for old, new in self.hunks:
            count = source.count(old)
            if count != 1:
                where = "not found" if count == 0 else f"found {count} times"
                raise MutantError(f"mutant {self.name}: reference block {where} in cell {self.replaces}:\n{old}")
            source = source.replace(old, new)
        return source


def _hunks(lines: list[str], path: Path) -> tuple[tuple[str, str], ...]:
    hunks, old, new, mode = [], [], [], None
    for line in lines:
        if line == OURS:
            mode, old, new = "old", [], []
        elif line == SEP and mode == "old":
            mode = "new"
        elif line == THEIRS and mode == "new":
            hunks.append(("\n".join(old), "\n".join(new)))
            mode = None
        elif mode == "old":
            old.append(line)
        elif mode == "new":
            new.append(line)
    if mode is not None:
        raise MutantError(f"{path}: unterminated hunk (expected {THEIRS!r})")
    return tuple(hunks)


def parse(path: Path, *, variant: bool = False) -> Mutant:
    """A mutant file; ``variant=True`` for a correct variant (header ``replaces`` and ``why``; it breaks nothing)."""
    fields: dict[str, str] = {"breaks": NOTHING} if variant else {}
    lines = path.read_text(encoding="utf-8").splitlines()
    body_start = len(lines)
    for n, line in enumerate(lines):
        match = _HEADER.match(line)
        if not match:
            body_start = n
            break
        fields[match.group(1)] = match.group(2)
    missing = {"replaces", "breaks"} - fields.keys()
    if missing:
        raise MutantError(f"{path}: header lacks {', '.join(sorted(missing))}")
    body = lines[body_start:]
    return Mutant(
        path.stem,
        fields["replaces"],
        fields["breaks"],
        fields.get("why" if variant else "bug", ""),
        "\n".join(body).strip("\n"),
        _hunks(body, path),
    )


def load(folder: Path, *, variant: bool = False) -> list[Mutant]:
    return [parse(p, variant=variant) for p in sorted(folder.glob("*.py"))] if folder.is_dir() else []
