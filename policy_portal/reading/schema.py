"""The one declaration of the fields a policy file may have.

The reader validates against it, `new` writes a starter file from it, and a test checks that the
staff guide (docs/staff/policy-format.md) documents every field named here.
"""

from __future__ import annotations

from dataclasses import dataclass

from policy_portal.reading.policy import Status

EVERY_STATUS = frozenset(Status)
APPROVED_ONCE = frozenset({Status.APPROVED, Status.WITHDRAWN})


@dataclass(frozen=True)
class FieldSpec:
    """How one front-matter field is read, and which statuses must have it."""

    kind: str
    required: frozenset[Status] = frozenset()


FIELDS: dict[str, FieldSpec] = {
    "title": FieldSpec("text", EVERY_STATUS),
    "reference": FieldSpec("reference", EVERY_STATUS),
    "category": FieldSpec("text", EVERY_STATUS),
    "status": FieldSpec("status", EVERY_STATUS),
    "version": FieldSpec("version", EVERY_STATUS),
    "owner": FieldSpec("text", EVERY_STATUS),
    "summary": FieldSpec("text", EVERY_STATUS),
    "approved_by": FieldSpec("text", APPROVED_ONCE),
    "approval_date": FieldSpec("date_or_month", APPROVED_ONCE),
    "effective_date": FieldSpec("date_or_month", APPROVED_ONCE),
    "review_cycle_years": FieldSpec("years"),
    "review_due_date": FieldSpec("date_or_month"),
    "last_reviewed": FieldSpec("date_or_month"),
    "equality_impact_assessment": FieldSpec("date_or_month"),
    "related": FieldSpec("slugs"),
    "documents": FieldSpec("documents"),
    "history": FieldSpec("history", APPROVED_ONCE),
    "consultation": FieldSpec("consultation", frozenset({Status.CONSULTATION})),
    "withdrawn_date": FieldSpec("date_or_month", frozenset({Status.WITHDRAWN})),
    "replaced_by": FieldSpec("slug"),
    "document_control": FieldSpec("labelled_texts"),
}
"""Kinds: "date" is a day, YYYY-MM-DD; "date_or_month" also takes a month, YYYY-MM, as real
documents often give only the month of an approval or review; "labelled_texts" is a mapping of
label to text, kept in the order written (the document control table of a Word policy)."""

HISTORY_FIELDS: dict[str, str] = {
    "version": "version",
    "date": "date_or_month",
    "approved_by": "text",
    "changes": "text_or_texts",
}

CONSULTATION_FIELDS: dict[str, str] = {
    "opens": "date",
    "closes": "date",
    "audiences": "audiences",
    "promotion": "texts",
    "outcome_expected": "date",
}

DOCUMENT_FIELDS: dict[str, str] = {"title": "text", "url": "url"}
OPTIONAL_IN_BLOCKS = frozenset({"url", "promotion", "outcome_expected"})
"""Fields of a history entry, document or consultation block that may be left out."""

TRANSLATION_FIELDS: dict[str, str] = {
    "title": "text",
    "summary": "text",
    "translates_version": "version",
    "translated_by": "text",
    "translated_on": "date",
}
"""The fields of a translation (policies/<slug>.<language>.md): every one is needed. The rest of
what a policy page shows (reference, dates, owner) comes from the English policy."""
