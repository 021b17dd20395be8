"""Every query the consultation app makes. Views call these and never build queries themselves."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import idna
from sqlalchemy import Row, case, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consultation.database import scrub_erased
from consultation.models import (
    ALL_NETWORKS,
    AuditEntry,
    Comment,
    OutboxMessage,
    PanelInvitation,
    SignInFailure,
    StaffUser,
)
from policy_portal.consultations.moderation import without_personal_details

REFERENCE_LETTERS = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
"""No 0, 1, I, L or O, so a reference read out over the phone cannot be misheard."""


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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


def new_reference() -> str:
    """Like C-7KQ2-9XPM: random, so references say nothing about how many comments there are."""
    letters = "".join(secrets.choice(REFERENCE_LETTERS) for _ in range(8))
    return f"C-{letters[:4]}-{letters[4:]}"


@dataclass(frozen=True)
class NewComment:
    submission_key: str
    policy_slug: str
    policy_version: str
    section_key: str | None
    section_title: str | None
    respondent_type: str
    name: str | None
    email: str | None
    body: str
    suggested_wording: str | None
    may_publish: bool
    screened_body: str
    screened_wording: str | None = None
    flags: str = "[]"
    consultation_closes: dt.date | None = None
    panel_invitation_id: int | None = None
    channel: str = "online"
    entered_by: str | None = None
    """The staff member who typed in a comment received by phone, letter, email, at an event or
    from an advocate."""


def save_comment(db: Session, new: NewComment, then: Callable[[Comment], object] | None = None) -> str:
    """Store a comment once and return its reference; `then` adds what goes with it (its
    receipt, in the outbox) to the same transaction, so neither is stored without the other.

    A form sent twice (a double click, or "send again" after a slow answer) carries the same
    submission key; the second time, the first comment's reference is returned and nothing more
    is stored. The insert comes first and the unique key refuses the repeat, so the usual case
    (a form sent once) costs one statement, not a lookup and then an insert.
    """
    for _ in range(5):
        comment = Comment(**vars(new), email_key=email_key(new.email) if new.email else None,
                          reference=new_reference(), created_at=now())
        db.add(comment)
        try:
            if then is not None:
                db.flush()  # the comment's id, for what goes with it
                then(comment)
            db.commit()
        except IntegrityError:  # the same form sent before or at the same moment, or a reference clash
            db.rollback()
            key = new.submission_key
            existing = db.scalar(select(Comment.reference).where(Comment.submission_key == key))
            if existing:
                return existing
            continue
        return comment.reference
    raise RuntimeError("could not store the comment after five tries")


def panel_comments(db: Session, policy_slug: str) -> list[Comment]:
    """Verified panel members' comments on one draft that other members may read, oldest first:
    only those whose writers said we may publish them, and none a moderator hid."""
    return list(db.scalars(
        select(Comment).where(Comment.policy_slug == policy_slug, Comment.panel_invitation_id.is_not(None),
                              Comment.may_publish, Comment.moderation != "hidden")
        .order_by(Comment.created_at, Comment.id)
    ))


def create_invitation(db: Session, policy_slug: str, member_name: str,
                      expires_at: dt.datetime) -> PanelInvitation:
    invitation = PanelInvitation(policy_slug=policy_slug, member_name=member_name, created_at=now(),
                                 expires_at=expires_at.astimezone(dt.UTC))  # SQLite drops the zone
    db.add(invitation)
    db.flush()  # gives it its number; the caller commits it with the audit entry
    return invitation


def invitation(db: Session, invitation_id: int) -> PanelInvitation | None:
    return db.get(PanelInvitation, invitation_id)


# Staff accounts


def staff_user(db: Session, user_id: int) -> StaffUser | None:
    return db.get(StaffUser, user_id)


def staff_user_by_email(db: Session, email: str) -> StaffUser | None:
    return db.scalar(select(StaffUser).where(StaffUser.email_key == email_key(email)))


def add_staff_user(db: Session, email: str, name: str, role: str, password_hash: str) -> StaffUser:
    user = StaffUser(email=email.strip().lower(), email_key=email_key(email), name=name, role=role,
                     password_hash=password_hash, session_nonce=secrets.token_hex(16), created_at=now())
    db.add(user)
    db.commit()
    return user


UPSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
"""INSERT ... ON CONFLICT DO UPDATE, which both databases have but SQLAlchemy builds per database."""


def count_sign_in_attempt(db: Session, user_id: int, network: str, most: int, window: dt.timedelta,
                          lock: dt.timedelta) -> Row | None:
    """Count one more attempt on the account from the network, unless `most` are counted already,
    and return the row's (failures, signed_in_at); None when it is refused and nothing is counted.

    One statement decides and counts, and the database lets one such statement at a time change
    the row (PostgreSQL locks the row, SQLite the database), so attempts sent at the same moment
    each see the others' counts. A count is forgotten `window` after it began; the attempt that
    reaches `most` keeps it until at least `lock` from then.
    """
    at = now()
    failures, expires_at = SignInFailure.failures, SignInFailure.expires_at
    expired = expires_at <= at
    upsert = UPSERTS[db.get_bind().dialect.name](SignInFailure).values(
        staff_user_id=user_id, network=network, failures=1, expires_at=at + window)
    return db.execute(upsert.on_conflict_do_update(
        index_elements=[SignInFailure.staff_user_id, SignInFailure.network],
        set_={"failures": case((expired, 1), else_=failures + 1),
              "expires_at": case((expired, at + window), (failures + 1 < most, expires_at),
                                 (expires_at > at + lock, expires_at), else_=at + lock)},
        where=expired | (failures < most),
    ).returning(failures, SignInFailure.signed_in_at)).one_or_none()


def signed_in_from(db: Session, user_id: int, network: str, forget_before: dt.datetime) -> None:
    """Clear the network's count and remember that the account signed in from it; forget the
    account's other networks whose counts have expired, if not signed in from since `forget_before`.

    The count from all networks is kept, and never deleted here: attempts lock it after a
    network's row, so leaving it alone means this cannot deadlock with them on PostgreSQL."""
    at = now()
    db.execute(update(SignInFailure).where(SignInFailure.staff_user_id == user_id,
                                           SignInFailure.network == network)
               .values(failures=0, expires_at=at, signed_in_at=at))
    db.execute(delete(SignInFailure).where(
        SignInFailure.staff_user_id == user_id, SignInFailure.network != ALL_NETWORKS,
        SignInFailure.expires_at <= at,
        or_(SignInFailure.signed_in_at.is_(None), SignInFailure.signed_in_at < forget_before)))


