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
import logging
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Row, case, delete, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consultation import complaints, context, mail, outcomes, recommendations, sending, store, subscriptions
from consultation.database import scrub_erased
from consultation.models import (
    ALL_NETWORKS,
    AuditEntry,
    Comment,
    CommentFlag,
    OutboxMessage,
    Outcome,
    PanelInvitation,
    Recommendation,
    SignInFailure,
    StaffUser,
    Subscription,
    flag_kinds,
)
from consultation.published_cache import comments_changed
from policy_portal.clock import UK
from policy_portal.consultations.moderation import HIDE_REASONS, without_personal_details
from policy_portal.consultations.rules import CHANNELS, DECISIONS, OUTCOMES
from policy_portal.reading.policy import Policy

if TYPE_CHECKING:
    from consultation.auth import Limit

log = logging.getLogger(__name__)
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
    channel: str = "online"
    entered_by: str | None = None
    """The staff member who typed in a comment received by phone, letter, email, at an event or
    from an advocate."""


def save_comment(new: NewComment, policy_title: str | None = None) -> str:
    """Store a comment once and return its reference; with the draft's title, its receipt is
    queued in the same transaction when an email address was given, so neither is stored
    without the other. A comment from the public is not an act of staff, so it has no audit
    entry (the comment is its own record); one typed in by staff (`entered_by`) has one, naming
    them and how it reached us.

    A form sent twice (a double click, or "send again" after a slow answer) carries the same
    submission key; the second time, the first comment's reference is returned and nothing more
    is stored. The insert comes first and the unique key refuses the repeat, so the usual case
    (a form sent once) costs one statement, not a lookup and then an insert.

    The row is inserted as its values (with a row a kind of flag in `comment_flags`, as
    `Comment._index_flags` keeps them), not added as a `Comment` for the ORM's unit of work to
    flush: working out that one new object needs one INSERT took a sixth of a comment POST's
    CPU time (about 0.7 of 4 ms, measured in-process on SQLite and PostgreSQL). The comment is
    read back only for the receipt and the audit entry, which show it.
    """
    kinds = flag_kinds(new.flags)
    for _ in range(5):
        try:
            with _transaction() as (db, now):
                reference = new_reference()
                values = {**vars(new), "email_key": store.email_key(new.email) if new.email else None,
                          "reference": reference, "created_at": now, "unflagged": not kinds}
                comment_id = db.execute(insert(Comment.__table__).returning(Comment.id), values).scalar_one()
                if kinds:
                    db.execute(insert(CommentFlag.__table__), [{"comment_id": comment_id, "kind": kind}
                                                               for kind in kinds])
                if (policy_title is not None and new.email) or new.entered_by:
                    comment = db.get_one(Comment, comment_id)
                if policy_title is not None and new.email:
                    _queue(db, mail.receipt(db, comment, policy_title))
                if new.entered_by:
                    _audit(db, now, new.entered_by, "entered comment", comment.id,
                           f"{comment.reference}: received {CHANNELS[comment.channel].lower()}")
        except IntegrityError:  # the same form sent before or at the same moment, or a reference clash
            existing = store.reference_for_submission(context.database(), new.submission_key)
            if existing:
                return existing
            continue
        return reference
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
        screened = (comment.screened_body, comment.screened_wording)
        if action == "approve" and comment.public_body is None and screened != (comment.body,
                                                                                 comment.suggested_wording):
            # What we promise the writer: published "with any personal details taken out". One
            # click must not publish what the screening found; a wrong find is put back by Redact.
            comment.public_body, comment.public_wording = screened
            comment.rule_broken = "personal"
        # approving keeps any earlier redaction: undoing one is a redaction back to the original
        why = f"; reason: {HIDE_REASONS[comment.rule_broken]}" if comment.rule_broken else ""
        _audit(db, now, actor, {"approve": "approved", "redact": "redacted", "hide": "hid"}[action],
               comment.id, f"{comment.reference}{why}")
    comments_changed()


