"""The languages the site is published in, configured once in mkdocs.yml.

The i18n plugin's `languages` list (mkdocs-static-i18n; the setting `plugins.i18n.languages`) is
the one place: it already needs each language's code and its name in that language for the
language switcher, so the portal reads the same list rather than asking staff to keep a second
copy. Which way a language is written comes from Unicode's locale data (Babel), so it cannot be
set wrongly: Arabic and Urdu are right to left, Welsh and Polish left to right.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from babel import Locale, UnknownLocaleError

from policy_portal.config.config_file import InvalidSettingError


@dataclass(frozen=True)
class Language:
    code: str
    """As in file names and addresses: cy for policies/complaints.cy.md and /cy/."""
    name: str
    """In the language itself (Cymraeg), as the switcher shows it."""
    english_name: str
    direction: str
    """"ltr" or "rtl", for the `dir` attribute."""
    default: bool = False


ENGLISH = Language("en", "English", "English", "ltr", default=True)


@dataclass(frozen=True)
class Languages:
    """Every configured language, the default (the language policies are written in) first."""

    all: tuple[Language, ...] = (ENGLISH,)

    @property
    def default(self) -> Language:
        return self.all[0]

    @property
    def translated(self) -> tuple[Language, ...]:
        """The languages policies may be translated into."""
        return self.all[1:]

    def __getitem__(self, code: str) -> Language:
        for language in self.all:
            if language.code == code:
                return language
        raise KeyError(code)

    def get(self, code: str | None, default: Language) -> Language:
        return next((language for language in self.all if language.code == code), default)

    def __contains__(self, code: object) -> bool:
        return any(language.code == code for language in self.all)


def parse_languages(entries: Any) -> Languages:
    """The i18n plugin's `languages` list (the `plugins.i18n.languages` setting)."""
    if not isinstance(entries, list):
        raise InvalidSettingError("must be a list of languages, each with `locale:` and `name:`")
    problems: list[tuple[str, str]] = []
    found: list[Language] = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("locale"), str) \
                or not isinstance(entry.get("name"), str):
            problems.append((f"[{number}]", "needs `locale:` (such as cy) and `name:` "
                             "(the language's name in that language, such as Cymraeg)"))
            continue
        try:
            locale = Locale.parse(entry["locale"].replace("-", "_"))
        except (ValueError, UnknownLocaleError):
            problems.append((f"[{number}].locale", f"'{entry['locale']}' is not a "
                             "language code; use a two-letter code such as cy, pl or ar"))
            continue
        found.append(Language(entry["locale"], entry["name"], locale.get_display_name("en"),
                              locale.text_direction, entry.get("default") is True))
    defaults = [language for language in found if language.default]
    if not problems and len(defaults) != 1:
        problems.append(("", "mark exactly one language `default: true`: the one policies are written in"))
    if problems:
        raise InvalidSettingError(problems=problems)
    return Languages((defaults[0], *(language for language in found if not language.default)))
