"""The tenant scrutiny panel's formal recommendations about a policy, which the board must
answer by a date. Staff record each one and then the board's response; the public page shows
which are open, answered or late (`rules.recommendation_state`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from consultation import store
from consultation.models import Recommendation


def for_policy(db: Session, policy_slug: str) -> list[Recommendation]:
    return list(db.scalars(select(Recommendation).where(Recommendation.policy_slug == policy_slug)
                           .order_by(Recommendation.made_on, Recommendation.id)))


def add(db: Session, policy_slug: str, text: str, made_on: dt.date, response_due: dt.date,
        actor: str) -> Recommendation:
    """Record a recommendation, audited, in one transaction."""
    recommendation = Recommendation(policy_slug=policy_slug, text=text, made_on=made_on,
                                    response_due=response_due, created_at=store.now(), created_by=actor)
    db.add(recommendation)
    db.flush()
    store.record(db, actor, "recorded recommendation", None,
                 f"{policy_slug} recommendation {recommendation.id}: board to respond by {response_due}")
    db.commit()
    return recommendation


def answer(db: Session, recommendation: Recommendation, response: str, responded_on: dt.date,
           actor: str) -> None:
    """Record the board's response, audited, in one transaction."""
    recommendation.response, recommendation.responded_on = response, responded_on
    store.record(db, actor, "recorded board response", None,
                 f"{recommendation.policy_slug} recommendation {recommendation.id}: answered {responded_on}")
    db.commit()
