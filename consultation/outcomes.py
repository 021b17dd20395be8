"""Publishing a consultation's outcome, and the public feedback summary beside it.

The outcome (what the board decided, and the version it approved) is a row staff publish from
the staff pages, not a field of the policy file: once approved, the file is the new version
with no consultation block, the draft people commented on stays as it was in the repository's
history, and publishing must queue the outcome email to every respondent in the same
transaction, so nobody is told twice or left out. Each comment's own decision ("you said, we
did") is already on the comment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consultation import mail, store
from consultation.models import Comment, Outcome
from policy_portal.consultations.rules import CHANNELS, DECISIONS, RespondentType
from policy_portal.reading.policy import Policy
from policy_portal.text.formatting import long_date

WHOLE = "The whole draft"


class OutcomeError(ValueError):
    """Why an outcome cannot be published, in words for the staff member."""


def outcome(db: Session, policy_slug: str) -> Outcome | None:
    return db.scalar(select(Outcome).where(Outcome.policy_slug == policy_slug))


def published(db: Session) -> list[Outcome]:
    """Every published outcome, the latest first, for the list of consultations."""
    return list(db.scalars(select(Outcome).order_by(Outcome.published_at.desc(), Outcome.id.desc())))


def publish(db: Session, policy: Policy, *, decision: str, approved_version: str | None,
            decided_on: dt.date, summary: str, closes: dt.date, actor: str) -> Outcome:
    """Publish the board's decision on the draft, with an audit entry and one email to each
    respondent who gave an address (naming the decision on their own comment), in one
    transaction. Published once: a second attempt is refused, so nobody is emailed twice."""
    if decision not in DECISIONS:
        raise OutcomeError("Choose what the board decided")
    if outcome(db, policy.slug) is not None:
        raise _already(policy)
    published = Outcome(policy_slug=policy.slug, consulted_version=policy.version, decision=decision,
                        approved_version=None if decision == "withdrawn" else approved_version,
                        decided_on=decided_on, summary=summary, closes=closes,
                        published_at=store.now(), published_by=actor)
    db.add(published)
    try:
        db.flush()  # the unique policy_slug refuses an outcome another administrator just published
    except IntegrityError:
        db.rollback()
        raise _already(policy) from None
    decided = (f"The board's decision on {long_date(decided_on)}: {DECISIONS[decision]}"
               + (f" as version {published.approved_version}" if published.approved_version else "")
               + f". {summary}")
    page = mail.link("consultation.consultation", slug=policy.slug)
    told = sum(mail.queue_outcome(db, comment, policy_title=policy.title, outcome_url=page, summary=decided)
               is not None for comment in store.comments_on(db, policy.slug))
    store.record(db, actor, "published outcome", None,
                 f"{policy.slug}: {DECISIONS[decision]}; outcome emails queued to {told} respondents")
    db.commit()
    return published


def _already(policy: Policy) -> OutcomeError:
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
        by_section=sorted(((title or WHOLE, number) for title, number in sections.items()),
                          key=lambda item: (item[0] == WHOLE, item[0])),
        by_channel=[(label, channels[key]) for key, label in CHANNELS.items() if key in channels],
    )
