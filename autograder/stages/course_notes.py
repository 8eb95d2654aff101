"""The course notes as the feedback links them: which note section teaches each graded item, and the note as
one HTML page with an anchor per section.

A note (``course/notes/<assignment>.md``) names the items a numbered section teaches in an HTML comment on its
heading, which Markdown viewers hide::

    ## 3. Adaptive rates <!-- items: adagrad rmsprop adam concept_bias_correction -->

so the mapping lives beside the text it points to, and a test checks that every graded item of every assignment
is named by exactly one section. Math stays TeX (shown as code): no MathJax offline, and the same note renders
with its math in the student's JupyterLab (``course/notes/`` of the bundle).
"""

from __future__ import annotations

import functools
import html
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

import mistune

# found, not imported: the package's __init__ imports torch (seconds), and the feedback needs only its folder
NOTES = Path(importlib.util.find_spec("course").origin).parent / "notes"
_HEADING = re.compile(r"^## (?P<title>.+?)\s*(?:<!--\s*items:(?P<items>[^>]*)-->)?\s*$")
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+?\$", re.S)
_RENDER = mistune.create_markdown(escape=True, plugins=["table"])


@dataclass(frozen=True)
class Section:
    anchor: str  # the id of the section in the rendered page
    title: str
    items: tuple[str, ...]
    body: str  # its Markdown, heading excluded


def note_path(assignment: str) -> Path:
    return NOTES / f"{assignment}.md"


def _anchor(title: str) -> str:
    return "s-" + (re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "section")


@functools.lru_cache(maxsize=16)
def _parse(path: Path, mtime: float) -> tuple[str, str, tuple[Section, ...]]:
    """(title, preamble, sections) of a note; ``mtime`` keys the cache so an edited note is read again."""
    title, preamble, sections = path.stem, [], []
    current: tuple[str, tuple[str, ...]] | None = None
    lines: list[str] = []

    def close() -> None:
        if current is not None:
            sections.append(Section(_anchor(current[0]), current[0], current[1], "\n".join(lines)))

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# ") and current is None and not preamble:
            title = line[2:].strip()
            continue
        match = _HEADING.match(line)
        if match:
            close()
            current, lines = (match["title"], tuple((match["items"] or "").split())), []
        elif current is None:
            preamble.append(line)
        else:
            lines.append(line)
    close()
    return title, "\n".join(preamble), tuple(sections)


def sections(assignment: str) -> tuple[str, str, tuple[Section, ...]]:
    """(title, preamble, sections) of the assignment's note; empty when it has none."""
    path = note_path(assignment)
    if not path.is_file():
        return assignment, "", ()
    return _parse(path, path.stat().st_mtime)


def section_of(assignment: str, item: str) -> Section | None:
    """The section that teaches ``item`` (the first that names it), or None."""
    return next((s for s in sections(assignment)[2] if item in s.items), None)


def markdown_html(text: str) -> str:
    """Markdown to HTML with raw HTML escaped; TeX kept verbatim (mistune would read ``_`` in it as emphasis)."""
    maths: list[str] = []

    def hold(match: re.Match[str]) -> str:
        maths.append(match.group(0))
        return f"MATHSPAN{len(maths) - 1}X"

    rendered = str(_RENDER(_MATH.sub(hold, text)))
    return re.sub(
        r"MATHSPAN(\d+)X", lambda m: f'<code class="math">{html.escape(maths[int(m.group(1))])}</code>', rendered
    )


PAGE_STYLE = (
    "body{font-family:system-ui,sans-serif;line-height:1.45;max-width:48em;margin:0 auto;padding:1em;"
    "overflow-wrap:anywhere}code{white-space:pre-wrap}code.math{font-size:.9em;color:#234}"
    ".scroll{overflow-x:auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .4em}"
    "section:target{background:#fff8dc}"
)


def page(assignment: str) -> str | None:
    """The whole note as one HTML page, each numbered section an ``id`` to link to; None without a note."""
    path = note_path(assignment)
    return _page(path, path.stat().st_mtime) if path.is_file() else None


@functools.lru_cache(maxsize=16)
def _page(path: Path, mtime: float) -> str | None:
    title, preamble, parts = _parse(path, mtime)
    if not parts and not preamble:
        return None
    body = [f"<h1>{html.escape(title)}</h1>", markdown_html(preamble)]
    for s in parts:
        heading = markdown_html(s.title).strip().removeprefix("<p>").removesuffix("</p>")
        body.append(f'<section id="{s.anchor}"><h2>{heading}</h2>{markdown_html(s.body)}</section>')
    content = "\n".join(body).replace("<table>", '<div class="scroll"><table>').replace("</table>", "</table></div>")
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{PAGE_STYLE}</style></head><body>\n{content}\n</body></html>\n"
    )
