"""HTML as a small tree of elements and text, read with the standard library's parser.

The PDFs are typeset from the HTML the site's Markdown converter writes (so the PDF and the web
page cannot disagree about what a policy says), and walking that HTML is easier as a tree than as
a stream of tags. Only what that converter writes has to be read: the allowlist refuses every
other piece of HTML in a policy before it gets here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                  "track", "wbr"})
"""Elements that never have an end tag or children."""


@dataclass
class Element:
    tag: str
    attributes: dict[str, str] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)

    def classes(self) -> set[str]:
        return set(self.attributes.get("class", "").split())

    def text(self) -> str:
        """All the text inside, as it reads."""
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("root")
        self.open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.open[-1].children.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open[-1].children.append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.open) - 1, 0, -1):  # close up to the matching element, if open
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.open[-1].children.append(data)


def parse(html: str) -> Element:
    """The HTML's elements and text under one root element; comments are left out."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


class _SpanFinder(HTMLParser):
    def __init__(self, html: str, tag: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tag, self.open, self.spans = tag, [], []
        self.line_starts = [0] + [index + 1 for index, character in enumerate(html) if character == "\n"]
        self.html = html

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == self.tag:
            self.open.append(self._offset())

    def handle_endtag(self, tag: str) -> None:
        if tag == self.tag and self.open:
            start = self.open.pop()
            if not self.open:  # the outermost only
                self.spans.append((start, self.html.index(">", self._offset()) + 1))


def element_spans(html: str, tag: str) -> list[tuple[int, int]]:
    """Where each outermost `tag` element is in `html`: (offset of its start tag, offset just after
    its end tag), in order. For changes around elements that must leave every other byte as it
    was, which a tree written out again would not (entities, quotes, spacing)."""
    finder = _SpanFinder(html, tag)
    finder.feed(html)
    finder.close()
    return finder.spans
