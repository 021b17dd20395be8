"""Every query the consultation app makes. Views call these and never build queries themselves.

Only reads: every change is made by the write path (see `consultation.transactions`), with its
audit entry, in one transaction."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator

import idna
from sqlalchemy import ColumnElement, Engine, Row, Select, and_, bindparam, case, func, or_, select, tuple_
from sqlalchemy.orm import Session

from consultation.filters import ANY_FLAG, Filters
from consultation.models import AuditEntry, Comment, CommentFlag, OutboxMessage, PanelInvitation, StaffUser
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


def receipt(db: Session, policy_slug: str, reference: str, since: dt.datetime) -> Row | None:
    """A stored comment's reference and section title (as `section`), if `reference` is one of
    this draft's comments made since `since`: what its "Comment sent" page shows."""
    return db.execute(select(Comment.reference, Comment.section_title.label("section")).where(
        Comment.policy_slug == policy_slug, Comment.reference == reference,
        Comment.created_at >= since)).first()


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


def comment_filter(filters: Filters) -> list[ColumnElement[bool]]:
    """The SQL conditions of the staff lists' filters (see `consultation.filters`). Each is an
    equality on an indexed column; a flag is looked up in `comment_flags` by its index."""
    conditions = []
    columns = {"policy": Comment.policy_slug, "respondent": Comment.respondent_type,
               "channel": Comment.channel, "state": Comment.moderation}
    for name, column in columns.items():
        if (value := getattr(filters, name)) is not None:
            conditions.append(column == value)
    if filters.section == WHOLE_DRAFT:
        conditions.append(Comment.section_key.is_(None))
    elif filters.section is not None:
        conditions.append(Comment.section_key == filters.section)
    if filters.flag == ANY_FLAG:
        conditions.append(Comment.unflagged.is_(False))
    elif filters.flag is not None:
        flagged = select(CommentFlag.comment_id).where(CommentFlag.kind == filters.flag)
        conditions.append(Comment.id.in_(flagged))
    return conditions


def moderation_queue(filters: Filters) -> Select:
    """The queue's comments (by default those waiting for a moderator): flagged ones first, then
    oldest first, which `ix_comments_queue` gives in order."""
    return (select(Comment).where(*comment_filter(filters))
            .order_by(Comment.unflagged, Comment.created_at, Comment.id))


def comments_matching(filters: Filters) -> Select:
    """A draft's comments that pass the filters, oldest first (`ix_comments_listing`)."""
    return select(Comment).where(*comment_filter(filters)).order_by(Comment.created_at, Comment.id)


def each_comment(db: Session, filters: Filters, batch: int = 1000) -> Iterator[Comment]:
    """Every comment passing the filters, oldest first, read `batch` at a time for a download.
    Each batch is its own query, starting after the last row of the one before (`created_at`,
    `id`: a seek in `ix_comments_listing`, as fast for the last batch as the first), and its read
    transaction ends before the rows are handed on. So memory stays the same for 10 or 100,000
    rows, and a client reading slowly, or stopping half way, holds no cursor, transaction or lock
    (rows added while a download runs may or may not be in it)."""
    statement = comments_matching(filters).limit(batch)
    after = None
    while True:
        comments = list(db.scalars(statement if after is None else
                                   statement.where(tuple_(Comment.created_at, Comment.id) > after)))
        db.close()  # ends the read transaction; the rows keep what was read, and the session can go on
        yield from comments
        if len(comments) < batch:
            return
        after = (comments[-1].created_at, comments[-1].id)


def count_by(db: Session, column: ColumnElement, filters: Filters) -> dict[object, int]:
    """How many comments passing the filters have each value of `column`: one GROUP BY."""
    counted = select(column, func.count()).where(*comment_filter(filters)).group_by(column)
    return dict(db.execute(counted).all())


FACETS = (Comment.respondent_type, Comment.channel, Comment.moderation, Comment.response_outcome,
          Comment.section_key)
"""What the report counts comments by, in the order of `ix_comments_facets`."""


