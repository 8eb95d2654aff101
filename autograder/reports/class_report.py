"""One self-contained HTML page for the instructor about a graded class: how the grades fall, which items and
which known bugs cost points, which submissions need a look (faults, suspected tampering, static flags), and
how long grading took.

It answers what the per-student feedback pages and the grades CSV cannot: where the class as a whole went wrong
and what to do next (re-grade grader faults, talk to students, revisit an item). The plots are matplotlib PNGs
embedded as data URIs, so the page is one file that opens offline, can be mailed, and reads on a phone.

Counting rules (each also said on the page):

- scores: per student, notebooks summed as in the grades CSV, over the submissions whose grade stands (graded,
  tampering suspected, student fault); grader faults and pending ones wait for a re-grade and are left out;
- pass rates: over the submissions whose notebook ran to the end (graded, tampering suspected), a student fault
  (a missing, unreadable or timed-out notebook) says nothing about an item; a cell passes with full points;
- known bugs: once per (student, item, bug); only graded submissions are ever diagnosed, so the share is of
  the graded students who lost that item.
"""

from __future__ import annotations

import base64
import html
import io
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from autograder.core.submission import NEEDS_MANUAL, State, Submission, items_of
from autograder.reports.regrade import Change, report_lines
from autograder.reports.similarity import THRESHOLD, Pair, section

STANDS = (State.GRADED, State.TAMPERING, State.STUDENT_FAULT)  # the grade goes to the LMS as it is
RAN = (State.GRADED, State.TAMPERING)  # the notebook ran to the end: its cells say something about the items
LISTED = (State.STUDENT_FAULT, State.GRADER_FAULT, State.TAMPERING)  # someone has to look at these
_SECTIONS = [  # (anchor, link text) of the page's contents
    ("scores", "Scores"),
    ("items", "Pass rate per item"),
    ("bugs", "Known bugs"),
    ("states", "States"),
    ("timing", "Grading time"),
    ("regrade", "Last re-grade"),
    ("similarity", "Similar solutions"),
]
TOP_BUGS = 20
SLOWEST = 5
SIMILAR_SHOWN = 10  # pairs shown on the class page; all of them on the similarity page

_CSS = """
body{font-family:system-ui,sans-serif;max-width:60em;margin:0 auto;padding:1em;line-height:1.45;
 overflow-wrap:anywhere;color:#222}
img{max-width:100%;height:auto;display:block;margin:.5em 0}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:.5em 0;overflow-wrap:normal}
td,th{padding:.3em .6em;text-align:left;vertical-align:top;border-bottom:1px solid #ddd}
td.num,th.num{text-align:right;white-space:nowrap}
.note{color:#555;font-size:.9em}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:1em}
pre{white-space:pre-wrap;font-size:.85em}mark{background:#ffd66b}
code{font-family:ui-monospace,monospace}
nav a{margin-right:1em;white-space:nowrap}
h2{margin-top:1.6em;border-bottom:2px solid #ccc}
"""

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{css}</style></head>
<body>
{body}
</body></html>
"""


Regrade = tuple[str, list[Change]] | None  # (when, changes) of the last re-grade (regrade.py)


def write(
    subs: list[Submission], assignment: str, out: Path, regraded: Regrade = None, similar: list[Pair] | None = None
) -> Path:
    """Write ``out/<assignment>_class.html`` and return its path."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{assignment}_class.html"
    path.write_text(render(subs, assignment, regraded, similar), encoding="utf-8")
    return path


def render(subs: list[Submission], assignment: str, regraded: Regrade = None, similar: list[Pair] | None = None) -> str:
    """The page as a string; the same submissions give the same bytes (the PNGs carry no timestamp)."""
    title = html.escape(f"{assignment}: class report")
    if not subs:
        body = f"<h1>{title}</h1><p>No submissions of {html.escape(assignment)} have been graded yet.</p>"
    else:
        sections = [
            _scores(subs),
            _pass_rates(subs),
            _bugs(subs),
            _states(subs),
            _timings(subs),
            _regrade(regraded),
            _similar(similar, assignment),
        ]
        nav = "".join(f'<a href="#{id_}">{name}</a>' for id_, name in _SECTIONS)
        body = "\n".join([_header(subs, assignment), f"<nav>{nav}</nav>", *sections])
    return _PAGE.format(title=title, css=_CSS, body=body)


# ---- sections ------------------------------------------------------------------------------------------------


