"""A policy's text as sections, the unit people comment on.

A section is everything under one `##` heading. Its key is the heading's anchor on the site
(`## 2. What needs our permission` -> `2-what-needs-our-permission`), so a comment can always be
traced to the part of the draft it is about. Headings inside fenced code blocks are not headings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import markdown
from markdown.extensions.toc import slugify

from policy_portal.clauses import ClauseExtension

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"(#{1,6})(?!#)\s*(\S.*?)[\s#]*$")
"""An ATX heading as Python-Markdown reads it: the space after the hashes is optional."""

OPENING = "opening-text"
WHOLE_DRAFT = "general"
"""The key of a comment on the whole draft; no section is ever given it."""


@dataclass(frozen=True)
class Heading:
    index: int
    """Line number within the text, from 0."""
    level: int
    text: str


def headings(text: str) -> Iterator[Heading]:
    """Every heading outside fenced code blocks; ``` and ~~~ blocks close only themselves."""
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
        return markdown.markdown(self.markdown, extensions=["tables", "attr_list", ClauseExtension()])


def sections(body: str) -> list[Section]:
    """Split a policy body at its `##` headings; text before the first one is its own section."""
    lines = body.splitlines()
    starts = [heading for heading in headings(body) if heading.level == 2]
    found: list[Section] = []
    first = starts[0].index if starts else len(lines)
    if "\n".join(lines[:first]).strip():
        found.append(Section(OPENING, "Opening text", "\n".join(lines[:first]).strip()))
    ends = [heading.index for heading in starts[1:]] + [len(lines)]
    keys = {OPENING, WHOLE_DRAFT}
    for heading, end in zip(starts, ends, strict=True):
        key = base = slugify(heading.text, "-") or "section"
        number = 1
        while key in keys:
            number += 1
            key = f"{base}-{number}"
        keys.add(key)
        found.append(Section(key, heading.text, "\n".join(lines[heading.index + 1:end]).strip()))
    return found
