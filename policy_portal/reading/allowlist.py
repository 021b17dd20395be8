"""What a policy's text may contain: an allowlist, checked on the HTML the text becomes.

Policies arrive by pull request, reviewed by staff who read the words, not the HTML behind them,
and translations come from outside translators. Markdown lets a writer put any HTML in the text
and the site publishes it as it is, so a `<script>`, an `onerror=` or a `javascript:` link would
run in every reader's browser. So the text is made into HTML with the site's own extensions, and
every element, attribute and address in that HTML must be one that Markdown and those extensions
make themselves. Checking the HTML rather than the Markdown catches `[a link](javascript:...)`
and attr_list's `{: onclick=...}` as well as HTML typed into the text.

The HTML is read with the standard library's parser, which does not read every odd piece of HTML
as a browser would. Where the two could differ, the text is refused rather than trusted: an HTML
comment with a `>` in it (a browser may end it there, sooner than the parser does) and a `<` that
starts no tag the parser could read (Markdown itself writes `&lt;`, so such a `<` was typed as HTML).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from html.parser import HTMLParser

import markdown

from policy_portal.fingerprint import ByText
from policy_portal.text.extensions import converter

GUIDE = "docs/staff/policy-format.md#what-a-policy-may-contain"
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
PLAIN = ("blockquote", "ul", "ol", "li", "hr", "br", "em", "strong", "pre", "table", "thead", "tbody", "tr")
ELEMENTS: dict[str, frozenset[str]] = {
    **dict.fromkeys(PLAIN, frozenset()),
    **dict.fromkeys(HEADINGS, frozenset({"id"})),  # toc's anchors, or attr_list's {#name}
    "p": frozenset({"id", "class"}),  # a clause: <p class="clause" id="clause-3-2">
    "span": frozenset({"class"}),  # its number: <span class="clause-number">
    "code": frozenset({"class"}),  # fenced_code's language: <code class="language-yaml">
    "th": frozenset({"style"}),  # tables' column alignment
    "td": frozenset({"style"}),
    "a": frozenset({"href", "title"}),
    "img": frozenset({"src", "alt", "title"}),
}
"""Every element Markdown and the site's extensions make, each with the attributes they give it."""
ALIGNMENT = re.compile(r"text-align: (left|center|right);")
VALUES: dict[tuple[str, str], re.Pattern[str]] = {
    ("p", "class"): re.compile("clause"),
    ("span", "class"): re.compile("clause-number"),
    ("code", "class"): re.compile(r"language-[\w+#.-]+"),
    ("th", "style"): ALIGNMENT,
    ("td", "style"): ALIGNMENT,
}
"""Attributes allowed only with the values the extensions write: any other class could hide text
(the site has a visually-hidden class) or dress it as one of the site's notices, and any other
style could hide it."""
UNCLOSED_FENCE = re.compile(r"^[ \t]*(?:`{3,}|~{3,})", re.MULTILINE)
"""A fence Markdown left as text because nothing closes it."""
VOID = frozenset({"br", "hr", "img"})
"""Elements that have no end."""
LINK_NAME = re.compile(r"[\w-]+")
ADDRESSES = frozenset({"http", "https", "mailto", "tel"})
"""Schemes a link or image may use; an address with none leads to a page of the site."""
ADDRESS_ATTRIBUTES = frozenset({"href", "src"})
SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):", re.IGNORECASE)
IGNORED_IN_ADDRESSES = re.compile(r"[\x00-\x20\x7f\s]+")
"""Browsers drop tabs and line breaks anywhere in an address, and spaces and control characters
at its ends, so `jav&#x09;ascript:` is a javascript: address; all of them are dropped here."""

RUNS = "it would run a program in readers' browsers; remove it"
HIDES = "it can hide text from readers or change how the page looks; remove it"
REFUSED_ELEMENTS = {
    "script": RUNS,
    "style": HIDES,
    **dict.fromkeys(("iframe", "frame", "frameset", "object", "embed"),
                    "it shows another website or program inside the page; link to it instead"),
    **dict.fromkeys(("form", "input", "button", "select", "textarea"),
                    "it could send what readers type to another website; link to the form instead"),
}
"""Elements refused with a reason; any other element not in `ELEMENTS` gets a general message."""
REFUSED_SCHEMES = {
    **dict.fromkeys(("javascript", "vbscript"), "it runs a program instead of opening a page"),
    "data": "it can carry a whole hidden page or program in the address itself",
}

_PER_THREAD = threading.local()


def lacks_alt_text(attributes: dict[str, str | None]) -> bool:
    """Whether an image has no description for people who cannot see it. One rule, used by
    `check` on a policy's text and by the build on every page: an image that is only decoration
    must say so with role="presentation" (which a policy cannot, as it may hold no HTML of its own)."""
    decorative = attributes.get("role") in ("presentation", "none")
    return not decorative and not (attributes.get("alt") or "").strip()


