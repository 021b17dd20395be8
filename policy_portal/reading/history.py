"""Earlier versions of a policy, read from the repository's history and from files.

A version is published by the commit where the policy's `version` field first took that value
while the policy was approved; that is the text people read then. A shallow clone (as CI makes
by default) lacks that history, and the error says how to fetch it. Versions approved before the
policies were kept in git are files (reading/earlier.py); git's copy of a version wins where
both have it, as it is what was published.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from policy_portal.reading.library import Library
from policy_portal.reading.policy import Policy, Status, version_key
from policy_portal.reading.reader import read_policy_text


class HistoryUnavailableError(Exception):
    """The repository's history cannot be read; the message says what to do."""


@dataclass(frozen=True)
class PublishedVersion:
    version: str
    commit: str
    """The commit that published it; "" for a version kept in policies/earlier-versions/."""
    policy: Policy
    consulted: Policy | None = None
    """The draft people were consulted on just before this version was approved, as it stood
    when last committed under consultation, so the site can show what changed after it."""


def git(project: Path, *args: str) -> str:
    """Run git in the project; HistoryUnavailableError, saying what to do, if it cannot."""
    try:
        result = subprocess.run(["git", "-C", str(project), *args], capture_output=True, text=True,
                                check=True)
    except FileNotFoundError:
        raise HistoryUnavailableError("git is not installed, so earlier versions of policies cannot be "
                                      "read; install git and build again") from None
    except subprocess.CalledProcessError as error:
        raise HistoryUnavailableError(
            f"{project} is not a git repository ({error.stderr.strip()}), so earlier versions of "
            "policies cannot be read; build from a clone of the policies repository") from None
    return result.stdout


def check_history(project: Path) -> None:
    """Raise HistoryUnavailableError unless the full history is here."""
    if git(project, "rev-parse", "--is-shallow-repository").strip() == "true":
        raise HistoryUnavailableError(
            "this is a shallow clone, so earlier versions of policies are missing and are not "
            "published. Run `git fetch --unshallow` and build again (in GitHub Actions, give "
            "actions/checkout `fetch-depth: 0`)")


def file_at(project: Path, commit: str, path: str) -> str | None:
    """A file's text at a commit, or None if it did not exist then."""
    try:
        return git(project, "show", f"{commit}:{path}")
    except HistoryUnavailableError:
        return None


def published_versions(project: Path, policy: Policy,
                       recorded: list[Policy] | None = None) -> list[PublishedVersion]:
    """Every approved version of `policy`, oldest first, as committed when it was published, and
    those `recorded` in files that git does not have."""
    commits = git(project, "log", "--reverse", "--format=%H", "--", policy.path).split()
    found: dict[str, PublishedVersion] = {}
    draft = None
    for commit in commits:
        text = file_at(project, commit, policy.path)
        old, problems = read_policy_text(text, policy.path, policy.slug) if text else (None, [])
        if old and not problems and old.status is Status.CONSULTATION:
            draft = old
        elif old and not problems and old.status is Status.APPROVED and old.version not in found:
            found[old.version] = PublishedVersion(old.version, commit, old, draft)
            draft = None
    return _in_order(_from_files(policy, recorded or []) | found)


def library_versions(project: Path, library: Library) -> dict[str, list[PublishedVersion]]:
    """Every policy's approved versions; HistoryUnavailableError if the history is not all here."""
    check_history(project)
    return {policy.slug: published_versions(project, policy, library.earlier.get(policy.slug))
            for policy in library}


def recorded_versions(library: Library) -> dict[str, list[PublishedVersion]]:
    """Without git history: each policy's versions kept as files, and the one in force now."""
    return {policy.slug: _in_order(_from_files(policy, library.earlier.get(policy.slug, [])))
            for policy in library}


def _from_files(policy: Policy, recorded: list[Policy]) -> dict[str, PublishedVersion]:
    """The versions kept as files and, if there are any, the approved version now in force, which
    the last of them is compared with."""
    found = {old.version: PublishedVersion(old.version, "", old) for old in recorded}
    if found and policy.status is Status.APPROVED:
        found[policy.version] = PublishedVersion(policy.version, "", policy)
    return found


def _in_order(found: dict[str, PublishedVersion]) -> list[PublishedVersion]:
    return sorted(found.values(), key=lambda version: version_key(version.version))
