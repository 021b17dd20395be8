"""Connecting to the database and upgrading its schema.

SQLite in the instance folder by default, tuned for a web app (write-ahead log so readers do not
block the writer, foreign keys enforced, a busy timeout instead of "database is locked"
errors); PostgreSQL when a `postgresql://` URL is given.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event

MIGRATIONS = Path(__file__).parent / "migrations"


def database_url(url: str) -> str:
    """Accept the URL forms hosting providers give and use the psycopg 3 driver for PostgreSQL."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def make_engine(url: str) -> Engine:
    # hide_parameters: an error log must never carry a comment or an email address
    engine = create_engine(database_url(url), pool_pre_ping=True, hide_parameters=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _tune_sqlite)
    return engine


def _tune_sqlite(connection, _record) -> None:
    cursor = connection.cursor()
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=10000", "synchronous=NORMAL"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to the newest migration (or `revision`); safe to run again."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def backup_sqlite(engine: Engine, target: Path) -> None:
    """A consistent copy of a SQLite database while the app keeps running (SQLite's online backup
    copies page by page and restarts if a writer changes a page it has copied)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".partial")
    partial.unlink(missing_ok=True)
    source = engine.raw_connection()
    try:
        destination = sqlite3.connect(partial)
        with destination:
            source.driver_connection.backup(destination)
        destination.close()
    finally:
        source.close()
    partial.replace(target)
