"""Publishing a consultation's outcome, and the public feedback summary beside it.

The outcome (what the board decided, and the version it approved) is a row staff publish from
the staff pages, not a field of the policy file: once approved, the file is the new version
with no consultation block, the draft people commented on stays as it was in the repository's
history. Publishing commits the outcome, then queues the outcome email to every respondent
`BATCH` comments a transaction (`actions.queue_outcome_emails`), so 100,000 respondents are not
one huge transaction. Each comment gets one email at most (its message's `dedupe_key`), so a
run that stopped part way is finished by running it again, which `send-mail` does for any
outcome without its "queued outcome emails" audit entry (`unfinished`): nobody is told twice or
left out. Each comment's own decision ("you said, we did") is already on the comment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consultation import mail
from consultation.database import hold_writes
from consultation.models import AuditEntry, Comment, OutboxMessage, Outcome
from policy_portal.consultations.rules import CHANNELS, DECISIONS, RespondentType
from policy_portal.reading.policy import Policy
from policy_portal.text.formatting import long_date
from policy_portal.text.sections import WHOLE_DRAFT_TITLE


class OutcomeError(ValueError):
    """Why an outcome cannot be published, in words for the staff member, and the form field the
    message belongs beside."""

    def __init__(self, message: str, field: str = "decision-0") -> None:
        super().__init__(message)
        self.field = field


def timing_problem(closes: dt.date, decided_on: dt.date, today: dt.date) -> OutcomeError | None:
    """An outcome comes after the consultation: published once comments have closed, and decided
    by the board after closing day (a decision taken while comments were still coming in could
    not have taken them into account: the Gunning principles) and not in the future."""
    if today <= closes:
        return OutcomeError(f"Comments are open until {long_date(closes)}: publish the outcome after "
                            "closing day, once the board has considered them")
    if decided_on <= closes:
        return OutcomeError(f"The board must decide after comments closed on {long_date(closes)}; enter "
                            "the date of the board meeting that considered them", "decided_on")
    if decided_on > today:
        return OutcomeError("The decision date is in the future; enter the date the board decided",
                            "decided_on")
    return None


def outcome(db: Session, policy_slug: str) -> Outcome | None:
    return db.scalar(select(Outcome).where(Outcome.policy_slug == policy_slug))


def published(db: Session) -> list[Outcome]:
    """Every published outcome, the latest first, for the list of consultations."""
    return list(db.scalars(select(Outcome).order_by(Outcome.published_at.desc(), Outcome.id.desc())))


BATCH = 1_000
"""Comments whose outcome emails are queued in one transaction: large enough that a transaction's
cost is spread, small enough that none holds the database long or many messages in memory."""
QUEUED = "queued outcome emails"
"""The audit action written, with the draft's slug as its details, once every respondent's
outcome email is queued: an outcome without it is `unfinished`."""
RESUMED_FOR = dt.timedelta(days=7)
"""How long after publication `send-mail` still finishes queueing an outcome's emails."""


def _emailed(policy_slug: str) -> tuple:
    """Comments on the draft whose writers get the outcome email: an address, not erased."""
    return (Comment.policy_slug == policy_slug, Comment.email.is_not(None),
            Comment.personal_data_erased_at.is_(None))


def respondents(db: Session, policy_slug: str, after: int, limit: int) -> list[Comment]:
    """The next `limit` comments to email, after comment id `after`, in id order: keyset paging,
    so each batch costs the same however far along it is."""
    return list(db.scalars(select(Comment).where(*_emailed(policy_slug), Comment.id > after)
                           .order_by(Comment.id).limit(limit)))


def count_respondents(db: Session, policy_slug: str) -> int:
    return db.scalar(select(func.count()).select_from(Comment).where(*_emailed(policy_slug)))


def outcome_messages(db: Session, policy: Policy, published: Outcome,
                     comments: list[Comment]) -> list[OutboxMessage | None]:
    """The email to each of `comments`' writers, naming the decision on their own comment (None
    for those who gave no address, or were told before: see `mail.outcome`);
    `actions.queue_outcome_emails` queues them."""
    decided = (f"The board's decision on {long_date(published.decided_on)}: {DECISIONS[published.decision]}"
               + (f" as version {published.approved_version}" if published.approved_version else "")
               + f". {published.summary}")
    page = mail.link("consultation.consultation", slug=policy.slug)
    told = mail.queued_keys(db, [mail.outcome_key(comment.id) for comment in comments])
    messages = [mail.outcome(db, comment, policy_title=policy.title, outcome_url=page, summary=decided,
                             told=told) for comment in comments]
    kept = _not_erased(db, [message.comment_id for message in messages if message is not None])
    return [message if message is not None and message.comment_id in kept else None for message in messages]


def _not_erased(db: Session, comment_ids: list[int]) -> set[int]:
    """Those of `comment_ids` whose personal data is not erased, and kept so until `db`'s
    transaction ends. Asked once a batch's emails are made, from the comments as read before
    (which takes a while, and holds nothing): an erasure committed meanwhile
    (`actions.erase_person`, `erase_expired`) would otherwise have its address emailed. The rows
    are locked (FOR SHARE on PostgreSQL: an erasure under way is waited for, and one begun after
    waits for this batch and then deletes the email it queued; on SQLite the write lock,
    `hold_writes`, does the same for the whole database), only from here to the batch's commit."""
    if not comment_ids:
        return set()
    hold_writes(db)
    return set(db.scalars(select(Comment.id).where(Comment.id.in_(comment_ids),
                                                   Comment.personal_data_erased_at.is_(None))
                          .order_by(Comment.id).with_for_update(read=True)))


def unfinished(db: Session, since: dt.datetime) -> list[Outcome]:
    """Outcomes published since `since` whose emails were not all queued (publishing stopped part
    way: a worker killed, the database gone), for `send-mail` to finish."""
    done = select(AuditEntry.id).where(AuditEntry.action == QUEUED, AuditEntry.details == Outcome.policy_slug,
                                       AuditEntry.at >= Outcome.published_at)
    return list(db.scalars(select(Outcome).where(Outcome.published_at >= since, ~done.exists())
                           .order_by(Outcome.id)))


def already_published(policy: Policy) -> OutcomeError:
    return OutcomeError(f"The outcome of the consultation on the {policy.title} is already published")


@dataclass(frozen=True)
class FeedbackSummary:
    """How many responded, and who, where and how: counted by the database, every comment
    included (hidden ones too: they were responses), so the counts are the whole truth."""

    total: int
    by_respondent: list[tuple[str, int]]
    by_section: list[tuple[str, int]]
    by_channel: list[tuple[str, int]]


def feedback_summary(db: Session, policy_slug: str) -> FeedbackSummary:
    def counts(column) -> dict[str | None, int]:
        rows = db.execute(select(column, func.count()).where(Comment.policy_slug == policy_slug)
                          .group_by(column)).all()
        return {value: number for value, number in rows}

    respondents, channels = counts(Comment.respondent_type), counts(Comment.channel)
    sections = counts(Comment.section_title)
    return FeedbackSummary(
        total=sum(respondents.values()),
        by_respondent=[(kind.label, respondents[kind.value]) for kind in RespondentType
                       if kind.value in respondents],
        by_section=sorted(((title or WHOLE_DRAFT_TITLE, number) for title, number in sections.items()),
                          key=lambda item: (item[0] == WHOLE_DRAFT_TITLE, item[0])),
        by_channel=[(label, channels[key]) for key, label in CHANNELS.items() if key in channels],
    )
