"""Static flags (autograder/trust/flags.py): library calls an item asks students to write themselves, dynamic escapes
and monkeypatches, resolved through the notebook's imports; never the reference's code."""

from __future__ import annotations

import nbformat
from nbformat import v4
from real_course import ASSIGNMENTS

from autograder.core.course_dir import CourseDir
from autograder.core.submission import Submission
from autograder.trust.flags import cell_flags, flag, forbidden_calls
from course import __name__ as _  # noqa: F401 - the course package must import here

ALIASES = {"torch": "torch", "nn": "torch.nn", "F": "torch.nn.functional", "json": "json", "np": "numpy"}


def test_library_versions_are_found_through_any_alias():
    banned = ["torch.optim.Adam", "torch.nn.functional.batch_norm", "torch.nn.init"]
    for source in (
        "opt = torch.optim.Adam(ps)",
        "from torch.optim import Adam as A\nopt = A(ps)",
        "import torch.optim as o\ncls = o.Adam",
        "y = F.batch_norm(x, m, v)",
        "nn.init.kaiming_normal_(w)",
    ):
        assert any("library version" in f for f in cell_flags(source, ALIASES, banned)), source
    for source in ("opt = torch.optim.AdamW(ps)", "class MyAdam(torch.optim.Optimizer): pass", "model.eval()"):
        assert cell_flags(source, ALIASES, banned) == [], source


def test_escapes_and_monkeypatches():
    found = cell_flags(
        "exec('x = 1')\n!ls\nimport ctypes\njson.dumps = str\nsetattr(torch, 'allclose', 1)\nf.__code__ = g.__code__",
        ALIASES,
        [],
    )
    text = "\n".join(found)
    for expected in ("exec", "get_ipython", "ctypes", "replaces json.dumps", "replaces torch.allclose", "__code__"):
        assert expected in text, expected
    assert cell_flags("x = [1, 2]\nmodel.fc.weight.data = w\nnp.random.seed(0)", ALIASES, []) == []


def test_a_variable_named_like_a_module_is_not_the_module():
    # 06's gp_posterior has a parameter `signal`: the reference must raise no flag, the module must
    own = "def gp(x, signal=1.0, gc=None):\n    threading = signal ** 2\n    return threading * gc"
    assert cell_flags(own, ALIASES, []) == []
    imported = ("import signal\nsignal.signal(2, f)", "import signal as s\ns.alarm(1)", "import gc\ngc.get_objects()")
    for source in imported:
        assert any("signal" in f or "garbage collector" in f for f in cell_flags(source, ALIASES, [])), source
    assert cell_flags("f(signal)", {**ALIASES, "signal": "signal"}, []) != []  # imported in another cell


def test_flags_cover_solution_and_added_cells_not_locked_ones():
    nb = v4.new_notebook(
        cells=[
            v4.new_code_cell("import torch", metadata={"nbgrader": {"grade_id": "setup", "locked": True}}),
            v4.new_code_cell(
                "exec('locked cells are the course')", metadata={"nbgrader": {"grade_id": "t", "locked": True}}
            ),
            v4.new_code_cell(
                "o = torch.optim.Adam(p)", metadata={"nbgrader": {"grade_id": "adam_impl", "solution": True}}
            ),
            v4.new_code_cell("import subprocess"),
        ]
    )
    sub = Submission("s", "a", "n", None)
    sub.nb = nb
    flag(sub, {"adam_impl": ["torch.optim.Adam"]})
    assert [f.split(":")[0] for f in sub.flags] == ["adam_impl", "cell 3 (added)"]


def test_every_assignment_names_forbidden_calls_and_its_reference_raises_no_flag(tmp_path):
    from real_course import copy_course

    from autograder.trust import reference

    course = copy_course(tmp_path)
    for assignment in ASSIGNMENTS:
        forbidden = forbidden_calls(course, assignment)
        assert forbidden, assignment
        for path in CourseDir(course.root).source_notebooks(assignment):
            sub = Submission("reference", assignment, path.stem, None)
            sub.nb = reference.notebook(nbformat.read(path, as_version=4))
            flag(sub, forbidden)
            assert sub.flags == [], (assignment, sub.flags)
