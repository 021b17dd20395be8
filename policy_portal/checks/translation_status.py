"""Which translations are out of date or missing, for `policy-portal check` and the build.

A stale translation is published with a banner by default; `extra.translations.out_of_date:
error` in mkdocs.yml makes it stop the build instead, for associations that would rather not
publish a translation until it is brought up to date.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from policy_portal.config.settings import CONFIG
from policy_portal.problems import PolicyError, Problem
from policy_portal.reading.library import Library

CHOICES = ("warn", "error")


@dataclass(frozen=True)
class TranslationSettings:
    stale_is_error: bool = False


def translation_settings_from(extra: dict[str, Any]) -> TranslationSettings:
    block = extra.get("translations") or {}
    choice = block.get("out_of_date", "warn") if isinstance(block, dict) else None
    if choice not in CHOICES:
        raise PolicyError([Problem(CONFIG, 1, "extra.translations.out_of_date",
                                   f"'{choice}' is not allowed; use warn (publish with a banner) or "
                                   "error (stop the build)")])
    return TranslationSettings(stale_is_error=choice == "error")


def refuse_stale(library: Library, extra: dict[str, Any]) -> None:
    """Raise `PolicyError` for out-of-date translations if mkdocs.yml says they stop the build;
    `check` and the build both ask this, so they can never disagree."""
    if translation_settings_from(extra).stale_is_error:
        problems = stale_problems(library)
        if problems:
            raise PolicyError(problems)


def stale_problems(library: Library) -> list[Problem]:
    """Each out-of-date translation, said as a problem on its `translates_version` line."""
    problems = []
    for translation in library.stale_translations():
        policy = library[translation.slug]
        problems.append(Problem(
            translation.path, translation.field_lines.get("translates_version", 1), "translates_version",
            f"translates version {translation.translates_version}, but {policy.path} is at version "
            f"{policy.version}; have the changes translated and set translates_version: "
            f'"{policy.version}"'))
    return problems


def translation_report(library: Library) -> list[str]:
    """Lines for `check`: stale translations, then, for each language, policies not translated."""
    lines = [f"Out of date: {problem.path} {problem.message.split(';')[0]}"
             for problem in stale_problems(library)]
    for language in library.languages.translated:
        missing = library.missing_translations(language)
        if missing:
            lines.append(f"Not in {language.english_name} ({language.code}): "
                         + ", ".join(policy.slug for policy in missing))
    return lines
