"""Every query the consultation app makes. Views call these and never build queries themselves.

Only reads: every change is made by `consultation.actions`, with its audit entry, in one transaction."""

from __future__ import annotations

import datetime as dt
import unicodedata

import idna
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from consultation.models import AuditEntry, Comment, OutboxMessage, PanelInvitation, StaffUser
from consultation.paging import Page, paged
from policy_portal.text.sections import WHOLE_DRAFT


def as_utc(moment: dt.datetime) -> dt.datetime:
    """SQLite hands times back without their time zone; every time we store is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def email_key(email: str) -> str:
    """An email address as it is matched, however it was typed. The domain is put in its one
    ASCII form (IDNA with Unicode's mapping: `ÉXAMPLE.com`, `éxample.com` and
    `xn--xample-9ua.com` are one domain); the mailbox before the @ is composed (NFC) and
    lower-cased in Python, because SQLite's `lower()` and PostgreSQL in the C locale fold only
    ASCII. Not case-folded: folding makes `straße` and `strasse`, different mailboxes, one."""
    local, at, domain = email.strip().rpartition("@")
    try:
        domain = idna.encode(domain, uts46=True, transitional=False).decode("ascii")
    except idna.IDNAError:  # not a domain name a mail server would take; compare it as text
        domain = unicodedata.normalize("NFC", domain).lower()
    return f"{unicodedata.normalize('NFC', local).lower()}{at}{domain}"


def is_row_id(value: object) -> bool:
    """True for a value that can be a row's number: a session or link should carry nothing else."""
    return type(value) is int and 0 < value < 2**31


def reference_for_submission(db: Session, submission_key: str) -> str | None:
    """The reference of the comment a form sent, if it has been stored."""
    return db.scalar(select(Comment.reference).where(Comment.submission_key == submission_key))


def panel_comments(db: Session, policy_slug: str, number: int) -> Page:
    """Page `number` of the verified panel members' comments on one draft that other members may
    read, oldest first: only those whose writers said we may publish them, and none a moderator
    hid. Paged: nothing stops a panel sending hundreds."""
    return paged(db, select(Comment).where(
        Comment.policy_slug == policy_slug, Comment.panel_invitation_id.is_not(None), Comment.may_publish,
        Comment.moderation != "hidden",
    ).order_by(Comment.created_at, Comment.id), number)


def invitation(db: Session, invitation_id: int) -> PanelInvitation | None:
    return db.get(PanelInvitation, invitation_id)


# Staff accounts


def staff_user(db: Session, user_id: int) -> StaffUser | None:
    return db.get(StaffUser, user_id)


def staff_user_by_email(db: Session, email: str) -> StaffUser | None:
    return db.scalar(select(StaffUser).where(StaffUser.email_key == email_key(email)))


# Moderation


def comment(db: Session, comment_id: int) -> Comment | None:
    return db.get(Comment, comment_id)


def moderation_queue(db: Session) -> list[Comment]:
    """Comments waiting for a moderator: flagged ones first, then oldest first."""
    waiting = db.scalars(select(Comment).where(Comment.moderation == "new").order_by(Comment.created_at))
    return sorted(waiting, key=lambda comment: comment.flags == "[]")


def comments_on(db: Session, policy_slug: str) -> list[Comment]:
    return list(db.scalars(select(Comment).where(Comment.policy_slug == policy_slug)
                           .order_by(Comment.created_at, Comment.id)))


PUBLISHED = (Comment.moderation == "approved") & Comment.may_publish
"""Approved comments whose writers agreed to publication: shown without names."""


def _published(policy_slug: str) -> Select:
    return select(Comment).where(Comment.policy_slug == policy_slug, PUBLISHED)


def published_comments(db: Session, policy_slug: str, section_key: str | None, number: int) -> Page:
    """Page `number` of the published comments on one draft, oldest first: on the section with
    `section_key` only (WHOLE_DRAFT: those on the draft as a whole), or on all of it for None."""
    statement = _published(policy_slug)
    if section_key == WHOLE_DRAFT:
        statement = statement.where(Comment.section_key.is_(None))
    elif section_key is not None:
        statement = statement.where(Comment.section_key == section_key)
    return paged(db, statement.order_by(Comment.created_at, Comment.id), number)


def comment_counts(db: Session, policy_slug: str) -> tuple[int, int]:
    """How many comments one draft has received, and how many of them are published: one query,
    so a draft nobody has commented on yet costs one round trip to the database."""
    received, published = db.execute(select(func.count(), func.count().filter(PUBLISHED))
                                      .where(Comment.policy_slug == policy_slug)).one()
    return received, published


def comment_count(db: Session, policy_slug: str) -> int:
    return db.scalar(select(func.count()).select_from(Comment).where(Comment.policy_slug == policy_slug))


def audit_log(db: Session, limit: int = 500) -> list[AuditEntry]:
    return list(db.scalars(select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                           .limit(limit)))


def emails_to(db: Session, email: str) -> list[OutboxMessage]:
    """Every email to the address held in the outbox, sent or waiting."""
    return list(db.scalars(select(OutboxMessage).where(OutboxMessage.to_key == email_key(email))
                           .order_by(OutboxMessage.id)))


def comments_with_email(db: Session, email: str) -> list[Comment]:
    """Every comment held about a person: those sent with the email address, and every comment
    sent with the same panel invitations (a panel member gives an email address on some, or none)."""
    sent = select(Comment.panel_invitation_id).where(Comment.email_key == email_key(email),
                                                     Comment.panel_invitation_id.is_not(None))
    return list(db.scalars(select(Comment).where(
        or_(Comment.email_key == email_key(email), Comment.panel_invitation_id.in_(sent)),
    ).order_by(Comment.id)))


def personal_data_past(db: Session, last_kept: dt.date) -> list[Comment]:
    """Comments not yet erased from consultations that closed before `last_kept` (or whose closing
    date was never recorded, which errs on the side of erasing)."""
    return list(db.scalars(select(Comment).where(
        or_(Comment.consultation_closes < last_kept, Comment.consultation_closes.is_(None)),
        Comment.personal_data_erased_at.is_(None),
    ).order_by(Comment.id)))


ERASED_NAME = "A former panel member"


def invitations_past(db: Session, last_kept: dt.date) -> list[PanelInvitation]:
    ends = dt.datetime.combine(last_kept, dt.time(), tzinfo=dt.UTC)
    return list(db.scalars(select(PanelInvitation).where(PanelInvitation.expires_at < ends,
                                                         PanelInvitation.member_name != ERASED_NAME)))


