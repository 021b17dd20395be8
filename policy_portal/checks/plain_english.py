"""Plain-English checks for `policy-portal check`: warnings for staff, never build failures.

The reference policies promise plain English with no jargon. These checks give each policy a
reading-ease score (Flesch, 0 to 100, higher is easier; about 60 is plain English) and point to
its longest sentences, link text that says nothing ("click here"), skipped heading levels and
empty headings. Syllables are counted with the Pyphen hyphenation dictionary, which is close but
not exact: use the score to compare policies and drafts, not as a grade.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser

import pyphen

from policy_portal.problems import Problem
from policy_portal.reading.policy import Policy
from policy_portal.text.extensions import TEXT_EXTENSIONS, converter
from policy_portal.text.sections import headings

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"(]|[a-z]+[A-Z])")
"""A sentence ends at . ! or ? before a capital, a digit, a quotation, a bracket, or a brand name
written with a small first letter and a capital after it (eBay, iPhone)."""
LISTED = 3
"""How many of the longest sentences a warning quotes; the rest are counted."""
WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*|\d[\d,.]*")
VAGUE_LINK = re.compile(r"\[\s*(click here|here|read more|more|this link|link|this)\s*\]\(", re.IGNORECASE)
EMPTY_HEADING = re.compile(r"#{1,6}\s*$")


@dataclass(frozen=True)
class PlainEnglishSettings:
    """`extra.plain_english` in mkdocs.yml (declared in `policy_portal.config.settings`)."""

    min_reading_ease: int
    max_sentence_words: int


@dataclass(frozen=True)
class Readability:
    reading_ease: float
    longest: list[tuple[int, str]]
    """Every sentence with its word count, longest first."""


class _Text(HTMLParser):
    """The words of rendered HTML, a block per paragraph, list item, cell or heading."""

    BLOCKS = frozenset({"p", "li", "td", "th", "h2", "h3", "h4", "h5", "h6", "dd", "dt"})

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = [""]

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.BLOCKS:
            self.blocks.append("")

    def handle_data(self, data: str) -> None:
        self.blocks[-1] += data


@cache
def _dictionary() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_GB")


def _syllables(word: str) -> int:
    return max(1, len(_dictionary().positions(word.lower())) + 1) if word[0].isalpha() else 1


def readability(body: str) -> Readability:
    parser = _Text()
    parser.feed(converter(TEXT_EXTENSIONS).convert(body))
    sentences = [sentence.strip() for block in parser.blocks for sentence in SENTENCE_END.split(block)
                 if WORD.search(sentence)]
    words = [word for sentence in sentences for word in WORD.findall(sentence)]
    if not words:
        return Readability(100.0, [])
    syllables = sum(_syllables(word) for word in words)
    ease = 206.835 - 1.015 * len(words) / len(sentences) - 84.6 * syllables / len(words)
    longest = sorted(((len(WORD.findall(sentence)), " ".join(sentence.split())) for sentence in sentences),
                     reverse=True)
    return Readability(round(ease, 1), longest)


def plain_english_warnings(policy: Policy, settings: PlainEnglishSettings) -> list[Problem]:
    found = []
    result = readability(policy.body)
    if result.reading_ease < settings.min_reading_ease:
        found.append(Problem(policy.path, policy.body_line, "plain English",
                             f"reading ease {result.reading_ease:.0f} is below {settings.min_reading_ease}; "
                             "use shorter sentences and everyday words"))
    lines = policy.body.splitlines()
    limit = settings.max_sentence_words
    too_long = [(words, sentence) for words, sentence in result.longest if words > limit]
    for words, sentence in too_long[:LISTED]:
        found.append(Problem(policy.path, _line_of(sentence, lines, policy.body_line), "plain English",
                             f"a sentence of {words} words (more than {settings.max_sentence_words}): "
                             f"'{sentence[:80]}…'; split it"))
    if len(too_long) > LISTED:
        more = len(too_long) - LISTED
        found.append(Problem(policy.path, policy.body_line, "plain English",
                             f"and {more} more sentence{'s' if more != 1 else ''} of more than "
                             f"{settings.max_sentence_words} words besides the {LISTED} longest listed; "
                             "split them too"))
    level = 1  # the title
    for heading in headings(policy.body):
        if heading.level > level + 1:
            found.append(Problem(policy.path, policy.body_line + heading.index, "heading",
                                 f"'{'#' * heading.level} {heading.text[:50]}' skips from level {level} "
                                 f"to {heading.level}; use {'#' * (level + 1)}"))
        level = heading.level
    for number, line in enumerate(lines, start=policy.body_line):
        if EMPTY_HEADING.fullmatch(line.strip()):
            found.append(Problem(policy.path, number, "heading",
                                 "an empty heading; give it words or remove it"))
        for match in VAGUE_LINK.finditer(line):
            found.append(Problem(policy.path, number, "link text",
                                 f"'{match.group(1)}' does not say where the link goes; use words that "
                                 "do, such as 'our complaints form'"))
    return found


def _line_of(sentence: str, lines: list[str], first: int) -> int:
    """The line a sentence starts on, found by its first few words; the body's first line if not."""
    start = " ".join(sentence.split()[:4])
    for number, line in enumerate(lines, start=first):
        if start and start in " ".join(line.split()):
            return number
    return first
