"""Every change the app makes: each function changes rows, writes the audit entry and commits, in
one transaction.

The pattern, for every change added here:

    def do_something(thing, ..., actor: str) -> ...:
        with _transaction() as (db, now):
            ...change rows through `db`, stamping them with `now`...
            _audit(db, now, actor, "did something", thing.id, "what, and why")

`_transaction` commits when the block ends and rolls everything back if anything in it fails,
the audit entry included: a change is never stored without its entry, nor an entry without its
change. Views, `auth` and the commands call these functions and never set a model's fields or
commit themselves; `store` only reads (tests/test_code_quality.py holds the line). Each function
runs in an app context (a request's, or `app.app_context()` in a command), works on that
context's session (`context.database()`) and tells the time by the app's one clock
(`context.clock()`), so what it stores agrees with the dates the pages judge by.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Row, case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consultation import context, store
from consultation.database import scrub_erased
from consultation.models import ALL_NETWORKS, AuditEntry, Comment, PanelInvitation, SignInFailure, StaffUser
from policy_portal.consultations.moderation import HIDE_REASONS, without_personal_details
from policy_portal.consultations.rules import OUTCOMES

if TYPE_CHECKING:
    from consultation.auth import Limit

REFERENCE_LETTERS = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
"""No 0, 1, I, L or O, so a reference read out over the phone cannot be misheard."""


@contextmanager
def _transaction() -> Iterator[tuple[Session, dt.datetime]]:
    """The context's session and the moment now; commits at the end, rolls back on any error."""
    db = context.database()
    try:
        yield db, context.clock().now()
        db.commit()
    except BaseException:
        db.rollback()
        raise


def _audit(db: Session, at: dt.datetime, actor: str, action: str, comment_id: int | None,
           details: str) -> None:
    db.add(AuditEntry(at=at, actor=actor, action=action, comment_id=comment_id, details=details))


def record(actor: str, action: str, details: str) -> None:
    """An audit entry alone, for what changes no row but must be on record (a download, an
    export, anything that takes personal data out of the system)."""
    with _transaction() as (db, now):
        _audit(db, now, actor, action, None, details)


# Comments


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


def save_comment(new: NewComment) -> str:
    """Store a comment once and return its reference. A comment from the public is not an act of
    staff, so it has no audit entry: the comment is its own record.

    A form sent twice (a double click, or "send again" after a slow answer) carries the same
    submission key; the second time, the first comment's reference is returned and nothing more
    is stored. The insert comes first and the unique key refuses the repeat, so the usual case
    (a form sent once) costs one statement, not a lookup and then an insert.
    """
    for _ in range(5):
        try:
            with _transaction() as (db, now):
                comment = Comment(**vars(new), email_key=store.email_key(new.email) if new.email else None,
                                  reference=new_reference(), created_at=now)
                db.add(comment)
        except IntegrityError:  # the same form sent before or at the same moment, or a reference clash
            existing = store.reference_for_submission(context.database(), new.submission_key)
            if existing:
                return existing
            continue
        return comment.reference
    raise RuntimeError("could not store the comment after five tries")


def moderate(comment: Comment, action: str, reason: str | None, public_body: str | None,
             public_wording: str | None, actor: str) -> None:
    """Approve, redact or hide a comment. `reason` (a key of HIDE_REASONS) is kept for a
    redaction or a hiding; an emptied wording box means the wording is not published at all."""
    with _transaction() as (db, now):
        comment.moderated_at = now
        comment.moderation = "hidden" if action == "hide" else "approved"
        comment.rule_broken = reason if action in ("redact", "hide") else None
        if action == "redact":
            comment.public_body = public_body
            comment.public_wording = public_wording if comment.suggested_wording else None
        # approving keeps any earlier redaction: undoing one is a redaction back to the original
        why = f"; reason: {HIDE_REASONS[comment.rule_broken]}" if comment.rule_broken else ""
        _audit(db, now, actor, {"approve": "approved", "redact": "redacted", "hide": "hid"}[action],
               comment.id, f"{comment.reference}{why}")


def respond(comment: Comment, outcome: str, text: str, section: str | None, actor: str) -> None:
    """The association's response to a comment (a key of OUTCOMES, and why)."""
    with _transaction() as (db, now):
        comment.response_outcome, comment.response_text = outcome, text
        comment.response_section, comment.responded_at = section, now
        _audit(db, now, actor, "responded", comment.id,  # the text stays on the comment
               f"{comment.reference}: {OUTCOMES[outcome]}")


