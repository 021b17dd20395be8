"""A policy's HTML as a Typst document, the source of its PDFs.

The HTML is the one the site's Markdown converter writes for the page (`printable.policy_html`),
walked element by element, so the PDF says exactly what the web page says, in the same order.
Policy text is data, never markup: every piece of it goes into the Typst source as a string
literal, where only a backslash and a double quote mean anything (Typst's syntax reference,
"Escapes"), and both are escaped. So `#import`, `$x$`, `<label>` or `@ref` in a policy is printed
as it is, and can neither run nor change the layout. The layout lives in `print.typ`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urljoin

from policy_portal.config.languages import Language
from policy_portal.config.messages import Words
from policy_portal.text.html_tree import Element, parse

TEMPLATE = Path(__file__).with_name("print.typ")
WHITESPACE = re.compile(r"[ \t\n\r\f]+")
"""What HTML treats as white space, which it shows as one space."""
ISOLATE, END_ISOLATE = "\u2066", "\u2069"
"""Unicode's left-to-right isolate and its end: an address printed in right-to-left text keeps its
own order instead of being reordered with the words around it."""
HEADINGS = {f"h{level}": level for level in range(1, 7)}
BLOCKS = frozenset({*HEADINGS, "p", "ul", "ol", "li", "table", "blockquote", "pre", "hr", "div",
                    "section", "dl", "dt", "dd"})
ALIGNMENT = re.compile(r"text-align:\s*(left|center|right)")
UNBROKEN = re.compile(r"[^\s-]+-?")
"""What a line never breaks inside: a word, or the part of one up to a hyphen."""
LONGEST_WORDS = 8
"""How many of a table column's longest words are measured to find its narrowest width."""
ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def typst_string(text: str) -> str:
    """`text` as a Typst string literal, the same text whatever characters it holds."""
    return '"' + "".join(ESCAPES.get(character, character if character.isprintable() or character == " "
                                     else f"\\u{{{ord(character):x}}}") for character in text) + '"'


@dataclass(frozen=True)
class PdfDocument:
    """What a PDF says about itself, and how it is set."""

    title: str
    author: str
    description: str
    language: Language
    large_print: bool


@dataclass(frozen=True)
class TypstBody:
    """A page's body as Typst code: the same for its standard and large-print PDFs."""

    code: str
    images: tuple[Path, ...]
    """The image files it shows, for the PDF cache's key: a changed picture makes a new PDF."""


def typst_body(body_html: str, site_url: str, images: Path, root: Path, *, right_to_left: bool) -> TypstBody:
    """The body of a page's PDFs. `site_url` makes links that lead into the site absolute (a PDF
    has no address of its own); `images` is the folder image addresses are relative to, inside
    `root`, the only folder Typst may read."""
    writer = _Writer(site_url, images, root, right_to_left=right_to_left)
    code = "\n".join(writer.blocks(parse(body_html).children))
    return TypstBody(code, tuple(sorted(writer.pictures)))


def typst_document(body: TypstBody, document: PdfDocument) -> str:
    """The whole Typst source of one PDF: the layout, then the body."""
    words = Words(document.language)
    page_words = words("Page {page} of {pages}", page="\0", pages="\0").split("\0")
    settings = ", ".join([
        f"title: {typst_string(document.title)}", f"author: {typst_string(document.author)}",
        f"description: {typst_string(document.description)}",
        f"lang: {typst_string(document.language.code)}", f"dir: {document.language.direction}",
        f"large: {'true' if document.large_print else 'false'}",
        f"page-words: ({', '.join(map(typst_string, page_words))})",
    ])
    return f"{_template()}\n#show: policy.with({settings})\n#{{\n{body.code}\n}}\n"


@cache
def _template() -> str:
    return TEMPLATE.read_text(encoding="utf-8")


def _image_path(source: str, images: Path, root: Path) -> Path | None:
    """The file an image address names, if it is there and inside `root`."""
    if not source or ":" in source.split("/", 1)[0]:
        return None
    path = (images / source.split("#", 1)[0].split("?", 1)[0]).resolve()
    return path if path.is_file() and path.is_relative_to(root.resolve()) else None


