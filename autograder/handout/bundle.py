"""``autograder release --bundle DIR``: everything a student gets, and nothing more.

    DIR/notebooks/<assignment>/<notebook>.ipynb   the release notebooks (no outputs, no solutions, no hidden tests)
    DIR/course/                                   the `course` package the notebooks import, with its notes
    DIR/datasets/registry.json, *.npz             the registry entries and the shipped data files those notebooks load
    DIR/pyproject.toml, constraints.txt           `pip install -c constraints.txt -e .` (the course's own lock)
    DIR/README.md                                 how to install, open, validate and submit

``leaks`` re-reads the written bundle and lists any solution line, hidden test, mutant line or output found in
it; ``write`` refuses to finish when it finds one.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat

from autograder.core.course_dir import REPO_ROOT, CourseDir
from autograder.core.errors import UsageError
from autograder.core.markup import BEGIN_HIDDEN, BEGIN_SOLUTION, secret_lines
from autograder.core.mutants import load as load_mutants
from autograder.handout.release import ReleaseError, release

# What a student's environment needs: the notebooks' imports plus JupyterLab and nbgrader (for Validate). Names
# only: every version comes from constraints.txt, the same lock as the instructor's install.
STUDENT_REQUIREMENTS = [
    "torch",
    "torchvision",
    "numpy",
    "scikit-learn",
    "matplotlib",
    "jupyterlab",
    "nbgrader",
]
_LOAD = re.compile(r"""load_dataset\(\s*["']([A-Za-z0-9_]+)["']""")
_TEXT = {".ipynb", ".py", ".md", ".json", ".txt", ".toml", ".cfg"}

PYPROJECT = """\
[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "dl-training-lab-student"
version = "1.0"
requires-python = ">=3.11,<3.12"
dependencies = {deps}

[tool.setuptools.packages.find]
include = ["course*"]

[tool.setuptools.package-data]
course = ["notes/*.md", "syllabus.md"]
"""

README = """\
# Deep-learning training lab: student bundle

Install once (Python 3.11), from this folder:

    python3.11 -m venv .venv
    .venv/bin/pip install -c constraints.txt -e .
    .venv/bin/jupyter lab notebooks/

Work in each `notebooks/<assignment>/<assignment>.ipynb`: replace every `raise NotImplementedError()` with your code
and run the visible test cells below it (a failing check names the case, the expected and the received value).
Before you submit, Validate (the button in the notebook toolbar) runs the whole notebook and reports failing tests.
The grader runs more tests than you see, so a passing visible test is necessary, not sufficient. The notes for
each topic are in `course/notes/`; data loads offline through `course.data.load_dataset` from `datasets/`.
"""


def datasets_used(notebooks: list[Path]) -> list[str]:
    names: set[str] = set()
    for path in notebooks:
        for cell in nbformat.read(path, as_version=4).cells:
            names.update(_LOAD.findall(cell.source))
    return sorted(names)


def _copy_datasets(names: list[str], out: Path) -> None:
    from course import data  # imported here: loading data is only needed for bundling

    registry = json.loads(data.registry_path().read_text(encoding="utf-8"))
    missing = sorted(set(names) - {e["name"] for e in registry["datasets"]})
    if missing:
        raise UsageError(f"notebooks load datasets missing from the registry: {', '.join(missing)}")
    registry["datasets"] = [e for e in registry["datasets"] if e["name"] in names]
    (out / "datasets").mkdir(parents=True)
    (out / "datasets" / "registry.json").write_text(json.dumps(registry, indent=2) + "\n", encoding="utf-8")
    for entry in registry["datasets"]:
        if entry["kind"] == "shipped":
            data.verify_all([entry["name"]])  # a damaged file is refused here, not found by a student
            shutil.copy2(data.registry_path().parent / entry["file"], out / "datasets" / entry["file"])
        elif entry["kind"] == "local":
            raise UsageError(f"notebooks load {entry['name']!r}, which is not shipped: students cannot have it")


def write(course: CourseDir, assignments: list[str], out: Path) -> Path:
    if out.exists() and any(out.iterdir()):
        raise UsageError(f"bundle folder {out} is not empty; give a new or empty folder")
    out.mkdir(parents=True, exist_ok=True)
    notebooks = []
    for name in assignments:
        for nb in sorted(release(course, name).glob("*.ipynb")):
            target = out / "notebooks" / name / nb.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(nb, target)
            notebooks.append(target)
    shutil.copytree(REPO_ROOT / "course", out / "course", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    _copy_datasets(datasets_used(notebooks), out)
    shutil.copy2(REPO_ROOT / "constraints.txt", out / "constraints.txt")
    (out / "pyproject.toml").write_text(PYPROJECT.format(deps=json.dumps(STUDENT_REQUIREMENTS)), encoding="utf-8")
    (out / "README.md").write_text(README, encoding="utf-8")
    found = leaks(course, assignments, out)
    if found:
        raise ReleaseError("the bundle holds what students must not get:\n  " + "\n  ".join(found[:20]))
    return out


def _released_lines(course: CourseDir, assignment: str) -> set[str]:
    lines: set[str] = set()
    for source in course.source_notebooks(assignment):
        released = course.release / assignment / source.name
        if released.exists():
            lines |= {
                line.strip() for c in nbformat.read(released, as_version=4).cells for line in c.source.splitlines()
            }
    return lines


def _forbidden_lines(course: CourseDir, assignment: str, public: set[str]) -> set[str]:
    """Solution and hidden-test lines of the source, and the lines each mutant or correct variant adds that the
    release (``public``, from ``_released_lines``) lacks."""
    forbidden: set[str] = set()
    for source in course.source_notebooks(assignment):
        forbidden |= secret_lines(nbformat.read(source, as_version=4))
    edits = load_mutants(course.mutants / assignment) + load_mutants(course.variants / assignment, variant=True)
    for mutant in edits:
        added = [new for _, new in mutant.hunks] or [mutant.body]
        for block in added:
            for line in block.splitlines():
                line = line.strip()
                if len(line) >= 12 and not line.startswith("#") and line not in public:
                    forbidden.add(line)
    return forbidden


def leaks(course: CourseDir, assignments: list[str], out: Path) -> list[str]:
    """What the bundle must not contain: solution/hidden/mutant/variant lines, marker lines, outputs, their files.

    A notebook is checked against its own assignment's secrets; the other files against every assignment's
    secrets except lines that some release shows anyway (a hidden test of one topic may be public in another).
    """
    released = {name: _released_lines(course, name) for name in assignments}
    own = {name: _forbidden_lines(course, name, released[name]) for name in assignments}
    anywhere = set().union(*own.values()) - set().union(*released.values())
    found = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = path.relative_to(out)
        instructor = {"mutants", "variants"} & set(rel.parts)
        if instructor or rel.parts[0] in ("autograder", "source", "autograded", "feedback"):
            found.append(f"{rel}: instructor material")
            continue
        if path.suffix not in _TEXT:
            continue
        forbidden = anywhere
        if path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            executed = [c for c in nb.cells if c.cell_type == "code" and (c.outputs or c.execution_count)]
            if executed:
                found.append(f"{rel}: {len(executed)} executed cell(s) with outputs")
            lines = [line for c in nb.cells for line in c.source.splitlines()]
            forbidden = own.get(rel.parts[1], anywhere) if rel.parts[0] == "notebooks" else anywhere
        else:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        for line in lines:
            stripped = line.strip()
            if stripped in forbidden or stripped.startswith((BEGIN_SOLUTION, BEGIN_HIDDEN)):
                found.append(f"{rel}: {stripped[:100]}")
    return found
