"""What a grading kernel imports before the student's first cell (forkserver.preload, pipeline.kernel_preload): the
modules the assignment's released cells import, nothing that only a solution or a hidden test names (the list is on
the kernel's command line, where a student can read it), and torch's inductor config with torch."""

from pathlib import Path

import nbformat
from tiny_course import ASSIGNMENT, code, make_course

from autograder.core.cell_code import imported_modules
from autograder.core.course_dir import DEFAULT_ROOT, CourseDir
from autograder.core.markup import public_source
from autograder.isolation import forkserver
from autograder.stages.pipeline import kernel_preload


def test_imported_modules_reads_every_import_form_and_skips_relative_ones():
    cells = [
        "%matplotlib inline\nimport torch.nn.functional as F, math\nfrom torch import nn",
        "def f():\n    import colorsys\n    from . import sibling\n    return colorsys",
        "from math import pi  # again: named once",
        "this is not python",
    ]
    assert imported_modules(cells) == ["torch.nn.functional", "math", "torch", "colorsys"]


def test_public_source_leaves_out_solution_and_hidden_test_lines():
    source = (
        "import math\n### BEGIN SOLUTION\nimport decimal\n### END SOLUTION\ncheck()\n"
        "### BEGIN HIDDEN TESTS\nimport fractions\n### END HIDDEN TESTS\nimport json"
    )
    assert public_source(source).splitlines() == ["import math", "check()", "import json"]


def test_the_preload_is_what_the_released_cells_import(tmp_path: Path):
    course = CourseDir(make_course(tmp_path / "course"))
    path = course.source_notebooks(ASSIGNMENT)[0]
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(code("import colorsys\n### BEGIN HIDDEN TESTS\nimport fractions\n### END HIDDEN TESTS"))
    nb.cells.append(code("### BEGIN SOLUTION\nimport decimal\n### END SOLUTION", "extra", solution=True))
    nbformat.write(nb, path)
    preload = kernel_preload(course, ASSIGNMENT)
    assert "course.checks" in preload and "colorsys" in preload
    assert not {"fractions", "decimal", "torch"} & set(preload)  # the test course makes no tensor: no torch
    real = kernel_preload(CourseDir(DEFAULT_ROOT), "04_regularization")
    assert {"torch", "sklearn.linear_model", "course.checks"} <= set(real)
    assert real.index("torch._inductor.config") == real.index("torch") + 1
    assert forkserver.preload(["numpy", "torch", "numpy"]) == ("numpy", "torch", "torch._inductor.config")
