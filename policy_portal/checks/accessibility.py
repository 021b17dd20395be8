"""Checks on rendered pages that no automatic tool can fix later: every image needs alt text."""

from __future__ import annotations

from html.parser import HTMLParser


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.missing: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "img":
            return
        values = dict(attrs)
        decorative = values.get("role") in ("presentation", "none")
        if not decorative and not (values.get("alt") or "").strip():
            self.missing.append(values.get("src") or "(no src)")


def images_without_alt(html: str) -> list[str]:
    """The sources of images with no description. An image that is only decoration must say so
    with role="presentation"; Markdown's ![](picture.png) has an empty description and is caught."""
    parser = _Images()
    parser.feed(html)
    return parser.missing