def no_alt_text(source: str) -> str:
    """What is wrong with an image that lacks alt text, and what to do, the same wherever found."""
    return (f"image '{source}' has no alt text; describe it in the square brackets, as in "
            "![A cat on a sofa](cat.jpg), or mark a purely decorative image role=\"presentation\"")


@dataclass(frozen=True, order=True)
class Refusal:
    index: int
    """The line of the text it is on, from 0."""
    message: str


def refusals(text: str) -> list[Refusal]:
    """Everything in a policy's Markdown that the allowlist refuses, in order, each once."""
    return list(CHECKED(text))


def _check(text: str) -> tuple[Refusal, ...]:
    converter = _converter()
    html = converter.convert(text)
    checker = _Checker(html, _Source(text))
    checker.feed(html)
    checker.close()
    for address, _title in converter.references.values():  # [name]: address, used or not, as
        message = _address_message(address)  # the page is made into HTML all together
        if message:
            checker.refuse(message, address)
    return tuple(sorted(set(checker.found)))


CHECKED = ByText(_check, lambda found: [(refusal.index, refusal.message) for refusal in found],
                 lambda saved: tuple(Refusal(index, message) for index, message in saved))
"""What checking each text found, by the text: checking converts the Markdown to HTML and parses
it, most of the time reading a library takes, and a process reads the library more than once
(`policy-portal build` again for its warnings, a preview on every save) while most texts have
not changed. A policy and its sections make about ten entries: thousands fit a large library in
a few MB. Kept between builds too (policy_portal.reading.checked)."""


def _converter() -> markdown.Markdown:
    """This thread's converter, emptied. Making one takes as long as converting a policy, and one
    cannot be shared between threads (the consultation app reads policies on several)."""
    if not hasattr(_PER_THREAD, "converter"):
        _PER_THREAD.converter = converter()
    return _PER_THREAD.converter.reset()


