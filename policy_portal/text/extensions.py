"""The site's Markdown extensions, declared once for every renderer in policy_portal.

A policy must read the same on its page, in large print, in its PDFs and Braille file, on the
consultation page, and to the allowlist and plain-English checks; a renderer with a different
list once made code that the site shows as text into HTML on the consultation page (it lacked
md_in_html). MkDocs reads its own list from mkdocs.yml's `markdown_extensions`, which staff can
read; tests/test_markdown_extensions.py fails when the two differ.
"""

from __future__ import annotations

from typing import Any

import markdown

SITE_EXTENSIONS: dict[str, dict[str, Any]] = {
    "toc": {},
    "fenced_code": {},
    "tables": {},
    "attr_list": {},
    "md_in_html": {},
    "policy_portal.text.clauses": {},
}
"""Each extension's name and settings, in mkdocs.yml's order: the order decides which of two
processors of equal priority runs first (toc before clause numbers, so a clause's id never
makes toc rename a heading's anchor on one format and not on the page)."""
TEXT_EXTENSIONS = {name: settings for name, settings in SITE_EXTENSIONS.items() if name != "toc"}
"""For a policy's text on its own (a section on the consultation page): the site's extensions
without the heading anchors, which only a whole page has."""


def converter(extensions: dict[str, dict[str, Any]] = SITE_EXTENSIONS) -> markdown.Markdown:
    """A converter with the site's extensions (or the text's). Reuse it with `reset()`: making
    one takes about as long as converting a policy."""
    return markdown.Markdown(extensions=list(extensions), extension_configs=extensions)
