"""The staff queue and report at 100,000 comments: indexes for every filter and order, and the
automatic check's flags in a form that can be filtered and counted with an index.

- `comments.unflagged`: the check found nothing (the queue shows the others first).
- `comment_flags`: one row per kind of flag a comment has, filled here from the JSON in
  `comments.flags` for the comments already stored.
- Indexes on the comments for the lists' orders and for counting by every filter, named and
  explained where `consultation.models.Comment` declares them.

Revision ID: 0008
Revises: 0007
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COMMENT_INDEXES = {
    "ix_comments_listing": ["policy_slug", "created_at", "id"],
    "ix_comments_queue": ["moderation", "unflagged", "created_at", "id"],
    "ix_comments_section": ["policy_slug", "section_key", "created_at", "id"],
    "ix_comments_facets": ["policy_slug", "respondent_type", "channel", "moderation", "response_outcome",
                           "section_key", "unflagged"],
}
BATCH = 1000
"""Comments read and written at a time while filling `comment_flags`, so memory stays flat."""


def upgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("unflagged", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        "comment_flags",
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"],
                                name=op.f("fk_comment_flags_comment_id_comments")),
        sa.PrimaryKeyConstraint("comment_id", "kind", name=op.f("pk_comment_flags")),
    )
    op.create_index("ix_comment_flags_kind", "comment_flags", ["kind", "comment_id"])
    _fill_flags()
    for name, columns in COMMENT_INDEXES.items():
        op.create_index(name, "comments", columns)


def _fill_flags() -> None:
    """Copy each stored comment's kinds of flag out of its JSON, a batch of comments at a time."""
    connection = op.get_bind()
    comments = sa.table("comments", sa.column("id", sa.Integer), sa.column("flags", sa.Text),
                        sa.column("unflagged", sa.Boolean))
    flags = sa.table("comment_flags", sa.column("comment_id", sa.Integer), sa.column("kind", sa.String))
    last = 0
    while True:
        rows = connection.execute(sa.select(comments.c.id, comments.c.flags)
                                  .where(comments.c.id > last, comments.c.flags != "[]")
                                  .order_by(comments.c.id).limit(BATCH)).all()
        if not rows:
            return
        kinds = [{"comment_id": row.id, "kind": kind}
                 for row in rows for kind in sorted({flag["kind"] for flag in json.loads(row.flags)})]
        if kinds:
            connection.execute(flags.insert(), kinds)
            flagged = sorted({kind["comment_id"] for kind in kinds})
            connection.execute(comments.update().where(comments.c.id.in_(flagged)).values(unflagged=False))
        last = rows[-1].id


def downgrade() -> None:
    for name in COMMENT_INDEXES:
        op.drop_index(name, "comments")
    op.drop_index("ix_comment_flags_kind", "comment_flags")
    op.drop_table("comment_flags")
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("unflagged")
