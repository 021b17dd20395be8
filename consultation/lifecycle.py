"""What a consultation's page says at each stage of its life: upcoming, open, closed while we
analyse the feedback, late, and the outcome (see `rules.Stage`).

The dates come from the policy file while it is a draft under consultation (the outcome is due
`extra.consultation_outcome_weeks` after closing day; `consultation.outcome_expected` is the new
date staff give once it is late), and from the published outcome or the comments once the
board has decided and the file is the approved version.
"""

from __future__ import annotations

import datetime as dt

from consultation import context, outcomes, recommendations, store
from policy_portal.consultations.rules import (
    DECISIONS,
    Stage,
    outcome_due,
    recommendation_state,
    stage,
    window_state,
)
from policy_portal.reading.policy import Policy


def closing_day(policy: Policy) -> dt.date | None:
    """The closing day: from the file while it has one, else the latest the comments recorded."""
    if policy.consultation:
        return policy.consultation.closes
    return store.latest_closing(context.database(), policy.slug)


def facts(policy: Policy) -> dict:
    """Everything the consultation page's lifecycle part shows, for its template."""
    db = context.database()
    published = outcomes.outcome(db, policy.slug)
    closes = published.closes if published else closing_day(policy)
    weeks = context.outcome_weeks()
    today = context.clock().today()
    now = stage(window_state(policy, today), closes, today, published is not None, weeks)
    expected = policy.consultation.outcome_expected if policy.consultation else None
    return {
        "stage": now, "stages": Stage, "closes": closes,
        "due": outcome_due(closes, weeks) if closes else None,
        "expected": expected if expected and expected >= today else None,
        "outcome": published, "decisions": DECISIONS,
        "summary": outcomes.feedback_summary(db, policy.slug) if published else None,
        "recommendations": [(item, recommendation_state(item.response_due, item.responded_on is not None,
                                                        today))
                            for item in recommendations.for_policy(db, policy.slug)],
    }
