"""A Word document (.docx) as HTML, with its images and a list of what could not come with it.

mammoth does the conversion: it keeps structure (headings, lists, tables, emphasis, links,
images with their alt text) and drops Word's looks, which is what a policy file wants. Two things
it cannot do are done here, on the document's own XML:

- Word's automatic numbering is not text, so mammoth would turn "1. Introduction" / "1.1 We
  will..." into a heading without its number and a list that renumbers itself. Numbers are worked
  out from numbering.xml, as Word shows them, and written into the text of headings and of
  multi-level ("1.1") paragraphs before mammoth reads it; simple lists stay lists.
- mammoth leaves out comments, headers and footers without a word, and imports tracked changes as
  if accepted; the document is searched for each, so staff are told what to check.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers.expat import ExpatError

import mammoth
from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
STYLE_MAP = """
p[style-name='Title'] => h1.title:fresh
p[style-name='Subtitle'] => p.subtitle:fresh
"""
"""Word's title-page styles, which mammoth does not know: the title becomes the policy's title."""
HEADING_STYLE = re.compile(r"heading ?\d|title", re.IGNORECASE)
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif"}
"""The image formats the site publishes as they are. Others are left out and listed: an SVG is a
document that can carry script, which would run on the site's own address wherever the host sends
no content security policy (GitHub Pages sends none)."""
MAX_UNPACKED = 100 * 1024 * 1024
"""Bytes, every part of the document unpacked together. A policy with its pictures is a few MB; a
file claiming more is broken or built to exhaust memory (a .docx is a zip, and zips compress
zeros a thousandfold)."""
LEFT_OUT = "left-out"
"""The src of an image left out, which the Markdown writer drops."""
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class WordError(Exception):
    """The file is not a Word document that can be read; the message says what to do."""


@dataclass
class WordDocument:
    html: str
    images: dict[str, bytes] = field(default_factory=dict)
    """Image files by name (image-1.png), in the order they appear; the HTML's src is the name."""
    not_carried: list[str] = field(default_factory=list)
    """What the import left out or changed, in sentences for staff."""


def read_word(path: Path) -> WordDocument:
    """The document as HTML, its images, and what could not be carried over."""
    try:
        with zipfile.ZipFile(path) as archive:
            if sum(entry.file_size for entry in archive.infolist()) > MAX_UNPACKED:
                raise WordError(f"{path} unpacks to more than {MAX_UNPACKED // 1024 // 1024} MB, more than a "
                                "policy needs; make its pictures smaller (in Word: Picture Format, "
                                "Compress Pictures) and try again")
            parts = {name: archive.read(name) for name in archive.namelist()}
    except (zipfile.BadZipFile, OSError) as error:
        raise WordError(f"{path} cannot be read as a Word document ({error}); save it from Word as "
                        "a .docx file (Word Document) and try again") from None
    if "word/document.xml" not in parts:
        raise WordError(f"{path} is not a Word document (it has no word/document.xml); save it from "
                        "Word as a .docx file and try again")
    try:
        body = _xml(parts["word/document.xml"])
        notes = _not_carried(parts, body)
        _write_numbers(body, parts)
    except etree.XMLSyntaxError as error:
        raise _not_word(path, error) from None
    parts["word/document.xml"] = etree.tostring(body, xml_declaration=True, encoding="UTF-8", standalone=True)
    images: dict[str, bytes] = {}

    def keep(image) -> dict[str, str]:
        if image.content_type not in EXTENSIONS:
            notes.append(f"An image in a format the site does not publish ({image.content_type}) was "
                         "left out: save it as PNG or JPEG and add it by hand (see the staff guide).")
            return {"src": LEFT_OUT}
        with image.open() as stream:
            data = stream.read()
        name = f"image-{len(images) + 1}.{EXTENSIONS[image.content_type]}"
        images[name] = data
        return {"src": name}

    try:
        result = mammoth.convert_to_html(io.BytesIO(_zipped(parts)), style_map=STYLE_MAP,
                                         convert_image=mammoth.images.img_element(keep))
    except ExpatError as error:
        raise _not_word(path, error) from None
    notes += [f"The converter says: {message.message}" for message in result.messages
              if not message.message.startswith(("Paragraph style with ID Comment",
                                                 "Run style with ID Comment",
                                                 "Unrecognised run style: None (Style ID: Comment"))]
    return WordDocument(result.value, images, notes)


