"""Checks on rendered pages that no automatic tool can fix later: every image needs alt text.

Policies are checked on their text, with the line (reading/allowlist.py); this catches the site's
own pages too. Both use the allowlist's one rule and message."""

from __future__ import annotations

from html.parser import HTMLParser

from policy_portal.reading.allowlist import lacks_alt_text


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.missing: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img" and lacks_alt_text(dict(attrs)):
            self.missing.append(dict(attrs).get("src") or "(no src)")


def images_without_alt(html: str) -> list[str]:
    """The sources of images with no description; Markdown's ![](picture.png) has an empty one."""
    parser = _Images()
    parser.feed(html)
    return parser.missing
