"""Drop `ix_comments_moderation`, which every insert kept up to date and no query needs: each
query filtering on the moderation state is served as well by `ix_comments_queue` (0008), whose
first column it is (EXPLAIN on SQLite and PostgreSQL, 20,000 comments).

`ix_comments_policy_slug` stays, though 0008's indexes start with the same column: SQLite counts
a draft's flags (`store.count_by_flag`, the report's "flagged" counts) by looking each flagged
comment up in it by (policy_slug, id), which it holds whole; without it SQLite reads each flagged
comment's row instead, nine times slower.

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_comments_moderation", "comments")


def downgrade() -> None:
    op.create_index("ix_comments_moderation", "comments", ["moderation"])
