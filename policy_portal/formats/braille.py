"""Braille-ready files (.brf) of every policy and translation, for a Braille display or embosser.

The text is the site's: the same Markdown as the page and the PDFs, converted by the site's own
Markdown extensions, read back as headings, paragraphs, lists, "label: value" rows for "About
this policy" and tables, and links followed by their address. liblouis (`liblouis.py`)
translates each block in the braille code of the document's language (`TABLES`); the cells it
returns are wrapped at braille spaces, so a word and its contractions are never split, and
written in North American ASCII Braille, the code of .brf files that Braille displays and
embossers read: 40 cells a line, 25 lines a page with the braille page number at the right of
the first line, a form feed after each page.

Like the PDFs, each file is kept in a cache folder under a hash of all that goes into it, so a
build translates only the policies that changed.
"""

from __future__ import annotations

import hashlib
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

from policy_portal.formats.liblouis import liblouis_version, translate
from policy_portal.formats.printable import POLICY_LINK
from policy_portal.progress import Finished, nobody
from policy_portal.text.extensions import converter
from policy_portal.whole_files import write_whole

TABLES = {
    "en": "en-ueb-g2.ctb",  # Unified English Braille, grade 2 (contracted), as UK readers expect
    "cy": "cy-cy-g2.ctb",  # Welsh, contracted
    "pl": "Pl-Pl-g1.utb",  # Polish literary braille (Polish has no contracted code in liblouis)
    "ar": "ar-ar-g1.utb",  # Unified Arabic Braille, uncontracted, as most readers learn it
    "ur": "ur-pk-g1.utb",  # Urdu, uncontracted
}
"""The liblouis table for each language; a language not listed has no Braille file."""
CELLS = 40
LINES = 25
BATCH = 10
"""Files a worker process makes at a time: fewer are quicker made in the build's own process."""
RENDERING = "1"
"""Change this when the layout changes, so cached files are made again."""
ASCII_BRAILLE = " A1B'K2L@CIF/MSP\"E3H9O6R^DJG>NTQ,*5<-U8V.%[$+X!&;:4\\0Z7(_?W]#Y)="
"""The North American ASCII Braille character of each 6-dot cell, in the order of Unicode's
braille patterns (U+2800 plus dots 1 to 6 as bits 0 to 5)."""
BLANK = "\u2800"
TO_ASCII = {ord(BLANK) + dots: ASCII_BRAILLE[dots & 0o77] for dots in range(256)}
"""Cells to ASCII Braille. Dots 7 and 8, which a .brf cannot hold, are left out: liblouis uses
them only to mark a character its table has no braille for (shown as its number, '\\x2192')."""
BLOCKS = {"p", "li", "ul", "ol", "dl", "dt", "dd", "table", "thead", "tbody", "tr", "th", "td", "div",
          "section", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}
LABELLED = ("dt", "dd", "th", "td")
"""Elements whose text is kept to make "label: value" items."""
HEADING = re.compile(r"h[1-6]")


def braille_table(code: str) -> str | None:
    """The liblouis table Braille files in this language are made with, if it has one."""
    return TABLES.get(code)


@dataclass(frozen=True)
class BrailleJob:
    text: str
    """The page's Markdown, as for the PDFs."""
    table: str
    site_url: str
    """The site's address, for links: a Braille reader cannot follow them, so each is written out."""
    policies_url: str
    """Where policy pages live in this language, for links between policies."""

    def key(self) -> str:
        digest = hashlib.sha256()
        for part in (liblouis_version(), RENDERING, self.table, self.site_url, self.policies_url, self.text):
            digest.update(part.encode())
            digest.update(b"\0")
        return digest.hexdigest()


