"""The languages the site is published in, configured once in mkdocs.yml.

The i18n plugin's `languages` list (mkdocs-static-i18n) is the one place: it already needs each
language's code and its name in that language for the language switcher, so the portal reads
the same list rather than asking staff to keep a second copy. Which way a language is written
comes from Unicode's locale data (Babel), so it cannot be set wrongly: Arabic and Urdu are
right to left, Welsh and Polish left to right.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from babel import Locale, UnknownLocaleError

from policy_portal.problems import PolicyError, Problem

CONFIG = "mkdocs.yml"
PLUGIN = "i18n"


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


def languages_from(config: dict[str, Any]) -> Languages:
    """Read the i18n plugin's `languages` from mkdocs.yml's data; English alone if it has none."""
    entries = _plugin_languages(config.get("plugins"))
    if entries is None:
        return Languages()
    problems: list[Problem] = []
    found: list[Language] = []
    for number, entry in enumerate(entries, 1):
        label = f"plugins.{PLUGIN}.languages[{number}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("locale"), str) \
                or not isinstance(entry.get("name"), str):
            problems.append(Problem(CONFIG, 1, label, "needs `locale:` (such as cy) and `name:` "
                                    "(the language's name in that language, such as Cymraeg)"))
            continue
        try:
            locale = Locale.parse(entry["locale"].replace("-", "_"))
        except (ValueError, UnknownLocaleError):
            problems.append(Problem(CONFIG, 1, f"{label}.locale", f"'{entry['locale']}' is not a "
                                    "language code; use a two-letter code such as cy, pl or ar"))
            continue
        found.append(Language(entry["locale"], entry["name"], locale.get_display_name("en"),
                              locale.text_direction, entry.get("default") is True))
    defaults = [language for language in found if language.default]
    if not problems and len(defaults) != 1:
        problems.append(Problem(CONFIG, 1, f"plugins.{PLUGIN}.languages",
                                "mark exactly one language `default: true`: the one policies are written in"))
    if problems:
        raise PolicyError(problems)
    return Languages((defaults[0], *(language for language in found if not language.default)))


def _plugin_languages(plugins: Any) -> list[Any] | None:
    """The plugin's languages, whether mkdocs.yml lists plugins as a list or as a mapping."""
    items = plugins.items() if isinstance(plugins, dict) else [
        next(iter(entry.items())) if isinstance(entry, dict) else (entry, None) for entry in plugins or []]
    for name, options in items:
        if name == PLUGIN:
            languages = (options or {}).get("languages")
            return languages if isinstance(languages, list) else []
    return None
