"""The student bundle (`autograder release --bundle`) of the real course: complete, installable, and free of
anything a student must not get; and the check that proves it can fail."""

import json
import os
import shutil
import subprocess
import sys
import tomllib

import nbformat
import pytest
from real_course import copy_course

from autograder.core.course_dir import REPO_ROOT
from autograder.core.errors import UsageError
from autograder.core.markup import secret_lines
from autograder.core.mutants import load as load_mutants
from autograder.handout import bundle


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    course = copy_course(tmp_path_factory.mktemp("course"))
    out = tmp_path_factory.mktemp("bundle") / "student"
    return course, course.assignments(), bundle.write(course, course.assignments(), out)


def test_bundle_has_every_release_notebook_the_package_data_and_the_lock(built):
    course, names, out = built
    for name in names:
        for source in course.source_notebooks(name):
            shipped = nbformat.read(out / "notebooks" / name / source.name, as_version=4)
            assert shipped.cells[1].metadata["tags"] == ["parameters"]
    assert (out / "course" / "checks.py").read_text() == (REPO_ROOT / "course" / "checks.py").read_text()
    assert (out / "constraints.txt").read_bytes() == (REPO_ROOT / "constraints.txt").read_bytes()
    project = tomllib.loads((out / "pyproject.toml").read_text())["project"]
    assert {"torch", "nbgrader", "jupyterlab"} <= set(project["dependencies"])
    shipped = {e["name"] for e in json.loads((out / "datasets" / "registry.json").read_text())["datasets"]}
    assert shipped == set(bundle.datasets_used(sorted((out / "notebooks").rglob("*.ipynb")))) and shipped


def test_bundle_has_no_solution_hidden_test_mutant_or_output(built):
    course, names, out = built
    assert bundle.leaks(course, names, out) == []
    for name in names:  # and independently of leaks(): no solution line in that assignment's shipped notebook
        for source in course.source_notebooks(name):
            shipped = nbformat.read(out / "notebooks" / name / source.name, as_version=4)
            lines = {line.strip() for c in shipped.cells for line in c.source.splitlines()}
            secrets = secret_lines(nbformat.read(source, as_version=4))
            assert secrets and not secrets & lines
    assert not list(out.rglob("*mutant*")) and not list(out.rglob("autograder"))


def test_the_leak_check_can_fail(built, tmp_path):
    course, names, out = built
    copy = tmp_path / "bundle"
    shutil.copytree(out, copy)
    name = names[0]
    path = copy / "notebooks" / name / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    solution = sorted(secret_lines(nbformat.read(course.source_notebooks(name)[0], as_version=4)))[0]
    forbidden = bundle._forbidden_lines(course, name, bundle._released_lines(course, name))
    mutant_line = next(
        line.strip()
        for m in load_mutants(course.mutants / name)
        for _, new in m.hunks
        for line in new.splitlines()
        if line.strip() in forbidden
    )
    nb.cells[-1].source += f"\n{solution}"
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("stream", text="reference output")]
    nbformat.write(nb, path)
    (copy / "course" / "cheat.py").write_text(mutant_line + "\n")
    found = bundle.leaks(course, names, copy)
    assert any(solution[:50] in f for f in found)
    assert any("executed cell" in f for f in found)
    assert any(f.startswith("course/cheat.py") for f in found)


def test_bundled_course_loads_data_from_the_bundle_offline(built):
    _, _, out = built
    env = {k: v for k, v in os.environ.items() if k not in ("COURSE_REGISTRY", "COURSE_DATA_DIR")}
    env["PYTHONPATH"] = str(out)
    probe = (
        "import course, course.data as d; "
        "print(course.__file__); print(d.registry_path()); print(d.load_dataset('mnist1d').x_train.shape)"
    )
    lines = subprocess.run(
        [sys.executable, "-c", probe], cwd=out, env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert lines[0].startswith(str(out)) and lines[1] == str(out / "datasets" / "registry.json")


def test_bundle_refuses_a_folder_that_is_not_empty(built, tmp_path):
    course, names, _ = built
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(UsageError, match="not empty"):
        bundle.write(course, names, tmp_path)