def facet_counts(db: Session, filters: Filters) -> list[tuple]:
    """How many comments passing the filters have each combination of FACETS' values, as rows of
    those values and a count. One GROUP BY in the order of `ix_comments_facets` reads that index
    alone, without sorting; summing its few thousand rows gives every count the report shows,
    five times cheaper than a GROUP BY a count (each of which sorts the draft's entries)."""
    counted = select(*FACETS, func.count()).where(*comment_filter(filters)).group_by(*FACETS)
    return [tuple(row) for row in db.execute(counted)]


def count_by_flag(db: Session, filters: Filters) -> dict[str, int]:
    """How many comments passing the filters have each kind of flag."""
    return dict(db.execute(select(CommentFlag.kind, func.count()).join(Comment)
                           .where(*comment_filter(filters)).group_by(CommentFlag.kind)).all())


def count_matching(db: Session, filters: Filters) -> int:
    return db.scalar(select(func.count()).select_from(Comment).where(*comment_filter(filters))) or 0


def counts_by_draft(db: Session) -> dict[str, int]:
    """How many comments each draft has, for the staff dashboard: one GROUP BY."""
    return count_by(db, Comment.policy_slug, Filters())


def with_suggested_wording() -> ColumnElement[bool]:
    """Comments with suggested wording anyone but a moderator may read (`Comment.shown_wording`
    in SQL): as screened until moderated, then as moderated; none from a hidden comment."""
    shown = case((Comment.moderation == "new", func.coalesce(Comment.screened_wording, "")),
                 else_=func.coalesce(Comment.public_wording, Comment.suggested_wording, ""))
    return and_(Comment.moderation != "hidden", shown != "")


def latest_closing(db: Session, policy_slug: str) -> dt.date | None:
    """When the consultation on a draft closed, as its comments recorded it."""
    return db.scalar(select(func.max(Comment.consultation_closes)).where(Comment.policy_slug == policy_slug))


def section_title(db: Session, policy_slug: str, section_key: str) -> str | None:
    """What a section was called when it was commented on, for one no longer in the draft."""
    return db.scalar(select(Comment.section_title).where(Comment.policy_slug == policy_slug,
                                                         Comment.section_key == section_key).limit(1))


def answered_for_publishing(db: Session, policy_slug: str) -> list[Comment]:
    """Comments approved, answered, and whose writers agreed to publication: "What you told us"."""
    return list(db.scalars(select(Comment).where(
        Comment.policy_slug == policy_slug, PUBLISHED, Comment.response_outcome.is_not(None),
    ).order_by(Comment.created_at, Comment.id)))


PUBLISHED = (Comment.moderation == "approved") & Comment.may_publish
"""Approved comments whose writers agreed to publication: shown without names."""


def published_comments(db: Session, policy_slug: str, section_key: str | None, number: int,
                       published: int) -> Page:
    """Page `number` of the published comments on one draft, oldest first: on the section with
    `section_key` only (WHOLE_DRAFT: those on the draft as a whole), or on all of it for None.
    `published`: how many the draft has in all (`comment_counts`), so it is not counted twice."""
    chosen = Filters(policy=policy_slug, section=section_key)
    statement = select(Comment).where(PUBLISHED, *comment_filter(chosen))
    return paged(db, statement.order_by(Comment.created_at, Comment.id), number,
                 total=published if section_key is None else None)


COUNTS = (select(func.count(), func.count().filter(PUBLISHED))
          .where(Comment.policy_slug == bindparam("policy_slug")))
"""Made once: building and keying the statement afresh cost more CPU than running it."""


def comment_counts(reads: Engine, policy_slug: str) -> tuple[int, int]:
    """How many comments one draft has received, and how many of them are published: one query,
    so a draft nobody has commented on yet costs one round trip to the database. `reads`: an
    engine for single reads (`context.single_reads`), on a connection of its own and outside a
    transaction, which one statement does not need."""
    with reads.connect() as connection:
        received, published = connection.execute(COUNTS, {"policy_slug": policy_slug}).one()
    return received, published


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


