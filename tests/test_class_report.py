"""The instructor's class page (class_report.py), from Submissions built here (no grading): the counts and pass
rates it shows, the order of the known bugs, the states with their reasons, escaping of everything a student
controls, the embedded PNGs, and, in headless Chromium, that it loads and reads on a phone (screenshots in
reports/browser/)."""

import base64
import re
import struct
from html.parser import HTMLParser

from chromium import CHROMIUM, FLAGS, SHOTS, needs_chromium

from autograder.core.submission import ItemResult, State, Submission
from autograder.reports import class_report

A = "01_optimizers"
TIMEOUT = "execute: the notebook timed out after 240 s"
BUG_X = "no bias correction"
BUG_Y = "momentum applied twice"


def cell(item: str, hidden: bool, ok: bool, points: float = 1.0, bugs: tuple[str, ...] = ()) -> ItemResult:
    kind = "hidden" if hidden else "visible"
    return ItemResult(
        f"{item}__{kind}",
        item,
        points if ok else 0.0,
        points,
        "" if ok else "CheckFailure: wrong",
        hidden,
        [{"mutant": b.replace(" ", "_"), "bug": b} for b in bugs],
    )


def make(student: str, state: State, results=(), reason: str = "", timings=None, flags=()) -> Submission:
    sub = Submission(student, A, A, None, state, reason)
    sub.results = list(results)
    sub.timings = {"read": 0.1, "execute": 10.0, "score": 0.5} if timings is None else dict(timings)
    sub.flags = list(flags)
    return sub


def five() -> list[Submission]:
    """Item "adam" has a visible (1 point) and a hidden (2 points) cell, item "sgd" only a visible one."""
    return [
        make("s1", State.GRADED, [cell("adam", False, True), cell("adam", True, True, 2), cell("sgd", False, True)]),
        make(
            "s2",
            State.GRADED,
            [
                cell("adam", False, True),
                cell("adam", True, False, 2, (BUG_X,)),
                cell("sgd", False, False, bugs=(BUG_Y,)),
            ],
        ),
        # the same bug on both cells of one item counts once for this student
        make(
            "s3",
            State.GRADED,
            [
                cell("adam", False, False, bugs=(BUG_X,)),
                cell("adam", True, False, 2, (BUG_X,)),
                cell("sgd", False, True),
            ],
        ),
        make(
            "s4",
            State.TAMPERING,
            [cell("adam", False, True), cell("adam", True, True, 2), cell("sgd", False, False)],
            reason="not confirmed outside the kernel: sgd__visible: records differ",
        ),
        make(
            "s5",
            State.STUDENT_FAULT,
            [cell("adam", False, False), cell("adam", True, False, 2), cell("sgd", False, False)],
            reason=TIMEOUT,
            timings={"execute": 240.0, "score": 1.0},
        ),
        make("s6", State.GRADER_FAULT, reason="execute: OSError: kernel did not start", timings={}),
    ]


class Tables(HTMLParser):
    """The text of every cell of every table, by table id: {id: [[header cells], [row cells], ...]}."""

    def __init__(self, page: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table = self._row = self._cell = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = self.tables.setdefault(dict(attrs).get("id", ""), [])
        elif tag == "tr" and self._table is not None:
            self._row = []
            self._table.append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def rows_by_first(page: str, table: str) -> dict[str, list[str]]:
    rows = Tables(page).tables[table]
    return {r[0]: r[1:] for r in rows[1:]}


def images(page: str) -> list[tuple[bytes, str]]:
    return [
        (base64.b64decode(d), alt)
        for d, alt in re.findall(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]*)"', page)
    ]


def test_pass_rates_count_ran_submissions_visible_and_hidden_apart():
    page = class_report.render(five(), A)
    rows = rows_by_first(page, "pass-rates")
    # s1..s4 ran (graded or tampering suspected); the student fault s5 and the grader fault s6 are left out
    assert rows["adam"] == ["3/4", "75%", "2/4", "50%"]
    assert rows["sgd"] == ["2/4", "50%", "-", "-"]
    assert list(rows) == ["adam", "sgd"]  # notebook order
    assert "Of the 4 submissions whose notebook ran" in page


def test_header_scores_count_grades_that_stand():
    page = class_report.render(five(), A)
    # s1 4, s2 1, s3 1, s4 3, s5 0 (student fault stands); s6 (grader fault) is left out
    header = re.search(r"<h1>.*?</p>", page, re.S).group(0)
    assert "6 submissions from 6 students" in header
    assert "Mean score <b>1.8</b>, median <b>1</b> of <b>4</b> points (5 students" in header
    assert "per-student inputs" not in header
    subs = five()
    for n, sub in enumerate(subs):
        sub.inputs = f"v{n % 2}"  # two variants among six (inputs.py)
    header = re.search(r"<h1>.*?</p>", class_report.render(subs, A), re.S).group(0)
    assert "Hidden tests drew per-student inputs (2 variants)." in header


