"""Every query the consultation app makes. Views call these and never build queries themselves."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consultation.models import Comment, PanelInvitation

REFERENCE_LETTERS = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
"""No 0, 1, I, L or O, so a reference read out over the phone cannot be misheard."""


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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
    panel_invitation_id: int | None = None


def save_comment(db: Session, new: NewComment) -> str:
    """Store a comment once and return its reference.

    A form sent twice (a double click, or "send again" after a slow answer) carries the same
    submission key; the second time, the first comment's reference is returned and nothing more
    is stored.
    """
    for _ in range(5):
        existing = db.scalar(select(Comment.reference).where(Comment.submission_key == new.submission_key))
        if existing:
            return existing
        comment = Comment(**vars(new), reference=new_reference(), created_at=now())
        db.add(comment)
        try:
            db.commit()
        except IntegrityError:  # the same form arriving at the same moment, or a reference clash
            db.rollback()
            continue
        return comment.reference
    raise RuntimeError("could not store the comment after five tries")


def panel_comments(db: Session, policy_slug: str) -> list[Comment]:
    """Verified panel members' comments on one draft, oldest first."""
    return list(db.scalars(
        select(Comment).join(Comment.panel_invitation)
        .where(Comment.policy_slug == policy_slug).order_by(Comment.created_at, Comment.id)
    ))


def create_invitation(db: Session, policy_slug: str, member_name: str,
                      expires_at: dt.datetime) -> PanelInvitation:
    invitation = PanelInvitation(policy_slug=policy_slug, member_name=member_name, created_at=now(),
                                 expires_at=expires_at)
    db.add(invitation)
    db.commit()
    return invitation


def invitation(db: Session, invitation_id: int) -> PanelInvitation | None:
    return db.get(PanelInvitation, invitation_id)
