"""The policy model: what a validated policy file means.

Only `reader.py` builds these objects, after validation, so code that receives a `Policy` can
rely on its fields being present and consistent for its status.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from policy_portal.text.sections import appendix_titles


class Status(StrEnum):
    """Where a policy is in its life. Only approved policies are in force."""

    DRAFT = "draft"
    CONSULTATION = "consultation"
    APPROVED = "approved"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.DRAFT: "Draft — not in force",
    Status.CONSULTATION: "Draft under consultation — not in force",
    Status.APPROVED: "In force",
    Status.WITHDRAWN: "Withdrawn — no longer in force",
}

AUDIENCES = {
    "public": "the public",
    "tenants": "tenants",
    "panel": "the tenant scrutiny panel",
}


@dataclass(frozen=True)
class HistoryEntry:
    """One approved version in the policy's version table."""

    version: str
    date: dt.date
    approved_by: str
    changes: tuple[str, ...]
    """What changed: one text, or several (written as a list, and shown as one)."""

    @property
    def changes_in_a_line(self) -> str:
        """The changes as one line of text, for feeds and pull-request summaries."""
        return " ".join(" ".join(change.split()) for change in self.changes)


@dataclass(frozen=True)
class RelatedDocument:
    """A document that goes with the policy, such as a procedure or a form."""

    title: str
    url: str | None = None


@dataclass(frozen=True)
class Consultation:
    """When, and for whom, a draft is open for comments."""

    opens: dt.date
    closes: dt.date
    audiences: tuple[str, ...]
    promotion: tuple[str, ...] = ()
    """How people were told about it (text message, newsletter...), for the board report."""
    outcome_expected: dt.date | None = None
    """When staff now expect to publish the outcome, set once it is late (past the date it was due),
    so the draft's page can say when to expect it instead of only that it is late."""


@dataclass
class Policy:
    """One policy, as its file describes it."""

    slug: str
    path: str
    title: str
    reference: str
    category: str
    status: Status
    version: str
    owner: str
    summary: str
    body: str
    body_line: int
    approved_by: str | None = None
    approval_date: dt.date | None = None
    effective_date: dt.date | None = None
    review_cycle_years: int | None = None
    review_due_date: dt.date | None = None
    last_reviewed: dt.date | None = None
    equality_impact_assessment: dt.date | None = None
    related: list[str] = field(default_factory=list)
    documents: list[RelatedDocument] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    consultation: Consultation | None = None
    withdrawn_date: dt.date | None = None
    replaced_by: str | None = None
    document_control: dict[str, str] = field(default_factory=dict)
    """Label and text pairs (author, legal review...), in the order written, for "About this policy"."""
    field_lines: dict[str, int] = field(default_factory=dict, repr=False)
    """The line each front-matter field is on, for problems found across files."""

    @property
    def appendices(self) -> list[str]:
        """The titles of its appendices: `## Appendix A: ...` sections, in order."""
        return appendix_titles(self.body)

    @property
    def in_force(self) -> bool:
        return self.status is Status.APPROVED

    @property
    def is_draft(self) -> bool:
        return self.status in (Status.DRAFT, Status.CONSULTATION)

    @property
    def next_review(self) -> dt.date | None:
        """The review due date: stated outright, or the last review (or approval) plus the cycle."""
        if self.review_due_date:
            return self.review_due_date
        start = self.last_reviewed or self.approval_date
        if start and self.review_cycle_years:
            return add_years(start, self.review_cycle_years)
        return None

    def review_overdue(self, today: dt.date) -> bool:
        """Only a policy in force can be overdue: drafts and withdrawn policies are not reviewed."""
        due = self.next_review
        return self.in_force and due is not None and due < today


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def version_key(version: str) -> tuple[int, ...]:
    """Order versions numerically, so "1.10" comes after "1.9"."""
    return tuple(int(part) for part in version.split("."))


@dataclass(frozen=True)
class Translation:
    """A policy in another language, from policies/<slug>.<language>.md. People translate policies
    after the English is approved, so a translation names the English version it was made from."""

    slug: str
    language: str
    path: str
    title: str
    summary: str
    translates_version: str
    translated_by: str
    translated_on: dt.date
    body: str
    field_lines: dict[str, int] = field(default_factory=dict, repr=False, hash=False, compare=False)

    def is_stale(self, policy: Policy) -> bool:
        """Out of date: the English policy has been approved again since it was translated."""
        return self.translates_version != policy.version