def test_known_bugs_counted_once_per_student_and_most_common_first():
    page = class_report.render(five(), A)
    rows = Tables(page).tables["bugs"][1:]
    # X: s2 and s3 (s3 has it on two cells, counted once), both of the 2 graded students who lost adam
    assert rows[0] == ["adam", BUG_X, "2", "100%"]
    # Y: s2, the only graded student who lost sgd (s4 lost it too but is not graded, so never diagnosed)
    assert rows[1] == ["sgd", BUG_Y, "1", "100%"]
    assert len(rows) == 2


def test_without_any_diagnosis_the_bug_section_says_so():
    subs = five()
    for sub in subs:
        for r in sub.results:
            r.diagnosis = []
    page = class_report.render(subs, A)
    assert "No failing item matched a known bug." in page
    assert "bugs" not in Tables(page).tables


def test_states_counted_and_faults_listed_with_reasons():
    subs = five() + [make("s7", State.STUDENT_FAULT, reason=TIMEOUT), make("s8", State.STUDENT_FAULT, reason="x")]
    subs[0].flags = ["imports os"]
    subs[1].flags = ["imports os", "reads the hidden tests"]
    page = class_report.render(subs, A)
    assert rows_by_first(page, "states") == {
        "graded": ["3"],
        "student fault": ["3"],
        "grader fault": ["1"],
        "tampering suspected": ["1"],
    }
    # identical reasons grouped, the most common first
    assert f"<li><code>{TIMEOUT}</code> (2): s5, s7</li>" in page
    assert page.index(TIMEOUT) < page.index("<li><code>x</code> (1): s8</li>")
    assert "<li><code>execute: OSError: kernel did not start</code> (1): s6</li>" in page
    assert "records differ</code> (1): s4</li>" in page
    assert "<li><code>imports os</code> (2): s1, s2</li>" in page
    assert "<li><code>reads the hidden tests</code> (1): s2</li>" in page


def test_grading_time_slowest_first():
    subs = five()
    subs[0].timings = {"execute": 100.0, "score": 2.0}
    page = class_report.render(subs, A)
    slowest = Tables(page).tables["slowest"][1:]
    assert [r[0] for r in slowest] == ["s5", "s1", "s2", "s3", "s4"]
    assert slowest[0][3:] == ["241.0", "execute 240.0 s"]
    assert "1 submission recorded no timings" in page  # s6


HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_REASON = "<img src=x onerror=alert(2)>"


def test_student_controlled_text_is_escaped():
    subs = five()
    subs[0].student = HOSTILE_NAME
    subs[0].notebook_name = '"><svg onload=alert(3)>'
    subs[0].flags = ["<b onmouseover=alert(4)>flag</b>"]
    subs[0].timings = {"<i>stage</i>": 1000.0}  # slowest, so its student, notebook and stage are shown
    subs[4].reason = HOSTILE_REASON
    subs[1].results[2].item = "<u>item</u>"
    subs[1].results[2].diagnosis = [{"mutant": "m", "bug": "<em>bug</em>"}]
    page = class_report.render(subs, A)
    for raw in (HOSTILE_NAME, HOSTILE_REASON, "<svg", "<b onmouseover", "<i>stage", "<u>item", "<em>bug"):
        assert raw not in page
    assert "<script" not in page
    for text in (HOSTILE_NAME, HOSTILE_REASON, "<b onmouseover=alert(4)>flag</b>", "<u>item</u>", "<em>bug</em>"):
        assert text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in page
    assert page.count("<img ") == 3  # only the plots


def test_plots_are_embedded_pngs_with_alt_text(tmp_path):
    page = class_report.render(five(), A)
    pngs = images(page)
    assert len(pngs) == page.count("<img ") == 3  # scores, pass rates, grading time
    for data, alt in pngs:
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
        assert width >= 500 and height >= 200
        assert len(data) > 5_000  # something was drawn
        assert len(alt) > 30
    assert "http://" not in page and "https://" not in page  # nothing loaded from the net
    assert class_report.render(five(), A) == page  # deterministic: no timestamps in the PNGs


