"""`mkdocs serve` of a project, started on a free port and waited for, and its pages fetched:
the preview test and bench/build.py both run the preview as staff do, one way."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.postgres import _free_port

MKDOCS = Path(sys.executable).parent / "mkdocs"


@contextmanager
def mkdocs_serve(project: Path, log: Path, timeout: float = 180, env: dict[str, str] | None = None
                 ) -> Iterator[str]:
    """The address `mkdocs serve` serves `project` at, once it says so (its output goes to `log`);
    stopped afterwards. Fails with the end of its output if it stops or is not serving in time."""
    with log.open("w") as output:
        server = subprocess.Popen([str(MKDOCS), "serve", "-a", f"127.0.0.1:{_free_port()}"], cwd=project,
                                  stdout=output, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    try:
        deadline = time.monotonic() + timeout
        while not (serving := re.search(r"Serving on (http://\S+?)/?$", log.read_text(), re.MULTILINE)):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mkdocs serve did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield serving[1].rstrip("/")
    finally:
        server.terminate()
        server.wait(timeout=30)


def page(address: str) -> str:
    """The page at `address`, or "" while the preview is between builds."""
    try:
        with urllib.request.urlopen(address, timeout=30) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""
