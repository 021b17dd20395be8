"""Emails about new consultations, for people who ask for them.

Double opt-in: asking sends one email, with a link to confirm; nothing else is sent to the
address until it is confirmed, so nobody can sign up someone else. Every message after that has
a one-click unsubscribe (RFC 8058: the `List-Unsubscribe` and `List-Unsubscribe-Post` headers a
mail program turns into an "Unsubscribe" button) and a link to a page with a button.

Each function is one change committed once, in the style of the app's other writes.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consultation import context, mail
from consultation.models import OutboxMessage, Subscription
from consultation.store import as_utc, email_key, now, record
from policy_portal import clock
from policy_portal.consultations.rules import WindowState, window_state

CONFIRM_AGAIN_AFTER = dt.timedelta(hours=1)
UNCONFIRMED_KEPT = dt.timedelta(days=30)
"""An address nobody confirmed is forgotten after this (by `erase-expired`): it may not even be
the asker's."""
"""Asking again sooner sends no second confirmation, so the form cannot flood someone's inbox."""


def subscribe(db: Session, email: str) -> None:
    """Ask to be told of new consultations: send the confirmation, unless the address is
    subscribed already or was sent one within the hour. The page shown afterwards is the same
    whatever happened, so it does not tell anyone whether an address is subscribed."""
    key = email_key(email)
    found = db.scalar(select(Subscription).where(Subscription.email_key == key))
    if found is None:
        found = Subscription(email=email.strip(), email_key=key, token=secrets.token_urlsafe(32),
                             created_at=now())
        db.add(found)
    elif found.unsubscribed_at is None and (found.confirmed_at is not None or
                                            now() - as_utc(found.created_at) < CONFIRM_AGAIN_AFTER):
        return  # subscribed already, or sent a confirmation within the hour
    else:  # unconfirmed for an hour, or unsubscribed and asking again: confirm afresh
        found.email, found.created_at = email.strip(), now()
        found.confirmed_at = found.unsubscribed_at = None
        found.token = secrets.token_urlsafe(32)
    db.flush()
    mail.queue(db, "confirm", to=found.email, subscription_id=found.id,
               subject="Confirm you want emails about draft policies",
               heading="Confirm you want emails about draft policies",
               confirm_url=mail.link("subscriptions.confirm", token=found.token))
    try:
        db.commit()
    except IntegrityError:  # the same address asked at the same moment: that request sends it
        db.rollback()


def by_token(db: Session, token: str) -> Subscription | None:
    return db.scalar(select(Subscription).where(Subscription.token == token)) if token else None


def confirm(db: Session, token: str) -> Subscription | None:
    """Confirm the subscription the link is for; None for a link that is not one of ours or
    was unsubscribed since."""
    found = by_token(db, token)
    if found is None or found.unsubscribed_at is not None:
        return None
    if found.confirmed_at is None:
        found.confirmed_at = now()
        db.commit()
    return found


def unsubscribe(db: Session, token: str) -> bool:
    """Stop every email to subscribers at this address, those queued included; False for a link
    that is not one of ours. Unsubscribing twice is not an error (mail programs retry)."""
    found = by_token(db, token)
    if found is None:
        return False
    if found.unsubscribed_at is None:
        found.unsubscribed_at = now()
    db.execute(delete(OutboxMessage).where(OutboxMessage.to_key == found.email_key,
                                           OutboxMessage.kind.in_(mail.LIST_KINDS),
                                           OutboxMessage.sent_at.is_(None)))
    db.commit()
    return True


def erase(db: Session, email: str, actor: str) -> int:
    """For an erasure request: delete the address's subscription and every message to it, sent
    or not (they hold the person's words), and say so in the audit log (without the address).
    Returns how many messages. The caller commits, with the rest of the erasure."""
    key = email_key(email)
    messages = db.execute(delete(OutboxMessage).where(OutboxMessage.to_key == key)).rowcount
    subscribed = db.execute(delete(Subscription).where(Subscription.email_key == key)).rowcount
    if messages or subscribed:
        record(db, actor, "erased personal data", None,
               f"{subscribed} email subscription(s) and {messages} email(s) to one address")
    return messages


def forget_unconfirmed(db: Session) -> int:
    """Delete subscriptions never confirmed within `UNCONFIRMED_KEPT`, and every message to
    them; return how many. The caller commits."""
    stale = select(Subscription.email_key).where(Subscription.confirmed_at.is_(None),
                                                 Subscription.created_at < now() - UNCONFIRMED_KEPT)
    keys = list(db.scalars(stale))
    db.execute(delete(OutboxMessage).where(OutboxMessage.to_key.in_(keys)))
    db.execute(delete(Subscription).where(Subscription.email_key.in_(keys)))
    return len(keys)


def notify_open(db: Session) -> int:
    """Queue "a consultation has opened" for each confirmed subscriber and each consultation
    open today, once only: each message's `dedupe_key` names the subscriber and the consultation
    (draft and opening date), and one already queued is never queued again. Returns how many."""
    subscribers = list(db.scalars(select(Subscription).where(
        Subscription.confirmed_at.is_not(None), Subscription.unsubscribed_at.is_(None))))
    opened = [policy for policy in context.library()
              if window_state(policy, clock.today()) is WindowState.OPEN]
    wanted = {f"opened:{subscriber.id}:{policy.slug}:{policy.consultation.opens}": (subscriber, policy)
              for subscriber in subscribers for policy in opened}
    done = set(db.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(wanted))))
    queued = 0
    for key, (subscriber, policy) in wanted.items():
        if key in done:
            continue
        unsubscribe_url = mail.link("subscriptions.unsubscribe", token=subscriber.token)
        queued += mail.queue(
            db, "opened", to=subscriber.email, subscription_id=subscriber.id, dedupe_key=key,
            subject=f"Have your say: the draft {policy.title} is open for comments",
            heading=f"The draft {policy.title} is open for comments", policy_title=policy.title,
            closes=policy.consultation.closes, unsubscribe_url=unsubscribe_url,
            policy_url=mail.link("consultation.consultation", slug=policy.slug),
            headers={"List-Unsubscribe": f"<{unsubscribe_url}>, <mailto:{context.association().email}"
                                         f"?subject=Unsubscribe%20{subscriber.token}>",
                     "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        ) is not None
    try:
        db.commit()
    except IntegrityError:  # another sender queued them at the same moment
        db.rollback()
        return 0
    return queued
