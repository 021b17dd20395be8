"""A session nonce for staff (sign-out ends every copy of a session), and closing dates for
comments stored before 0002 so that the retention period applies to them.

Revision ID: 0003
Revises: 0002
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("session_nonce", sa.String(32), nullable=True))
    users = sa.table("staff_users", sa.column("id", sa.Integer), sa.column("session_nonce", sa.String))
    for (user_id,) in op.get_bind().execute(sa.select(users.c.id)).all():
        op.execute(users.update().where(users.c.id == user_id).values(session_nonce=secrets.token_hex(16)))
    with op.batch_alter_table("staff_users") as batch:
        batch.alter_column("session_nonce", existing_type=sa.String(32), nullable=False)
    # The day the comment was made is never after the closing day: erring towards erasing sooner.
    day = "date(created_at)" if op.get_bind().dialect.name == "sqlite" else "CAST(created_at AS DATE)"
    op.execute(f"UPDATE comments SET consultation_closes = {day} WHERE consultation_closes IS NULL")


def downgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("session_nonce")