def respond(comment: Comment, outcome: str, text: str, section: str | None, actor: str) -> None:
    """The association's response to a comment (a key of OUTCOMES, and why)."""
    with _transaction() as (db, now):
        comment.response_outcome, comment.response_text = outcome, text
        comment.response_section, comment.responded_at = section, now
        _audit(db, now, actor, "responded", comment.id,  # the text stays on the comment
               f"{comment.reference}: {OUTCOMES[outcome]}")
    comments_changed()


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


def _erase(db: Session, now: dt.datetime, comments: list[Comment], actor: str, why: str,
           invitations: list[PanelInvitation]) -> None:
    """Remove names, email addresses and the personal details found in the text, and the name on
    the panel invitation a comment was made with; the anonymised comments, their responses and
    the counts stay, so reports remain true."""
    invitations = {invitation.id: invitation for invitation in invitations}
    for comment in comments:
        for field in ERASED_TEXT:
            setattr(comment, field, without_personal_details(getattr(comment, field), comment.name))
        comment.name = comment.email = comment.email_key = None
        comment.flags = json.dumps([{**flag, "start": 0, "end": 0, "text": "(erased)"}  # lengths tell too
                                    for flag in json.loads(comment.flags)])
        comment.personal_data_erased_at = now
        db.execute(delete(OutboxMessage).where(OutboxMessage.comment_id == comment.id))  # their words
        _audit(db, now, actor, "erased personal data", comment.id, f"{comment.reference}: {why}")
        if comment.panel_invitation is not None:
            invitations[comment.panel_invitation.id] = comment.panel_invitation
    for invitation in invitations.values():
        if invitation.member_name != store.ERASED_NAME:
            invitation.member_name = store.ERASED_NAME
            _audit(db, now, actor, "erased personal data", None, f"panel invitation {invitation.id}: {why}")


@dataclass(frozen=True)
class Erasure:
    comments: int
    invitations: int
    scrubbed: bool
    """False when an old copy of what was erased may still be in the database's files."""
    subscriptions: int = 0
    """Email subscriptions deleted: the person's own, or those nobody confirmed in time."""
    emails: int = 0
    """Emails deleted with them, sent or not (they hold the person's words)."""


def erase_person(email: str, actor: str) -> Erasure:
    """For an erasure request: everything held with the email address (see
    `store.comments_with_email`), its subscription and every email to it, in one transaction."""
    key = store.email_key(email)
    with _transaction() as (db, now):
        emails = db.execute(delete(OutboxMessage).where(OutboxMessage.to_key == key)).rowcount
        subscribed = db.execute(delete(Subscription).where(Subscription.email_key == key)).rowcount
        if emails or subscribed:  # said in the log without the address
            _audit(db, now, actor, "erased personal data", None,
                   f"{subscribed} email subscription(s) and {emails} email(s) to one address")
        found = store.comments_with_email(db, email)
        _erase(db, now, found, actor, "erasure requested by the person", [])
    comments_changed()
    scrubbed = scrub_erased(db.get_bind()) if found or emails or subscribed else True
    return Erasure(len(found), 0, scrubbed, subscribed, emails)


def erase_expired(last_kept: dt.date, actor: str, why: str) -> Erasure:
    """Everything from consultations that closed before `last_kept`, invitations that ended
    before it, and subscriptions nobody confirmed within `subscriptions.UNCONFIRMED_KEPT` (the
    address may not even be the asker's), in one transaction, then no old copy of any of it in
    the database's files (`scrub_erased`).

    With a subscription go the messages sent to it as a subscriber, and only those: an email
    about a comment sent from the same address (its receipt, its outcome, the complaint route)
    belongs to the comment, is kept as long as the comment's personal data and erased with it
    (`_erase`). Deleting it with the subscription, as this once did, also deleted its
    `dedupe_key`, the record that it was queued: a run of outcome emails resumed after that
    (`finish_outcome_emails`) queued the outcome email again, and its writer got it twice."""
    with _transaction() as (db, now):
        comments, invitations = store.personal_data_past(db, last_kept), store.invitations_past(db, last_kept)
        _erase(db, now, comments, actor, why, invitations)
        stale = list(db.scalars(select(Subscription.id).where(
            Subscription.confirmed_at.is_(None),
            Subscription.created_at < now - subscriptions.UNCONFIRMED_KEPT)))
        emails = db.execute(delete(OutboxMessage).where(OutboxMessage.subscription_id.in_(stale))).rowcount
        db.execute(delete(Subscription).where(Subscription.id.in_(stale)))
    comments_changed()
    scrubbed = scrub_erased(db.get_bind()) if comments or invitations or stale else True
    return Erasure(len(comments), len(invitations), scrubbed, len(stale), emails)


