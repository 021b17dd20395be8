"""Files and folders that appear whole or not at all, and what killed processes left half made.

A build keeps what it made for the next (PDFs, checks, the search index, the record of the last
build) and swaps in the site only when it is complete. Each is made under a temporary name beside
its target, carrying the maker's process id, and renamed onto the target when whole: a reader
never takes a half-written file for a finished one. A process killed halfway leaves its
temporary behind; `remove_abandoned` removes those whose process has ended.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_TEMPORARY = re.compile(r"(?P<target>.+)\.(?P<pid>\d+)\.(?:partial|old)(?:-.*)?", re.DOTALL)
"""`complaints.pdf.4242.partial`, `site.4242.partial-x1y2` (a folder made by `tempfile`, and the
folders named after it), `site.4242.old` (a site being replaced)."""


def temporary(target: Path, kind: str = "partial") -> Path:
    """The name beside `target` that this process makes it under ("partial"), or moves the old
    one to ("old")."""
    return target.with_name(f"{target.name}.{os.getpid()}.{kind}")


@contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """A temporary path beside `target` to write a file or folder at, moved onto `target` when
    the block ends; removed if it fails."""
    partial = temporary(target)
    try:
        yield partial
        partial.replace(target)
    except BaseException:
        _remove(partial)
        raise


def write_whole(target: Path, content: str | bytes) -> None:
    """Write a file (text as UTF-8) whole or not at all."""
    with replacing(target) as partial:
        partial.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)


def remove_abandoned(folder: Path, target: str | None = None) -> None:
    """Remove the temporaries in `folder` (only `target`'s, if named) whose process is no longer
    running: a killed build's. Those of a process still running are left alone."""
    try:
        entries = list(folder.iterdir())
    except OSError:  # no folder yet: nothing abandoned
        return
    for entry in entries:
        found = _TEMPORARY.fullmatch(entry.name)
        if found and target in (None, found["target"]) and not _running(int(found["pid"])):
            _remove(entry)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process, running
        pass
    return True