def test_page_reads_on_a_phone_by_its_markup():
    page = class_report.render(five(), A)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "img{max-width:100%;height:auto" in page
    assert ".scroll{overflow-x:auto" in page
    assert page.count("<table") == page.count('<div class="scroll"><table') > 0


def test_write_names_the_file_after_the_assignment(tmp_path):
    path = class_report.write(five(), A, tmp_path / "reports")
    assert path == tmp_path / "reports" / f"{A}_class.html"
    assert path.read_text(encoding="utf-8") == class_report.render(five(), A)


def test_no_submissions_gives_a_page_saying_so(tmp_path):
    path = class_report.write([], A, tmp_path)
    page = path.read_text(encoding="utf-8")
    assert f"No submissions of {A} have been graded yet." in page
    assert "<img" not in page and "<table" not in page


def test_only_grader_faults_has_no_plots_but_says_why():
    page = class_report.render([make("s1", State.GRADER_FAULT, reason="boom", timings={})], A)
    assert "No submission has a grade that stands yet." in page
    assert "No submission ran, so there are no pass rates." in page
    assert "No submission recorded its grading time." in page
    assert "<img" not in page


def test_dollar_signs_in_item_names_do_not_break_the_plot():
    subs = five()
    for sub in subs:
        for r in sub.results:
            r.item = f"${r.item}$ costs $5"  # matplotlib would parse $...$ as mathtext
    page = class_report.render(subs, A)
    assert len(images(page)) == 3
    assert "$adam$ costs $5" in rows_by_first(page, "pass-rates")


# ---- in a browser ----------------------------------------------------------------------------------------------


def twelve() -> list[Submission]:
    """A class of 12 with every kind of outcome, long names and a long unbroken reason (the phone's worst case)."""
    items = ["adam_step", "sgd_momentum_with_nesterov_lookahead", "learning_rate_schedule", "weight_decay"]
    subs = []
    for n in range(12):
        results = []
        for k, item in enumerate(items):
            results.append(cell(item, False, (n + k) % 3 != 0, bugs=(BUG_X,) if (n + k) % 3 == 0 and k < 2 else ()))
            if k != 2:
                results.append(cell(item, True, (n * k) % 4 != 1, 2, (BUG_Y,) if (n * k) % 4 == 1 else ()))
        state = State.GRADED
        if n == 9:
            state = State.TAMPERING
        if n in (10, 11):
            state = State.STUDENT_FAULT
        reason = {9: "not confirmed outside the kernel: adam_step__hidden", 10: TIMEOUT, 11: "read: " + "x" * 150}
        subs.append(
            make(
                f"student_{n:02d}_with_a_rather_long_name",
                state,
                results,
                reason.get(n, ""),
                {"read": 0.2, "execute": 20.0 + 7 * n, "score": 1.0 + n / 10},
                ["imports subprocess"] if n == 3 else [],
            )
        )
    subs.append(make("student_12", State.GRADER_FAULT, reason="execute: OSError: kernel did not start", timings={}))
    return subs


@needs_chromium
def test_page_loads_in_chromium_and_fits_a_phone(tmp_path):
    from playwright.sync_api import sync_playwright

    path = class_report.write(twelve(), A, tmp_path)
    SHOTS.mkdir(parents=True, exist_ok=True)
    all_loaded = "() => Array.from(document.images).map(i => i.complete && i.naturalWidth > 0)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            desk = browser.new_page(viewport={"width": 1400, "height": 1000})
            desk.goto(path.as_uri(), wait_until="load")
            assert desk.evaluate(all_loaded) == [True, True, True]
            headings = desk.eval_on_selector_all("h2", "hs => hs.map(h => h.id)")
            assert headings == ["scores", "items", "bugs", "states", "timing", "regrade", "similarity"]
            assert desk.locator("#pass-rates tbody tr").count() == 4
            desk.screenshot(path=str(SHOTS / "class_report.png"), full_page=True)

            phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
            phone.goto(path.as_uri(), wait_until="load")
            assert phone.evaluate(all_loaded) == [True, True, True]
            scroll, inner = phone.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            assert scroll <= inner + 1, f"the page scrolls sideways on a phone: {scroll} > {inner}"
            # the plots shrink to the screen instead of overflowing it
            widths = phone.evaluate("() => Array.from(document.images).map(i => i.getBoundingClientRect().right)")
            assert all(w <= inner + 1 for w in widths), widths
            phone.screenshot(path=str(SHOTS / "class_report_phone.png"), full_page=True)
        finally:
            browser.close()
    assert (SHOTS / "class_report.png").stat().st_size > 20_000
    assert (SHOTS / "class_report_phone.png").stat().st_size > 20_000
