"""All the policies in a folder, checked against each other.

`load_library` is the single way in for every adapter (the MkDocs hooks, the command line and
the consultation app, through `policy_portal.project.Project`): either every policy is valid and
consistent, or `PolicyError` lists every problem in every file, so nothing is ever published
half-built.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from policy_portal.config.languages import Language, Languages
from policy_portal.problems import PolicyError, Problem
from policy_portal.reading.allowlist import refusals
from policy_portal.reading.earlier import read_earlier_versions
from policy_portal.reading.policy import Policy, Status, Translation
from policy_portal.reading.reader import read_policy, read_translation


@dataclass
class Library:
    """Valid policies, keyed by slug, in title order, and their translations."""

    policies: dict[str, Policy]
    translations: dict[str, dict[str, Translation]] = dataclasses.field(default_factory=dict)
    """By policy slug, then language code."""
    languages: Languages = dataclasses.field(default_factory=Languages)
    earlier: dict[str, list[Policy]] = dataclasses.field(default_factory=dict)
    """Earlier approved versions kept as files (policies/earlier-versions/), by slug, oldest first."""
    told_us: dict[str, str] = dataclasses.field(default_factory=dict)
    """The "What you told us" summaries (policies/what-you-told-us/), by slug."""

    def __iter__(self):
        return iter(self.policies.values())

    def __getitem__(self, slug: str) -> Policy:
        return self.policies[slug]

    def in_force_by_category(self) -> dict[str, list[Policy]]:
        """Approved policies grouped by category, categories in alphabetical order."""
        groups: dict[str, list[Policy]] = defaultdict(list)
        for policy in self:
            if policy.in_force:
                groups[policy.category].append(policy)
        return dict(sorted(groups.items()))

    def with_status(self, *statuses: Status) -> list[Policy]:
        return [policy for policy in self if policy.status in statuses]

    def translation(self, slug: str, language: str) -> Translation | None:
        return self.translations.get(slug, {}).get(language)

    def stale_translations(self) -> list[Translation]:
        """Translations of an English version that has since been replaced."""
        return [translation for slug, by_language in self.translations.items()
                for translation in by_language.values() if translation.is_stale(self[slug])]

    def missing_translations(self, language: Language) -> list[Policy]:
        """Policies in force with no translation into `language`."""
        return [policy for policy in self
                if policy.in_force and not self.translation(policy.slug, language.code)]


TOLD_US = "what-you-told-us"
"""The folder beside the policies for "What you told us" summaries, one per policy, same name."""


def _read_told_us(folder: Path, root: Path) -> tuple[dict[str, str], list[Problem]]:
    """The "What you told us" summaries staff committed, by policy slug, read once for the
    library (a build put each on its page, in its PDFs and Braille, and checked it: three reads).
    A summary goes on its policy's page as Markdown, so it may hold only what a policy's text
    may (see `allowlist.py`)."""
    summaries, problems = {}, []
    for path in sorted((folder / TOLD_US).glob("*.md")):
        text = path.read_text(encoding="utf-8")
        summaries[path.name.removesuffix(".md")] = text
        problems += [Problem(path.relative_to(root).as_posix(), refusal.index + 1, "text", refusal.message)
                     for refusal in refusals(text)]
    return summaries, problems


def policy_files(folder: Path) -> list[Path]:
    """The policy files in a folder, in a stable order: complaints.md, not its translations."""
    return sorted(path for path in folder.glob("*.md") if not is_translation(path))


def translation_files(folder: Path) -> list[Path]:
    """Translations: a policy's name, a dot and a language code, as in complaints.cy.md."""
    return sorted(path for path in folder.glob("*.md") if is_translation(path))


def is_translation(path: Path) -> bool:
    """complaints.cy.md is; complaints.md is not."""
    return "." in path.name.removesuffix(".md")


