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
from pathlib import Path

from policy_portal.fingerprint import ByText, code_version
from policy_portal.reading.allowlist import CHECKED
from policy_portal.text.sections import ANCHORS
from policy_portal.whole_files import write_whole

FOLDER = "checked"
"""In the build's cache folder (`Project.cache`)."""
KEPT: dict[str, ByText] = {"refusals": CHECKED, "anchors": ANCHORS}
"""What is kept, by its name in the file."""


def load_checked(cache: Path) -> None:
    """Take what the last build kept in `cache` found, if the same code found it."""
    try:
        saved = json.loads(_file(cache).read_text(encoding="utf-8"))
        for name, kept in KEPT.items():
            kept.restore(saved[name])
    except (OSError, ValueError, TypeError, AttributeError, KeyError):  # none yet, or not ours: check again
        return


def save_checked(cache: Path) -> None:
    """Keep what this process found in `cache`, for the next build; other code's files go."""
    path = _file(cache)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_whole(path, json.dumps({name: kept.saved() for name, kept in KEPT.items()}))
    for old in path.parent.glob("*.json"):
        if old != path:
            old.unlink(missing_ok=True)


def _file(cache: Path) -> Path:
    return cache / FOLDER / f"{code_version()}.json"