def _header(subs: list[Submission], assignment: str) -> str:
    totals, maxima = _student_totals(subs)
    line = f"{_n(len(subs), 'submission')} from {_n(len({s.student for s in subs}), 'student')}."
    if totals:
        scores = list(totals.values())
        line += (
            f" Mean score <b>{statistics.fmean(scores):.1f}</b>, median <b>{statistics.median(scores):g}</b>"
            f" of <b>{max(maxima.values()):g}</b> points ({len(scores)} students whose grade stands)."
        )
    variants = {s.inputs for s in subs if s.inputs}
    if variants:  # inputs.py: each student's hidden tests drew their own inputs
        line += f" Hidden tests drew per-student inputs ({_n(len(variants), 'variant')})."
    return f"<h1>{html.escape(assignment)}: class report</h1><p>{line}</p>"


def _scores(subs: list[Submission]) -> str:
    totals, maxima = _student_totals(subs)
    head = '<h2 id="scores">Scores</h2>'
    note = (
        '<p class="note">Per student (notebooks summed, as in the grades CSV), over the submissions whose grade '
        "stands: graded, tampering suspected and student fault. Grader faults wait for a re-grade.</p>"
    )
    if not totals or max(maxima.values()) <= 0:
        return f"{head}<p>No submission has a grade that stands yet.</p>"
    scores, top = list(totals.values()), max(maxima.values())
    fig = _figure(3.2)
    ax = fig.add_subplot()
    # one bar per whole point where points are few, centred on it, so a full score has a bar of its own
    span = (-0.5, top + 0.5) if float(top).is_integer() and top <= 30 else (0, top)
    bins = int(top) + 1 if span[0] < 0 else 20
    ax.hist(scores, bins=bins, range=span, color="#4c72b0", edgecolor="white")
    ax.axvline(statistics.fmean(scores), color="#c44e52", linestyle="--", label="mean")
    ax.axvline(statistics.median(scores), color="#55a868", linestyle=":", label="median")
    ax.set(xlabel=f"score (of {top:g} points)", ylabel="students", xlim=span)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(frameon=False)
    alt = (
        f"Histogram of the scores of {len(scores)} students out of {top:g} points: "
        f"lowest {min(scores):g}, median {statistics.median(scores):g}, highest {max(scores):g}."
    )
    return head + _img(fig, alt) + note


def _pass_rates(subs: list[Submission]) -> str:
    ran = [s for s in subs if s.state in RAN]
    head = '<h2 id="items">Pass rate per item</h2>'
    note = (
        f'<p class="note">Of the {len(ran)} submissions whose notebook ran (graded or tampering suspected); '
        "student faults are left out, as a missing or timed-out notebook says nothing about an item. "
        "A test passes with full points.</p>"
    )
    counts = _pass_counts(ran)
    if not counts:
        return f"{head}<p>No submission ran, so there are no pass rates.</p>"
    items = list(counts)
    fig = _figure(1.0 + 0.55 * len(items))
    ax = fig.add_subplot()
    for offset, kind, color in ((-0.2, "visible", "#4c72b0"), (0.2, "hidden", "#dd8452")):
        ys = [n + offset for n, i in enumerate(items) if kind in counts[i]]
        rates = [_rate(*counts[i][kind]) for i in items if kind in counts[i]]
        bars = ax.barh(ys, rates, height=0.38, color=color, label=f"{kind} tests")
        ax.bar_label(bars, labels=[f"{r:.0f}%" for r in rates], padding=2, fontsize=8)
    for n, item in enumerate(items):
        if "hidden" not in counts[item]:
            ax.text(1, n + 0.2, "no hidden test", va="center", fontsize=8, color="#777")
    ax.set_yticks(range(len(items)), [_mpl_text(i) for i in items])
    ax.invert_yaxis()
    ax.set(xlim=(0, 112), xlabel="% of submissions passing")
    fig.legend(frameon=False, loc="outside upper center", ncols=2, fontsize=8)  # above: never over a bar
    alt = "Bar chart of the share of submissions passing each item's visible and hidden tests (numbers below)."
    rows = []
    for item in items:
        cells = [html.escape(item)]
        for kind in ("visible", "hidden"):
            if kind in counts[item]:
                passed, total = counts[item][kind]
                cells += [f"{passed}/{total}", f"{_rate(passed, total):.0f}%"]
            else:
                cells += ["-", "-"]
        rows.append(cells)
    table = _table("pass-rates", ["item", "visible passed", "visible %", "hidden passed", "hidden %"], rows, 1)
    return head + _img(fig, alt) + table + note


