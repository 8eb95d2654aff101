"""Start `autograder lab`'s JupyterLab for a test on a free port and stop it afterwards."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from autograder.core.course_dir import CourseDir
from autograder.jupyter import lab


@dataclass
class Served:
    base: str  # http://127.0.0.1:PORT
    token: str
    workdir: Path
    seconds: float  # until the server answered

    def url(self, path: str) -> str:
        return f"{self.base}{path}{'&' if '?' in path else '?'}token={self.token}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(course: CourseDir, workdir: Path, extra: tuple[str, ...] = ()) -> Iterator[Served]:
    port = free_port()
    proc, url = lab.start(course, workdir, "127.0.0.1", port, dict(os.environ), extra)
    try:
        seconds = lab.wait_until_serving(url, proc)
        yield Served(f"http://127.0.0.1:{port}", url.split("token=")[1], workdir, seconds)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
