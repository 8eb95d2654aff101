"""Reading an LMS's zip without trusting it.

nbgrader's ``ExtractorPlugin`` is not used: it unpacks the whole archive (through setuptools) before anything is
checked, with no limit on a member's size (a zip bomb fills the disk), unpacks archives found inside it, applies
each member's Unix mode bits as they come, and stops at the first ``..`` path instead of reporting it. Here each
member is checked from its header, only notebooks are ever read, and a copy stops at its size limit whatever the
header claimed.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import zipfile
from pathlib import Path

from autograder.core.errors import UsageError

MEMBER_LIMIT = 50 * 2**20
TOTAL_LIMIT = 2 * 2**30
_CHUNK = 2**20


class TooLarge(Exception):
    pass


def open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise UsageError(f"archive not found: {path}") from None
    except (OSError, zipfile.BadZipFile) as exc:
        raise UsageError(f"not a readable zip archive: {path} ({exc})") from None


def mib(size: int) -> str:
    return f"{size / 2**20:.0f} MiB" if size >= 2**20 else f"{size} bytes"


def refusal(info: zipfile.ZipInfo, member_limit: int) -> str | None:
    """Why a member must not be read at all, from its header alone; None when it may be."""
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or re.match(r"[A-Za-z]:", name) or ".." in name.split("/"):
        return "unsafe path (absolute or with ..)"
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind == stat.S_IFLNK:
        return "symbolic link"
    if kind and kind != stat.S_IFREG:
        return "not a plain file"
    if info.flag_bits & 0x1:
        return "encrypted"
    if info.file_size > member_limit:
        return f"too large ({mib(info.file_size)}; the limit is {mib(member_limit)})"
    return None


def copy_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, limit: int) -> int:
    """Write the member to ``target`` (replacing a file, or the link itself if it is one) and return its size;
    ``TooLarge`` after ``limit`` bytes. A partial copy never takes the target's place."""
    fd, part = tempfile.mkstemp(dir=target.parent, prefix=".collect-", suffix=".part")
    try:
        copied = 0
        with os.fdopen(fd, "wb") as out, archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                copied += len(chunk)
                if copied > limit:
                    raise TooLarge
                out.write(chunk)
        os.chmod(part, 0o644)  # mkstemp's 0600 would differ from a notebook nbgrader collect writes
        os.replace(part, target)
        return copied
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise
