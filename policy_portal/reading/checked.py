"""What checking policies' text against the allowlist found, and their sections' anchors, kept
between builds.

Checking converts each policy, section and summary to HTML and parses it, and finding a
policy's section anchors converts it again: most of the time reading a library takes, on every
build, though most texts have not changed since the last. So
`policy-portal build` keeps what it found in `.cache/checked/`, by each text's SHA-256, in a
file named after the code that checked it (`policy_portal.fingerprint.code_version`: the
portal's source and every installed package), so that new code checks everything again.

Whoever can write `.cache/` could record that a text has nothing to refuse, and so slip HTML past
the allowlist. They could as well write the built site itself, or the PDF cache, whose files are
published as they are, or the hooks the build runs: this opens no new way in. The file is JSON,
never code: the worst a changed one can do is wrong results, never run anything.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from policy_portal.fingerprint import ByText, code_version
from policy_portal.reading.allowlist import CHECKED
from policy_portal.text.sections import ANCHORS

FOLDER = ".cache/checked"
KEPT: dict[str, ByText] = {"refusals": CHECKED, "anchors": ANCHORS}
"""What is kept, by its name in the file."""


def load_checked(root: Path) -> None:
    """Take what the last build of the project in `root` found, if the same code found it."""
    try:
        saved = json.loads(_file(root).read_text(encoding="utf-8"))
        for name, kept in KEPT.items():
            kept.restore(saved[name])
    except (OSError, ValueError, TypeError, AttributeError, KeyError):  # none yet, or not ours: check again
        return


def save_checked(root: Path) -> None:
    """Keep what this process found, for the next build; other code's files go."""
    path = _file(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}")
    partial.write_text(json.dumps({name: kept.saved() for name, kept in KEPT.items()}), encoding="utf-8")
    partial.replace(path)  # a file half written is never read
    for old in path.parent.glob("*.json"):
        if old != path:
            old.unlink(missing_ok=True)


def _file(root: Path) -> Path:
    return root / FOLDER / f"{code_version()}.json"