# Email: the outbox (see `consultation.mail`), subscriptions and the sender


def _queue(db: Session, message: OutboxMessage | None) -> OutboxMessage | None:
    """Add a message `consultation.mail` made to the outbox, in the caller's transaction; None is
    a message that must not be sent (see `mail.message`)."""
    if message is not None:
        db.add(message)
    return message


def subscribe(email: str) -> None:
    """Ask to be told of new consultations: queue the confirmation, unless the address is
    subscribed already or was sent one within `subscriptions.CONFIRM_AGAIN_AFTER`, or its
    mailbox has had `subscriptions.CONFIRMATIONS_PER_MAILBOX` within that time. No audit
    entry: it is the person's own act, and the subscription is its record."""
    key = store.email_key(email)
    try:
        with _transaction() as (db, now):
            if subscriptions.mailbox_is_full(db, key, now):
                return
            found = subscriptions.by_address(db, key)
            if found is None:
                found = Subscription(email=email.strip(), email_key=key, token=secrets.token_urlsafe(32),
                                     created_at=now)
                db.add(found)
            elif not subscriptions.confirm_afresh(found, now):
                return  # subscribed already, or sent a confirmation within the hour
            else:
                found.email, found.created_at = email.strip(), now
                found.confirmed_at = found.unsubscribed_at = None
                found.token = secrets.token_urlsafe(32)
            db.flush()  # its id, for the message
            _queue(db, subscriptions.confirmation(db, found))
    except IntegrityError:  # the same address asked at the same moment: that request sends it
        pass


def confirm_subscription(token: str) -> Subscription | None:
    """Confirm the subscription the link is for; None for a link that is not one of ours or
    was unsubscribed since."""
    with _transaction() as (db, now):
        found = subscriptions.by_token(db, token)
        if found is None or found.unsubscribed_at is not None:
            return None
        if found.confirmed_at is None:
            found.confirmed_at = now
    return found


def unsubscribe(token: str) -> bool:
    """Stop every email to subscribers at this address, those queued included; False for a link
    that is not one of ours. Unsubscribing twice is not an error (mail programs retry)."""
    with _transaction() as (db, now):
        found = subscriptions.by_token(db, token)
        if found is None:
            return False
        if found.unsubscribed_at is None:
            found.unsubscribed_at = now
        db.execute(delete(OutboxMessage).where(OutboxMessage.to_key == found.email_key,
                                               OutboxMessage.kind.in_(mail.LIST_KINDS),
                                               OutboxMessage.sent_at.is_(None)))
    return True


def notify_open() -> int:
    """Queue "a consultation has opened" for each confirmed subscriber and each consultation
    open today, once only (see `subscriptions.opened_messages`), `outcomes.BATCH` subscribers a
    transaction; return how many. Stops when another sender is queueing them at the same moment
    (the unique `dedupe_key` refuses the second): that sender, or the next run, does the rest."""
    opened = subscriptions.open_consultations(context.clock().today())
    if not opened:  # the usual case, on every run of the sender: no subscriber need be read
        return 0
    queued, _ = _queue_in_batches(lambda db, _, after: subscriptions.opened_messages(db, opened, after,
                                                                                      outcomes.BATCH))
    return queued


Batch = Callable[[Session, dt.datetime, int], tuple[list[OutboxMessage | None], int | None]]
"""The messages for the next batch of recipients after row id `after` (keyset paging), made in
the batch's transaction at its moment, and the last id read: None when none was left."""