def make_braille(jobs: list[BrailleJob], cache: Path, finished: Finished = nobody) -> tuple[list[Path], int]:
    """One .brf file per job, in order, from the cache or made now; and how many were made.
    `finished` is told the jobs found in the cache, together, then each job as its file is made.

    A policy takes liblouis and this module about 15 ms, so a cold build of hundreds of policies
    and translations shares them out over the processor's cores (liblouis holds the GIL)."""
    cache.mkdir(parents=True, exist_ok=True)
    paths = [cache / f"{job.key()}.brf" for job in jobs]
    missing = {path: index for index, path in enumerate(paths) if not path.exists()}
    waiting = set(missing.values())
    finished([index for index in range(len(jobs)) if index not in waiting], False)
    cores = min(os.cpu_count() or 1, len(missing) // BATCH)
    if cores > 1:
        with ProcessPoolExecutor(cores) as pool:
            written = pool.map(_write, [jobs[index] for index in missing.values()], missing, chunksize=BATCH)
            for index, _ in zip(missing.values(), written, strict=True):
                finished([index], True)
    else:
        for path, index in missing.items():
            _write(jobs[index], path)
            finished([index], True)
    return paths, len(missing)


def _write(job: BrailleJob, path: Path) -> None:
    """Atomically: a half-written file must never be taken for a cached one."""
    write_whole(path, brf(job).encode("ascii"))


def brf(job: BrailleJob) -> str:
    """The whole file: pages of at most `LINES` lines of at most `CELLS` cells."""
    html = _CONVERTER.reset().convert(job.text)
    html = POLICY_LINK.sub(lambda match: f'href="{job.policies_url}{match.group(1)}/{match.group(2) or ""}"',
                           html)
    reader = _Blocks(job.site_url)
    reader.feed(html)
    reader.close()
    lines: list[tuple[str, bool]] = []
    for block in reader.blocks:
        if block.space_before and lines:
            lines.append(("", False))
        lines += [(line, block.heading) for line in _wrap(translate(block.text, job.table), block)]
    return "".join(f"{page}\r\n\f" for page in _pages(lines, job.table))


_CONVERTER = converter()


@dataclass(frozen=True)
class _Block:
    text: str
    indent: int
    """Blank cells before the first line."""
    runover: int
    """Blank cells before the lines after it."""
    centred: bool = False
    space_before: bool = False
    heading: bool = False
    """Kept on the same page as the line after it."""


class _Blocks(HTMLParser):
    """The blocks of a page's HTML, in order, laid out as braille transcribers lay them out:
    paragraphs start in cell 3; list items in cell 1 (cell 3, 5... when nested) with the lines
    after in the next level's cell; headings centred (levels 1 and 2) or in cell 5, after a
    blank line; "About this policy" as "label: value" items; each table row after a blank line,
    one "column heading: value" item per cell."""

    def __init__(self, site_url: str) -> None:
        super().__init__()
        self.site_url = site_url
        self.blocks: list[_Block] = []
        self.text: list[str] = []
        self.open: list[str] = []  # the block elements the text is in
        self.items: list[int] = []  # each open list's next number, 0 in a bulleted list
        self.item_started = False  # the open list item's first block is out
        self.links: list[tuple[str | None, int]] = []  # each open link's address, where its text starts
        self.label = ""  # a definition's term
        self.header: list[str] = []  # the table's column headings
        self.cells: list[str] = []  # the row's cells so far
        self.after_table = False  # so the next block is set apart from the table's last row

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append((dict(attrs).get("href"), len(self.text)))
        elif tag == "img":
            self.text.append(f" {dict(attrs).get('alt') or ''} ")
        elif tag == "br":
            self.text.append(" ")
        elif tag == "hr":
            self._flush()
        elif tag in BLOCKS:
            self._flush()
            self.open.append(tag)
            if tag in ("ul", "ol"):
                self.items.append(int(dict(attrs).get("start") or 1) if tag == "ol" else 0)
            elif tag == "li":
                self.item_started = False
            elif tag == "tr":
                self.cells = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.links:
            self._end_link(*self.links.pop())
        elif tag in LABELLED:
            text = self._take()
            if tag == "dt":
                self.label = text
            elif tag == "dd":
                self._add(_Block(_labelled(self.label, text), 0, 2))
            else:
                self.cells.append(text)
        elif tag == "tr" and self.cells:
            if "thead" in self.open:
                self.header = self.cells
            else:
                for number, cell in enumerate(self.cells):
                    if cell:
                        label = self.header[number] if number < len(self.header) else ""
                        self._add(_Block(_labelled(label, cell), 2 if number else 0, 4,
                                         space_before=not number))
        elif tag == "table":
            self.header, self.after_table = [], True
        elif tag in BLOCKS:
            self._flush()
        else:
            return
        if tag in BLOCKS and tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag):]
            if tag in ("ul", "ol"):
                self.items.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def _end_link(self, address: str | None, start: int) -> None:
        """Write the address after the link's text, unless the text says it already."""
        if not address or address.startswith(("#", "tel:")):
            return
        address = urljoin(self.site_url, address)
        shown = address.removeprefix("mailto:")
        if shown.rstrip("/") not in "".join(self.text[start:]):
            self.text.append(f" ({shown})")

    def _take(self) -> str:
        text = " ".join("".join(self.text).split())
        self.text = []
        return text

    def _flush(self) -> None:
        """The text so far as a block, laid out for the element it is in."""
        if any(tag in self.open for tag in LABELLED):
            return
        text = self._take()
        if not text:
            return
        heading = next((tag for tag in reversed(self.open) if HEADING.fullmatch(tag)), None)
        depth = len(self.items)
        if heading:
            level = int(heading[1])
            indent = 0 if level <= 2 else 4
            self._add(_Block(text, indent, indent, centred=level <= 2, space_before=True, heading=True))
        elif depth and "li" in self.open:
            indent, runover = 2 * (depth - 1), 2 * depth
            if self.item_started:
                indent = runover
            elif self.items[-1]:
                text = f"{self.items[-1]}. {text}"
                self.items[-1] += 1
            self.item_started = True
            self._add(_Block(text, indent, runover))
        else:
            self._add(_Block(text, 2, 0))

    def _add(self, block: _Block) -> None:
        if self.after_table:
            block, self.after_table = replace(block, space_before=True), False
        self.blocks.append(block)


