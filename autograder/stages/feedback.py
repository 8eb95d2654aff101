"""Stage 7, feedback: one HTML page per student: per item the points of each test cell, the check's message, the
known bug it looks like (diagnosis.py) and a link to the note section that teaches it (course_notes.py).

Written from the ``ItemResult`` records, not from the executed notebook, so a hidden test's source (and any
traceback that quotes it) can never reach the student. Every text that a student or their code can influence is
escaped. The note is copied beside the page (``notes-<assignment>.html``), so the student's feedback folder,
which nbgrader releases as a whole, links to nothing outside itself. The layout is one column, readable on a
phone.
"""

from __future__ import annotations

import html
from pathlib import Path

from autograder.core.submission import ItemResult, Submission
from autograder.stages import course_notes

_STYLE = (
    "body{font-family:system-ui,sans-serif;line-height:1.4;max-width:48em;margin:0 auto;padding:1em;"
    "overflow-wrap:anywhere}code{white-space:pre-wrap;font-size:.9em}"
    ".item{border:1px solid #ccc;border-radius:6px;padding:.5em .8em;margin:.8em 0}.item.lost{border-color:#d66;"
    "background:#fff5f5}.item h2{font-size:1.1em;margin:.2em 0;display:flex;justify-content:space-between;gap:1em}"
    ".cells{list-style:none;padding:0;margin:.3em 0}.cells li{margin:.3em 0}.diag{background:#fff3cd;"
    "padding:.3em .5em;border-radius:4px}.note{margin:.3em 0 0}"
)
_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{style}</style></head>
<body><h1>{title}</h1><p>State: <b>{state}</b>{reason}</p>{total}
{items}{flags}</body></html>
"""


def note_file(assignment: str) -> str:
    return f"notes-{assignment}.html"


HIDDEN_SHOWN = ("messages", "points")  # what a student sees of a hidden test: its message, or its points only


def _cell(r: ItemResult, hidden_shown: str = "messages") -> str:
    if r.manual:
        if r.pending:
            return f"<li><b>written answer</b>: not graded yet (of {r.max_points:g})</li>"
        comment = f"<br>{html.escape(r.message)}" if r.message else ""
        return f"<li><b>written answer, graded by hand</b>: {r.points:g} / {r.max_points:g}{comment}</li>"
    kind = "hidden test" if r.hidden else "visible test"
    head = f"<b>{kind}</b>: {r.points:g} / {r.max_points:g}"
    if r.points >= r.max_points:
        return f"<li>{head}, passed</li>"
    if r.hidden and hidden_shown == "points":
        return f"<li>{head}</li>"
    return f"<li>{head}<br><code>{html.escape(r.message or 'failed')}</code></li>"


def _diagnosis(results: list[ItemResult]) -> str:
    bugs = list(dict.fromkeys(d.get("bug", "") for r in results for d in r.diagnosis if d.get("bug")))
    if not bugs:
        return ""
    named = "; ".join(f"<b>{html.escape(b)}</b>" for b in bugs)
    lead = "Looks like" if len(bugs) == 1 else "Looks like one of"
    return (
        f'<p class="diag">{lead}: {named}. The checks above gave exactly the values this known mistake gives; '
        "start looking there.</p>"
    )


def _note_link(assignment: str, item: str) -> str:
    section = course_notes.section_of(assignment, item)
    if section is None:
        return ""
    href = f"{note_file(assignment)}#{section.anchor}"
    where = f"course/notes/{assignment}.md"
    return (
        f'<p class="note">Read: <a href="{html.escape(href)}">{html.escape(section.title.replace("`", ""))}</a> '
        f"(also in your lab: <code>{html.escape(where)}</code>)</p>"
    )


def _item(assignment: str, item: str, results: list[ItemResult], hidden_shown: str) -> str:
    points, max_points = sum(r.points for r in results), sum(r.max_points for r in results)
    lost = points < max_points and not any(r.pending for r in results)
    cells = "".join(_cell(r, hidden_shown) for r in results)
    diagnosis = _diagnosis(results) if lost and hidden_shown == "messages" else ""
    return (
        f'<section class="item{" lost" if lost else ""}"><h2><span>{html.escape(item)}</span>'
        f'<span>{points:g} / {max_points:g}</span></h2><ul class="cells">{cells}</ul>'
        f"{diagnosis}{_note_link(assignment, item)}</section>"
    )


def _total(sub: Submission) -> str:
    total = f"<p>Total: <b>{sub.final_score:g} / {sub.max_score:g}</b>"
    if sub.late:
        total += f" ({sub.score:g} earned; {html.escape(sub.late)})"
    if sub.pending:
        total += f". Not final: {sub.pending} written answer{'s' * (sub.pending != 1)} still to be graded by hand"
    return total + "</p>"


def render(sub: Submission, hidden_shown: str = "messages") -> str:
    """The page; ``hidden_shown="points"`` shows a hidden test's points without its message (or a diagnosis)."""
    by_item: dict[str, list[ItemResult]] = {}
    for r in sub.results:
        by_item.setdefault(r.item, []).append(r)
    items = "\n".join(_item(sub.assignment, item, results, hidden_shown) for item, results in by_item.items())
    reason = f" ({html.escape(sub.reason)})" if sub.reason else ""
    flags = ""
    if sub.flags:
        listed = "".join(f"<li><code>{html.escape(f)}</code></li>" for f in sub.flags)
        flags = f"<h2>Flags for your instructor</h2><p>These do not change points by themselves.</p><ul>{listed}</ul>"
    return _PAGE.format(
        title=html.escape(f"{sub.assignment}: feedback for {sub.student}"),
        style=_STYLE,
        state=html.escape(sub.shown_state),
        reason=reason,
        total=_total(sub),
        items=items,
        flags=flags,
    )


def write(sub: Submission, feedback_dir: Path, hidden_shown: str = "messages") -> Path:
    folder = feedback_dir / sub.student / sub.assignment
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sub.notebook_name}.html"
    path.write_text(render(sub, hidden_shown), encoding="utf-8")
    note = course_notes.page(sub.assignment)
    if note is not None:
        (folder / note_file(sub.assignment)).write_text(note, encoding="utf-8")
    return path
