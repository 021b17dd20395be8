"""Real Word documents for the import tests, made with python-docx as Word lays them out: a title
page, a document-control table, headings and clauses numbered by Word's own multi-level
numbering (the numbers are in numbering.xml, not the text), nested lists, a table, an image with
and without alt text, a comment, a tracked change and a header."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.text.paragraph import Paragraph

CONTROL = [("Version", "3"), ("Policy owner", "Head of Customer Services"),
           ("Approved by", "Board of Management"), ("Date approved", "21 May 2024"),
           ("Next review date", "May 2027"), ("Equality impact assessment", "Completed 9 April 2024"),
           ("Author", "Customer Services Manager"), ("Applies to", "All tenants and leaseholders")]
NUMBERING = 910
"""The numbering instance (w:num) the headings and clauses use; a bullet list uses the next."""


def png(width: int = 4, height: int = 3) -> bytes:
    """A small real PNG (grey pixels), written by hand so the tests need no imaging library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def add_numbering(document: docx.Document) -> None:
    """A multi-level list as Word writes one for numbered policies ("1." then "1.1"), and a
    two-level bullet list."""
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{NUMBERING}">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2"/></w:lvl>'
        "</w:abstractNum>"))
    numbering.insert(1, parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{NUMBERING + 1}">'
        '<w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:numFmt w:val="bullet"/><w:lvlText w:val="o"/></w:lvl>'
        "</w:abstractNum>"))
    for number in (NUMBERING, NUMBERING + 1):
        numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{number}">'
                                   f'<w:abstractNumId w:val="{number}"/></w:num>'))


def _number(paragraph: Paragraph, level: int, number: int = NUMBERING) -> Paragraph:
    properties = paragraph._p.get_or_add_pPr()
    properties.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/>'
                                f'<w:numId w:val="{number}"/></w:numPr>'))
    return paragraph


def heading(document: docx.Document, text: str) -> Paragraph:
    """A numbered Heading 1: Word shows "1. Introduction", but only "Introduction" is text."""
    return _number(document.add_heading(text, level=1), 0)


def clause(document: docx.Document, text: str) -> Paragraph:
    """A numbered clause: Word shows "1.1 ...", but the number is Word's, not the text's."""
    return _number(document.add_paragraph(text), 1)


def bullet(document: docx.Document, text: str, level: int = 0) -> Paragraph:
    return _number(document.add_paragraph(text), level, NUMBERING + 1)


def link(paragraph: Paragraph, text: str, url: str) -> None:
    relationship = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    paragraph._p.append(parse_xml(f'<w:hyperlink {nsdecls("w", "r")} r:id="{relationship}">'
                                  f"<w:r><w:t>{text}</w:t></w:r></w:hyperlink>"))


def picture(document: docx.Document, image: Path, alt: str | None) -> None:
    """An image on a line of its own; `alt` is what Word's "Alt Text" pane writes (docPr descr)."""
    document.add_picture(str(image))
    properties = document.paragraphs[-1]._p.findall(".//" + qn("wp:docPr"))[0]
    if alt is not None:
        properties.set("descr", alt)


def tracked_change(paragraph: Paragraph, inserted: str, deleted: str) -> None:
    """An insertion and a deletion that nobody has accepted or rejected yet."""
    attributes = 'w:author="Editor" w:date="2024-04-01T10:00:00Z"'
    paragraph._p.append(parse_xml(f'<w:ins {nsdecls("w")} w:id="801" {attributes}><w:r>'
                                  f'<w:t xml:space="preserve">{inserted}</w:t></w:r></w:ins>'))
    paragraph._p.append(parse_xml(f'<w:del {nsdecls("w")} w:id="802" {attributes}><w:r>'
                                  f'<w:delText xml:space="preserve">{deleted}</w:delText></w:r></w:del>'))


def complaints_document(path: Path, *,
                        alt_texts: tuple[str | None, ...] = ("A chart of complaints by stage",),
                        control: list[tuple[str, str]] = CONTROL, extras: bool = True) -> Path:
    """A complaints policy as an association would have it in Word. `extras`: a comment, a
    tracked change and a header, which cannot be carried over."""
    document = docx.Document()
    add_numbering(document)
    document.add_paragraph("Complaints Policy", style="Title")
    document.add_paragraph("Larkfield Homes", style="Subtitle")
    table = document.add_table(rows=0, cols=2)
    for label, value in control:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    document.add_page_break()
    heading(document, "Introduction")
    first = clause(document, "We want to put things right when we get them wrong. ")
    emphasis = first.add_run("This matters.")
    emphasis.bold = True
    first.add_run(" ")
    first.add_run("Tell us").italic = True
    first.add_run(" as soon as you can.")
    reading = clause(document, "Read the ")
    link(reading, "Housing Ombudsman's Code", "https://www.housing-ombudsman.example/code")
    reading.add_run(" for more.")
    heading(document, "How to complain")
    clause(document, "You can complain in any of these ways:")
    bullet(document, "by phone")
    bullet(document, "in writing")
    bullet(document, "by letter", level=1)
    bullet(document, "by email", level=1)
    bullet(document, "in person")
    changed = clause(document, "We will reply within ")
    if extras:
        tracked_change(changed, "10 working days.", "two weeks.")
        document.add_comment([changed.runs[0]], text="Check this with the Ombudsman's Code", author="Editor")
        document.sections[0].header.paragraphs[0].text = "Larkfield Homes - OFFICIAL"
    else:
        changed.add_run("10 working days.")
    heading(document, "Stages and response times")
    clause(document, "The table shows each stage.")
    stages = document.add_table(rows=3, cols=3)
    for row, values in zip(stages.rows, [("Stage", "Who", "Reply within"),
                                         ("Stage 1", "Complaints officer", "10 working days"),
                                         ("Stage 2", "Head of service | panel", "20 working days")],
                           strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    image = path.with_suffix(".png")
    image.write_bytes(png())
    for alt in alt_texts:
        picture(document, image, alt)
    document.save(path)
    return path
