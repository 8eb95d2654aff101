"""Known bugs ("mutants"): files ``assignments/mutants/<assignment>/<name>.py`` that replace one solution cell.

Each file starts with a header of comment lines, then the cell's full replacement source::

    # replaces: adam_impl        (grade_id of the solution cell)
    # breaks: adam               (the item whose test cells must lose points, and only it)
    # bug: no bias correction    (one line for the table)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_HEADER = re.compile(r"^#\s*(replaces|breaks|bug):\s*(.+?)\s*$")


class MutantError(Exception):
    """A mutant file without its header."""


@dataclass(frozen=True)
class Mutant:
    name: str
    replaces: str
    breaks: str
    bug: str
    source: str


def parse(path: Path) -> Mutant:
    fields: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    body_start = 0
    for n, line in enumerate(lines):
        match = _HEADER.match(line)
        if not match:
            body_start = n
            break
        fields[match.group(1)] = match.group(2)
    missing = {"replaces", "breaks"} - fields.keys()
    if missing:
        raise MutantError(f"{path}: header lacks {', '.join(sorted(missing))}")
    return Mutant(
        path.stem,
        fields["replaces"],
        fields["breaks"],
        fields.get("bug", ""),
        "\n".join(lines[body_start:]).strip("\n"),
    )


def load(folder: Path) -> list[Mutant]:
    return [parse(p) for p in sorted(folder.glob("*.py"))] if folder.is_dir() else []
