"""Email addresses folded for matching, and each comment's automatic redaction stored.

- `email_key` on comments and staff accounts: SQLite's `lower()` and PostgreSQL in the C locale
  fold only ASCII letters, so `ÉLISE@Example.com` was never found by a subject-access request.
  The key is made in Python (the domain in its IDNA form, the mailbox NFC and lower-cased) and
  compared exactly.
- `screened_body` and `screened_wording`: the text with what the automatic check finds taken
  out, made once when the comment arrives instead of on every report view. Comments stored
  before this migration are screened here with the default settings (personal details, links);
  staff names and offensive words from mkdocs.yml were flagged for them when they arrived.

Revision ID: 0004
Revises: 0003
"""

import unicodedata

import idna
import sqlalchemy as sa
from alembic import op

from policy_portal.config.settings import ModerationSettings
from policy_portal.consultations.moderation import auto_redact

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _key(email: str) -> str:
    """Frozen here as it was when written (store.email_key): a migration must not change when
    the app does."""
    local, at, domain = email.strip().rpartition("@")
    try:
        domain = idna.encode(domain, uts46=True, transitional=False).decode("ascii")
    except idna.IDNAError:
        domain = unicodedata.normalize("NFC", domain).lower()
    return f"{unicodedata.normalize('NFC', local).lower()}{at}{domain}"


def upgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("email_key", sa.String(254), nullable=True))
        batch.add_column(sa.Column("screened_body", sa.Text(), nullable=True))
        batch.add_column(sa.Column("screened_wording", sa.Text(), nullable=True))
        batch.create_index(op.f("ix_comments_email_key"), ["email_key"])
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("email_key", sa.String(254), nullable=True))
    bind = op.get_bind()
    comments = sa.table("comments", sa.column("id", sa.Integer), sa.column("email", sa.String),
                        sa.column("body", sa.Text), sa.column("suggested_wording", sa.Text),
                        sa.column("email_key", sa.String), sa.column("screened_body", sa.Text),
                        sa.column("screened_wording", sa.Text))
    settings = ModerationSettings()
    for row in bind.execute(sa.select(comments.c.id, comments.c.email, comments.c.body,
                                      comments.c.suggested_wording)).all():
        bind.execute(comments.update().where(comments.c.id == row.id).values(
            email_key=_key(row.email) if row.email else None,
            screened_body=auto_redact(row.body, settings),
            screened_wording=auto_redact(row.suggested_wording, settings) if row.suggested_wording else None,
        ))
    users = sa.table("staff_users", sa.column("id", sa.Integer), sa.column("email", sa.String),
                     sa.column("email_key", sa.String))
    for row in bind.execute(sa.select(users.c.id, users.c.email)).all():
        bind.execute(users.update().where(users.c.id == row.id).values(email_key=_key(row.email)))
    with op.batch_alter_table("comments") as batch:
        batch.alter_column("screened_body", existing_type=sa.Text(), nullable=False)
    with op.batch_alter_table("staff_users") as batch:
        batch.alter_column("email_key", existing_type=sa.String(254), nullable=False)
        batch.drop_constraint("uq_staff_users_email", type_="unique")
        batch.create_unique_constraint(op.f("uq_staff_users_email_key"), ["email_key"])


def downgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_constraint("uq_staff_users_email_key", type_="unique")
        batch.create_unique_constraint("uq_staff_users_email", ["email"])
        batch.drop_column("email_key")
    with op.batch_alter_table("comments") as batch:
        batch.drop_index(op.f("ix_comments_email_key"))
        batch.drop_column("screened_wording")
        batch.drop_column("screened_body")
        batch.drop_column("email_key")
