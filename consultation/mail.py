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
from collections.abc import Collection, Container
from email.utils import make_msgid
from urllib.parse import urljoin, urlsplit

from flask import current_app, render_template
from sqlalchemy import select
from sqlalchemy.orm import Session

from consultation import context
from consultation.models import Comment, OutboxMessage, Subscription
from consultation.store import email_key
from policy_portal.config.settings import CONSULTATION_PATH
from policy_portal.consultations.rules import OUTCOMES

LIST_KINDS = ("confirm", "opened")
"""Messages sent to subscribers: none goes to an address that has unsubscribed. Receipts and
outcomes answer a comment the person sent, so they are not list mail."""


def message(db: Session, *, to: str, subject: str, text: str, html: str, kind: str,
            comment_id: int | None = None, subscription_id: int | None = None,
            headers: dict[str, str] | None = None, dedupe_key: str | None = None) -> OutboxMessage | None:
    """A message for the outbox, which the write path adds in the transaction of what
    caused it; None when it must not be sent: the comment it is about has had its personal data
    erased, or the address unsubscribed from list mail.

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
    domain = context.association().email.rpartition("@")[2]  # the sender's, as spam filters expect
    headers = {"Message-ID": make_msgid(domain=domain), **(headers or {})}
    now = context.clock().now()
    return OutboxMessage(kind=kind, to=to.strip(), to_key=key, subject=subject, text=text, html=html,
                         headers=json.dumps(headers), comment_id=comment_id, subscription_id=subscription_id,
                         dedupe_key=dedupe_key, created_at=now, attempts=0, next_attempt_at=now)


def render(name: str, **values: object) -> tuple[str, str]:
    """The plain-text and HTML parts of the message `templates/mail/NAME.*`. Every message says
    how to complain (the Housing Ombudsman's Complaint Handling Code asks that the complaint
    route is offered whenever a resident may be dissatisfied), so the association's details and
    its complaints policy, if it has one, are given to every template."""
    values = {"association": context.association(), "complaints_url": _policy_link(context.COMPLAINTS_POLICY),
              "privacy_url": _policy_link("data-protection"),
              "retention_days": context.moderation().retention_days, **values}
    return render_template(f"mail/{name}.txt", **values), render_template(f"mail/{name}.html", **values)


def _policy_link(slug: str) -> str | None:
    """The full address of one of the association's policies; None if it has none by that name.
    A site beside the app (a page path such as `/policies/complaints/`) is where `PORTAL_URL`
    says the app is, without the path the portal mounts the app under: behind a proxy serving
    the portal under `/housing/`, PORTAL_URL is `https://host/housing/consultations/` and the
    policy `https://host/housing/policies/complaints/`, as the app's own links keep that prefix
    (`link`). A site apart from the app (a full address) is taken as it is."""
    page = context.policy_page(slug)
    if page is None:
        return None
    portal = urlsplit(current_app.config["PORTAL_URL"])
    path = portal.path.rstrip("/") + "/"
    beside = path.removesuffix(CONSULTATION_PATH) + "/" if path.endswith(CONSULTATION_PATH) else "/"
    return urljoin(portal._replace(path=beside).geturl(), page.lstrip("/"))


def rendered(db: Session, name: str, *, to: str, subject: str, heading: str, kind: str | None = None,
             comment_id: int | None = None, subscription_id: int | None = None,
             headers: dict[str, str] | None = None, dedupe_key: str | None = None,
             **values: object) -> OutboxMessage | None:
    """The message `name`, rendered, for the outbox (see `message`)."""
    text, html = render(name, subject=subject, heading=heading, **values)
    return message(db, to=to, subject=subject, text=text, html=html, kind=kind or name,
                   comment_id=comment_id, subscription_id=subscription_id, headers=headers,
                   dedupe_key=dedupe_key)


def receipt(db: Session, comment: Comment, policy_title: str) -> OutboxMessage | None:
    """The receipt for a comment sent with an email address: its reference, the person's words,
    what happens next, how to complain and how to see or erase their details. The comment must
    have been flushed (the receipt needs its id); `actions.save_comment` adds the two together."""
    if not comment.email:
        return None
    return rendered(db, "receipt", to=comment.email, comment_id=comment.id, policy_title=policy_title,
                    subject=f"Your comment on the draft {policy_title}: reference {comment.reference}",
                    heading="We have your comment", comment=comment,
                    policy_url=link("consultation.consultation", slug=comment.policy_slug))


def outcome(db: Session, comment: Comment, *, policy_title: str, outcome_url: str,
            summary: str | None = None, told: Container[str] | None = None) -> OutboxMessage | None:
    """The email telling one respondent what was decided about their own comment.

    Contract, for the code that publishes a consultation's outcome: make it once for each
    comment on the consultation, in the transaction that publishes the outcome
    (`actions.publish_outcome`). There is none (None) for a comment without an email address or
    whose personal data was erased, and none the second time for the same comment, so publishing
    again (or a correction) never emails anyone twice. The message names the decision on their comment
    (`comment.response_outcome`, labelled as in `rules.OUTCOMES`, and `comment.response_text`);
    a comment staff did not answer one by one is said to have been considered with the others.
    `outcome_url` is the full address of the published outcome; `summary`, optional, is a few
    sentences about the whole decision shown under theirs. `told`: the `outcome_key`s already in
    the outbox, when the caller looked them up for many comments at once (a query a comment
    otherwise).
    """
    key = outcome_key(comment.id)
    if not comment.email or key in (told if told is not None else queued_keys(db, [key])):
        return None
    decision = OUTCOMES.get(comment.response_outcome or "", "Considered with every other comment")
    return rendered(db, "outcome", to=comment.email, comment_id=comment.id, dedupe_key=key,
                    subject=f"What we decided about your comment on the {policy_title}",
                    heading="What we decided about your comment", comment=comment,
                    policy_title=policy_title, decision=decision, outcome_url=outcome_url, summary=summary)


def queued_keys(db: Session, keys: Collection[str]) -> set[str]:
    """Those of the `dedupe_key`s `keys` already in the outbox, sent or not: the messages that
    must not be made again. One query for a batch of keys."""
    return set(db.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys))))


def outcome_key(comment_id: int) -> str:
    """The `dedupe_key` of a comment's outcome email: the unique constraint refuses a second."""
    return f"outcome:{comment_id}"


def link(endpoint: str, **values: object) -> str:
    """A full address in the consultation app for a message, built from `PORTAL_URL`."""
    base = urlsplit(current_app.config["PORTAL_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/",
                                       url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)

