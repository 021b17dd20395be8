"""Build the site's search index with Pagefind.

Material's built-in search downloads the whole index on every page (3.3 MB for 200 policies).
Pagefind splits the index into fragments that the search page fetches only when someone
searches, so ordinary pages carry no search cost at all. Pagefind indexes each `lang` apart.

`policy-portal build` keeps the last index in `.cache/`, with the hashes of each page's scripts
for the content security policy. Whoever can write `.cache/` could change an index (a search
result pointing elsewhere) or allow a script: they could as well write the built site itself,
or the PDF cache, whose files are published as they are, so this opens no new way in.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from policy_portal.fingerprint import code_version
from policy_portal.progress import Progress, Step
from policy_portal.site import csp

OUTPUT = "pagefind"
"""The folder, inside the built site, that holds the index and the search interface."""
SEARCH_CACHE = "search"
"""In the build's cache folder: the last index made, in a folder named by `_pages_key`."""
SCRIPTS_CACHE = "page-scripts.json"
"""In the build's cache folder: each page's inline scripts' hashes, by the page's SHA-256."""


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


def finish_site(site_dir: Path, progress: Progress, cache: Path | None = None) -> None:
    """What a built site gets last, once every language's pages are in it: the search index
    (told to `progress`; SearchIndexError if Pagefind fails) and the content security policy,
    made from every page. With `cache` (`policy-portal build`'s), both are kept there, and an
    index is reused when no page's HTML has changed since it was made, as are the hashes of an
    unchanged page's scripts: Pagefind and parsing every page took seconds of every build."""
    progress(Step("search index", None, 0, 1))
    kept = cache / SEARCH_CACHE / _pages_key(site_dir) if cache else None
    if kept is not None and kept.is_dir():
        shutil.copytree(kept, site_dir / OUTPUT)
        progress(Step("search index", None, 1, 1, reused=1))
    else:
        index_site(site_dir)
        if kept is not None:
            shutil.rmtree(kept.parent, ignore_errors=True)  # only the last index is kept
            partial = kept.with_name(f"{kept.name}.{os.getpid()}")
            shutil.copytree(site_dir / OUTPUT, partial)
            partial.rename(kept)  # an index half copied is never taken for a whole one
        progress(Step("search index", None, 1, 1))
    if cache is None:
        csp.write_site_policy(site_dir)
        return
    scripts = cache / SCRIPTS_CACHE
    cache.mkdir(parents=True, exist_ok=True)
    try:
        known = json.loads(scripts.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    csp.write_site_policy(site_dir, known if isinstance(known, dict) else {})
    partial = scripts.with_name(f"{scripts.name}.{os.getpid()}")
    partial.write_text(json.dumps(known), encoding="utf-8")
    partial.replace(scripts)


def _pages_key(site_dir: Path) -> str:
    """Every page's place and HTML, and the code that indexes them (Pagefind's version is among
    the installed packages), as one hash."""
    digest = hashlib.sha256(code_version().encode())
    for path in sorted(site_dir.rglob("*.html")):
        digest.update(path.relative_to(site_dir).as_posix().encode("utf-8", "surrogateescape") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
