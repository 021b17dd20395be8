"""pa11y (HTML_CodeSniffer's WCAG 2 AA rules, installed into .tools/ by `scripts/install test`),
run once over many addresses with one Chromium: a second opinion beside axe-core, whose rules
are written independently and catch different things."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / ".tools" / "node_modules"
THEME_TOGGLES = ".md-toggle"
"""Material's menu checkboxes, styled display:none so that no assistive technology meets them
(their labels are the controls). pa11y still reports them as unlabelled fields; the test that
hides them from pa11y checks in the browser that each is display:none."""


def errors(urls: list[str]) -> dict[str, list[str]]:
    """Each address's errors, as `code: message (selector)`; warnings and notices are left out."""
    if not (MODULES / "pa11y").is_dir():
        raise RuntimeError(f"{MODULES / 'pa11y'} is missing: run `bash scripts/install test`")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as config:
        json.dump({"urls": urls, "hideElements": THEME_TOGGLES}, config)
    try:
        done = subprocess.run(["node", str(ROOT / "tests" / "pa11y.cjs"), config.name], capture_output=True,
                              text=True, check=True, env={**os.environ, "NODE_PATH": str(MODULES)})
    finally:
        os.unlink(config.name)
    return {url: [f"{issue['code']}: {issue['message']} ({issue['selector']})" for issue in issues
                  if issue["type"] == "error"]
            for url, issues in json.loads(done.stdout).items()}
