"""Comments on drafts, and invitations for the tenant scrutiny panel.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "panel_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_slug", sa.String(100), nullable=False),
        sa.Column("member_name", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_invitations")),
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(20), nullable=False),
        sa.Column("submission_key", sa.String(36), nullable=False),
        sa.Column("policy_slug", sa.String(100), nullable=False),
        sa.Column("policy_version", sa.String(10), nullable=False),
        sa.Column("section_key", sa.String(200), nullable=True),
        sa.Column("section_title", sa.String(300), nullable=True),
        sa.Column("respondent_type", sa.String(20), nullable=False),
        sa.Column("name", sa.String(100), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("suggested_wording", sa.Text(), nullable=True),
        sa.Column("may_publish", sa.Boolean(), nullable=False),
        sa.Column("panel_invitation_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["panel_invitation_id"], ["panel_invitations.id"],
                                name=op.f("fk_comments_panel_invitation_id_panel_invitations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
        sa.UniqueConstraint("reference", name=op.f("uq_comments_reference")),
        sa.UniqueConstraint("submission_key", name=op.f("uq_comments_submission_key")),
    )
    op.create_index(op.f("ix_comments_policy_slug"), "comments", ["policy_slug"])


def downgrade() -> None:
    op.drop_index(op.f("ix_comments_policy_slug"), table_name="comments")
    op.drop_table("comments")
    op.drop_table("panel_invitations")