class _Writer:
    """Turns elements into Typst expressions: blocks as statements of a code block, inline text
    as string literals joined with the elements around them."""

    def __init__(self, site_url: str, images: Path, root: Path, *, right_to_left: bool) -> None:
        self.site_url = site_url
        self.images = images
        self.root = root
        self.right_to_left = right_to_left
        self.after_space = True
        self.tables = 0
        self.pictures: set[Path] = set()

    def blocks(self, nodes: list[Element | str]) -> list[str]:
        """Block-level content; text between blocks is a paragraph of its own."""
        found, run = [], []
        for node in nodes:
            if isinstance(node, Element) and node.tag in BLOCKS:
                if inline := self.inline(run):
                    found.append(f"par({inline})")
                run = []
                found += self.block(node)
            else:
                run.append(node)
        if inline := self.inline(run):
            found.append(f"par({inline})")
        return found

    def content(self, nodes: list[Element | str]) -> str:
        """Mixed content (a list item, a table cell) as one expression."""
        if not any(isinstance(node, Element) and node.tag in BLOCKS for node in nodes):
            return self.inline(nodes) or '""'
        return "{ " + "; ".join(self.blocks(nodes)) + " }"

    def block(self, element: Element) -> list[str]:
        tag = element.tag
        if tag in HEADINGS:
            return [f"heading(level: {HEADINGS[tag]}, {self.inline(element.children) or '[]'})"]
        if tag == "p":
            if _only_images(element):  # a picture on a line of its own: as wide as the page allows
                return [self.image(image, inline=False) for image in element.children
                        if isinstance(image, Element)]
            inline = self.inline(element.children)
            return [f"par({inline})"] if inline else []
        if tag in ("ul", "ol"):
            items = [self.content(item.children) for item in element.children
                     if isinstance(item, Element) and item.tag == "li"]
            return [f"{'enum' if tag == 'ol' else 'list'}({', '.join(items)})"] if items else []
        if tag == "table":
            return [self.table(element)]
        if tag == "blockquote":
            return [f"quote(block: true, {self.content(element.children)})"]
        if tag == "pre":
            return [f"raw(block: true, {typst_string(element.text().removesuffix(chr(10)))})"]
        if tag == "hr":
            return ["line(length: 100%)"]
        if tag == "dl":
            return [self.terms(element)]
        inner = self.blocks(element.children)
        if "policy-notice" in element.classes():
            return [f"notice({{ {'; '.join(inner)} }})"]
        if "policy-meta" in element.classes():
            return [f"about({{ {'; '.join(inner)} }})"]
        return inner

    def terms(self, element: Element) -> str:
        """A definition list ("About this policy"), as Typst's term list: tagged as a list whose
        items each have a label (the term) and a body."""
        pairs: list[list[str]] = []
        for child in _flattened(element, "div"):
            if child.tag == "dt":
                pairs.append([self.inline(child.children) or '""'])
            elif child.tag == "dd" and pairs:
                pairs[-1].append(self.content(child.children))
        items = [f"terms.item({term}, {' + '.join(bodies) or '[]'})" for term, *bodies in pairs]
        return f"terms({', '.join(items)})"

    def table(self, element: Element) -> str:
        header, rows = [], []
        for row in _flattened(element, "thead", "tbody", "tfoot"):
            if row.tag != "tr":
                continue
            cells = [cell for cell in row.children if isinstance(cell, Element) and cell.tag in ("th", "td")]
            (header if all(cell.tag == "th" for cell in cells) and not rows else rows).append(cells)
        columns = max(map(len, header + rows), default=1)
        aligns = ["auto"] * columns
        for cell_row in header + rows:
            for column, cell in enumerate(cell_row):
                if match := ALIGNMENT.search(cell.attributes.get("style", "")):
                    aligns[column] = match.group(1)
        written = [[self.content(cell.children) for cell in row] + ['""'] * (columns - len(row))
                   for row in header + rows]
        words = [sorted({word for row in header + rows if column < len(row)
                         for word in UNBROKEN.findall(row[column].text())}, key=_length_first)
                 [-LONGEST_WORDS:] for column in range(columns)]
        arrays = [f"({', '.join(row)},)" for row in written]
        self.tables += 1
        return (f"policy-table({self.tables}, ({''.join(a + ', ' for a in arrays[:len(header)])}), "
                f"({''.join(a + ', ' for a in arrays[len(header):])}), ({', '.join(aligns)},), "
                f"({''.join(f'({_strings(column)}), ' for column in words)}))")

    def inline(self, nodes: list[Element | str]) -> str:
        """Inline content as one expression, or "" if it shows nothing. White space runs become one
        space, and none is kept at either end, as in HTML."""
        self.after_space = True
        parts = self._inline(nodes)
        while parts and parts[-1].startswith('"') and parts[-1].endswith(' "'):
            parts[-1] = parts[-1][:-2] + '"'
            if parts[-1] == '""':
                parts.pop()
        return "{ " + "; ".join(parts) + " }" if len(parts) > 1 else "".join(parts)

    def _inline(self, nodes: list[Element | str]) -> list[str]:
        parts = []
        for node in nodes:
            if isinstance(node, str):
                text = WHITESPACE.sub(" ", node)
                if self.after_space:
                    text = text.lstrip(" ")
                if text:
                    parts.append(typst_string(text))
                    self.after_space = text.endswith(" ")
            elif expression := self._inline_element(node):
                parts.append(expression)
        return parts

    def _joined(self, nodes: list[Element | str]) -> str:
        parts = self._inline(nodes)
        return "{ " + "; ".join(parts) + " }" if len(parts) > 1 else "".join(parts) or '""'

    def _inline_element(self, element: Element) -> str | None:
        tag, attributes = element.tag, element.attributes
        if "visually-hidden" in element.classes():
            return None  # words for screen readers on the web page, such as which version a link compares
        if tag == "br":
            self.after_space = True
            return "linebreak()"
        if tag == "img":
            return self.image(element, inline=True)
        if tag == "code":
            self.after_space = False
            return f"raw({typst_string(WHITESPACE.sub(' ', element.text()))})"
        inner = self._joined(element.children)
        if tag in ("strong", "b") or "clause-number" in element.classes():
            inner = f"strong({inner})"
        elif tag in ("em", "i"):
            inner = f"emph({inner})"
        elif tag == "a":
            inner = self.link(attributes.get("href", ""), element.text(), inner)
        if language := attributes.get("lang"):
            inner = f"text(lang: {typst_string(language)}, {inner})"
        return inner

    def link(self, href: str, text: str, inner: str) -> str:
        """A link, with its web address printed after it in brackets: on paper, the address is how
        to follow it. A link to another part of the page only reads as its text."""
        if not href or href.startswith("#"):
            return inner
        address = urljoin(self.site_url, href)
        linked = f"link({typst_string(address)}, {inner})"
        if not address.startswith(("http:", "https:")) or WHITESPACE.sub("", text) == address:
            return linked
        printed = f"link({typst_string(address)}, {typst_string(address)})"
        if self.right_to_left:
            printed = f"{typst_string(ISOLATE)}; {printed}; {typst_string(END_ISOLATE)}"
        self.after_space = False
        return f'{{ {linked}; " ("; {printed}; ")" }}'

    def image(self, element: Element, *, inline: bool) -> str:
        """An image, described by its alt text; if its file is not in the images folder, the
        description is printed instead, so nothing the page says is lost."""
        alt = element.attributes.get("alt", "")
        self.after_space = False
        path = _image_path(element.attributes.get("src", ""), self.images, self.root)
        if path is None:
            return typst_string(f"[{alt}]")
        self.pictures.add(path)
        inside = typst_string("/" + path.relative_to(self.root.resolve()).as_posix())
        if inline:
            return f"box(image({inside}, alt: {typst_string(alt)}))"
        return f"picture({inside}, {typst_string(alt)})"


def _only_images(element: Element) -> bool:
    children = [child for child in element.children if isinstance(child, Element)]
    return bool(children) and all(child.tag == "img" for child in children) and not element.text().strip()


def _length_first(word: str) -> tuple[int, str]:
    """Longer words last, and words of one length in one order, so a policy's source (and so its
    PDF's cache key) is the same in every build."""
    return len(word), word


def _strings(texts: list[str]) -> str:
    return "".join(f"{typst_string(text)}, " for text in texts)


def _flattened(element: Element, *wrappers: str):
    """The element's child elements, with those inside `wrappers` (a table's <tbody>, a definition
    list's <div>) in their place."""
    for child in element.children:
        if isinstance(child, Element):
            if child.tag in wrappers:
                yield from _flattened(child, *wrappers)
            else:
                yield child
