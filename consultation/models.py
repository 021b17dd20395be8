"""What the consultation app stores: comments, and invitations for the tenant scrutiny panel.

Schema changes go through a migration in `migrations/versions/`, never through `create_all`,
so SQLite and PostgreSQL databases in use are upgraded in place with nothing lost.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

NAMES = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Constraint names fixed here, so migrations can refer to them on every database."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMES)


class PanelInvitation(Base):
    """A personal link for one panel member to comment on one draft as a verified panel member."""

    __tablename__ = "panel_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_slug: Mapped[str] = mapped_column(String(100))
    member_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class StaffUser(Base):
    """Someone who signs in to moderate comments. Accounts are made with `policy-portal staff add`."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    email_key: Mapped[str] = mapped_column(String(254), unique=True)
    """The email folded for matching (see `store.email_key`): accounts are found by this."""
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    session_nonce: Mapped[str] = mapped_column(String(32))
    """Copied into the session at sign-in; changed at sign-out, so a copied cookie stops working."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    @property
    def actor(self) -> str:
        """How the audit log names them."""
        return f"{self.name} <{self.email}> ({self.role})"


ALL_NETWORKS = "*"
"""The `SignInFailure.network` of the row counting an account's attempts from networks it has
not signed in from lately, whichever they are (see `consultation.auth`)."""


class SignInFailure(Base):
    """Sign-in attempts on one staff account from one network (`security.client_network`),
    counted before each password is checked and cleared when one is right."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (UniqueConstraint("staff_user_id", "network"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    network: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer)
    """Wrong passwords since the count began, and any being checked at this moment."""
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    """When the count is forgotten; while it is at the limit, the lock-out ends then."""
    signed_in_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    """When the account last signed in from this network."""


