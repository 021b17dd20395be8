"""Who may comment on a draft, and when.

A policy is open for comments when its front matter says `status: consultation` and today is
between the opening and closing dates, both included. The audiences it names decide who is
asked: the public (anyone), tenants (tenants, leaseholders and shared owners) and the tenant
scrutiny panel (panel members, who are verified by a personal invitation link).
"""

from __future__ import annotations

import datetime as dt
from enum import Enum, StrEnum

from policy_portal.clock import UK
from policy_portal.config.settings import OUTCOME_WEEKS
from policy_portal.reading.policy import Policy, Status


class RespondentType(StrEnum):
    """Who someone commenting says they are. The values are stored; never rename one."""

    TENANT = "tenant"
    LEASEHOLDER = "leaseholder"
    APPLICANT = "applicant"
    PANEL = "panel"
    STAFF = "staff"
    PARTNER = "partner"
    OTHER = "other"

    @property
    def label(self) -> str:
        return RESPONDENT_LABELS[self]


RESPONDENT_LABELS = {
    RespondentType.TENANT: "Tenant",
    RespondentType.LEASEHOLDER: "Leaseholder or shared owner",
    RespondentType.APPLICANT: "Housing applicant",
    RespondentType.PANEL: "Tenant scrutiny panel member",
    RespondentType.STAFF: "Member of staff",
    RespondentType.PARTNER: "Partner organisation",
    RespondentType.OTHER: "Other",
}

AUDIENCE_RESPONDENTS = {
    "public": tuple(RespondentType),
    "tenants": (RespondentType.TENANT, RespondentType.LEASEHOLDER),
    "panel": (),
}
"""The respondent types people may choose, by audience; a consultation offers those of all its
audiences. Panel members come in through their invitation link, which marks them verified; only
a consultation open to the public lets someone call themselves a panel member without one (their
comment is then not marked verified)."""


OUTCOMES = {
    "accepted": "Accepted",
    "partly": "Partly accepted",
    "not-accepted": "Not accepted",
    "noted": "Noted",
}
"""How staff answered a comment ("you said, we did"); the keys are stored."""


STAFF_ROLES = {
    "moderator": "moderates and answers comments, and downloads reports",
    "administrator": "also invites the tenant scrutiny panel, publishes a consultation's outcome and "
                     "records the panel's recommendations and the board's responses",
}
"""What each staff role may do; the keys are stored."""


class WindowState(Enum):
    """Where a policy stands for comments today."""

    NOT_CONSULTING = "not consulting"
    NOT_YET_OPEN = "not yet open"
    OPEN = "open"
    CLOSED = "closed"


def window_state(policy: Policy, today: dt.date) -> WindowState:
    window = policy.consultation
    if policy.status is not Status.CONSULTATION or window is None:
        return WindowState.NOT_CONSULTING
    if today < window.opens:
        return WindowState.NOT_YET_OPEN
    if today > window.closes:
        return WindowState.CLOSED
    return WindowState.OPEN


class Stage(Enum):
    """Where a consultation stands in its whole life, from announced to answered: what its page
    tells people (the GOV.UK consultation pages' stages)."""

    UPCOMING = "upcoming"
    OPEN = "open"
    ANALYSING = "analysing"
    """Closed; the outcome is not published yet and is not late."""
    LATE = "late"
    """Closed, the outcome is past the date it was due and still not published."""
    OUTCOME = "outcome"


DECISIONS = {
    "approved": "Approved",
    "approved-with-changes": "Approved with changes",
    "withdrawn": "Withdrawn",
}
"""What the board decided about a consulted draft; the keys are stored."""

CHANNELS = {
    "online": "Online, on this website",
    "phone": "By phone",
    "letter": "By letter",
    "email": "By email",
    "event": "At an event or meeting",
    "advocate": "Through an advocate or representative",
}
"""How a comment reached us. Staff type in those that did not come through the website, so
people who are not online count equally; the keys are stored."""


def recommendation_state(response_due: dt.date, answered: bool, today: dt.date) -> str:
    """A scrutiny panel recommendation's state on its public page: answered, late (past the date
    the board's response was due) or open."""
    if answered:
        return "answered"
    return "late" if today > response_due else "open"


def outcome_due(closes: dt.date, weeks: int = OUTCOME_WEEKS) -> dt.date:
    """The day the outcome should be published by: `weeks` after the closing day."""
    return closes + dt.timedelta(weeks=weeks)


def stage(window_state_today: WindowState, closes: dt.date | None, today: dt.date,
          outcome_published: bool, weeks: int = OUTCOME_WEEKS) -> Stage | None:
    """The consultation's stage today. A published outcome comes first: once the board has
    decided, the policy file is approved and no longer has its dates, so `closes` then comes
    from the comments. None when there never was a consultation."""
    if outcome_published:
        return Stage.OUTCOME
    if window_state_today is WindowState.NOT_YET_OPEN:
        return Stage.UPCOMING
    if window_state_today is WindowState.OPEN:
        return Stage.OPEN
    if closes is None:
        return None
    return Stage.LATE if today > outcome_due(closes, weeks) else Stage.ANALYSING


def allowed_respondents(policy: Policy) -> tuple[RespondentType, ...]:
    """The respondent types this consultation asks, in the order the form lists them."""
    audiences = policy.consultation.audiences if policy.consultation else ()
    allowed = {kind for audience in audiences for kind in AUDIENCE_RESPONDENTS[audience]}
    return tuple(kind for kind in RespondentType if kind in allowed)


def panel_only(policy: Policy) -> bool:
    """True when only the scrutiny panel is asked, so only invited panel members may comment."""
    return policy.consultation is not None and set(policy.consultation.audiences) == {"panel"}


def invitation_problem(policy: Policy, today: dt.date) -> str | None:
    """Why the panel cannot be invited to comment on this policy now; None when it can."""
    state = window_state(policy, today)
    if state is WindowState.NOT_CONSULTING:
        return (f"{policy.path} is not under consultation; set `status: consultation` and add a "
                "`consultation:` block first")
    if state is WindowState.CLOSED:
        return f"the consultation on {policy.slug} closed on {policy.consultation.closes}"
    if "panel" not in policy.consultation.audiences:
        return (f"the consultation on {policy.slug} does not ask the panel; add `panel` to "
                f"consultation.audiences in {policy.path}")
    return None


def invitation_ends(policy: Policy) -> dt.datetime:
    """Invitations last until the consultation closes: midnight at the end of the closing day, UK time."""
    closes = policy.consultation.closes + dt.timedelta(days=1)
    return dt.datetime.combine(closes, dt.time(), tzinfo=UK)
