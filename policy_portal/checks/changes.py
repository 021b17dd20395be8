"""Policies changed on a branch, compared with its base: a plain-English summary for the pull
request, and the rules a change must keep (a new text needs a new version and history entry;
versions already published stay as they were)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from policy_portal.problems import Problem
from policy_portal.reading.earlier import EARLIER
from policy_portal.reading.history import file_at, git
from policy_portal.reading.library import is_translation
from policy_portal.reading.policy import Policy, Status
from policy_portal.reading.reader import read_policy_text
from policy_portal.text.formatting import long_date, word_counts
from policy_portal.text.sections import sections

PATHSPEC = ":(glob)policies/*.md"
"""Policy files only: not the 'What you told us' summaries in the folder below."""


@dataclass(frozen=True)
class PolicyChange:
    path: str
    before: Policy | None
    """None when the policy is new on the branch (or did not read at the base)."""
    after: Policy | None
    """None when the policy was removed."""


def changed_files(project: Path, base: str) -> list[str]:
    """Policy and translation files that differ from `base` (committed or not, new or removed)."""
    names = set(git(project, "diff", "--name-only", base, "--", PATHSPEC).split())
    names |= set(git(project, "ls-files", "--others", "--exclude-standard", "--", PATHSPEC).split())
    return sorted(names)


def changed_policies(project: Path, base: str, library: dict[str, Policy]) -> list[PolicyChange]:
    """Policy files that differ from `base`. Translations are not among them: they follow their
    policy's versions rather than having their own."""
    changes = []
    for path in [name for name in changed_files(project, base) if not is_translation(Path(name))]:
        slug = Path(path).name.removesuffix(".md")
        text = file_at(project, base, path)
        before = read_policy_text(text, path, slug)[0] if text else None
        changes.append(PolicyChange(path, before, library.get(slug)))
    return changes


def change_problems(change: PolicyChange, base: str) -> list[Problem]:
    """What `check --base` refuses: an approved policy's text changed without a new version, or
    the history of versions already published rewritten."""
    before, after = change.before, change.after
    if before is None or after is None or before.status is not Status.APPROVED:
        return []
    found = []
    if _text(before) != _text(after) and before.version == after.version:
        found.append(Problem(change.path, after.field_lines.get("version", 1), "version",
                             f"the text has changed since {base} but the version is still "
                             f"{after.version}; raise the version and add a history entry saying "
                             "what changed"))
    published = {entry.version: entry for entry in before.history}
    current = {entry.version: entry for entry in after.history}
    for version, entry in published.items():
        if current.get(version) != entry:
            found.append(Problem(change.path, after.field_lines.get("history", 1), "history",
                                 f"the entry for version {version}, published before {base}, has "
                                 "been changed or removed; published versions stay as they were, so "
                                 "put it back and add a new version instead"))
    return found


def earlier_version_problems(project: Path, base: str) -> list[Problem]:
    """Earlier approved versions (policies/earlier-versions/) changed or removed since `base`:
    each is the record of what was in force, so it may be added but never rewritten."""
    changed = git(project, "diff", "--name-status", "--no-renames", base, "--", f"policies/{EARLIER}/")
    found = []
    for line in changed.splitlines():
        status, _, path = line.partition("\t")
        if status != "A":
            what = "removed" if status == "D" else "changed"
            found.append(Problem(path, 1, "earlier version",
                                 f"this earlier version, published before {base}, has been {what}; it is "
                                 "the record of what was in force, so put it back as it was (git "
                                 f"checkout {base} -- {path})"))
    return found


def _text(policy: Policy) -> tuple[str, str, str]:
    return policy.title, " ".join(policy.summary.split()), policy.body.strip()


def summary(changes: list[PolicyChange]) -> str:
    """Markdown for a pull request description: what changed in each policy, in plain words."""
    if not changes:
        return "No policy has changed.\n"
    parts = []
    for change in changes:
        before, after = change.before, change.after
        if after is None:
            parts.append(f"### {before.title if before else change.path}\n\nRemoved ({change.path}).")
            continue
        lines = [f"### {after.title}", "", f"`{change.path}`", ""]
        if before is None:
            lines.append(f"- New policy: version {after.version}, {after.status.label.lower()}.")
        else:
            if before.version != after.version:
                lines.append(f"- Version {before.version} → {after.version}.")
            if before.status is not after.status:
                lines.append(f"- Status: {before.status.label} → {after.status.label}.")
            old_history = {entry.version for entry in before.history}
            for entry in after.history:
                if entry.version not in old_history:
                    lines.append(f"- History: version {entry.version} approved by {entry.approved_by} on "
                                 f"{long_date(entry.date)}: {entry.changes_in_a_line}")
            lines += _section_lines(before, after)
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _section_lines(before: Policy, after: Policy) -> list[str]:
    old = {section.key: section for section in sections(before.body)}
    new = {section.key: section for section in sections(after.body)}
    lines = []
    for key in [*new, *(key for key in old if key not in new)]:
        a, b = old.get(key), new.get(key)
        if a and b and a.markdown == b.markdown:
            continue
        added, removed = word_counts(a.markdown if a else "", b.markdown if b else "")
        what = "new section" if a is None else "removed" if b is None else "changed"
        title = (b or a).title
        lines.append(f"- Section {title}: {what}, {added} words added, {removed} removed.")
    if not lines:
        lines.append("- The sections' text is unchanged.")
    return lines
