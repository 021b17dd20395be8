"""Alembic runs migrations on the connection `database.upgrade` hands it."""

from alembic import context

from consultation.models import Base

context.configure(connection=context.config.attributes["connection"], target_metadata=Base.metadata,
                  render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