def _bugs(subs: list[Submission]) -> str:
    head = '<h2 id="bugs">Most common known bugs</h2>'
    graded = [s for s in subs if s.state is State.GRADED]
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    lost: dict[str, set[str]] = defaultdict(set)
    for sub in graded:
        for r in sub.results:
            if r.points < r.max_points and not r.manual:
                lost[r.item].add(sub.student)
            for d in r.diagnosis:
                found[(r.item, d.get("bug") or d.get("mutant", "?"))].add(sub.student)
    if not found:
        return f"{head}<p>No failing item matched a known bug.</p>"
    order = {item: n for n, item in enumerate(items_of(subs))}
    ranked = sorted(found.items(), key=lambda kv: (-len(kv[1]), order.get(kv[0][0], 0), kv[0][1]))
    rows = [
        [html.escape(item), html.escape(bug), str(len(who)), f"{_rate(len(who), len(lost[item])):.0f}%"]
        for (item, bug), who in ranked[:TOP_BUGS]
    ]
    more = f"<p>… and {len(ranked) - TOP_BUGS} less common ones.</p>" if len(ranked) > TOP_BUGS else ""
    note = (
        '<p class="note">Counted once per student, item and bug. Only graded submissions are diagnosed, so the '
        "share is of the graded students who lost that item.</p>"
    )
    table = _table("bugs", ["item", "looks like", "students", "share of those who lost it"], rows, 2)
    return head + table + more + note


def _states(subs: list[Submission]) -> str:
    head = '<h2 id="states">Submissions per state</h2>'
    per_state = Counter(s.shown_state for s in subs)
    rows = [[html.escape(state), str(n)] for state, n in per_state.items()]
    parts = [head, _table("states", ["state", "submissions"], rows, 1)]
    waiting = _group(
        (f"{r.item} ({_n(r.max_points, 'point')})", _who(s, set())) for s in subs for r in s.results if r.pending
    )
    if waiting:
        parts.append(
            f'<h3>{NEEDS_MANUAL}</h3><p class="note">Written answers nobody has graded yet (in '
            "<code>autograder lab --instructor</code>); these totals are not final and are not sent to the "
            f"LMS.</p>{waiting}"
        )
    late = _group((s.late, _who(s, set())) for s in subs if s.late)
    if late:
        parts.append(f"<h3>Late work</h3>{late}")
    several = {st for st, n in Counter(s.student for s in subs).items() if n > 1}
    for state in LISTED:
        grouped = _group((s.reason or "(no reason given)", _who(s, several)) for s in subs if s.state is state)
        if grouped:
            parts.append(f"<h3>{html.escape(state.value)}</h3>{grouped}")
    flagged = _group((flag, _who(s, several)) for s in subs for flag in dict.fromkeys(s.flags))
    if flagged:
        parts.append(f'<h3>Static flags</h3><p class="note">Findings in the code; they change no points.</p>{flagged}')
    return "\n".join(parts)


def _timings(subs: list[Submission]) -> str:
    head = '<h2 id="timing">Grading time per submission</h2>'
    timed = sorted(((sum(s.timings.values()), s) for s in subs if s.timings), key=lambda ts: -ts[0])
    if not timed:
        return f"{head}<p>No submission recorded its grading time.</p>"
    seconds = [t for t, _ in timed]
    fig = _figure(3.0)
    ax = fig.add_subplot()
    ax.hist(seconds, bins=min(30, max(5, 2 * math.isqrt(len(seconds)))), color="#8172b3", edgecolor="white")
    ax.set(xlabel="seconds (all stages)", ylabel="submissions")
    ax.yaxis.get_major_locator().set_params(integer=True)
    alt = (
        f"Histogram of the grading time of {len(seconds)} submissions: median {statistics.median(seconds):.1f} s,"
        f" longest {seconds[0]:.1f} s."
    )
    summary = (
        f"<p>Median <b>{statistics.median(seconds):.1f} s</b>, longest <b>{seconds[0]:.1f} s</b>,"
        f" all together {sum(seconds):.0f} s.</p>"
    )
    rows = []
    for total, sub in timed[:SLOWEST]:
        stage, longest = max(sub.timings.items(), key=lambda kv: kv[1])
        rows.append(
            [html.escape(sub.student), html.escape(sub.notebook_name), html.escape(sub.state.value)]
            + [f"{total:.1f}", f"{html.escape(stage)} {longest:.1f} s"]
        )
    table = _table("slowest", ["student", "notebook", "state", "seconds", "longest stage"], rows, 3, 4)
    untimed = len(subs) - len(timed)
    note = f'<p class="note">{_n(untimed, "submission")} recorded no timings.</p>' if untimed else ""
    return head + _img(fig, alt) + summary + f"<h3>Slowest {len(rows)}</h3>" + table + note


def _regrade(regraded: Regrade) -> str:
    head = '<h2 id="regrade">Last re-grade</h2>'
    if regraded is None:
        return f"{head}<p>Not re-graded since the first grading.</p>"
    when, found = regraded
    if not found:
        return f"{head}<p>Re-graded {html.escape(when)}: no student's points changed.</p>"
    lines = "".join(f"<li>{html.escape(line)}</li>" for line in report_lines(found))
    students = len({c.student for c in found})
    lead = f"Re-graded {html.escape(when)}: {_n(students, 'student')} whose points changed (old -> new):"
    return f"{head}<p>{lead}</p><ul>{lines}</ul>"