# Panel invitations


def create_invitation(policy_slug: str, member_name: str, expires_at: dt.datetime,
                      actor: str) -> PanelInvitation:
    """Record an invitation and who made it; the audit entry has no name, as the log outlives
    erasure."""
    with _transaction() as (db, now):
        invitation = PanelInvitation(policy_slug=policy_slug, member_name=member_name, created_at=now,
                                     expires_at=expires_at.astimezone(dt.UTC))  # SQLite drops the zone
        db.add(invitation)
        db.flush()  # gives it its number, for the entry
        _audit(db, now, actor, "invited panel member", None,
               f"invitation {invitation.id}, to comment on {policy_slug} until "
               f"{expires_at:%Y-%m-%d %H:%M %Z}")
    return invitation


# Staff accounts and signing in


def add_staff_user(email: str, name: str, role: str, password_hash: str, actor: str) -> StaffUser:
    """A staff account, and the entry that says who made it, together or not at all."""
    with _transaction() as (db, now):
        user = StaffUser(email=email.strip().lower(), email_key=store.email_key(email), name=name, role=role,
                         password_hash=password_hash, session_nonce=secrets.token_hex(16), created_at=now)
        db.add(user)
        db.flush()
        _audit(db, now, actor, "created staff account", None, user.actor)
    return user


UPSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
"""INSERT ... ON CONFLICT DO UPDATE, which both databases have but SQLAlchemy builds per database."""


def _count(db: Session, at: dt.datetime, user_id: int, network: str, limit: Limit) -> Row | None:
    """Count one more attempt on the account from the network, unless `limit.failures` are
    counted already, and return the row's (failures, signed_in_at); None when it is refused and
    nothing is counted.

    One statement decides and counts, and the database lets one such statement at a time change
    the row (PostgreSQL locks the row, SQLite the database), so attempts sent at the same moment
    each see the others' counts. A count is forgotten `limit.window` after it began; the attempt
    that reaches the limit keeps it until at least `limit.lock` from then.
    """
    failures, expires_at = SignInFailure.failures, SignInFailure.expires_at
    expired = expires_at <= at
    upsert = UPSERTS[db.get_bind().dialect.name](SignInFailure).values(
        staff_user_id=user_id, network=network, failures=1, expires_at=at + limit.window)
    return db.execute(upsert.on_conflict_do_update(
        index_elements=[SignInFailure.staff_user_id, SignInFailure.network],
        set_={"failures": case((expired, 1), else_=failures + 1),
              "expires_at": case((expired, at + limit.window), (failures + 1 < limit.failures, expires_at),
                                 (expires_at > at + limit.lock, expires_at), else_=at + limit.lock)},
        where=expired | (failures < limit.failures),
    ).returning(failures, SignInFailure.signed_in_at)).one_or_none()


def count_sign_in_attempt(user_id: int, network: str, per_network: Limit, from_new_networks: Limit,
                          known_for: dt.timedelta) -> tuple[int, int | None] | None:
    """Count an attempt before its password is checked: the failures now counted on its network
    and (None if the account signed in from that network within `known_for`) on networks it has
    not; None, with nothing counted, when a limit refuses it.

    Committed before the slow password check, so that guesses sent together see each other's
    count; a refusal is rolled back, so no row stays locked through the check. No audit entry:
    only a lock-out is one (`record_lock_outs`)."""
    with _transaction() as (db, now):
        on_network = _count(db, now, user_id, network, per_network)
        known = (on_network is not None and on_network.signed_in_at is not None
                 and store.as_utc(on_network.signed_in_at) > now - known_for)
        overall = None if on_network is None or known else _count(db, now, user_id, ALL_NETWORKS,
                                                                    from_new_networks)
        if on_network is None or (overall is None and not known):
            db.rollback()  # counted nowhere
            return None
    return on_network.failures, None if known else overall.failures


def record_lock_outs(user: StaffUser, lock_outs: list[tuple[str, str]]) -> None:
    """The (action, details) entries for the lock-outs a refused attempt caused."""
    with _transaction() as (db, now):
        for action, details in lock_outs:
            _audit(db, now, user.actor, action, None, details)