class _Source:
    """Finds the line of the Markdown that a piece of HTML came from, by looking for its text.

    HTML typed into the text is published exactly as typed; an address is written as it is in a
    link. Each search for the same text starts after the last place it was found, so something
    written twice is reported on both lines."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.searched_to: dict[str, int] = {}

    def index(self, *clues: str) -> int:
        """The line of the first clue found, from 0; the first line if none is."""
        for clue in filter(None, clues):
            pattern = re.compile(re.escape(clue), re.IGNORECASE)
            key = clue.casefold()
            found = pattern.search(self.text, self.searched_to.get(key, 0)) or pattern.search(self.text)
            if found:
                self.searched_to[key] = found.start() + 1
                return self.text.count("\n", 0, found.start())
        return 0


class _Checker(HTMLParser):
    """Reads the HTML and notes every element, attribute and address that is not allowed."""

    def __init__(self, html: str, source: _Source) -> None:
        super().__init__(convert_charrefs=False)  # so a `<` typed as text stays apart from `&lt;`
        self.html = html
        self.source = source
        self.found: list[Refusal] = []
        self.in_raw_text = False
        """In a <script> or <style>, already refused, whose content is not HTML."""
        self.open: list[str] = []
        """Elements opened and not yet closed, innermost last."""
        self.line_starts = [0, *(match.end() for match in re.finditer("\n", html))]

    def refuse(self, message: str, *clues: str) -> None:
        self.found.append(Refusal(self.source.index(*clues), message))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        written = self.get_starttag_text() or ""
        self.in_raw_text = tag in self.CDATA_CONTENT_ELEMENTS
        if tag not in ELEMENTS:
            self.refuse(_element_message(tag), written, f"<{tag}")
            return
        if "<" in written[1:-1] or ">" in written[1:-1]:  # the page's own steps look for tags in text
            self.refuse(f"<{tag}> has a < or > inside it, which could end the tag early where the page "
                        "is put together; write &lt; or &gt; instead", written)
            return
        refused = len(self.found)
        for name, value in attrs:
            message = _attribute_message(tag, name, value or "")
            if message is None and name in ADDRESS_ATTRIBUTES:
                message = _address_message(value or "")
            if message:
                self.refuse(message, *_clues(written, name, value or ""))
        if tag == "img" and len(self.found) == refused and lacks_alt_text(dict(attrs)):  # else removed
            source = dict(attrs).get("src") or "(no src)"
            self.refuse(no_alt_text(source), written, f"]({source}", source)
        if tag not in VOID and not written.endswith("/>"):
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        """Every element closes where it was opened. An element left open on the page would take in
        what the site puts after it (the "What you told us" summary, say), where Markdown that was
        text in its own file, such as `<b>` in backticks, becomes HTML."""
        self.in_raw_text = False
        if tag in VOID or tag not in ELEMENTS:
            return
        if self.open and self.open[-1] == tag:
            self.open.pop()
        else:
            self.refuse(f"</{tag}> closes an element that is not open here; remove it, or open the "
                        f"<{tag}> before it", self.here(), f"</{tag}")

    def close(self) -> None:
        super().close()
        for tag in self.open:
            self.refuse(f"<{tag}> is opened and never closed; add </{tag}> where it should end, or "
                        "write it in Markdown", f"<{tag}")

    def handle_data(self, data: str) -> None:
        if "<" in data and not self.in_raw_text:
            self.refuse(f"'{self.here()}' is HTML that is unfinished or cannot be read; remove it, "
                        "or write &lt; for a less-than sign", self.here())
        if "code" not in self.open and UNCLOSED_FENCE.search(data):
            self.refuse("a code block is opened with ``` or ~~~ and never closed: on the page it would "
                        "take in what the site puts after it; close it with the same line, or remove it",
                        *UNCLOSED_FENCE.findall(data))

    def handle_comment(self, data: str) -> None:
        """A note for staff is allowed (`policy-portal new` writes one), but a browser can end a
        comment at a `>` inside it, as in `<!-->` and `--!>`, where this parser does not."""
        if ">" in data:
            self.refuse("an HTML comment (<!-- -->) with '>' in it is not allowed: a browser could end "
                        "the comment there and show or run what follows; take the '>' out",
                        self.here(), "<!--")

    def handle_decl(self, decl: str) -> None:
        self.refuse(f"'{self.here()}' is not allowed in a policy; remove it", self.here())

    handle_pi = unknown_decl = handle_decl

    def here(self) -> str:
        """The HTML from where the parser is to the end of that line, shortened, as a clue."""
        line, column = self.getpos()
        start = self.line_starts[line - 1] + column
        return self.html[start:start + 40].split("\n", 1)[0]


def _element_message(tag: str) -> str:
    if tag in REFUSED_ELEMENTS:
        return f"<{tag}> is not allowed in a policy: {REFUSED_ELEMENTS[tag]}"
    return f"<{tag}> is not allowed in a policy; use Markdown instead (see {GUIDE})"


def _attribute_message(tag: str, name: str, value: str) -> str | None:
    """Why an attribute is refused, or None; an allowed href or src still has its address checked."""
    if name.startswith("on"):
        return f"'{name}' on <{tag}> is not allowed: {RUNS}"
    if name == "id" and value.startswith("__"):  # the theme's own elements: __config, __search...
        return (f"the link name '{value[:40]}' is the theme's own and would break the page's script; "
                "choose one that does not start with __")
    if name == "id" and not LINK_NAME.fullmatch(value):  # the theme copies it into its contents list
        return (f"the link name '{value[:40]}' may hold only letters, digits, - and _; "
                "write it without other characters")
    allowed = VALUES.get((tag, name))
    if name in ELEMENTS[tag] and (allowed is None or allowed.fullmatch(value)):
        return None
    if name == "style":
        return f"'style' on <{tag}> is not allowed: {HIDES}"
    if name == "class":
        return (f"class '{value[:40]}' on <{tag}> is not allowed: the site's own classes can hide text "
                "or make it look like one of the site's notices; remove it")
    return f"'{name}' on <{tag}> is not allowed in a policy; remove it (see {GUIDE})"


def _address_message(address: str) -> str | None:
    """Why a link's or image's address is refused, or None for web, email, phone and the site's."""
    bare = IGNORED_IN_ADDRESSES.sub("", address)
    scheme = SCHEME.match(bare)
    if not scheme or scheme.group(1).lower() in ADDRESSES:
        return None
    why = REFUSED_SCHEMES.get(scheme.group(1).lower(),
                              "links may only go to web pages, email addresses and phone numbers")
    return (f"the address '{bare[:60]}' is not allowed: {why}; link to an https://, mailto: or tel: "
            "address, or to a policy by its file name")


def _clues(written: str, name: str, value: str) -> tuple[str, ...]:
    """Text to look for in the Markdown to find an attribute's line: the tag, if it was typed as
    HTML; the address, if it is a link's; attr_list's `name=`; the value, as written or read."""
    if name in ADDRESS_ATTRIBUTES:
        return written, _as_written(written, name), value
    return written, f"{name}=", _as_written(written, name), value


def _as_written(tag_text: str, name: str) -> str:
    """An attribute's value as the HTML has it, entities and all: the text of a Markdown link's
    address, where Markdown made the tag."""
    match = re.search(rf"""[\s/"']{re.escape(name)}\s*=\s*("[^"]*"|'[^']*'|[^\s>]*)""", tag_text,
                      re.IGNORECASE)
    return match.group(1).strip("\"'") if match else ""
