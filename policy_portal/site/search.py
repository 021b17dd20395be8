"""Build the site's search index with Pagefind.

Material's built-in search downloads the whole index on every page (3.3 MB for 200 policies).
Pagefind splits the index into fragments that the search page fetches only when someone
searches, so ordinary pages carry no search cost at all. Pagefind indexes each `lang` apart.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from policy_portal.progress import Progress, Step
from policy_portal.site import csp

OUTPUT = "pagefind"
"""The folder, inside the built site, that holds the index and the search interface."""


class SearchIndexError(RuntimeError):
    """Pagefind failed; the message carries what it printed."""


def index_site(site_dir: Path) -> None:
    """Index every page of a built site in place, writing `site_dir/pagefind/`."""
    result = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-subdir", OUTPUT,
         "--quiet"],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise SearchIndexError(f"Pagefind could not index {site_dir}:\n{result.stdout}{result.stderr}")


def finish_site(site_dir: Path, progress: Progress) -> None:
    """What a built site gets last, once every language's pages are in it: the search index
    (told to `progress`; SearchIndexError if Pagefind fails) and the content security policy,
    made from every page."""
    progress(Step("search index", None, 0, 1))
    index_site(site_dir)
    progress(Step("search index", None, 1, 1))
    csp.write_site_policy(site_dir)