def _similar(similar: list[Pair] | None, assignment: str) -> str:
    head = '<h2 id="similarity">Similar solutions</h2>'
    if similar is None:
        return f"{head}<p>Not computed (<code>autograder similarity {html.escape(assignment)}</code>).</p>"
    more = f'<p class="note">All pairs: <code>{html.escape(assignment)}_similarity.html</code>.</p>'
    return head + section(similar, THRESHOLD, top=SIMILAR_SHOWN) + (more if len(similar) > SIMILAR_SHOWN else "")


# ---- counting ------------------------------------------------------------------------------------------------


def _student_totals(subs: list[Submission]) -> tuple[dict[str, float], dict[str, float]]:
    """Score and max score per student over the submissions whose grade stands, notebooks summed."""
    totals: dict[str, float] = defaultdict(float)
    maxima: dict[str, float] = defaultdict(float)
    for sub in subs:
        if sub.state in STANDS:
            totals[sub.student] += sub.final_score
            maxima[sub.student] += sub.max_score
    return dict(totals), dict(maxima)


def _pass_counts(subs: list[Submission]) -> dict[str, dict[str, tuple[int, int]]]:
    """item -> {"visible"/"hidden": (passed, total)}, one count per submission that has such a cell of the item
    (with several cells of a kind, the submission passes that kind only if it passes them all)."""
    counts: dict[str, dict[str, list[int]]] = {}
    for sub in subs:
        passed: dict[tuple[str, str], bool] = {}
        for r in (r for r in sub.results if not r.manual):  # a written answer has no test to pass
            key = (r.item, "hidden" if r.hidden else "visible")
            passed[key] = passed.get(key, True) and r.points >= r.max_points
        for (item, kind), ok in passed.items():
            acc = counts.setdefault(item, {}).setdefault(kind, [0, 0])
            acc[0] += ok
            acc[1] += 1
    order = items_of(subs)
    return {i: {k: (v[0], v[1]) for k, v in counts[i].items()} for i in order if i in counts}


def _n(count: float, noun: str) -> str:
    shown = int(count) if float(count).is_integer() else count  # 12 students, 1.5 points
    return f"{shown} {noun}{'s' * (count != 1)}"


def _rate(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


# ---- html and plots ------------------------------------------------------------------------------------------


def _who(sub: Submission, several: set[str]) -> str:
    """The student, and the notebook where that student handed in more than one."""
    return f"{sub.student} ({sub.notebook_name})" if sub.student in several else sub.student


def _group(pairs: Iterable[tuple[str, str]]) -> str:
    """A list of texts (reasons, flags), most common first, each with the students it applies to."""
    by_text: dict[str, list[str]] = defaultdict(list)
    for text, who in pairs:
        by_text[text].append(who)
    if not by_text:
        return ""
    ranked = sorted(by_text.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    items = "".join(
        f"<li><code>{html.escape(text)}</code> ({len(who)}): {html.escape(', '.join(sorted(who)))}</li>"
        for text, who in ranked
    )
    return f"<ul>{items}</ul>"


def _table(id_: str, head: list[str], rows: list[list[str]], first_num: int, end_num: int | None = None) -> str:
    """A table (cells already escaped) inside its own scrolling box, so a wide one never widens the page;
    columns ``first_num:end_num`` hold numbers (right-aligned)."""
    num = range(len(head))[first_num:end_num]

    def cls(k: int) -> str:
        return ' class="num"' if k in num else ""

    th = "".join(f"<th{cls(k)}>{h}</th>" for k, h in enumerate(head))
    trs = "".join("<tr>" + "".join(f"<td{cls(k)}>{c}</td>" for k, c in enumerate(row)) + "</tr>" for row in rows)
    return f'<div class="scroll"><table id="{id_}"><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table></div>'


def _figure(height: float) -> Figure:
    fig = Figure(figsize=(6.4, height), dpi=100, layout="constrained")  # narrow: its text stays legible on a phone
    FigureCanvasAgg(fig)  # a canvas of its own: no pyplot, no global backend state
    return fig


def _img(fig: Figure, alt: str) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})  # no version stamp: same input, same bytes
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


def _mpl_text(text: str, width: int = 28) -> str:
    """An item name as a tick label: short enough to leave the bars room (the table has it in full), and
    literal, as a ``$`` would start matplotlib's mathtext (which may not parse)."""
    text = text if len(text) <= width else text[: width - 1] + "…"
    return text.replace("$", r"\$")
