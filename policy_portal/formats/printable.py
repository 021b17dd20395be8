"""A policy as HTML: the large-print web page, and the body both PDFs are typeset from.

The text is the site page's own Markdown (`policy_page.page_markdown`), converted by the site's own
extensions, so every format says the same thing. The web page is styled by
`docs/assets/large-print.css`; the PDFs are made from the same body by `typst_source.py`.
"""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache
from html import escape

from policy_portal.config.languages import Language
from policy_portal.config.messages import Words
from policy_portal.config.settings import Association
from policy_portal.text.extensions import converter
from policy_portal.text.html_tree import element_spans

POLICY_LINK = re.compile(r'href="([a-z0-9-]+)\.md(#[^"]*)?"')
TABLE_REGION = '<div class="table-scroll" role="region" tabindex="0" aria-label="{label}">'
"""In large print a wide table cannot fit a phone; it scrolls by itself (WCAG 1.4.10 allows
that for tables) and takes keyboard focus so it can be scrolled without a mouse."""
IMAGE_SOURCE = re.compile(r'(<img\b[^>]*?\ssrc=")(?![a-z][a-z0-9+.-]*:|/|#)([^"]*)"', re.IGNORECASE)
"""A relative image address, which a policy writes from its page's place (policies/<slug>/)."""
HEADER_CELL = re.compile(r"<th(?=[ >])(?![^>]*\bscope=)")
"""Markdown tables put header cells only in the first row, so each heads its column."""


_CONVERTER = converter()


@lru_cache(maxsize=16)
def _html(text: str) -> str:
    """The Markdown as HTML. Each policy is made into three documents from the same text (the
    large-print page and two PDFs), so it is converted once, by one converter: in a build where
    no PDF has to be made, converting them was the largest part of the portal's own time."""
    return _CONVERTER.reset().convert(text)


def policy_html(text: str, policies_url: str) -> str:
    """A page's Markdown as HTML, with each link to another policy leading to its page under
    `policies_url`."""
    return POLICY_LINK.sub(lambda match: f'href="{policies_url}{match.group(1)}/{match.group(2) or ""}"',
                           _html(text))


def _scrolling_tables(body: str, words: Words) -> str:
    """Each table in a region of its own, named with its number, that scrolls sideways."""
    pieces, done = [], 0
    for number, (start, end) in enumerate(element_spans(body, "table"), start=1):
        label = escape(words("Table {number}: on a narrow screen, scroll sideways to see all of it",
                             number=str(number)))
        pieces += [body[done:start], TABLE_REGION.format(label=label), body[start:end], "</div>"]
        done = end
    return "".join([*pieces, body[done:]])


def document_title(title: str, association: Association, words: Words, *, large_print: bool) -> str:
    """The title a browser tab or PDF reader shows: the policy's, the format, and who publishes it."""
    size = f" ({words('large print')})" if large_print else ""
    return f"{title}{size} - {association.name}"


def printable_document(text: str, title: str, summary: str, association: Association, language: Language,
                       *, large_print: bool, policies_url: str, images_url: str,
                       stylesheet: str | None = None, back_link: str | None = None) -> str:
    """A page's Markdown as a standalone document in `language`, with its `lang` and `dir`."""
    words = Words(language)
    body = HEADER_CELL.sub('<th scope="col"', policy_html(text, policies_url))  # which cells a header heads
    body = IMAGE_SOURCE.sub(lambda match: f'{match.group(1)}{images_url}{match.group(2)}"', body)
    body = _scrolling_tables(body, words)
    head = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(document_title(title, association, words, large_print=large_print))}</title>",
        f'<meta name="author" content="{escape(association.name)}">',
        f'<meta name="description" content="{escape(summary)}">',
    ]
    if stylesheet:  # a web page, not a PDF's source: the site's icon (the theme's, in assets/ too)
        icon = posixpath.join(posixpath.dirname(stylesheet), "images/favicon.png")
        head += [f'<link rel="stylesheet" href="{escape(stylesheet)}">',
                 f'<link rel="icon" href="{escape(icon)}">']
    header = ""
    if back_link:
        header = (f'<a class="skip-link" href="#policy">{escape(words("Skip to the policy"))}</a>\n'
                  f'<header><p>{escape(association.name)} · <a href="{escape(back_link)}">'
                  f'{escape(words("Back to the standard version of this policy"))}</a></p></header>\n')
    return (f'<!doctype html>\n<html lang="{language.code}" dir="{language.direction}">\n<head>\n'
            f'{chr(10).join(head)}\n</head>\n'
            f'<body class="{"large-print" if large_print else "standard-print"}">\n{header}'
            f'<main id="policy">\n{body}\n</main>\n</body>\n</html>\n')
