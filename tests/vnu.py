"""The Nu HTML Checker (vnu.jar, installed into .tools/ by `scripts/install test`), run once over
many files: one Java start for all of them takes seconds, one per page takes minutes."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VNU = ROOT / ".tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA_OPTIONS = ["-XX:TieredStopAtLevel=1", "-Xss4m"]
"""Java's quick compiler only: a run over the example site's 101 pages took half the CPU time (2.4 s,
not 5.1), with the same report. Its code needs more stack than vnu's schema checks get by
default: without -Xss they stop with a StackOverflowError instead of a report."""


def errors(paths: Iterable[Path]) -> list[str]:
    """Every error the checker finds in the HTML files, as `file:line: message`."""
    paths = [str(path) for path in paths]
    if not VNU.is_file():
        raise RuntimeError(f"{VNU} is missing: run `bash scripts/install test`")
    done = subprocess.run(["java", *JAVA_OPTIONS, "-jar", str(VNU), "--errors-only", "--format", "json",
                           *paths], capture_output=True, text=True, check=False)
    messages = json.loads(done.stderr)["messages"]  # vnu writes its JSON report to stderr
    return [f"{message['url'].removeprefix('file:')}:{message.get('lastLine', 0)}: {message['message']}"
            for message in messages]
