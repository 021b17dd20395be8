"""Emails about new consultations, for people who ask for them.

Double opt-in: asking sends one email, with a link to confirm; nothing else is sent to the
address until it is confirmed, so nobody can sign up someone else. Every message after that has
a one-click unsubscribe (RFC 8058: the `List-Unsubscribe` and `List-Unsubscribe-Post` headers a
mail program turns into an "Unsubscribe" button) and a link to a page with a button.

This module finds subscriptions and makes their messages; `consultation.outbox` makes the
changes (`subscribe`, `confirm_subscription`, `unsubscribe`, `notify_open`), and
`consultation.actions` the erasures.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from consultation import context, mail
from consultation.database import hold_writes
from consultation.models import OutboxMessage, Subscription
from consultation.store import as_utc
from policy_portal.consultations.rules import WindowState, window_state
from policy_portal.reading.policy import Policy

CONFIRM_AGAIN_AFTER = dt.timedelta(hours=1)
"""Asking again sooner sends no second confirmation, so the form cannot flood someone's inbox."""
CONFIRMATIONS_PER_MAILBOX = 3
"""At most this many confirmations go to one mailbox within `CONFIRM_AGAIN_AFTER`, counting
its sub-addresses (`ann+1@`, `ann+2@`… reach `ann@`'s inbox) as one: without it, the form could
send someone's inbox as many confirmations as the rate limit lets one network ask for."""
GMAIL = ("gmail.com", "googlemail.com")
"""Gmail's domains, one mailbox service: Gmail ignores dots before the @ and takes mail for
googlemail.com as gmail.com (Google's help pages "Dots don't matter in Gmail addresses" and
"gmail.com and googlemail.com"), so `a.n.n@gmail.com` reaches `ann@googlemail.com`'s inbox. Only
Gmail's addresses are folded so: elsewhere `a.n.n@` and `ann@` may be two people."""
UNCONFIRMED_KEPT = dt.timedelta(days=30)
"""An address nobody confirmed is forgotten after this (by `erase-expired`): it may not even be
the asker's."""


def by_address(db: Session, email_key: str) -> Subscription | None:
    return db.scalar(select(Subscription).where(Subscription.email_key == email_key))


def by_token(db: Session, token: str) -> Subscription | None:
    return db.scalar(select(Subscription).where(Subscription.token == token)) if token else None


def mailbox_is_full(db: Session, email_key: str, now: dt.datetime) -> bool:
    """Whether the mailbox `email_key` reaches, sub-address or not, has had
    `CONFIRMATIONS_PER_MAILBOX` confirmations within `CONFIRM_AGAIN_AFTER`. Sub-addressing
    (RFC 5233, `local+tag@domain`) is what the large mail services offer, and Gmail's dots and
    second domain (`GMAIL`) are folded too; other schemes are left to the per-network rate
    limit. Requests for one mailbox take turns from here to the end of `db`'s transaction
    (`_hold_mailbox`), so the count they see includes each other's."""
    _hold_mailbox(db, email_key)
    sent = db.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == "confirm", OutboxMessage.created_at > now - CONFIRM_AGAIN_AFTER,
        _reaches(*_mailbox(email_key))))
    return sent >= CONFIRMATIONS_PER_MAILBOX


def _reaches(mailbox: str, domain: str) -> ColumnElement[bool]:
    """SQL: the outbox address reaches `mailbox` at `domain`, with or without a sub-address. For
    Gmail, by the address with its dots taken out (`replace`, in SQLite and PostgreSQL alike), at
    either of Gmail's domains."""
    if domain not in GMAIL:
        return or_(OutboxMessage.to_key == f"{mailbox}@{domain}",
                   OutboxMessage.to_key.like(f"{_literal(mailbox)}+%@{_literal(domain)}", escape="\\"))
    undotted = func.replace(OutboxMessage.to_key, ".", "")
    at_gmail = [OutboxMessage.to_key.like(f"%@{_literal(gmail)}", escape="\\") for gmail in GMAIL]
    reaches = []
    for gmail in (name.replace(".", "") for name in GMAIL):  # gmailcom: the domain's dots go too
        reaches += [undotted == f"{mailbox}@{gmail}",
                    undotted.like(f"{_literal(mailbox)}+%@{gmail}", escape="\\")]
    return and_(or_(*at_gmail), or_(*reaches))


