"""Formatting shared by every page, report and message: dates, lists of words, sizes, and text made
safe to place inside Markdown."""

from __future__ import annotations

import datetime as dt
from difflib import SequenceMatcher
from functools import lru_cache

from babel.dates import format_date

from policy_portal.month_date import MonthDate

MARKDOWN_SPECIAL = str.maketrans({**{character: f"&#{ord(character)};" for character in "|*_[]`{}\\#~!"},
                                  "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})
"""Every character that could change Markdown's or HTML's meaning, as a numeric reference: one
pass, so no reference is itself escaped again (`&#x27;` once showed as text on pages)."""


@lru_cache(maxsize=4096, typed=True)  # typed: a month is equal to its first day, but not written so
def long_date(day: dt.date, locale: str = "en_GB") -> str:
    """A date as people write it, by Unicode's locale data: 14 May 2024 in the UK, 14 Mai 2024 in
    Welsh; a month alone with the month's name as it stands by itself (LLLL): October 2024,
    październik 2024. The one date format: pages in every language (`Words.date`), feeds, emails
    and the consultation app. Cached: a build writes the same few dates thousands of times, and
    Babel takes longer than the page's templates to write one."""
    return format_date(day, "LLLL y" if isinstance(day, MonthDate) else "long", locale=locale)


def on_date(day: dt.date) -> str:
    """'on 14 May 2024', or 'in October 2024' for a month alone: how a sentence says when."""
    return f"in {long_date(day)}" if isinstance(day, MonthDate) else f"on {long_date(day)}"


def join_words(words: list[str]) -> str:
    """['a', 'b', 'c'] -> 'a, b and c', as a sentence would say it."""
    return " and ".join(filter(None, [", ".join(words[:-1]), words[-1]])) if words else ""


def md_text(text: str) -> str:
    """Text placed inside Markdown, with every character that could change its meaning escaped, so
    text from outside (a comment, a title) can never add HTML, links or attributes to a page:
    `{: onclick=...}` is attr_list syntax, and backticks would start code that attr_list can reach."""
    return text.translate(MARKDOWN_SPECIAL)


def plain_paragraph(text: str) -> str:
    """A summary as one paragraph of plain text. It stands on the page just before the policy's
    text, so Markdown in it could join with the text's (a code fence opened in one, closed in the
    other) into HTML that neither holds alone."""
    return md_text(" ".join(text.split()))


def file_size(size: int) -> str:
    """Sizes as people read them: 48 KB, 1.2 MB."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def word_counts(before: str, after: str) -> tuple[int, int]:
    """(words added, words removed) between two texts."""
    old, new = before.split(), after.split()
    added = removed = 0
    for operation, i1, i2, j1, j2 in SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if operation != "equal":
            removed, added = removed + i2 - i1, added + j2 - j1
    return added, removed
