"""Plain-text tables for the terminal: one row per student, points per item, total and state."""

from __future__ import annotations

from collections.abc import Sequence

from autograder.core.submission import Submission, items_of


def score_table(subs: Sequence[Submission]) -> str:
    items = items_of(subs)
    header = ["student", *items, "total", "state"]
    rows = []
    for sub in subs:
        per_item: dict[str, list[float]] = {}
        for r in sub.results:
            acc = per_item.setdefault(r.item, [0.0, 0.0])
            acc[0] += r.points
            acc[1] += r.max_points
        cells = [f"{per_item[i][0]:g}/{per_item[i][1]:g}" if i in per_item else "-" for i in items]
        state = sub.shown_state + (f" ({sub.reason})" if sub.reason else "")
        rows.append([sub.student, *cells, f"{sub.final_score:g}/{sub.max_score:g}", state])
    return render([header, *rows])


def render(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r[:-1], widths, strict=False)) + "  " + r[-1] for r in rows]
    lines.insert(1, "-" * min(max(len(line) for line in lines), 160))
    return "\n".join(lines)