def _labelled(label: str, text: str) -> str:
    return f"{label}: {text}" if label else text


def _wrap(cells: str, block: _Block) -> list[str]:
    """Braille cells in lines of at most `CELLS`, broken at blank cells; a word longer than a
    line (a web address) is broken where the line ends."""
    lines: list[str] = []
    line = ""
    for word in cells.strip(BLANK).split(BLANK):
        if not word:
            continue
        indent = block.runover if lines or line else block.indent
        if line and len(line) + 1 + len(word) <= CELLS:
            line += BLANK + word
            continue
        if line:
            lines.append(line)
            indent = block.runover
        line = BLANK * indent + word
        while len(line) > CELLS:
            lines.append(line[:CELLS])
            line = BLANK * block.runover + line[CELLS:]
    if line:
        lines.append(line)
    if block.centred:
        lines = [BLANK * ((CELLS - len(line.strip(BLANK))) // 2) + line.strip(BLANK) for line in lines]
    return lines


def _pages(lines: list[tuple[str, bool]], table: str) -> list[str]:
    """Lines in pages in ASCII Braille: the page number on the first line, at the right; no page
    starts with a blank line, and no page ends with a heading."""
    pages: list[list[str]] = []
    body: list[str] = []
    for number, (line, heading) in enumerate(lines):
        if not body and not line:
            continue
        full = len(body) == LINES - 1
        orphan = heading and len(body) == LINES - 2 and number + 1 < len(lines)
        if full or orphan:
            pages.append(body)
            body = []
            if not line:
                continue
        body.append(line)
    if body or not pages:
        pages.append(body)
    return ["\r\n".join(line.translate(TO_ASCII).rstrip() for line in [_page_number(number, table), *body])
            for number, body in enumerate(pages, 1)]


def _page_number(number: int, table: str) -> str:
    cells = translate(str(number), table)
    return BLANK * (CELLS - len(cells)) + cells
