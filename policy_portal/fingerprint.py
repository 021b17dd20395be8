"""Fingerprints of files, texts and the code: what decides whether something made before is
still right.

A build reuses what an earlier one made (checks of policies' text, the record that the site is up
to date) only if what made it is the same: the same input files, and the same code, which is the
portal's own source and every installed package's version (Python-Markdown's, say, which turns
the text into the HTML that is checked).
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, Generic, TypeVar

SKIPPED = ("__pycache__", ".git")
MEMORY = 65536
"""Results a `ByText` keeps at most (a library of hundreds of policies makes thousands)."""
T = TypeVar("T")


def files(top: Path) -> Iterator[Path]:
    """Every file in `top` (or `top` itself), in a stable order, leaving out caches. Folders
    linked to are walked into, as MkDocs walks the docs folder: a page in a linked folder is
    published, so it is an input (each real folder once, so a link to a folder above ends)."""
    if top.is_file():
        yield top
        return
    walked: set[str] = set()
    for folder, subfolders, names in os.walk(top, followlinks=True):
        walked.add(os.path.realpath(folder))
        subfolders[:] = sorted(name for name in subfolders if name not in SKIPPED
                               and os.path.realpath(os.path.join(folder, name)) not in walked)
        for name in sorted(names):
            yield Path(folder, name)


def add_files(digest: hashlib._Hash, folders: Iterable[Path], root: Path) -> None:
    """Each file's name (relative to `root` if inside it) and content, into `digest`."""
    for folder in folders:
        for path in files(folder):
            name = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
            digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
            try:
                digest.update(hashlib.sha256(path.read_bytes()).digest())
            except OSError as error:  # a link to nothing, say: what reads it next says so in words
                digest.update(f"unreadable: {error.strerror}".encode())


def installed() -> list[str]:
    """Every installed Python package, by the name and version its metadata folder carries
    (mkdocs-1.6.1.dist-info): listing the folders takes milliseconds, where reading each
    package's metadata took a quarter of a second."""
    return sorted(f"{folder}/{name}" for folder in sys.path if os.path.isdir(folder)
                  for name in os.listdir(folder) if name.endswith((".dist-info", ".egg-info")))


@cache
def code_version() -> str:
    """The portal's own code (this package) and every installed package, as one hash."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    add_files(digest, [package], package)
    for part in (sys.version, *installed()):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return digest.hexdigest()


class ByText(Generic[T]):
    """A costly function of a text (converting it to HTML to check it, say), remembered by the
    text's SHA-256: in this process, and between builds through `saved` and `restore` (JSON,
    by `dump` and `load`), kept by the caller with the `code_version` that made them."""

    def __init__(self, work: Callable[[str], T], dump: Callable[[T], Any], load: Callable[[Any], T]) -> None:
        self.work, self.dump, self.load = work, dump, load
        self.found: dict[str, T] = {}

    def __call__(self, text: str) -> T:
        key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        if key not in self.found:
            if len(self.found) >= MEMORY:
                self.found.clear()
            self.found[key] = self.work(text)
        return self.found[key]

    def saved(self) -> dict[str, Any]:
        """Every result this process made or was given, as JSON values."""
        return {key: self.dump(result) for key, result in self.found.items()}

    def restore(self, saved: dict[str, Any]) -> None:
        """Take what `saved` gave (in an earlier build, by the same code)."""
        for key, result in saved.items():
            self.found.setdefault(key, self.load(result))
