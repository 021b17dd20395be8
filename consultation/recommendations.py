"""The tenant scrutiny panel's formal recommendations about a policy, which the board must
answer by a date. Staff record each one and then the board's response; the public page shows
which are open, answered or late (`rules.recommendation_state`). `consultation.actions` records
them (`add_recommendation`, `answer_recommendation`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from consultation.models import Recommendation


def for_policy(db: Session, policy_slug: str) -> list[Recommendation]:
    return list(db.scalars(select(Recommendation).where(Recommendation.policy_slug == policy_slug)
                           .order_by(Recommendation.made_on, Recommendation.id)))
