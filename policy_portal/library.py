"""All the policies in a folder, checked against each other.

`load_library` is the single way in for every adapter (the MkDocs hooks, the command line and
the consultation app): either every policy is valid and consistent, or `PolicyError` lists every
problem in every file, so nothing is ever published half-built.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from policy_portal.policy import Policy, Status
from policy_portal.problems import PolicyError, Problem
from policy_portal.reader import read_policy


@dataclass
class Library:
    """Valid policies, keyed by slug, in title order."""

    policies: dict[str, Policy]

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


TOLD_US = "what-you-told-us"
"""The folder beside the policies for "What you told us" summaries, one per policy, same name."""


def told_us(folder: Path, slug: str) -> str | None:
    """The consultation summary staff committed for a policy, if there is one."""
    path = folder / TOLD_US / f"{slug}.md"
    return path.read_text(encoding="utf-8") if path.is_file() else None


def policy_files(folder: Path) -> list[Path]:
    """The policy files in a folder, in a stable order."""
    return sorted(folder.glob("*.md"))


def load_library(folder: Path, root: Path | None = None) -> Library:
    """Read every policy in `folder`; raise `PolicyError` listing all problems if any."""
    root = root or folder.parent
    if not folder.is_dir():
        raise PolicyError([Problem(folder.name, 0, "policies folder",
                                   f"there is no folder called {folder}; create it and add policies")])
    policies: dict[str, Policy] = {}
    problems: list[Problem] = []
    for path in policy_files(folder):
        policy, found = read_policy(path, root)
        problems += found
        if policy:
            policies[policy.slug] = policy
    problems += _cross_check(policies, known=_slugs(folder))
    if problems:
        raise PolicyError(problems)
    ordered = sorted(policies.values(), key=lambda policy: policy.title.casefold())
    return Library({policy.slug: policy for policy in ordered})


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
