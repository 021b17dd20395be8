"""A Markdown extension that keeps clause numbers and makes each clause linkable.

Policies number their clauses ("3.2 We will ..."). Markdown would either leave the number as
plain text or, for "3. ...", turn it into a list that renumbers itself. This extension finds
paragraphs that start with a clause number, marks the number up and gives the paragraph an id
(`clause-3-2`), so people can cite "clause 3.2" with a link. It is plain Python-Markdown, so any
site generator that uses Python-Markdown can load it.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

CLAUSE = re.compile(r"(\d+(?:\.\d+)+)\.?\s+")


class ClauseTreeprocessor(Treeprocessor):
    """Runs after inline processing, so `paragraph.text` is the text before any link or bold."""

    def run(self, root: ElementTree.Element) -> None:
        seen: set[str] = set()
        for paragraph in root.iter("p"):
            match = CLAUSE.match(paragraph.text or "")
            if not match:
                continue
            number = match.group(1)
            anchor = "clause-" + number.replace(".", "-")
            if anchor not in seen:  # a repeated number keeps its text but not a duplicate id
                seen.add(anchor)
                paragraph.set("id", anchor)
            paragraph.set("class", "clause")
            label = ElementTree.Element("span", {"class": "clause-number"})
            label.text = number
            label.tail = " " + paragraph.text[match.end():]
            paragraph.text = ""
            paragraph.insert(0, label)


class ClauseExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Markdown's API name)
        md.treeprocessors.register(ClauseTreeprocessor(md), "policy_clauses", 5)


def makeExtension(**kwargs) -> ClauseExtension:  # noqa: N802 (Markdown's loader looks for this name)
    return ClauseExtension(**kwargs)