def clear_sign_in_failures(db: Session, user_id: int) -> list[tuple[str, int]]:
    """Forget the account's counts on every network; return the networks whose counts were
    still running, with their failures. The caller commits."""
    at = now()
    running = (SignInFailure.staff_user_id == user_id, SignInFailure.failures > 0,
               SignInFailure.expires_at > at)
    cleared = db.execute(select(SignInFailure.network, SignInFailure.failures).where(*running)
                         .order_by(SignInFailure.id)).all()
    db.execute(update(SignInFailure).where(*running).values(failures=0, expires_at=at))
    return [(network, failures) for network, failures in cleared]


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


def published_comments(db: Session, policy_slug: str) -> list[Comment]:
    """Approved comments whose writers agreed to publication: shown without names."""
    return list(db.scalars(select(Comment).where(
        Comment.policy_slug == policy_slug, Comment.moderation == "approved", Comment.may_publish,
    ).order_by(Comment.created_at, Comment.id)))


def comment_count(db: Session, policy_slug: str) -> int:
    return db.scalar(select(func.count()).select_from(Comment).where(Comment.policy_slug == policy_slug))


def record(db: Session, actor: str, action: str, comment_id: int | None, details: str) -> None:
    """Add an audit entry; the caller commits it with the change it describes."""
    db.add(AuditEntry(at=now(), actor=actor, action=action, comment_id=comment_id, details=details))


def audit_log(db: Session, limit: int = 500) -> list[AuditEntry]:
    return list(db.scalars(select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                           .limit(limit)))


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


def invitations_past(db: Session, last_kept: dt.date) -> list[PanelInvitation]:
    ends = dt.datetime.combine(last_kept, dt.time(), tzinfo=dt.UTC)
    return list(db.scalars(select(PanelInvitation).where(PanelInvitation.expires_at < ends,
                                                         PanelInvitation.member_name != ERASED_NAME)))


ERASED_NAME = "A former panel member"


ERASED_TEXT = ("body", "suggested_wording", "screened_body", "screened_wording", "public_body",
               "public_wording", "response_text")
"""Every text a comment keeps, from which erasure takes the personal details found in it."""


def erase_personal_data(db: Session, comments: list[Comment], actor: str, why: str,
                        invitations: list[PanelInvitation] = ()) -> bool:
    """Remove names, email addresses and the personal details found in the text, and the name on
    the panel invitation a comment was made with; the anonymised comments, their responses and
    the counts stay, so reports remain true. Then no old copy is left in the database's files:
    False if that could not be finished now (see `database.scrub_erased`)."""
    invitations = {invitation.id: invitation for invitation in invitations}
    for comment in comments:
        for field in ERASED_TEXT:
            setattr(comment, field, without_personal_details(getattr(comment, field), comment.name))
        comment.name = comment.email = comment.email_key = None
        comment.flags = json.dumps([{**flag, "start": 0, "end": 0, "text": "(erased)"}  # lengths tell too
                                    for flag in json.loads(comment.flags)])
        comment.personal_data_erased_at = now()
        db.execute(delete(OutboxMessage).where(OutboxMessage.comment_id == comment.id))  # their words
        record(db, actor, "erased personal data", comment.id, f"{comment.reference}: {why}")
        if comment.panel_invitation is not None:
            invitations[comment.panel_invitation.id] = comment.panel_invitation
    for invitation in invitations.values():
        if invitation.member_name != ERASED_NAME:
            invitation.member_name = ERASED_NAME
            record(db, actor, "erased personal data", None, f"panel invitation {invitation.id}: {why}")
    db.commit()
    return scrub_erased(db.get_bind()) if comments or invitations else True
