"""Earlier approved versions kept as files: policies/earlier-versions/<slug>/<version>.md.

An association's policies usually had versions long before they were kept in git, so git history
cannot publish them. Each such version is a policy file of its own, in the same format, written
by hand or by `policy-portal import OLD.docx --slug complaints --earlier-version 2`. It is
checked like any policy, and against the policy it is an earlier version of, and published like
a version found in git history (reading/history.py).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from policy_portal.problems import Problem
from policy_portal.reading.policy import Policy, Status, version_key
from policy_portal.reading.reader import read_policy

EARLIER = "earlier-versions"
"""The folder, inside the policies folder, of earlier versions: one folder per policy."""


def earlier_path(folder: Path, slug: str, version: str) -> Path:
    """Where version `version` of the policy `slug` is kept, `folder` being the policies folder."""
    return folder / EARLIER / slug / f"{version}.md"


def read_earlier_versions(folder: Path, root: Path, policies: dict[str, Policy],
                          known: set[str]) -> tuple[dict[str, list[Policy]], list[Problem]]:
    """Every earlier version's file, checked, by policy slug, oldest first. `known`: the slugs of
    every policy file, valid or not, so a broken policy is not also reported as missing."""
    found: dict[str, list[Policy]] = {}
    problems: list[Problem] = []
    for path in sorted((folder / EARLIER).glob("*/*.md")):
        old, read = read_policy(path, root)
        if old is None:
            problems += read
            continue
        slug, name = path.parent.name, path.relative_to(root).as_posix()
        old = dataclasses.replace(old, slug=slug)  # named by its folder, not its file
        wrong = _problem(old, policies.get(slug), slug in known, path.name.removesuffix(".md"))
        if wrong:
            field, message = wrong
            problems.append(Problem(name, old.field_lines.get(field, 1), field, message))
            continue
        found.setdefault(slug, []).append(old)
    return {slug: sorted(versions, key=lambda version: version_key(version.version))
            for slug, versions in found.items()}, problems


def _problem(old: Policy, policy: Policy | None, known: bool, named: str) -> tuple[str, str] | None:
    """(field, what is wrong and what to do) if the file is not an earlier version of its policy."""
    if policy is None:
        return None if known else ("file name", f"there is no policy policies/{old.slug}.md; the folder "
                                   "is named after the policy whose earlier version this is")
    if old.status is not Status.APPROVED:
        return "status", "an earlier version is one that was approved: write status: approved"
    if old.version != named:
        return "version", (f"the file is named {named}.md but this is version {old.version}; "
                           f"rename the file {old.version}.md or correct the version")
    versions = [entry.version for entry in policy.history]
    if old.version == policy.version or old.version not in versions:
        return "version", (f"{policy.path} (version {policy.version}) has no earlier version "
                           f"{old.version} in its history ({', '.join(versions) or 'none'}); "
                           "give one of the earlier versions listed there")
    return None
