"""Closing the consultation loop: how each comment reached us, the complaint route, outcomes and
the scrutiny panel's recommendations.

- `comments.channel`: online, or typed in by staff from a phone call, letter, email, event or
  advocate (every comment stored before this came through the website: "online");
  `comments.entered_by`: who typed it in; `comments.complaint_offered_at`: when a moderator
  offered its writer the complaints procedure.
- `outcomes`: the board's decision on a consulted draft, published on its consultation page.
- `recommendations`: the panel's formal recommendations, each with the date the board's answer
  is due, and the answer.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("channel", sa.String(20), nullable=False, server_default="online"))
        batch.add_column(sa.Column("entered_by", sa.String(300), nullable=True))
        batch.add_column(sa.Column("complaint_offered_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_slug", sa.String(100), nullable=False),
        sa.Column("consulted_version", sa.String(10), nullable=False),
        sa.Column("decision", sa.String(30), nullable=False),
        sa.Column("approved_version", sa.String(10), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("closes", sa.Date(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcomes")),
        sa.UniqueConstraint("policy_slug", name=op.f("uq_outcomes_policy_slug")),
    )
    op.create_table(
        "recommendations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_slug", sa.String(100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("response_due", sa.Date(), nullable=False),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendations")),
    )
    op.create_index(op.f("ix_recommendations_policy_slug"), "recommendations", ["policy_slug"])


def downgrade() -> None:
    op.drop_table("recommendations")
    op.drop_table("outcomes")
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("complaint_offered_at")
        batch.drop_column("entered_by")
        batch.drop_column("channel")
