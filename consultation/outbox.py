"""Every change to email: messages queued in the outbox (see `consultation.mail`, which makes
them), subscriptions to news of consultations (see `consultation.subscriptions`), and the
sender's claims, deliveries, failures and retries (see `consultation.sending`, which sends).
Each change is one transaction, with its audit entry where staff act (see
`consultation.transactions`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consultation import context, mail, outcomes, sending, store, subscriptions
from consultation.models import OutboxMessage, Subscription
from consultation.transactions import audit, transaction


def queue(db: Session, message: OutboxMessage | None) -> OutboxMessage | None:
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
        with transaction() as (db, now):
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
            queue(db, subscriptions.confirmation(db, found))
    except IntegrityError:  # the same address asked at the same moment: that request sends it
        pass


def confirm_subscription(token: str) -> Subscription | None:
    """Confirm the subscription the link is for; None for a link that is not one of ours or
    was unsubscribed since."""
    with transaction() as (db, now):
        found = subscriptions.by_token(db, token)
        if found is None or found.unsubscribed_at is not None:
            return None
        if found.confirmed_at is None:
            found.confirmed_at = now
    return found


def unsubscribe(token: str) -> bool:
    """Stop every email to subscribers at this address, those queued included; False for a link
    that is not one of ours. Unsubscribing twice is not an error (mail programs retry)."""
    with transaction() as (db, now):
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
    queued, _ = queue_in_batches(lambda db, _, after: subscriptions.opened_messages(db, opened, after,
                                                                                      outcomes.BATCH))
    return queued


Batch = Callable[[Session, dt.datetime, int], tuple[list[OutboxMessage | None], int | None]]
"""The messages for the next batch of recipients after row id `after` (keyset paging), made in
the batch's transaction at its moment, and the last id read: None when none was left."""


def queue_in_batches(batch: Batch) -> tuple[int, IntegrityError | None]:
    """Queue what `batch` makes, a batch a transaction, until it reads no more; return how many
    were queued and, when the database refused a batch, why. Each message has a unique
    `dedupe_key`, so a run that stopped part way is finished by running it again from the start
    (batches already queued make nothing), and a refusal means another process is queueing the
    same messages at the same moment: that one, or the next run, does the rest."""
    queued = after = 0
    while True:
        try:
            with transaction() as (db, now):
                messages, last = batch(db, now, after)
                added = sum(queue(db, message) is not None for message in messages)
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
    with transaction() as (db, _):
        due = (select(OutboxMessage.id).where(*sending.due(at)).order_by(OutboxMessage.id).limit(limit)
               .with_for_update(skip_locked=True))
        claimed = db.scalars(update(OutboxMessage).where(OutboxMessage.id.in_(due.scalar_subquery()))
                             .values(claimed_until=at + claim_for).returning(OutboxMessage.id)).all()
    return sorted(claimed)


def release_mail(ids: list[int]) -> None:
    """Give back messages this sender claimed but will not send (it is stopping), so the next
    sender takes them at once rather than when the claim runs out."""
    with transaction() as (db, _):
        db.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids), OutboxMessage.sent_at.is_(None))
                   .values(claimed_until=None))


def mark_sent(message: OutboxMessage, at: dt.datetime) -> None:
    """Once the mail server has accepted the message, and in a transaction of its own: a
    failure with the next message must not undo it, or it would be sent twice."""
    with transaction():
        message.sent_at, message.claimed_until, message.last_error = at, None, None


def mark_failed(message: OutboxMessage, error: str, permanent: bool, at: dt.datetime) -> None:
    """Count a failed attempt and wait before the next (see `sending.wait_after`); a permanent
    failure is not tried again and stays for staff to see. Its own transaction, like `mark_sent`."""
    with transaction():
        message.attempts = sending.MOST_ATTEMPTS if permanent else message.attempts + 1
        message.next_attempt_at = at + sending.wait_after(message.attempts)
        message.claimed_until = None
        message.last_error = error[:500]


def retry_given_up(actor: str) -> int:
    """Try again the messages given up on (after fixing the settings, say); return how many."""
    with transaction() as (db, now):
        count = db.execute(update(OutboxMessage).where(OutboxMessage.sent_at.is_(None),
                                                       OutboxMessage.attempts >= sending.MOST_ATTEMPTS)
                           .values(attempts=0, next_attempt_at=now)).rowcount
        if count:
            audit(db, now, actor, "retried emails", None, f"{count} email(s) given up on, tried again")
    return count
