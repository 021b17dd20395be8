"""What the consultation app stores: comments, and invitations for the tenant scrutiny panel.

Schema changes go through a migration in `migrations/versions/`, never through `create_all`,
so SQLite and PostgreSQL databases in use are upgraded in place with nothing lost.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMES = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Constraint names fixed here, so migrations can refer to them on every database."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMES)


class PanelInvitation(Base):
    """A personal link for one panel member to comment on one draft as a verified panel member."""

    __tablename__ = "panel_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_slug: Mapped[str] = mapped_column(String(100))
    member_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Comment(Base):
    """One comment on one draft: on a section (`section_key`) or on the whole draft (None)."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    """Given to the person on the confirmation page, to quote if they contact us."""
    submission_key: Mapped[str] = mapped_column(String(36), unique=True)
    """From the form they sent, so sending the same form twice stores one comment."""
    policy_slug: Mapped[str] = mapped_column(String(100), index=True)
    policy_version: Mapped[str] = mapped_column(String(10))
    section_key: Mapped[str | None] = mapped_column(String(200))
    section_title: Mapped[str | None] = mapped_column(String(300))
    """As the section was titled when the comment was made: drafts change."""
    respondent_type: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    body: Mapped[str] = mapped_column(Text)
    suggested_wording: Mapped[str | None] = mapped_column(Text)
    may_publish: Mapped[bool]
    """The person agreed that we may publish the comment without their name."""
    panel_invitation_id: Mapped[int | None] = mapped_column(ForeignKey("panel_invitations.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    panel_invitation: Mapped[PanelInvitation | None] = relationship()

    @property
    def verified_panel(self) -> bool:
        return self.panel_invitation_id is not None
