"""Which translations are out of date or missing, for `policy-portal check` and the build.

A stale translation is published with a banner by default; `extra.translations.out_of_date:
error` in mkdocs.yml makes it stop the build instead, for associations that would rather not
publish a translation until it is brought up to date.
"""

from __future__ import annotations

from policy_portal.config.settings import Settings
from policy_portal.problems import PolicyError, Problem
from policy_portal.reading.library import Library


def refuse_stale(library: Library, settings: Settings) -> None:
    """Raise `PolicyError` for out-of-date translations if mkdocs.yml says they stop the build;
    `check` and the build both ask this, so they can never disagree."""
    if settings["extra.translations.out_of_date"] == "error":
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
