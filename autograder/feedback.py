"""Stage 6, feedback: one HTML page per student with points and check messages per item.

Written from the ``ItemResult`` records, not from the executed notebook, so a hidden test's source (and any
traceback that quotes it) can never reach the student.
"""

from __future__ import annotations

import html
from pathlib import Path

from autograder.submission import Submission

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}td,th{{padding:.3em .6em;text-align:left;
vertical-align:top}}tr.lost td{{background:#fde8e8}}code{{white-space:pre-wrap}}</style></head>
<body><h1>{title}</h1><p>State: <b>{state}</b>{reason}</p><p>Total: <b>{score:g} / {max_score:g}</b></p>
<table><tr><th>item</th><th>test</th><th>points</th><th>message</th></tr>
{rows}
</table>{flags}</body></html>
"""


def render(sub: Submission) -> str:
    rows = []
    for r in sub.results:
        kind = "hidden" if r.hidden else "visible"
        css = ' class="lost"' if r.points < r.max_points else ""
        message = html.escape(r.message) if r.points < r.max_points else "passed"
        rows.append(
            f"<tr{css}><td>{html.escape(r.item)}</td><td>{kind}</td>"
            f"<td>{r.points:g} / {r.max_points:g}</td><td><code>{message}</code></td></tr>"
        )
    reason = f" ({html.escape(sub.reason)})" if sub.reason else ""
    flags = ""
    if sub.flags:
        listed = "".join(f"<li><code>{html.escape(f)}</code></li>" for f in sub.flags)
        flags = f"<h2>Flags for your instructor</h2><p>These do not change points by themselves.</p><ul>{listed}</ul>"
    return _PAGE.format(
        title=html.escape(f"{sub.assignment}: feedback for {sub.student}"),
        state=sub.state.value,
        reason=reason,
        score=sub.score,
        max_score=sub.max_score,
        rows="\n".join(rows),
        flags=flags,
    )


def write(sub: Submission, feedback_dir: Path) -> Path:
    folder = feedback_dir / sub.student / sub.assignment
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sub.notebook_name}.html"
    path.write_text(render(sub), encoding="utf-8")
    return path