def _zipped(parts: dict[str, bytes]) -> bytes:
    """The document's parts packed again for mammoth, which unpacks them at once: stored, not
    compressed, as compressing up to MAX_UNPACKED of pictures would be work thrown away."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _not_word(path: Path, error: Exception) -> WordError:
    return WordError(f"{path} has a part Word did not write ({error}); open it in Word, save it "
                     "again as a .docx file and try again")


def _xml(data: bytes) -> etree._Element:
    """A part of the document, parsed without fetching or expanding anything it refers to."""
    return etree.fromstring(data, PARSER)


def _text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _not_carried(parts: dict[str, bytes], body: etree._Element) -> list[str]:
    """Sentences about what is in the document but will not be in the policy file as it was."""
    notes = []
    if "word/comments.xml" in parts:
        comments = _xml(parts["word/comments.xml"]).findall("w:comment", NS)
        if comments:
            notes.append(f"{len(comments)} comment{'s' if len(comments) != 1 else ''} left out (for "
                         "example: '" + _text(comments[0])[:60] + "'); deal with them in Word first, "
                         "or in the pull request")
    inserted, deleted = len(body.findall(".//w:ins", NS)), len(body.findall(".//w:del", NS))
    if inserted or deleted:
        notes.append(f"{inserted + deleted} tracked change{'s' if inserted + deleted != 1 else ''} "
                     f"({inserted} inserted, {deleted} deleted) imported as if accepted; check the text "
                     "against the document, or accept or reject them in Word and import again")
    for kind in ("header", "footer"):
        texts = sorted({_text(_xml(data)) for name, data in parts.items()
                        if re.fullmatch(rf"word/{kind}\d*\.xml", name)} - {""})
        if texts:
            notes.append(f"the page {kind} left out: " + "; ".join(f"'{text[:60]}'" for text in texts)
                         + " (the site shows the association and policy itself)")
    boxes = body.findall(".//w:txbxContent", NS)
    if boxes:
        notes.append(f"{len(boxes)} text box{'es' if len(boxes) != 1 else ''} (for example: "
                     f"'{_text(boxes[0])[:60]}') put where the box is anchored in the text; check "
                     "that the text reads in order")
    return notes


def _write_numbers(body: etree._Element, parts: dict[str, bytes]) -> None:
    """Write Word's automatic numbers into the text of numbered headings and clauses ("1.",
    "1.1"), counting as Word does, and take their numbering away so they stay headings and
    paragraphs; other numbered and bulleted paragraphs are left for mammoth's lists."""
    levels = _levels(parts)
    styles = _style_numbering(parts)
    names = _style_names(parts)
    counters: dict[str, list[int]] = {}
    for paragraph in body.iter(f"{{{W}}}p"):
        properties = paragraph.find("w:pPr", NS)
        style = _value(properties, "w:pStyle")
        number_id, level = _value(properties, "w:numPr/w:numId"), _value(properties, "w:numPr/w:ilvl")
        if number_id is None and style in styles:
            number_id, level = styles[style][0], level or styles[style][1]
        definition = levels.get((number_id or "", int(level or 0)))
        if definition is None:
            continue
        start, form, pattern = definition
        count = counters.setdefault(number_id, [0] * 9)
        depth = int(level or 0)
        count[depth] = (count[depth] or start - 1) + 1
        count[depth + 1:] = [0] * (8 - depth)
        heading = bool(style and HEADING_STYLE.match(names.get(style, style)))
        if form == "bullet" or not (heading or pattern.count("%") > 1):
            continue
        shown = _shown(pattern, count, form)
        if not heading:
            shown = shown.rstrip(".")  # clauses are written "1.1 We will ...", as the guide says
        _prefix(paragraph, properties, shown)


