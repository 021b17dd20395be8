"""Email goes through an outbox: a message is a row written in the same transaction as what
caused it (a comment, a subscription, a published outcome), and `policy-portal send-mail`
delivers it later (see `consultation.sending`). So a mail server that is down loses nothing, and
a comment is never stored without its receipt or the other way round.

Messages are rendered from the templates in `templates/mail/`: each has a plain-text part and an
HTML part (`NAME.txt` and `NAME.html`), and their links come from `PORTAL_URL`, never from the
request's Host header, which a visitor chooses.
"""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlsplit

from flask import current_app, render_template
from sqlalchemy import select
from sqlalchemy.orm import Session

from consultation.models import Comment, OutboxMessage, Subscription
from consultation.store import email_key, now

LIST_KINDS = ("confirm", "opened")
"""Messages sent to subscribers: none goes to an address that has unsubscribed. Receipts and
outcomes answer a comment the person sent, so they are not list mail."""


def enqueue(db: Session, *, to: str, subject: str, text: str, html: str, kind: str,
            comment_id: int | None = None, subscription_id: int | None = None,
            headers: dict[str, str] | None = None, dedupe_key: str | None = None) -> OutboxMessage | None:
    """Add a message to the outbox in the caller's transaction (the caller commits it with what
    caused it) and return it; None, with nothing added, when it must not be sent: the comment it
    is about has had its personal data erased, or the address unsubscribed from list mail.

    A Message-ID is fixed now, so a retry after an unknown outcome (the connection dropped after
    the message was sent) carries the same one and the receiving side can drop the copy.
    """
    key = email_key(to)
    if comment_id is not None:
        comment = db.get(Comment, comment_id)
        if comment is None or comment.personal_data_erased_at is not None:
            return None
    if kind in LIST_KINDS and db.scalar(select(Subscription.id).where(
            Subscription.email_key == key, Subscription.unsubscribed_at.is_not(None))):
        return None
    headers = {"Message-ID": f"<{uuid.uuid4()}@policy-portal>", **(headers or {})}
    message = OutboxMessage(kind=kind, to=to.strip(), to_key=key, subject=subject, text=text, html=html,
                            headers=json.dumps(headers), comment_id=comment_id,
                            subscription_id=subscription_id, dedupe_key=dedupe_key, created_at=now(),
                            attempts=0, next_attempt_at=now())
    db.add(message)
    return message


def render(name: str, **values: object) -> tuple[str, str]:
    """The plain-text and HTML parts of the message `templates/mail/NAME.*`."""
    return render_template(f"mail/{name}.txt", **values), render_template(f"mail/{name}.html", **values)


def link(endpoint: str, **values: object) -> str:
    """A full address in the consultation app for a message, built from `PORTAL_URL`."""
    base = urlsplit(current_app.config["PORTAL_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/",
                                       url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
