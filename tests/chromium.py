"""Debian's Chromium for the browser tests (make test installs it with apt when run as root), driven by
Playwright's sync API through ``executable_path``, never a browser of Playwright's own download."""

import shutil

import pytest

from autograder.course_dir import REPO_ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SHOTS = REPO_ROOT / "reports" / "browser"  # screenshots a person can look at after the run (ignored by git)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it with apt when run as root)"
)