def _queue_in_batches(batch: Batch) -> tuple[int, IntegrityError | None]:
    """Queue what `batch` makes, a batch a transaction, until it reads no more; return how many
    were queued and, when the database refused a batch, why. Each message has a unique
    `dedupe_key`, so a run that stopped part way is finished by running it again from the start
    (batches already queued make nothing), and a refusal means another process is queueing the
    same messages at the same moment: that one, or the next run, does the rest."""
    queued = after = 0
    while True:
        try:
            with _transaction() as (db, now):
                messages, last = batch(db, now, after)
                added = sum(_queue(db, message) is not None for message in messages)
        except IntegrityError as refused:
            return queued, refused
        if last is None:
            return queued, None
        queued, after = queued + added, last


def claim_mail(at: dt.datetime, limit: int, claim_for: dt.timedelta) -> list[int]:
    """Take up to `limit` messages due at `at` for this sender until `at + claim_for`, in a
    transaction of its own that ends before any is sent: so no other sender takes them, and a
    sender that dies leaves them to be taken again when the claim runs out. One statement picks
    and marks them; on PostgreSQL it skips rows another sender is claiming (FOR UPDATE SKIP
    LOCKED), on SQLite the write lock makes senders take turns."""
    with _transaction() as (db, _):
        due = (select(OutboxMessage.id).where(*sending.due(at)).order_by(OutboxMessage.id).limit(limit)
               .with_for_update(skip_locked=True))
        claimed = db.scalars(update(OutboxMessage).where(OutboxMessage.id.in_(due.scalar_subquery()))
                             .values(claimed_until=at + claim_for).returning(OutboxMessage.id)).all()
    return sorted(claimed)


def release_mail(ids: list[int]) -> None:
    """Give back messages this sender claimed but will not send (it is stopping), so the next
    sender takes them at once rather than when the claim runs out."""
    with _transaction() as (db, _):
        db.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids), OutboxMessage.sent_at.is_(None))
                   .values(claimed_until=None))


def mark_sent(message: OutboxMessage, at: dt.datetime) -> None:
    """Once the mail server has accepted the message, and in a transaction of its own: a
    failure with the next message must not undo it, or it would be sent twice."""
    with _transaction():
        message.sent_at, message.claimed_until, message.last_error = at, None, None


def mark_failed(message: OutboxMessage, error: str, permanent: bool, at: dt.datetime) -> None:
    """Count a failed attempt and wait before the next (see `sending.wait_after`); a permanent
    failure is not tried again and stays for staff to see. Its own transaction, like `mark_sent`."""
    with _transaction():
        message.attempts = sending.MOST_ATTEMPTS if permanent else message.attempts + 1
        message.next_attempt_at = at + sending.wait_after(message.attempts)
        message.claimed_until = None
        message.last_error = error[:500]


def retry_given_up(actor: str) -> int:
    """Try again the messages given up on (after fixing the settings, say); return how many."""
    with _transaction() as (db, now):
        count = db.execute(update(OutboxMessage).where(OutboxMessage.sent_at.is_(None),
                                                       OutboxMessage.attempts >= sending.MOST_ATTEMPTS)
                           .values(attempts=0, next_attempt_at=now)).rowcount
        if count:
            _audit(db, now, actor, "retried emails", None, f"{count} email(s) given up on, tried again")
    return count


# Closing the loop: outcomes, the complaint route, the panel's recommendations


def publish_outcome(policy: Policy, *, decision: str, approved_version: str | None, decided_on: dt.date,
                    summary: str, closes: dt.date, actor: str) -> Outcome:
    """Publish the board's decision on the draft, with an audit entry, then queue one email to
    each respondent who gave an address, naming the decision on their own comment
    (`queue_outcome_emails`). Published once: a second attempt is refused, so nobody is emailed
    twice."""
    if decision not in DECISIONS:
        raise outcomes.OutcomeError("Choose what the board decided")
    try:
        with _transaction() as (db, now):
            if outcomes.outcome(db, policy.slug) is not None:
                raise outcomes.already_published(policy)
            problem = outcomes.timing_problem(closes, decided_on, now.astimezone(UK).date())
            if problem:
                raise problem
            published = Outcome(policy_slug=policy.slug, consulted_version=policy.version, decision=decision,
                                approved_version=None if decision == "withdrawn" else approved_version,
                                decided_on=decided_on, summary=summary, closes=closes,
                                published_at=now, published_by=actor)
            db.add(published)
            db.flush()  # the unique policy_slug refuses an outcome another administrator just published
            told = outcomes.count_respondents(db, policy.slug)
            _audit(db, now, actor, "published outcome", None,
                   f"{policy.slug}: {DECISIONS[decision]}; outcome emails to {told} respondents")
    except IntegrityError:
        raise outcomes.already_published(policy) from None
    queue_outcome_emails(policy, published, actor)
    return published


