"""A real browser: JupyterLab (`autograder lab`) in headless Chromium opens the release notebook of every
assignment, runs all its cells, and the visible tests report what an unfinished notebook should (each fails, the
first solution cell raises NotImplementedError, the locked setup cells run clean). A screenshot of each lands in
reports/browser/.

Chromium is Debian's package (`make test` installs it with apt when it runs as root); Playwright's Python package
drives it (`executable_path`), never a browser of its own download. Without Chromium this test skips and says why.
"""

import nbformat
import pytest
from chromium import SHOTS, chromium_page, needs_chromium
from lab_server import serving
from real_course import ASSIGNMENTS, copy_course

from autograder.jupyter import lab

pytestmark = needs_chromium

# Runs every cell in order through JupyterLab's own command, one at a time (Run All would stop at the first
# error, and an unfinished notebook errors at its first solution cell), then reads the outputs back.
RUN_ALL = """
async () => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  await panel.context.ready;
  await panel.sessionContext.ready;
  const nb = panel.content;
  for (let i = 0; i < nb.widgets.length; i++) {
    nb.activeCellIndex = i;
    await app.commands.execute('notebook:run-cell');
  }
  return nb.widgets.filter(c => c.model.type === 'code').map(c => ({
    id: (c.model.getMetadata('nbgrader') || {}).grade_id || null,
    count: c.model.executionCount,
    errors: c.model.outputs.toJSON().filter(o => o.output_type === 'error').map(o => o.ename),
  }));
}
"""


SHOW_CODE_CELL = """
(k) => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  const code = nb.widgets.filter(c => c.model.type === 'code');
  code[k].node.scrollIntoView({block: 'start'});
}
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    course = copy_course(tmp_path_factory.mktemp("course"))
    workdir = course.root / "student"
    notebooks, _ = lab.prepare(course, workdir)
    for path in notebooks:  # the student's copy runs its experiments short, as the grader does (FAST)
        nb = nbformat.read(path, as_version=4)
        params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        params.source = params.source.replace("FAST = False", "FAST = True")
        nbformat.write(nb, path)
    with serving(course, workdir, extra=("--LabApp.expose_app_in_browser=True",)) as lab_:
        yield course, lab_


@pytest.fixture(scope="module")
def page(served):
    with chromium_page(1400, 1000) as page:
        yield page


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_notebook_runs_in_jupyterlab_and_visible_tests_fail_unfinished(served, page, assignment):
    _, lab_ = served
    page.goto(lab_.url(f"/lab/tree/{assignment}/{assignment}.ipynb"), timeout=120_000)
    page.wait_for_function(
        f"""() => {{ const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                     return w && w.context && w.context.path.endsWith('{assignment}.ipynb'); }}""",
        timeout=120_000,
    )
    cells = page.evaluate(RUN_ALL)
    first_visible = next(n for n, c in enumerate(cells) if (c["id"] or "").endswith("__visible"))
    page.evaluate(SHOW_CODE_CELL, first_visible)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / f"{assignment}.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    assert all(c["count"] is not None for c in cells), "a cell never ran"
    by_id = {c["id"]: c for c in cells if c["id"]}
    for locked in ("parameters", "setup", "helpers"):
        if locked in by_id:
            assert by_id[locked]["errors"] == [], (locked, by_id[locked])
    # unfinished: every visible test fails, with the stub's NotImplementedError or a check naming the problem
    visible = [c for c in cells if (c["id"] or "").endswith("__visible")]
    assert visible and all(c["errors"] for c in visible), [c for c in visible if not c["errors"]]
    assert {e for c in visible for e in c["errors"]} <= {"NotImplementedError", "CheckFailure"}, visible
    assert any("NotImplementedError" in c["errors"] for c in visible)