class Comment(Base):
    """One comment on one draft: on a section (`section_key`) or on the whole draft (None).

    The indexes serve the staff queue and report (`store.comment_filter`): the three orders (a
    draft's comments oldest first, a section's, and the queue's flagged first) are index scans, so
    a page of 50 costs the same at 100 comments or 100,000; and `ix_comments_facets` holds every
    column the report counts by or filters on, so each count, whatever the filters, reads that
    index alone and never the table's rows (long text)."""

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_listing", "policy_slug", "created_at", "id"),
        Index("ix_comments_queue", "moderation", "unflagged", "created_at", "id"),
        Index("ix_comments_section", "policy_slug", "section_key", "created_at", "id"),
        Index("ix_comments_facets", "policy_slug", "respondent_type", "channel", "moderation",
              "response_outcome", "section_key", "unflagged"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    """Given to the person on the confirmation page, to quote if they contact us."""
    submission_key: Mapped[str] = mapped_column(String(36), unique=True)
    """From the form they sent, so sending the same form twice stores one comment."""
    policy_slug: Mapped[str] = mapped_column(String(100), index=True)
    """Indexed alone as well as first in the composite indexes: SQLite counts a draft's flags by
    (policy_slug, id) from this index alone (see migration 0009)."""
    policy_version: Mapped[str] = mapped_column(String(10))
    section_key: Mapped[str | None] = mapped_column(String(200))
    section_title: Mapped[str | None] = mapped_column(String(300))
    """As the section was titled when the comment was made: drafts change."""
    respondent_type: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    email_key: Mapped[str | None] = mapped_column(String(254), index=True)
    """The email folded for matching, so a subject-access or erasure request finds every comment
    whatever case or Unicode form the address was typed in."""
    body: Mapped[str] = mapped_column(Text)
    suggested_wording: Mapped[str | None] = mapped_column(Text)
    may_publish: Mapped[bool]
    """The person agreed that we may publish the comment without their name."""
    panel_invitation_id: Mapped[int | None] = mapped_column(ForeignKey("panel_invitations.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    flags: Mapped[str] = mapped_column(Text, default="[]")
    """What the automatic check found (JSON list of kind, place and text), for the moderator.
    Setting it also sets `unflagged` and `flag_kinds` (see `_index_flags`)."""
    unflagged: Mapped[bool] = mapped_column(default=True, server_default=true())
    """The check found nothing. The queue shows flagged comments first: ordered by this, then by
    time, it is a scan of `ix_comments_queue` (False sorts first). Stored the other way round, as
    `flagged`, the order would need a descending index column, which Alembic cannot compare on
    SQLite."""
    screened_body: Mapped[str] = mapped_column(Text)
    """The comment with what the automatic check found taken out, made once when it arrived, so
    reports and panel pages never run the check again; shown until a moderator has read it."""
    screened_wording: Mapped[str | None] = mapped_column(Text)
    moderation: Mapped[str] = mapped_column(String(10), default="new")
    """new, approved or hidden. Nothing is ever deleted. Filtered on through `ix_comments_queue`,
    which starts with it (a second index of its own only slowed every insert: migration 0009)."""
    public_body: Mapped[str | None] = mapped_column(Text)
    """The comment as it may be shown publicly, personal details removed; None: not redacted."""
    public_wording: Mapped[str | None] = mapped_column(Text)
    rule_broken: Mapped[str | None] = mapped_column(String(20))
    """The house rule (a key of HIDE_REASONS) behind a redaction or hiding."""
    moderated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    response_outcome: Mapped[str | None] = mapped_column(String(20))
    response_text: Mapped[str | None] = mapped_column(Text)
    response_section: Mapped[str | None] = mapped_column(String(200))
    """The section whose wording changed because of the comment, if any."""
    responded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    consultation_closes: Mapped[dt.date | None] = mapped_column(Date)
    """When the consultation closed, kept because the policy file loses its dates once approved;
    the retention period for names and emails runs from it."""
    personal_data_erased_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    channel: Mapped[str] = mapped_column(String(20), default="online", server_default="online")
    """How the comment reached us (a key of rules.CHANNELS): online, or typed in by staff."""
    entered_by: Mapped[str | None] = mapped_column(String(300))
    """The staff member who typed in a comment received another way (as the audit log names them)."""
    complaint_offered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    """When a moderator recorded offering the complaints procedure to its writer (Housing
    Ombudsman Complaint Handling Code 1.3), for a comment that expresses dissatisfaction."""

    panel_invitation: Mapped[PanelInvitation | None] = relationship()
    flag_kinds: Mapped[list[CommentFlag]] = relationship(cascade="all, delete-orphan")

    @validates("flags")
    def _index_flags(self, _key: str, flags: str) -> str:
        """Keep the searchable forms of the flags in step with the JSON, whoever sets it on a
        `Comment` (erasure, a benchmark loading rows; a comment that arrives is inserted as values
        by `actions.save_comment`, which writes the same forms from `flag_kinds`). Rows are
        rewritten only when the kinds change, so erasure, which blanks the flagged text but keeps
        each kind, rewrites none."""
        kinds = flag_kinds(flags)
        self.unflagged = not kinds
        if self.id is None or sorted(flag.kind for flag in self.flag_kinds) != kinds:
            self.flag_kinds = [CommentFlag(kind=kind) for kind in kinds]
        return flags

    @property
    def verified_panel(self) -> bool:
        return self.panel_invitation_id is not None

    @property
    def shown_body(self) -> str:
        """The text as anyone but a moderator may read it: as the automatic check redacted it
        until a moderator has read it, then as moderated. (A hidden comment is never shown.)"""
        return self.screened_body if self.moderation == "new" else self.published_body

    @property
    def shown_wording(self) -> str:
        """The suggested wording, likewise; empty when there is none."""
        return (self.screened_wording or "") if self.moderation == "new" else self.published_wording

    @property
    def published_body(self) -> str:
        """The text as moderated: the redaction if there is one."""
        return self.public_body if self.public_body is not None else self.body

    @property
    def published_wording(self) -> str:
        """The suggested wording as moderated; empty when there is none or a moderator removed it."""
        if self.public_wording is not None:
            return self.public_wording
        return self.suggested_wording or ""


def flag_kinds(flags: str) -> list[str]:
    """The kinds of flag in a comment's `flags` JSON, each once and in order: its rows in
    `comment_flags`, and whether it is `unflagged` (none)."""
    return sorted({flag["kind"] for flag in json.loads(flags)})


class CommentFlag(Base):
    """One kind of thing the automatic check found in one comment ("phone", "complaint"…), so
    staff can filter and count comments by flag with an index. The JSON in `Comment.flags` keeps
    where and what was found, for the moderator; a JSON column cannot be indexed the same way on
    SQLite and PostgreSQL, and a LIKE over it reads every row. A comment has a row per kind found,
    written with it (see `Comment._index_flags`, and `actions.save_comment`, which inserts both rows
    itself); the kinds never change afterwards."""

    __tablename__ = "comment_flags"

    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)

    __table_args__ = (Index("ix_comment_flags_kind", "kind", "comment_id"),)


class AuditEntry(Base):
    """Who did what to which comment, when and why. Entries are only ever added."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(300))
    """The staff member's name and email, or "command line" for commands run on the server."""
    action: Mapped[str] = mapped_column(String(40))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    details: Mapped[str] = mapped_column(Text, default="")


class Subscription(Base):
    """Someone who asked to be told when a consultation opens. Nothing is sent to them but the
    confirmation until they follow its link (double opt-in); unsubscribing keeps the row, marked,
    so a later "new consultation" run cannot write to them again. Erasure deletes it."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    email_key: Mapped[str] = mapped_column(String(254), unique=True)
    """The email folded for matching (see `store.email_key`): one subscription an address."""
    token: Mapped[str] = mapped_column(String(64), unique=True)
    """Random; in the confirmation and unsubscribe links, so only the mailbox's owner has it."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    unsubscribed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class OutboxMessage(Base):
    """One email, stored in the same transaction as what caused it and sent later by
    `policy-portal send-mail`, so a mail server that is down loses nothing and a message is
    marked sent only once the server has taken it."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    """receipt, outcome, confirm or opened: what it is for, for staff and for deduplicating."""
    to: Mapped[str] = mapped_column(String(254))
    to_key: Mapped[str] = mapped_column(String(254), index=True)
    """The address folded for matching (`store.email_key`), so erasure finds every message."""
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    headers: Mapped[str] = mapped_column(Text, default="{}")
    """Extra headers as JSON, Message-ID and List-Unsubscribe among them."""
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("subscriptions.id", ondelete="SET NULL"))
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    """Set for messages that must be queued once only (one "consultation open" per subscriber
    and consultation): the unique constraint refuses a second."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    """A sender that took the message holds it until then; another sender leaves it alone."""
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    last_error: Mapped[str | None] = mapped_column(Text)


class Outcome(Base):
    """What the board decided about a consulted draft, published by staff on the consultation
    page. Kept here, not in the policy file: once approved, the file is the new version and no
    longer has its consultation, and publishing it queues the email to every respondent in the
    same transaction."""

    __tablename__ = "outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_slug: Mapped[str] = mapped_column(String(100), unique=True)
    consulted_version: Mapped[str] = mapped_column(String(10))
    """The draft's version people commented on, which stays as it was."""
    decision: Mapped[str] = mapped_column(String(30))
    """A key of rules.DECISIONS."""
    approved_version: Mapped[str | None] = mapped_column(String(10))
    """The version the board approved; None when the draft was withdrawn."""
    decided_on: Mapped[dt.date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text)
    """What was decided and why, in plain words, for everyone."""
    closes: Mapped[dt.date] = mapped_column(Date)
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str] = mapped_column(String(300))


class Recommendation(Base):
    """A formal recommendation of the tenant scrutiny panel about a policy, which the board must
    answer by a date; tracked in public until it is answered."""

    __tablename__ = "recommendations"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_slug: Mapped[str] = mapped_column(String(100), index=True)
    text: Mapped[str] = mapped_column(Text)
    made_on: Mapped[dt.date] = mapped_column(Date)
    response_due: Mapped[dt.date] = mapped_column(Date)
    response: Mapped[str | None] = mapped_column(Text)
    responded_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(300))
