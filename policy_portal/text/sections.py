"""A policy's text as sections, the unit people comment on.

A section is everything under one `##` heading. Its key is the heading's anchor, made by the
same Markdown toc extension as the site's (`## 2. What needs our permission` ->
`2-what-needs-our-permission`), so a comment can always be traced to the part of the draft it is
about. Headings inside fenced code blocks are not headings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from html import unescape

from markdown.extensions.toc import slugify

from policy_portal.fingerprint import ByText
from policy_portal.text.extensions import TEXT_EXTENSIONS, converter

FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
HEADING = re.compile(r"(#{1,6})(?!#)\s*(\S.*?)[\s#]*$")
"""An ATX heading as Python-Markdown reads it: the space after the hashes is optional."""

APPENDIX = re.compile(r"Appendix\s+([A-Z]|[0-9]+)\b", re.IGNORECASE)
"""An appendix's heading, `## Appendix A: Social media checklist`: how policy files mark the
appendices Word documents carry, listed in "About this policy"."""
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
OPENING = "opening-text"
WHOLE_DRAFT = "general"
"""The key of a comment on the whole draft; no section is ever given it."""
WHOLE_DRAFT_TITLE = "The whole draft"
"""What a comment on the whole draft is said to be on, where others name their section: in the
comment form's choices, the staff's filters and comment page, and the report."""


@dataclass(frozen=True)
class Heading:
    index: int
    """Line number within the text, from 0."""
    level: int
    text: str


def headings(text: str) -> Iterator[Heading]:
    """Every heading outside fenced code blocks. As in Python-Markdown, a fence is closed only by
    the same run of backticks or tildes: ```` is not closed by ```."""
    fence = ""
    for index, line in enumerate(text.splitlines()):
        marker = FENCE.match(line)
        if marker and (not fence or marker.group(1) == fence):
            fence = "" if fence else marker.group(1)
        elif not fence and (match := HEADING.match(line)):
            yield Heading(index, len(match.group(1)), match.group(2))


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    markdown: str
    """The section's text without its heading."""

    def html(self) -> str:
        """The text as HTML, clause numbers kept. Policies come from the repository, not the public."""
        return section_html(self.markdown)


@lru_cache(maxsize=4096)
def section_html(text: str) -> str:
    """Markdown from a policy as HTML, read as the site reads it."""
    return converter(TEXT_EXTENSIONS).convert(text)


@lru_cache(maxsize=1024)
def sections(body: str) -> tuple[Section, ...]:
    """Split a policy body at its `##` headings; text before the first one is its own section.

    Cached by the body's text: the consultation app asks for a draft's sections (and their HTML)
    on every page view and comment, and the text changes only when staff edit the file."""
    lines = body.splitlines()
    starts = [heading for heading in headings(body) if heading.level == 2]
    found: list[Section] = []
    first = starts[0].index if starts else len(lines)
    if COMMENT.sub("", "\n".join(lines[:first])).strip():  # a comment alone is nothing to comment on
        found.append(Section(OPENING, "Opening text", "\n".join(lines[:first]).strip()))
    ends = [heading.index for heading in starts[1:]] + [len(lines)] * bool(starts)
    anchors = ANCHORS(body)
    if len(anchors) != len(starts):  # a heading style we do not split on (underlined); rare
        anchors = [(slugify(heading.text, "-"), heading.text) for heading in starts]
    for heading, end, (key, title) in zip(starts, ends, anchors, strict=True):
        if key in (OPENING, WHOLE_DRAFT):
            key = f"{key}-section"
        found.append(Section(key, title, "\n".join(lines[heading.index + 1:end]).strip()))
    return tuple(found)


def appendix_titles(body: str) -> list[str]:
    """The titles of the `## Appendix ...` sections, in order."""
    return [heading.text for heading in headings(body) if heading.level == 2 and APPENDIX.match(heading.text)]


def _find_anchors(body: str) -> tuple[tuple[str, str], ...]:
    """(anchor, plain title) of each `##` heading, made by the same toc extension as the site's."""
    md = converter()
    md.convert(body)
    return tuple((token["id"], unescape(token["name"])) for token in md.toc_tokens if token["level"] == 2)


ANCHORS = ByText(_find_anchors, list, lambda saved: tuple((anchor, title) for anchor, title in saved))
"""Each body's anchors: converting it takes most of the time reading a policy takes once its
text has been checked, so they are kept between builds too (policy_portal.reading.checked)."""
