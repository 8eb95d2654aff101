"""Debian's Chromium for the browser tests (make test installs it with apt when run as root), driven by
Playwright's sync API through ``executable_path``, never a browser of Playwright's own download."""

import contextlib
import shutil
from collections.abc import Iterator

import pytest

from autograder.core.course_dir import REPO_ROOT

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


@contextlib.contextmanager
def chromium_page(width: int = 1400, height: int = 1000) -> Iterator:
    """One page of Debian's headless Chromium, closed afterwards (the browser tests' shared fixture body)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()
