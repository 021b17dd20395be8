"""Personal invitation links for the tenant scrutiny panel.

A link carries the invitation's number, signed with the app's secret key, so it cannot be
guessed or altered. When it expires is kept in the database, not in the link, so staff can
see and change it.
"""

from __future__ import annotations

import datetime as dt

from itsdangerous import BadSignature, URLSafeSerializer

from consultation import actions, store
from consultation.forms import clean_text
from consultation.models import PanelInvitation
from policy_portal.clock import UK

SALT = "panel-invitation"
MAX_NAME = 100


class InvalidLinkError(Exception):
    """The link was altered, cut short when copied, or signed with another key."""


def sign(secret_key: str, invitation_id: int) -> str:
    return URLSafeSerializer(secret_key, salt=SALT).dumps(invitation_id)


def read(secret_key: str, token: str) -> int:
    try:
        value = URLSafeSerializer(secret_key, salt=SALT).loads(token)
    except BadSignature:
        raise InvalidLinkError(token) from None
    if not store.is_row_id(value):
        raise InvalidLinkError(token)
    return value


def is_current(expires_at: dt.datetime, at: dt.datetime) -> bool:
    return at < store.as_utc(expires_at)


def last_day(expires_at: dt.datetime) -> dt.date:
    """The last UK day an invitation worked: it ends at midnight at the end of that day."""
    return (store.as_utc(expires_at).astimezone(UK) - dt.timedelta(microseconds=1)).date()


def name_problem(member_name: str) -> str | None:
    """Why a panel member's name cannot be used; None when it can."""
    if not clean_text(member_name) or len(clean_text(member_name)) > MAX_NAME:
        return f"Enter the panel member's name (up to {MAX_NAME} characters)"
    return None


def invite(secret_key: str, policy_slug: str, member_name: str, expires_at: dt.datetime,
           actor: str) -> tuple[PanelInvitation, str]:
    """Record an invitation (and who made it) and return it with the signed token for its link."""
    invitation = actions.create_invitation(policy_slug, clean_text(member_name), expires_at, actor)
    return invitation, sign(secret_key, invitation.id)
