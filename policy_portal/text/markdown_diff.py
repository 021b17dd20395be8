"""A changed section's Markdown, with added and removed words marked, that still reads as the
same tables, lists and headings (WCAG 1.3.1): the changes are marked inside each paragraph, list
item and table cell, and the Markdown around them is kept, so it is rendered as usual.

The text is compared a unit at a time: a paragraph (its lines joined), a list item with its
continuation lines, a table row, a heading. A unit replaced by one of the same kind (a row with as
many cells, an item with the same marker) is compared word by word; the rest of the old are
marked removed and of the new added, keeping their markers, so a removed row stays in its table.

Inline Markdown cut by a change (`**bold` in the old words, `**` in the new) shows its asterisks:
words are compared, not what they render as."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

ADDED = '<ins><span class="visually-hidden">Added: </span>{}</ins>'
REMOVED = '<del><span class="visually-hidden">Removed: </span>{}</del>'

MARKER = re.compile(r"\s*(?:[-*+]|\d+[.)]|#{1,6}|>)\s+")
"""A list item's, heading's or quotation's start, which the changes must not swallow."""
TABLE_RULE = re.compile(r"\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
"""The line under a table's header: kept as it is, or the table stops being one."""


@dataclass(frozen=True)
class Unit:
    marker: str
    """What starts the line (`- `, `## `, `|` for a table row), "" for a paragraph; a table's
    rule, whole."""
    parts: tuple[str, ...]
    """A row's cells; the one text after the marker; none for a rule or a BLANK, which are kept
    as they are."""

    def markdown(self, mark: str | None = None) -> str:
        """As Markdown, each part wrapped in `mark` (ADDED or REMOVED) if given."""
        parts = [mark.format(part) if mark and part else part for part in self.parts]
        if not parts:
            return self.marker
        if self.marker == "|":
            return "| " + " | ".join(parts) + " |"
        return self.marker + parts[0]


BLANK = Unit("", ())
"""Between blocks: a paragraph, list or table ends here."""


def _unit(line: str) -> Unit:
    if TABLE_RULE.match(line):
        return Unit(line.strip(), ())
    if line.lstrip().startswith("|"):
        return Unit("|", tuple(cell.strip() for cell in line.strip().strip("|").split("|")))
    marker = MARKER.match(line)
    return Unit(marker.group(0), (line[marker.end():].strip(),)) if marker else Unit("", (line.strip(),))


def units(text: str) -> list[Unit]:
    """The text's units in order, a BLANK after each block."""
    found: list[Unit] = []
    for block in re.split(r"\n[ \t]*\n", text.strip()):
        lines = [line for line in block.splitlines() if line.strip()]
        table = any(TABLE_RULE.match(line) for line in lines)
        for line in lines:
            unit = _unit(line)
            if not table and not unit.marker and found and found[-1] != BLANK:  # a continuation line
                last = found.pop()
                unit = Unit(last.marker, (f"{last.parts[0]} {unit.parts[0]}",))
            found.append(unit)
        if lines:
            found.append(BLANK)
    return found


def words(before: str, after: str) -> str:
    """One text's change, word by word."""
    old, new = before.split(), after.split()
    out = []
    for operation, i1, i2, j1, j2 in SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if operation in ("delete", "replace"):
            out.append(REMOVED.format(" ".join(old[i1:i2])))
        if operation in ("insert", "replace"):
            out.append(ADDED.format(" ".join(new[j1:j2])))
        if operation == "equal":
            out.append(" ".join(old[i1:i2]))
    return " ".join(out)


def _alike(a: Unit, b: Unit) -> bool:
    return a.marker == b.marker and len(a.parts) == len(b.parts)


def _whole(unit: Unit, mark: str) -> Iterable[str]:
    """A unit only in one version; a paragraph or heading is kept a block of its own."""
    yield unit.markdown(mark)
    if unit.parts and (not unit.marker or unit.marker.lstrip().startswith("#")):
        yield ""


def marked(before: str, after: str) -> str:
    """`after` as Markdown, with what changed from `before` marked."""
    old, new = units(before), units(after)
    out: list[str] = []
    for operation, i1, i2, j1, j2 in SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        paired = 0  # replaced units of the same kind, in order, compared word by word
        while (operation != "equal" and paired < min(i2 - i1, j2 - j1)
               and _alike(old[i1 + paired], new[j1 + paired])):
            paired += 1
        out += [Unit(b.marker, tuple(map(words, a.parts, b.parts))).markdown() if a != b else b.markdown()
                for a, b in zip(old[i1:i1 + paired], new[j1:j1 + paired], strict=True)]
        if operation == "equal":
            out += [unit.markdown() for unit in old[i1:i2]]
        else:
            out += [line for unit in old[i1 + paired:i2] for line in _whole(unit, REMOVED)]
            out += [line for unit in new[j1 + paired:j2] for line in _whole(unit, ADDED)]
    return "\n".join(out)
