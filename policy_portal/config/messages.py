"""The portal's own words on translated pages ("About this policy", "This translation is out of
date"), in each language.

They live in gettext catalogues, `policy_portal/config/locales/<code>.po`, the format translators'
tools (Poedit, Weblate) read and write; Babel reads them, and formats dates the way each
language writes them. English text is the message itself, so an English page needs no catalogue.
"""

from __future__ import annotations

import ast
import datetime as dt
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from policy_portal.config.languages import Language
from policy_portal.text.formatting import long_date

LOCALES = Path(__file__).parent / "locales"


@cache
def catalogue(code: str) -> dict[str, str]:
    """The finished translations in a language's catalogue (none if it has no catalogue yet)."""
    path = LOCALES / f"{code}.po"
    if not path.is_file():
        return {}
    with path.open("rb") as source:
        messages = read_po(source, locale=code)
    return {message.id: message.string for message in messages
            if message.id and isinstance(message.string, str) and message.string and not message.fuzzy}


class Words:
    """Says the portal's messages in one language: `words("Summary")`, and with values,
    `words("Version {version}", version="3")`. A message with no translation yet stays in English,
    and `check` lists it, so a page is never missing text."""

    def __init__(self, language: Language) -> None:
        self.language = language
        self.translations = {} if language.default else catalogue(language.code)

    def __call__(self, message: str, **values: str) -> str:
        return self.translations.get(message, message).format(**values)

    def date(self, day: dt.date) -> str:
        """A date as the language writes it: 21 May 2024, 21 Mai 2024, 21 maja 2024; a month alone
        as October 2024, październik 2024."""
        return long_date(day) if self.language.default else long_date(day, locale=self.language.code)

    def missing(self, messages: list[str]) -> list[str]:
        """Which of `messages` this language's catalogue does not translate yet."""
        return [] if self.language.default else [text for text in messages if text not in self.translations]


def used_messages() -> list[str]:
    """Every message the portal's code passes to `words(...)`, in the order they appear.

    Read from the code itself with `ast`, which (unlike Babel's extractor on Python 3.11) also
    sees calls inside f-strings; `check` and the tests compare catalogues against it."""
    found: dict[str, None] = {}
    for path in sorted(Path(__file__).parents[1].rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
                 and isinstance(node.func, ast.Name) and node.func.id == "words"]
        for call in sorted(calls, key=lambda call: (call.lineno, call.col_offset)):
            if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
                found[call.args[0].value] = None
    return list(found)
