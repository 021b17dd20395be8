"""The tenant scrutiny panel's formal recommendations about a policy, which the board must
answer by a date. Staff record each one and then the board's response; the public page shows
which are open, answered or late (`rules.recommendation_state`). `consultation.actions` records
them (`add_recommendation`, `answer_recommendation`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from consultation.models import Recommendation


def for_policy(db: Session, policy_slug: str) -> list[Recommendation]:
    return list(db.scalars(select(Recommendation).where(Recommendation.policy_slug == policy_slug)
                           .order_by(Recommendation.made_on, Recommendation.id)))


def same(db: Session, policy_slug: str, text: str, made_on: dt.date) -> Recommendation | None:
    """A recommendation already recorded with these words for this policy and day."""
    return db.scalar(select(Recommendation).where(Recommendation.policy_slug == policy_slug,
                                                  Recommendation.made_on == made_on,
                                                  Recommendation.text == text).limit(1))
