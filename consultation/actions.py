"""Every change the app makes to comments, panel invitations, personal data, outcomes and
recommendations: each function changes rows, writes the audit entry and commits, in one
transaction (the pattern is in `consultation.transactions`). Staff accounts and signing in are
`consultation.staff_accounts`; email, the outbox and subscriptions `consultation.outbox`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consultation import complaints, context, mail, outbox, outcomes, recommendations, store, subscriptions
from consultation.database import scrub_erased
from consultation.models import (
    Comment,
    CommentFlag,
    OutboxMessage,
    Outcome,
    PanelInvitation,
    Recommendation,
    Subscription,
    flag_kinds,
)
from consultation.published_cache import comments_changed
from consultation.transactions import audit, transaction
from policy_portal.clock import UK
from policy_portal.consultations.moderation import HIDE_REASONS, without_personal_details
from policy_portal.consultations.rules import CHANNELS, DECISIONS, OUTCOMES
from policy_portal.reading.policy import Policy

log = logging.getLogger(__name__)
REFERENCE_LETTERS = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
"""No 0, 1, I, L or O, so a reference read out over the phone cannot be misheard."""


def record(actor: str, action: str, details: str) -> None:
    """An audit entry alone, for what changes no row but must be on record (a download, an
    export, anything that takes personal data out of the system)."""
    with transaction() as (db, now):
        audit(db, now, actor, action, None, details)


# Comments


REFERENCE = re.compile(f"C-[{REFERENCE_LETTERS}]{{4}}-[{REFERENCE_LETTERS}]{{4}}")


def is_reference(text: str) -> bool:
    """Whether `text` is written as a comment reference is (not whether there is such a comment)."""
    return REFERENCE.fullmatch(text) is not None


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
            with transaction() as (db, now):
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
                    outbox.queue(db, mail.receipt(db, comment, policy_title))
                if new.entered_by:
                    audit(db, now, new.entered_by, "entered comment", comment.id,
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
    with transaction() as (db, now):
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
        audit(db, now, actor, {"approve": "approved", "redact": "redacted", "hide": "hid"}[action],
              comment.id, f"{comment.reference}{why}")
    comments_changed()


def respond(comment: Comment, outcome: str, text: str, section: str | None, actor: str) -> None:
    """The association's response to a comment (a key of OUTCOMES, and why)."""
    with transaction() as (db, now):
        comment.response_outcome, comment.response_text = outcome, text
        comment.response_section, comment.responded_at = section, now
        audit(db, now, actor, "responded", comment.id,  # the text stays on the comment
              f"{comment.reference}: {OUTCOMES[outcome]}")
    comments_changed()


# Panel invitations


def create_invitation(policy_slug: str, member_name: str, expires_at: dt.datetime,
                      actor: str) -> PanelInvitation:
    """Record an invitation and who made it; the audit entry has no name, as the log outlives
    erasure."""
    with transaction() as (db, now):
        invitation = PanelInvitation(policy_slug=policy_slug, member_name=member_name, created_at=now,
                                     expires_at=expires_at.astimezone(dt.UTC))  # SQLite drops the zone
        db.add(invitation)
        db.flush()  # gives it its number, for the entry
        audit(db, now, actor, "invited panel member", None,
              f"invitation {invitation.id}, to comment on {policy_slug} until "
              f"{expires_at:%Y-%m-%d %H:%M %Z}")
    return invitation


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
        audit(db, now, actor, "erased personal data", comment.id, f"{comment.reference}: {why}")
        if comment.panel_invitation is not None:
            invitations[comment.panel_invitation.id] = comment.panel_invitation
    for invitation in invitations.values():
        if invitation.member_name != store.ERASED_NAME:
            invitation.member_name = store.ERASED_NAME
            audit(db, now, actor, "erased personal data", None, f"panel invitation {invitation.id}: {why}")


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
    with transaction() as (db, now):
        emails = db.execute(delete(OutboxMessage).where(OutboxMessage.to_key == key)).rowcount
        subscribed = db.execute(delete(Subscription).where(Subscription.email_key == key)).rowcount
        if emails or subscribed:  # said in the log without the address
            audit(db, now, actor, "erased personal data", None,
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
    with transaction() as (db, now):
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
        with transaction() as (db, now):
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
            audit(db, now, actor, "published outcome", None,
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
            audit(db, now, actor, outcomes.QUEUED, None, policy.slug)
            return [], None
        return outcomes.outcome_messages(db, policy, published, comments), comments[-1].id

    queued, refused = outbox.queue_in_batches(batch)
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
    with transaction() as (db, now):
        comment.complaint_offered_at = now
        message = outbox.queue(db, complaints.email(db, comment)) if comment.email else None
        how = "by email" if message else "no email address: offer it by phone or letter"
        audit(db, now, actor, "offered complaint route", comment.id, f"{comment.reference}: {how}")
    return message is not None


def add_recommendation(policy_slug: str, text: str, made_on: dt.date, response_due: dt.date,
                       actor: str) -> Recommendation:
    """A formal recommendation of the tenant scrutiny panel, which the board must answer. The
    same words recorded again for the same day (a double click, the form sent again from the
    browser's history) give the one already recorded: a second would look like a second
    recommendation the board had not answered."""
    with transaction() as (db, now):
        recorded = recommendations.same(db, policy_slug, text, made_on)
        if recorded is not None:
            return recorded
        recommendation = Recommendation(policy_slug=policy_slug, text=text, made_on=made_on,
                                        response_due=response_due, created_at=now, created_by=actor)
        db.add(recommendation)
        db.flush()  # its number, for the entry
        audit(db, now, actor, "recorded recommendation", None,
              f"{policy_slug} recommendation {recommendation.id}: board to respond by {response_due}")
    return recommendation


def answer_recommendation(recommendation: Recommendation, response: str, responded_on: dt.date,
                          actor: str) -> None:
    """The board's response to a recommendation. A correction replaces it on the public page; the
    audit entry keeps what it replaced, so the record of what the board said is never lost."""
    with transaction() as (db, now):
        replaced = (f"; replaced the response of {recommendation.responded_on}: {recommendation.response}"
                    if recommendation.response else "")
        recommendation.response, recommendation.responded_on = response, responded_on
        audit(db, now, actor, "recorded board response", None,
              f"{recommendation.policy_slug} recommendation {recommendation.id}: answered {responded_on}"
              + replaced)
