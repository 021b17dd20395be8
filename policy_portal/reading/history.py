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


def git(project: Path, *args: str, input: bytes | None = None) -> str:
    """Run git in the project; HistoryUnavailableError, saying what to do, if it cannot."""
    return _text(_git(project, *args, input=input))


def _text(data: bytes) -> str:
    """git's bytes read as text is read from a file: any Windows line ending becomes a newline."""
    return data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")


def _git(project: Path, *args: str, input: bytes | None = None) -> bytes:
    """git's output as bytes: `cat-file --batch` gives sizes in bytes."""
    try:
        result = subprocess.run(["git", "-C", str(project), *args], capture_output=True, input=input,
                                check=True)
    except FileNotFoundError:
        raise HistoryUnavailableError("git is not installed, so earlier versions of policies cannot be "
                                      "read; install git and build again") from None
    except subprocess.CalledProcessError as error:
        raise HistoryUnavailableError(
            f"{project} is not a git repository ({error.stderr.decode(errors='replace').strip()}), so "
            "earlier versions of policies cannot be read; build from a clone of the policies repository"
        ) from None
    return result.stdout


ONLY_CURRENT = ("Only the current version of each policy, and those in policies/earlier-versions/, are "
                "published: {reason}.")
"""What a build says it left out when the history cannot be read."""


def unpublished_versions(project: Path) -> str | None:
    """What a build leaves out because the history cannot be read, or None when it can."""
    try:
        check_history(project)
    except HistoryUnavailableError as error:
        return ONLY_CURRENT.format(reason=error)
    return None


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


def library_versions(project: Path, library: Library) -> dict[str, list[PublishedVersion]]:
    """Every policy's approved versions; HistoryUnavailableError if the history is not all here.

    Two git commands for the whole library, not two per policy and one per commit: at a hundred
    policies a process each took seconds of every build."""
    check_history(project)
    commits = _commits_by_file(project, sorted({str(Path(policy.path).parent) for policy in library}))
    texts = _files_at(project, [(commit, policy.path) for policy in library
                                for commit in commits.get(policy.path, [])])
    return {policy.slug: _published(policy, [(commit, texts[commit, policy.path])
                                             for commit in commits.get(policy.path, [])],
                                    library.earlier.get(policy.slug, []))
            for policy in library}


def _commits_by_file(project: Path, folders: list[str]) -> dict[str, list[str]]:
    """Each file in the policies `folders` (by its path in the project) and the commits that
    changed it, oldest first: the commits `git log -- <file>` lists for each. A merge counts
    for a file only where it differs from every parent (a resolved conflict), as there."""
    log = git(project, "-c", "core.quotePath=false", "log", "--reverse", "--format=%x01%H", "--name-only",
              "--diff-merges=dense-combined", "--relative", "--", *folders)
    commits: dict[str, list[str]] = {}
    for entry in log.split("\x01")[1:]:
        commit, *paths = (line for line in entry.splitlines() if line)
        for path in paths:
            commits.setdefault(path, []).append(commit)
    return commits


def _files_at(project: Path, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
    """Each (commit, path)'s text, None where the file was not there (deleted by that commit),
    read by one `git cat-file --batch`."""
    if not wanted:
        return {}
    requests = "".join(f"{commit}:./{path}\n" for commit, path in wanted).encode("utf-8")
    output = _git(project, "cat-file", "--batch", input=requests)
    texts: dict[tuple[str, str], str | None] = {}
    position = 0
    for key in wanted:
        end = output.index(b"\n", position)
        header = output[position:end].split()
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            texts[key] = _text(output[end + 1:end + 1 + size])
            position = end + 1 + size + 1  # the object, then a newline
        else:  # "<name> missing"
            texts[key], position = None, end + 1
    return texts


def _published(policy: Policy, committed: list[tuple[str, str | None]],
               recorded: list[Policy]) -> list[PublishedVersion]:
    """Every approved version of `policy`, oldest first, as committed when it was published
    (`committed`: each commit that changed it and its text then), and those `recorded` in files
    that git does not have."""
    found: dict[str, PublishedVersion] = {}
    draft = None
    for commit, text in committed:
        old, problems = read_policy_text(text, policy.path, policy.slug) if text else (None, [])
        if old and not problems and old.status is Status.CONSULTATION:
            draft = old
        elif old and not problems and old.status is Status.APPROVED and old.version not in found:
            found[old.version] = PublishedVersion(old.version, commit, old, draft)
            draft = None
    return _in_order(_from_files(policy, recorded) | found)


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