def _hold_mailbox(db: Session, email_key: str) -> None:
    """Make requests for the mailbox `email_key` reaches take turns until `db`'s transaction
    ends, so that two asking at one moment cannot both find it short of the limit and both send
    (sixteen at once sent eleven confirmations to one inbox).
    PostgreSQL: a lock on the mailbox alone (a transaction-level advisory lock). SQLite: the
    database's write lock, which a subscription needs anyway, taken before anything is read."""
    if db.get_bind().dialect.name == "postgresql":
        mailbox = "@".join(_mailbox(email_key)).encode()
        number = int.from_bytes(hashlib.blake2b(mailbox, digest_size=8).digest(), "big", signed=True)
        db.execute(select(func.pg_advisory_xact_lock(number)))
    else:
        hold_writes(db)


def _mailbox(email_key: str) -> tuple[str, str]:
    """The mailbox an address reaches, without its sub-address (`ann+1@x` is `ann`), and its
    domain; for Gmail without dots, at gmail.com (`A.nn+1@googlemail.com` is `ann`, `gmail.com`)."""
    local, _, domain = email_key.rpartition("@")
    mailbox = local.split("+", 1)[0]
    if domain in GMAIL:
        return mailbox.replace(".", ""), GMAIL[0]
    return mailbox, domain


def _literal(text: str) -> str:
    """`text` matched as itself in a LIKE pattern."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def confirm_afresh(found: Subscription, now: dt.datetime) -> bool:
    """Whether asking again for an address already known sends a new confirmation: not while
    it is subscribed, nor within `CONFIRM_AGAIN_AFTER` of the last one. The page shown
    afterwards is the same whatever happened, so it does not tell anyone whether an address is
    subscribed."""
    return found.unsubscribed_at is not None or (found.confirmed_at is None and
                                                  now - as_utc(found.created_at) >= CONFIRM_AGAIN_AFTER)


def confirmation(db: Session, found: Subscription) -> OutboxMessage | None:
    """The email with the link that confirms a subscription (`outbox.subscribe` queues it)."""
    return mail.rendered(db, "confirm", to=found.email, subscription_id=found.id,
                         subject="Confirm you want emails about draft policies",
                         heading="Confirm you want emails about draft policies",
                         confirm_url=mail.link("subscriptions.confirm", token=found.token))


def open_consultations(today: dt.date) -> list[Policy]:
    """The drafts whose consultation is open `today`: what `opened_messages` tells subscribers of."""
    return [policy for policy in context.library() if window_state(policy, today) is WindowState.OPEN]


def opened_messages(db: Session, opened: list[Policy], after: int,
                    limit: int) -> tuple[list[OutboxMessage], int | None]:
    """"A consultation has opened", for the next `limit` confirmed subscribers after subscription
    id `after` (keyset paging) and each consultation in `opened`, not yet queued, and the last
    subscriber's id (None when there were no more subscribers): each message's `dedupe_key`
    names the subscriber and the consultation (draft and opening date), and one already queued
    is never queued again (`outbox.notify_open` queues them, a batch a transaction)."""
    subscribers = list(db.scalars(select(Subscription).where(
        Subscription.confirmed_at.is_not(None), Subscription.unsubscribed_at.is_(None),
        Subscription.id > after).order_by(Subscription.id).limit(limit)))
    if not subscribers:
        return [], None
    wanted = {f"opened:{subscriber.id}:{policy.slug}:{policy.consultation.opens}": (subscriber, policy)
              for subscriber in subscribers for policy in opened}
    done = mail.queued_keys(db, wanted.keys())
    messages = []
    for key, (subscriber, policy) in wanted.items():
        if key in done:
            continue
        unsubscribe_url = mail.link("subscriptions.unsubscribe", token=subscriber.token)
        messages.append(mail.rendered(
            db, "opened", to=subscriber.email, subscription_id=subscriber.id, dedupe_key=key,
            subject=f"Have your say: the draft {policy.title} is open for comments",
            heading=f"The draft {policy.title} is open for comments", policy_title=policy.title,
            closes=policy.consultation.closes, unsubscribe_url=unsubscribe_url,
            policy_url=mail.link("consultation.consultation", slug=policy.slug),
            headers={"List-Unsubscribe": f"<{unsubscribe_url}>, <mailto:{context.association().email}"
                                         f"?subject=Unsubscribe%20{subscriber.token}>",
                     "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        ))
    return [message for message in messages if message is not None], subscribers[-1].id
