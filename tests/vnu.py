"""The Nu HTML Checker (vnu.jar, installed into .tools/ by `scripts/install test`), run once over
many files: one Java start for all of them takes seconds, one per page takes minutes."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VNU = ROOT / ".tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def errors(paths: Iterable[Path]) -> list[str]:
    """Every error the checker finds in the HTML files, as `file:line: message`."""
    paths = [str(path) for path in paths]
    if not VNU.is_file():
        raise RuntimeError(f"{VNU} is missing: run `bash scripts/install test`")
    done = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", *paths],
                          capture_output=True, text=True, check=False)
    messages = json.loads(done.stderr)["messages"]  # vnu writes its JSON report to stderr
    return [f"{message['url'].removeprefix('file:')}:{message.get('lastLine', 0)}: {message['message']}"
            for message in messages]