def queue_outcome_emails(policy: Policy, published: Outcome, actor: str) -> int:
    """Queue the outcome email for every respondent not yet sent one, `outcomes.BATCH` comments
    a transaction in comment id order, then write the `outcomes.QUEUED` audit entry; return how
    many were queued. Run again after stopping part way, it queues only those left (each
    comment's message has a unique `dedupe_key`). Stops, for `send-mail` to finish later, if the
    database refuses a batch: another process queueing the same messages at the same moment."""
    def batch(db: Session, now: dt.datetime, after: int) -> tuple[list[OutboxMessage | None], int | None]:
        comments = outcomes.respondents(db, policy.slug, after, outcomes.BATCH)
        if not comments:  # every one queued: recorded with the last batch, so it is never done twice
            _audit(db, now, actor, outcomes.QUEUED, None, policy.slug)
            return [], None
        return outcomes.outcome_messages(db, policy, published, comments), comments[-1].id

    queued, refused = _queue_in_batches(batch)
    if refused is not None:
        log.warning("Outcome emails for %s stopped after %d were queued (%s); send-mail will finish them",
                    policy.slug, queued, refused.orig)
    return queued


def finish_outcome_emails(actor: str) -> int:
    """Queue what is left of the outcome emails of outcomes published lately whose queueing
    stopped part way (see `outcomes.unfinished`); return how many were queued."""
    db = context.database()
    queued = 0
    for published in outcomes.unfinished(db, context.clock().now() - outcomes.RESUMED_FOR):
        policy = context.library().policies.get(published.policy_slug)
        if policy is not None:
            queued += queue_outcome_emails(policy, published, actor)
    return queued


def offer_complaint(comment: Comment, actor: str) -> bool:
    """Record that the complaint route was offered to the comment's writer, and queue the email
    saying how to complain when they gave an address. True when an email was queued."""
    with _transaction() as (db, now):
        comment.complaint_offered_at = now
        message = _queue(db, complaints.email(db, comment)) if comment.email else None
        how = "by email" if message else "no email address: offer it by phone or letter"
        _audit(db, now, actor, "offered complaint route", comment.id, f"{comment.reference}: {how}")
    return message is not None


def add_recommendation(policy_slug: str, text: str, made_on: dt.date, response_due: dt.date,
                       actor: str) -> Recommendation:
    """A formal recommendation of the tenant scrutiny panel, which the board must answer. The
    same words recorded again for the same day (a double click, the form sent again from the
    browser's history) give the one already recorded: a second would look like a second
    recommendation the board had not answered."""
    with _transaction() as (db, now):
        recorded = recommendations.same(db, policy_slug, text, made_on)
        if recorded is not None:
            return recorded
        recommendation = Recommendation(policy_slug=policy_slug, text=text, made_on=made_on,
                                        response_due=response_due, created_at=now, created_by=actor)
        db.add(recommendation)
        db.flush()  # its number, for the entry
        _audit(db, now, actor, "recorded recommendation", None,
               f"{policy_slug} recommendation {recommendation.id}: board to respond by {response_due}")
    return recommendation


def answer_recommendation(recommendation: Recommendation, response: str, responded_on: dt.date,
                          actor: str) -> None:
    """The board's response to a recommendation. A correction replaces it on the public page; the
    audit entry keeps what it replaced, so the record of what the board said is never lost."""
    with _transaction() as (db, now):
        replaced = (f"; replaced the response of {recommendation.responded_on}: {recommendation.response}"
                    if recommendation.response else "")
        recommendation.response, recommendation.responded_on = response, responded_on
        _audit(db, now, actor, "recorded board response", None,
               f"{recommendation.policy_slug} recommendation {recommendation.id}: answered {responded_on}"
               + replaced)