def load_library(folder: Path, root: Path | None = None, languages: Languages | None = None) -> Library:
    """Read every policy and translation in `folder`; raise `PolicyError` listing all problems if
    any. Paths in problems are relative to `root`. Translations may be into `languages` (the
    project's, from mkdocs.yml: `policy_portal.project.Project.library` passes them); without
    them, English alone."""
    root = root or folder.parent
    languages = languages or Languages()
    if not folder.is_dir():
        raise PolicyError([Problem(folder.name, 0, "policies folder",
                                   f"there is no folder called {folder}; create it and add policies")])
    policies: dict[str, Policy] = {}
    problems: list[Problem] = []
    known = _slugs(folder)  # once: listing the folder for each translation took seconds at 100 policies
    for path in policy_files(folder):
        policy, found = read_policy(path, root)
        problems += found
        if policy:
            policies[policy.slug] = policy
    problems += _cross_check(policies, known=known)
    translations: dict[str, dict[str, Translation]] = defaultdict(dict)
    codes = [language.code for language in languages.translated]
    for path in translation_files(folder):
        translation, found = read_translation(path, root, codes)
        problems += found
        if translation:
            problems += _check_translation(translation, policies, known=known)
            translations[translation.slug][translation.language] = translation
    told_us, found = _read_told_us(folder, root)
    problems += found
    earlier, found = read_earlier_versions(folder, root, policies, known=known)
    problems += found
    if problems:
        raise PolicyError(problems)
    ordered = sorted(policies.values(), key=lambda policy: policy.title.casefold())
    return Library({policy.slug: policy for policy in ordered}, dict(translations), languages, earlier,
                   told_us)


def _check_translation(translation: Translation, policies: dict[str, Policy],
                       known: set[str]) -> list[Problem]:
    """A translation needs an approved policy, and must name one of its approved versions."""
    def problem(name: str, message: str) -> list[Problem]:
        return [Problem(translation.path, translation.field_lines.get(name, 1), name, message)]

    policy = policies.get(translation.slug)
    if policy is None:
        if translation.slug in known:  # the policy file has problems of its own, already listed
            return []
        return problem("file name", f"there is no policy policies/{translation.slug}.md for this to "
                       "translate; check the name before the language code")
    if policy.status is not Status.APPROVED:
        return problem("file name", f"{policy.path} is {policy.status.label.lower()}; only a policy in "
                       "force is translated: remove this file, or keep it out of the policies folder "
                       "until the policy is approved")
    versions = [entry.version for entry in policy.history]
    if translation.translates_version not in versions:
        return problem("translates_version",
                       f"{policy.path} has no approved version {translation.translates_version}; its "
                       f"versions are {', '.join(versions)}: give the one this was translated from")
    return []


def _slugs(folder: Path) -> set[str]:
    """Slugs of every file, valid or not, so a broken file is not also reported as missing."""
    return {path.name.removesuffix(".md") for path in policy_files(folder)}


def _cross_check(policies: dict[str, Policy], known: set[str]) -> list[Problem]:
    problems = []
    by_reference: dict[str, list[Policy]] = defaultdict(list)
    for policy in policies.values():
        by_reference[policy.reference].append(policy)
        for field, slugs in (("related", policy.related), ("replaced_by", [policy.replaced_by])):
            for slug in filter(None, slugs):
                if slug == policy.slug:
                    problems.append(_problem(policy, field, f"'{slug}' is this policy itself; remove it"))
                elif slug not in known:
                    problems.append(_problem(
                        policy, field,
                        f"there is no policy called '{slug}' (no file policies/{slug}.md); "
                        "check the spelling or remove it",
                    ))
    for reference, sharing in by_reference.items():
        for policy in sharing if len(sharing) > 1 else []:
            others = ", ".join(other.path for other in sharing if other is not policy)
            problems.append(_problem(policy, "reference",
                                     f"{reference} is also used by {others}; "
                                     "give every policy its own reference"))
    return problems


def _problem(policy: Policy, field: str, message: str) -> Problem:
    return Problem(policy.path, policy.field_lines.get(field, 1), field, message)
