"""The HTML mammoth makes of a Word document, written as a policy's Markdown.

Only what the policy format allows comes out (docs/staff/policy-format.md): `##` headings for
the highest level of Word heading left once the title is taken out (the title is the page's
only `#`), and each lower level one more `#`; paragraphs and numbered clauses, bold,
emphasis, links, bulleted and numbered lists (nested with four spaces, as Python-Markdown reads
them), tables and images. Text is escaped just enough that it reads as text: staff edit this
file by hand, so it should look like what they would have typed.
"""

from __future__ import annotations

import re

from policy_portal.importing.word import LEFT_OUT

INLINE_SPECIAL = re.compile(r"([\\`*_\[\]{}])")
BLOCK_START = re.compile(r"^(\s*)(?:(#|>|[-+*](?=\s)|=+\s*$|-+\s*$)|(\d+)([.)])(?=\s))")
"""What would make a line of text a heading, quotation, list or underline in Markdown."""
INDENT = "    "
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def escaped(text: str) -> str:
    """Text as Markdown that shows exactly that text, inside a line."""
    return INLINE_SPECIAL.sub(r"\\\1", text).replace("<", "&lt;")


def _line(text: str) -> str:
    """A paragraph's or list item's text, which must not start like a heading or list."""
    def escape(match: re.Match[str]) -> str:
        if match.group(3):  # "1. " would start a list: "1\. "
            return f"{match.group(1)}{match.group(3)}\\{match.group(4)}"
        return f"{match.group(1)}\\{match.group(2)}"
    return BLOCK_START.sub(escape, text)


def policy_markdown(root, image_folder: str) -> str:
    """The body of a policy file from the elements inside `root` (mammoth's HTML, parsed);
    images are written as `image_folder` + the HTML's src."""
    levels = [int(element.tag[1]) for element in root if element.tag in HEADINGS]
    shift = 2 - min(levels, default=2)  # the highest heading left is a section: `##`
    blocks = [_block(element, image_folder, shift) for element in root]
    return "\n\n".join(block for block in blocks if block.strip()) + "\n"


def _block(element, images: str, shift: int) -> str:
    tag = element.tag
    if tag in HEADINGS:
        return "#" * min(6, int(tag[1]) + shift) + " " + _inline(element, images).strip()
    if tag in ("ul", "ol"):
        return _list(element, images, 0)
    if tag == "table":
        return _table(element, images)
    if tag in ("p", "div"):
        return _line(_inline(element, images).strip())
    return _line(escaped(element.text_content().strip()))


def _inline(element, images: str) -> str:
    parts = [escaped(element.text or "")]
    for child in element:
        parts.append(_inline_element(child, images))
        parts.append(escaped(child.tail or ""))
    return "".join(parts)


def _inline_element(element, images: str) -> str:
    tag = element.tag
    if tag == "img" and element.get("src") == LEFT_OUT:
        return ""
    if tag == "img":
        return f"![{escaped(element.get('alt') or '').strip()}]({images}{element.get('src', '')})"
    if tag == "br":
        return "  \n"
    inner = _inline(element, images)
    if tag in ("strong", "b", "em", "i"):
        mark = "**" if tag in ("strong", "b") else "*"
        stripped = inner.strip()
        if not stripped:
            return inner
        before, after = inner[:len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()):]
        return f"{before}{mark}{stripped}{mark}{after}"  # **bold** with the spaces outside
    if tag == "a" and (element.get("href") or "").startswith(("http://", "https://", "mailto:", "tel:")):
        return f"[{inner.strip()}]({element.get('href').replace(' ', '%20').replace(')', '%29')})"
    if tag == "p":
        return inner + " "
    return inner  # a bookmark, an underline, a superscript: the words, without Word's looks


def _list(element, images: str, depth: int) -> str:
    lines = []
    for number, item in enumerate(element.findall("li"), start=1):
        marker = f"{number}. " if element.tag == "ol" else "- "
        text = [escaped(item.text or "")]
        nested = []
        for child in item:
            if child.tag in ("ul", "ol"):
                nested.append(_list(child, images, depth + 1))
            else:
                text.append(_inline_element(child, images))
            text.append(escaped(child.tail or ""))
        content = " ".join("".join(text).split()) if "![" not in "".join(text) else "".join(text).strip()
        lines.append(INDENT * depth + marker + _line(content))
        lines += nested
    return "\n".join(lines)


def _table(element, images: str) -> str:
    """A Markdown table; its first row heads the columns, as Word tables in policies are laid out."""
    rows = [[" ".join(_inline(cell, images).replace("|", "\\|").split()) for cell in row.findall("./*")]
            for row in element.iter("tr")]
    if not rows:
        return ""
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    lines = ["| " + " | ".join(row) + " |" for row in rows]
    lines.insert(1, "|" + " --- |" * width)
    return "\n".join(lines)