def _shown(pattern: str, count: list[int], form: str) -> str:
    """A level's text ("%1.%2") with the counts in: "3.2"."""
    return re.sub(r"%(\d)", lambda match: _formatted(count[int(match.group(1)) - 1] or 1, form), pattern)


def _prefix(paragraph: etree._Element, properties: etree._Element | None, number: str) -> None:
    """Put `number` at the start of the paragraph's text, and turn its numbering off."""
    run = etree.Element(f"{{{W}}}r")
    text = etree.SubElement(run, f"{{{W}}}t")
    text.text = f"{number} "
    text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    if properties is None:
        properties = etree.Element(f"{{{W}}}pPr")
        paragraph.insert(0, properties)
    properties.addnext(run)
    numbering = properties.find("w:numPr", NS)
    if numbering is not None:
        properties.remove(numbering)
    off = etree.SubElement(properties, f"{{{W}}}numPr")  # numId 0 is "none", even over a style's
    etree.SubElement(off, f"{{{W}}}ilvl").set(f"{{{W}}}val", "0")
    etree.SubElement(off, f"{{{W}}}numId").set(f"{{{W}}}val", "0")


def _value(element: etree._Element | None, path: str) -> str | None:
    found = element.find(path, NS) if element is not None else None
    return found.get(f"{{{W}}}val") if found is not None else None


def _levels(parts: dict[str, bytes]) -> dict[tuple[str, int], tuple[int, str, str]]:
    """(numId, level) -> (start, format, text such as "%1.%2"), from numbering.xml."""
    if "word/numbering.xml" not in parts:
        return {}
    numbering = _xml(parts["word/numbering.xml"])
    abstract = {}
    for definition in numbering.findall("w:abstractNum", NS):
        for level in definition.findall("w:lvl", NS):
            abstract[definition.get(f"{{{W}}}abstractNumId"), int(level.get(f"{{{W}}}ilvl"))] = (
                int(_value(level, "w:start") or 1), _value(level, "w:numFmt") or "decimal",
                _value(level, "w:lvlText") or "")
    found = {}
    for instance in numbering.findall("w:num", NS):
        source = _value(instance, "w:abstractNumId")
        for (abstract_id, level), definition in abstract.items():
            if abstract_id == source:
                found[instance.get(f"{{{W}}}numId"), level] = definition
    return found


def _style_numbering(parts: dict[str, bytes]) -> dict[str, tuple[str, str | None]]:
    """Styles that number their paragraphs themselves (a numbered Heading 1): style -> (numId, level)."""
    if "word/styles.xml" not in parts:
        return {}
    found = {}
    for style in _xml(parts["word/styles.xml"]).findall("w:style", NS):
        properties = style.find("w:pPr", NS)
        number_id = _value(properties, "w:numPr/w:numId")
        if number_id:
            found[style.get(f"{{{W}}}styleId")] = (number_id, _value(properties, "w:numPr/w:ilvl"))
    return found


def _style_names(parts: dict[str, bytes]) -> dict[str, str]:
    """Style id -> the name Word shows ("heading 1"), which does not change with Word's language."""
    if "word/styles.xml" not in parts:
        return {}
    return {style.get(f"{{{W}}}styleId"): _value(style, "w:name") or ""
            for style in _xml(parts["word/styles.xml"]).findall("w:style", NS)}


def _formatted(number: int, form: str) -> str:
    """A number as Word's level format shows it: 3, c, C, iii or III."""
    if form in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (number - 1) % 26)
        return letter.upper() if form == "upperLetter" else letter
    if form in ("lowerRoman", "upperRoman"):
        roman = _roman(number)
        return roman if form == "upperRoman" else roman.lower()
    return str(number)


def _roman(number: int) -> str:
    result = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, number = divmod(number, value)
        result += letters * count
    return result