def signed_in(user: StaffUser, network: str, known_for: dt.timedelta,
              lock_outs: list[tuple[str, str]]) -> None:
    """Clear the network's count and remember that the account signed in from it; forget the
    account's other networks whose counts have expired, if not signed in from within
    `known_for`; record the sign-in (and any lock-out the attempt caused elsewhere).

    The count from all networks is kept, and never deleted here: attempts lock it after a
    network's row, so leaving it alone means this cannot deadlock with them on PostgreSQL."""
    with _transaction() as (db, now):
        db.execute(update(SignInFailure).where(SignInFailure.staff_user_id == user.id,
                                               SignInFailure.network == network)
                   .values(failures=0, expires_at=now, signed_in_at=now))
        db.execute(delete(SignInFailure).where(
            SignInFailure.staff_user_id == user.id, SignInFailure.network != ALL_NETWORKS,
            SignInFailure.expires_at <= now,
            or_(SignInFailure.signed_in_at.is_(None), SignInFailure.signed_in_at < now - known_for)))
        for action, details in lock_outs:
            _audit(db, now, user.actor, action, None, details)
        _audit(db, now, user.actor, "signed in", None, "")


def sign_out(user: StaffUser) -> None:
    """End every session of the account: the nonce their cookies carry no longer matches."""
    with _transaction() as (db, now):
        _audit(db, now, user.actor, "signed out", None, "")
        user.session_nonce = secrets.token_hex(16)


def unlock_staff(user: StaffUser, actor: str) -> list[tuple[str, int]]:
    """Forget the account's counts on every network; return the networks whose counts were
    still running, with their failures."""
    with _transaction() as (db, now):
        running = (SignInFailure.staff_user_id == user.id, SignInFailure.failures > 0,
                   SignInFailure.expires_at > now)
        cleared = [(network, failures) for network, failures in db.execute(
            select(SignInFailure.network, SignInFailure.failures).where(*running).order_by(SignInFailure.id))]
        db.execute(update(SignInFailure).where(*running).values(failures=0, expires_at=now))
        _audit(db, now, actor, "cleared failed sign-ins", None,
               f"{user.actor}: counts on {len(cleared)} network(s) cleared")
    return cleared


# Personal data


ERASED_TEXT = ("body", "suggested_wording", "screened_body", "screened_wording", "public_body",
               "public_wording", "response_text")
"""Every text a comment keeps, from which erasure takes the personal details found in it."""


def erase_personal_data(comments: list[Comment], actor: str, why: str,
                        invitations: list[PanelInvitation] = ()) -> bool:
    """Remove names, email addresses and the personal details found in the text, and the name on
    the panel invitation a comment was made with; the anonymised comments, their responses and
    the counts stay, so reports remain true. Then no old copy is left in the database's files:
    False if that could not be finished now (see `database.scrub_erased`)."""
    invitations = {invitation.id: invitation for invitation in invitations}
    with _transaction() as (db, now):
        for comment in comments:
            for field in ERASED_TEXT:
                setattr(comment, field, without_personal_details(getattr(comment, field), comment.name))
            comment.name = comment.email = comment.email_key = None
            comment.flags = json.dumps([{**flag, "start": 0, "end": 0, "text": "(erased)"}  # lengths tell too
                                        for flag in json.loads(comment.flags)])
            comment.personal_data_erased_at = now
            _audit(db, now, actor, "erased personal data", comment.id, f"{comment.reference}: {why}")
            if comment.panel_invitation is not None:
                invitations[comment.panel_invitation.id] = comment.panel_invitation
        for invitation in invitations.values():
            if invitation.member_name != store.ERASED_NAME:
                invitation.member_name = store.ERASED_NAME
                _audit(db, now, actor, "erased personal data", None,
                       f"panel invitation {invitation.id}: {why}")
    return scrub_erased(db.get_bind()) if comments or invitations else True


@dataclass(frozen=True)
class Erasure:
    comments: int
    invitations: int
    scrubbed: bool
    """False when an old copy of what was erased may still be in the database's files."""


def erase_person(email: str, actor: str) -> Erasure:
    """For an erasure request: everything held with the email address (see
    `store.comments_with_email`)."""
    found = store.comments_with_email(context.database(), email)
    return Erasure(len(found), 0, erase_personal_data(found, actor, "erasure requested by the person"))


def erase_expired(last_kept: dt.date, actor: str, why: str) -> Erasure:
    """Everything from consultations that closed before `last_kept`, and invitations that ended
    before it."""
    db = context.database()
    comments, invitations = store.personal_data_past(db, last_kept), store.invitations_past(db, last_kept)
    return Erasure(len(comments), len(invitations), erase_personal_data(comments, actor, why, invitations))
