"""Email through the outbox, delivered to a real SMTP server (aiosmtpd) on loopback, on SQLite and
on PostgreSQL: receipts, subscriptions, retries while the server is down, and erasure."""

from __future__ import annotations

from sqlalchemy import select

from consultation import context, mail, store
from consultation.models import OutboxMessage, Subscription
from tests.consultation_pages import GOOD, comment, stored


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        return list(context.database().scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_enqueue_adds_nothing_for_an_erased_comment_or_an_unsubscribed_address(app, client):
    comment(client, **GOOD, email="sam@example.com")
    [saved] = stored(app)
    with app.app_context():
        db = context.database()
        store.erase_personal_data(db, [db.get(type(saved), saved.id)], "test", "asked")
        db.add(Subscription(email="Gone@Example.com", email_key=store.email_key("gone@example.com"),
                            token="t", created_at=store.now(), confirmed_at=store.now(),
                            unsubscribed_at=store.now()))
        db.commit()
        message = {"subject": "s", "text": "t", "html": "<p>t</p>"}
        assert mail.enqueue(db, to="sam@example.com", kind="receipt", comment_id=saved.id, **message) is None
        assert mail.enqueue(db, to="gone@example.com", kind="opened", **message) is None
        kept = mail.enqueue(db, to="gone@example.com", kind="receipt", **message)
        db.commit()
    assert [(m.to, m.kind, m.attempts) for m in outbox(app)] == [("gone@example.com", "receipt", 0)]
    assert kept.headers.startswith('{"Message-ID": "<')
