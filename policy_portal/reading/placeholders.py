"""The starter file's placeholder text, and finding it where it was left in a policy.

`policy-portal new` writes these sentences for staff to replace. A draft may still hold them, as
the starter must pass `check` the moment it is written, so `check` and `build` warn about them;
a policy put out for comments or approved may not, as tenants would read and comment on them,
so the reader refuses them there.
"""

from __future__ import annotations

import re

from policy_portal.problems import Problem
from policy_portal.reading.policy import Policy, Status

SUMMARY = "Say here, in two or three plain sentences, what the {title} is for and who it affects."
SECTIONS = {
    "Introduction": "Say why we have this policy and what it covers.",
    "Policy statement": "Say what we will do. Use short sentences and plain words.",
    "Responsibilities": "Say which job roles are responsible for what. Use roles, not people's names.",
    "Monitoring and review": "Say how we will check the policy works and when we will review it.",
}
"""The starter's sections, each with the sentence that stands for its text."""
LEFTOVERS = [
    re.compile(re.escape(SUMMARY).replace(re.escape("{title}"), ".*?")),
    *(re.compile(re.escape(sentence)) for sentence in SECTIONS.values()),
    re.compile(r"<!-- Started on [0-9-]+\. Field guide: docs/staff/policy-format\.md -->"),
]
"""Every piece of starter text, the note earlier starters put at the top of the text included."""


def leftover_placeholders(path: str, summary: str, summary_line: int, body: str,
                          body_line: int) -> list[Problem]:
    """Each piece of starter text still in the summary or the text, on its own line."""
    found = [Problem(path, summary_line, "summary", _message(match.group()))
             for pattern in LEFTOVERS if (match := pattern.search(" ".join(summary.split())))]
    for number, line in enumerate(body.splitlines(), start=body_line):
        found += [Problem(path, number, "body", _message(match.group()))
                  for pattern in LEFTOVERS if (match := pattern.search(line))]
    return found


def draft_placeholders(policy: Policy) -> list[Problem]:
    """Starter text left in a draft, for `check`'s and `build`'s warnings."""
    if policy.status is not Status.DRAFT:
        return []  # the reader refused it already
    return leftover_placeholders(policy.path, policy.summary, policy.field_lines.get("summary", 1),
                                 policy.body, policy.body_line)


def _message(text: str) -> str:
    return (f"starter text from `policy-portal new` is still here: '{text[:60]}'; "
            "replace it with the policy's own words")
