"""The student's feedback page (feedback.py) and the course notes it links (course_notes.py): every graded item of
every assignment is taught by exactly one note section, the link lands on that section of the note copied beside
the page, a diagnosis shows only on a lost item, everything a student controls is escaped, and in headless
Chromium the page reads on a phone (screenshot in reports/browser/)."""

import html
import re

import nbformat
import pytest
from chromium import CHROMIUM, FLAGS, SHOTS, needs_chromium
from real_course import ASSIGNMENTS

from autograder.core.course_dir import DEFAULT_ROOT, CourseDir
from autograder.core.markup import grade_id
from autograder.core.submission import ItemResult, State, Submission
from autograder.stages import course_notes, feedback

A = "01_optimizers"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def graded_items(assignment: str) -> list[str]:
    nb = nbformat.read(CourseDir(DEFAULT_ROOT).source_notebooks(assignment)[0], as_version=4)
    items = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and meta.get("points"):
            item = grade_id(cell).split("__")[0]
            items += [] if item in items else [item]
    return items


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_graded_item_is_taught_by_exactly_one_note_section(assignment):
    _, _, sections = course_notes.sections(assignment)
    named = [item for s in sections for item in s.items]
    items = graded_items(assignment)
    assert sorted(named) == sorted(items), (set(items) - set(named), set(named) - set(items))
    page = course_notes.page(assignment)
    for s in sections:
        assert f'id="{s.anchor}"' in page
    assert len({s.anchor for s in sections}) == len(sections)


def test_note_page_keeps_tex_and_escapes_html(tmp_path, monkeypatch):
    note = tmp_path / "99_x.md"
    note.write_text(
        "# 99 · X\n\nIntro $\\theta_{t-1}=\\theta_t$ and $a_b$.\n\n## 1. First <!-- items: one two -->\n\n"
        f"Text {HOSTILE} with `code`.\n\n$$\nx_i*y_j*\n$$\n\n## References\n\nA.\n"
    )
    monkeypatch.setattr(course_notes, "NOTES", tmp_path)
    title, _, sections = course_notes.sections("99_x")
    assert title == "99 · X" and [(s.title, s.items) for s in sections] == [
        ("1. First", ("one", "two")),
        ("References", ()),
    ]
    page = course_notes.page("99_x")
    assert html.escape("$\\theta_{t-1}=\\theta_t$") in page and "<em>" not in page
    assert "<script>" not in page and "onerror=alert" not in page.replace("onerror=alert(1)&gt;", "")
    assert html.escape("<script>") in page
    assert course_notes.section_of("99_x", "two").anchor == "s-1-first"
    assert course_notes.section_of("99_x", "three") is None


def submission(message: str = "CheckFailure: [adam/model] value: expected 1, got 2") -> Submission:
    sub = Submission(f"student {HOSTILE}", A, A, None, State.GRADED)
    sub.results = [
        ItemResult("sgd__visible", "sgd", 1.0, 1.0, "", False, [{"mutant": "m0", "bug": "passing, never shown"}]),
        ItemResult("adam__visible", "adam", 1.0, 1.0),
        ItemResult("adam__hidden", "adam", 0.0, 3.0, message, True, [{"mutant": "m1", "bug": f"no {HOSTILE}"}]),
        ItemResult("concept_adagrad__visible", "concept_adagrad", 0.0, 1.0, "CheckFailure: [concept] wrong", False),
    ]
    return sub


def test_page_shows_points_message_diagnosis_and_link_per_item(tmp_path):
    path = feedback.write(submission(), tmp_path)
    page = path.read_text()
    assert "<script>" not in page and "<img" not in page  # a student's name, message or bug text is text
    assert page.count("Looks like") == 1 and "passing, never shown" not in page
    sections = {re.search(r"<span>(\w+)</span>", s).group(1): s for s in page.split("<section")[1:]}
    assert sorted(sections) == ["adam", "concept_adagrad", "sgd"]
    adam = sections["adam"]
    assert "1 / 4" in adam and "hidden test</b>: 0 / 3" in adam and "adam/model" in adam
    assert "Looks like: <b>no &lt;script&gt;" in adam
    anchor = course_notes.section_of(A, "adam").anchor
    assert f'href="notes-{A}.html#{anchor}"' in adam and "3. Adaptive rates" in adam
    note = (path.parent / f"notes-{A}.html").read_text()
    assert f'<section id="{anchor}">' in note
    # a lost item without a diagnosis gets its message and link but names no bug
    concept = sections["concept_adagrad"]
    assert "Looks like" not in concept and 'href="notes-' in concept


@needs_chromium
def test_page_reads_on_a_phone_and_its_link_opens_the_section(tmp_path):
    from playwright.sync_api import sync_playwright

    path = feedback.write(submission("CheckFailure: " + "x" * 400 + " value off"), tmp_path)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
            phone.goto(path.as_uri(), wait_until="load")
            assert phone.evaluate("() => document.querySelectorAll('script').length") == 0
            scroll, inner = phone.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            assert scroll <= inner + 1, f"the page scrolls sideways on a phone: {scroll} > {inner}"
            phone.screenshot(path=str(SHOTS / "feedback_phone.png"), full_page=True)
            phone.click("text=3. Adaptive rates")
            phone.wait_for_load_state("load")
            anchor = course_notes.section_of(A, "adam").anchor
            assert phone.url.endswith(f"notes-{A}.html#{anchor}")
            top = phone.evaluate(f"() => document.getElementById('{anchor}').getBoundingClientRect().top")
            assert abs(top) < 5, f"the section is not scrolled into view (top at {top})"
            scroll, inner = phone.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            assert scroll <= inner + 1, f"the note scrolls sideways on a phone: {scroll} > {inner}"
        finally:
            browser.close()
    assert (SHOTS / "feedback_phone.png").stat().st_size > 10_000
