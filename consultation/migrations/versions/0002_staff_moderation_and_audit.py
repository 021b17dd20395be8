"""Staff accounts, moderation and responses on comments, and the audit log.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COMMENT_COLUMNS = [
    sa.Column("flags", sa.Text(), nullable=False, server_default="[]"),
    sa.Column("moderation", sa.String(10), nullable=False, server_default="new"),
    sa.Column("public_body", sa.Text(), nullable=True),
    sa.Column("public_wording", sa.Text(), nullable=True),
    sa.Column("rule_broken", sa.String(20), nullable=True),
    sa.Column("moderated_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("response_outcome", sa.String(20), nullable=True),
    sa.Column("response_text", sa.Text(), nullable=True),
    sa.Column("response_section", sa.String(200), nullable=True),
    sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("consultation_closes", sa.Date(), nullable=True),
    sa.Column("personal_data_erased_at", sa.DateTime(timezone=True), nullable=True),
]


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("failed_sign_ins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_users_email")),
    )
    with op.batch_alter_table("comments") as batch:
        for column in COMMENT_COLUMNS:
            batch.add_column(column)
        batch.create_index(op.f("ix_comments_moderation"), ["moderation"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(300), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"],
                                name=op.f("fk_audit_log_comment_id_comments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_table("audit_log")
    with op.batch_alter_table("comments") as batch:
        batch.drop_index(op.f("ix_comments_moderation"))
        for column in COMMENT_COLUMNS:
            batch.drop_column(column.name)
    op.drop_table("staff_users")
