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
import shutil
import subprocess
import sys
from pathlib import Path

from policy_portal.fingerprint import code_version
from policy_portal.progress import Progress, Step
from policy_portal.site import csp
from policy_portal.whole_files import replacing, write_whole

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
    unchanged page's scripts: Pagefind and parsing every page took seconds of every build. Each
    page is read and hashed once, for both."""
    pages = [(path.relative_to(site_dir).as_posix(), hashlib.sha256(html).digest(), html)
             for path in sorted(site_dir.rglob("*.html")) for html in [path.read_bytes()]]
    scripts = csp.site_script_hashes(((digest.hex(), html) for _, digest, html in pages), _known_scripts(cache))
    progress(Step("search index", None, 0, 1))
    kept = cache / SEARCH_CACHE / _pages_key(pages) if cache else None
    if kept is not None and kept.is_dir():
        shutil.copytree(kept, site_dir / OUTPUT)
        progress(Step("search index", None, 1, 1, reused=1))
    else:
        index_site(site_dir)
        if kept is not None:
            shutil.rmtree(kept.parent, ignore_errors=True)  # only the last index is kept
            with replacing(kept) as partial:  # an index half copied is never taken for a whole one
                shutil.copytree(site_dir / OUTPUT, partial)
        progress(Step("search index", None, 1, 1))
    csp.write_site_policy(site_dir, scripts)
    if cache is not None:
        write_whole(cache / SCRIPTS_CACHE, json.dumps(scripts))


def _known_scripts(cache: Path | None) -> dict[str, list[str]]:
    """The hashes of each page's scripts that the last build kept in `cache`, if any."""
    try:
        known = json.loads((cache / SCRIPTS_CACHE).read_text(encoding="utf-8")) if cache else {}
    except (OSError, ValueError):
        return {}
    return known if isinstance(known, dict) else {}


def _pages_key(pages: list[tuple[str, bytes, bytes]]) -> str:
    """Every page's place and HTML (by its SHA-256), and the code that indexes them (Pagefind's
    version is among the installed packages), as one hash."""
    digest = hashlib.sha256(code_version().encode())
    for name, page_digest, _ in pages:
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(page_digest)
    return digest.hexdigest()
