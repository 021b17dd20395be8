"""The built site's content security policy, with a hash for each inline script.

Material puts small scripts inside every page (one sets up its local storage helpers, relative
to the page's folder; one opens a tab named in the address). A policy that allows scripts only
from the site itself would block them, and `'unsafe-inline'` would let any injected script run
too. So after the build we hash every inline script on every page, in every language, and allow
exactly those. The policy is one for the whole site: the scripts differ only by the page's depth,
so the list stays short, and a server can send one header without knowing which page it serves.

The policy is written into the site folder, so it is swapped in with the pages it was made from
(`portal.site` replaces the whole folder at once) and cannot fall out of step with them. It is
sent as a header (`portal.server`), not put in each page as a <meta>: a <meta> policy cannot stop
other sites framing the page (frame-ancestors), every page would have to be rewritten once all
of them exist and their hashes are known, and it would block the reload script that
`mkdocs serve` adds to each page. A web server that serves the folder must send the header.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping
from html.parser import HTMLParser
from pathlib import Path

POLICY_FILE = "content-security-policy.txt"
"""In the built site: the policy as one line, the value of a Content-Security-Policy header."""

EXECUTABLE_TYPES = frozenset({
    "", "module", "importmap", "speculationrules",
    "text/javascript", "application/javascript", "application/ecmascript", "application/x-ecmascript",
    "application/x-javascript", "text/ecmascript", "text/javascript1.0", "text/javascript1.1",
    "text/javascript1.2", "text/javascript1.3", "text/javascript1.4", "text/javascript1.5",
    "text/jscript", "text/livescript", "text/x-ecmascript", "text/x-javascript",
})
"""Script types a browser runs, or checks against script-src (import maps, speculation rules):
the HTML standard's JavaScript MIME types. Any other type, such as Material's application/json
configuration, is a data block that is never run, so it needs no hash."""

WASM = "'wasm-unsafe-eval'"
"""Pagefind's search runs as WebAssembly, which a script-src policy forbids without this. It
allows compiling WebAssembly only, not JavaScript's eval."""


class _InlineScripts(HTMLParser):
    """Collects the text of each inline script that a browser would run. The parser hands over a
    script's text raw, with character references undecoded, as a browser hashes it."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self._current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._current = [] if _runs_inline(dict(attrs)) else None

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._current is not None:
            self.scripts.append("".join(self._current))
            self._current = None


def _runs_inline(attrs: dict[str, str | None]) -> bool:
    if "src" in attrs:
        return False  # the browser loads the file and ignores any text inside
    kind = attrs.get("type")
    if kind is None and attrs.get("language"):
        kind = f"text/{attrs['language']}"  # the HTML standard's rule for the old attribute
    # Parameters (";charset=...") are dropped: hashing a script the browser then declines to run
    # costs nothing, leaving out one it runs would break the page.
    return (kind or "").split(";")[0].strip().lower() in EXECUTABLE_TYPES


def inline_scripts(html: str) -> list[str]:
    """The text of each inline script in a page that the browser would run."""
    parser = _InlineScripts()
    parser.feed(html)
    parser.close()
    return parser.scripts


def script_hash(script: str) -> str:
    """The CSP hash source for a script's text. Browsers turn CR LF and lone CR into LF before
    they parse a page, so the hash is of the text with its line endings turned the same way."""
    text = script.replace("\r\n", "\n").replace("\r", "\n")
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def site_script_hashes(pages: Iterable[tuple[str, bytes]],
                       known: Mapping[str, list[str]] | None = None) -> dict[str, list[str]]:
    """The hashes of the inline scripts on each page of a built site, sorted, by the page's
    SHA-256. `pages`: each page's SHA-256 (hex) and HTML, read once by whoever finishes the site
    (the search index's key needs them too). `known`: what this returned for an earlier build,
    for pages that have not changed (parsing every page took most of the time this takes)."""
    known = known or {}
    found: dict[str, list[str]] = {}
    for digest, page in pages:
        if digest not in found:
            found[digest] = known[digest] if digest in known else sorted(
                {script_hash(script) for script in inline_scripts(page.decode("utf-8"))})
    return found


def policy(script_hashes: Iterable[str]) -> str:
    """The site's policy, allowing the inline scripts with these hashes and nothing else inline.

    Styles come from the site's own files only: neither Material nor Pagefind puts style
    attributes or style elements in a page (they set styles from script, which a policy does
    not restrict). Material's icons and Pagefind's search icon are data: images in their
    stylesheets, hence img-src data:.
    """
    return "; ".join([
        "default-src 'self'",
        " ".join(["script-src 'self'", WASM, *script_hashes]),
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ])


def site_policy(page_hashes: Mapping[str, list[str]]) -> str:
    """The policy for a site's pages, allowing each page's scripts (`page_hashes`, from
    `site_script_hashes`), once each and sorted, so the policy is the same for the same pages."""
    return policy(sorted({each for found in page_hashes.values() for each in found}))


def write_site_policy(site_dir: Path, page_hashes: Mapping[str, list[str]]) -> None:
    """Write the policy for a built site's pages into it, as `POLICY_FILE`."""
    (site_dir / POLICY_FILE).write_text(site_policy(page_hashes) + "\n", encoding="utf-8")
