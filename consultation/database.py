"""Connecting to the database and upgrading its schema.

SQLite in the instance folder by default, tuned for a web app (write-ahead log so readers do not
block the writer, foreign keys enforced, a busy timeout instead of "database is locked"
errors); PostgreSQL when a `postgresql://` URL is given.
"""

from __future__ import annotations

import select
import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import InvalidatePoolError, OperationalError
from sqlalchemy.orm import Session

from policy_portal.whole_files import replacing

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 10_000


def database_url(url: str) -> str:
    """Accept the URL forms hosting providers give and use the psycopg 3 driver for PostgreSQL."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def make_engine(url: str) -> Engine:
    """An engine whose pooled connections are checked before use without a round trip to the
    database: see `_drop_if_closed`. Any other database keeps SQLAlchemy's pre-ping."""
    url = database_url(url)
    # hide_parameters: an error log must never carry a comment or an email address
    engine = create_engine(url, hide_parameters=True,
                           pool_pre_ping=not url.startswith(("sqlite", "postgresql+psycopg")))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _tune_sqlite)
        if engine.url.database and engine.url.database != ":memory:":
            _owner_only(Path(engine.url.database))
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "checkout", _drop_if_closed)
    return engine


def _drop_if_closed(dbapi_connection, _record, _proxy) -> None:
    """Before a pooled PostgreSQL connection is used: if the server has sent it anything while it
    sat idle, drop it (and every connection pooled before it) and connect afresh.

    SQLAlchemy's pre-ping sent `SELECT 1` at the start of every request for the same purpose: a
    whole round trip, and most of the server's own work for a consultation page. An idle
    connection is sent nothing unless the server is ending it: on a restart or shutdown, an
    idle-session timeout or `pg_terminate_backend`, the server sends its FATAL message and
    closes the socket, so the socket reads as ready. Asking the socket costs no round trip. What
    neither this nor a ping can help is the server going away between this check and the query.
    SQLite needs no check: its connection is an open file, which nothing closes under it."""
    if dbapi_connection.closed or _has_news(dbapi_connection.fileno()):
        raise InvalidatePoolError("The database server closed this connection while it was idle")


def _has_news(socket: int) -> bool:
    """Whether anything (data, the end of the connection, an error) waits on `socket`, without
    waiting. poll, not select: select fails on a descriptor numbered above 1023."""
    readable = select.poll()
    readable.register(socket, select.POLLIN)
    return bool(readable.poll(0))


def single_reads(engine: Engine) -> Engine:
    """`engine`, for reads of one statement, which need no transaction: on PostgreSQL it runs
    them in autocommit, so no BEGIN and ROLLBACK, each a round trip, are sent around the query.
    SQLite's driver starts no transaction for a read anyway, and switching its mode costs a
    statement each way, so there it is `engine` itself."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine


def _owner_only(database: Path) -> None:
    """The database holds names and email addresses: only its owner may read it. SQLite makes its
    -wal and -shm files with the database file's permissions, so those follow."""
    database.touch(mode=0o600)
    for path in (database, *(database.with_name(database.name + end) for end in ("-wal", "-shm"))):
        if path.exists():
            path.chmod(0o600)


def _tune_sqlite(connection, _record) -> None:
    """secure_delete: SQLite overwrites what a change frees with zeros, so an erased name or
    email does not linger in the file's free space."""
    cursor = connection.cursor()
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", f"busy_timeout={BUSY_TIMEOUT_MS}",
                   "synchronous=NORMAL", "secure_delete=ON"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def hold_writes(db: Session) -> None:
    """SQLite: take the database's write lock now, for the rest of `db`'s transaction, so that
    what is read from here on stays as read until it commits (no other writer can commit in
    between; the driver begins a transaction only at a write, and reads before it see each
    moment's data). Nothing on PostgreSQL, where the caller locks the rows it needs."""
    if db.get_bind().dialect.name == "sqlite":
        db.execute(text("UPDATE subscriptions SET id = id WHERE id IS NULL"))  # changes no row


ERASED_TABLES = ("comments", "panel_invitations", "outbox", "subscriptions")


SCRUB_WAIT_MS = 2000
"""How long a scrub waits for readers (a backup, a slow page) before giving up: while it waits,
new comments wait too."""


def scrub_erased(engine: Engine) -> bool:
    """After erasing personal data, leave no old copy of it in the database's own files; False
    when something (a backup running, say) kept it from finishing: run it again later.

    SQLite: freed space is already zeroed (secure_delete); the write-ahead log still holds the
    pages as they were, so it is checkpointed and truncated. PostgreSQL keeps old row versions
    in its table files until they are rewritten, so the tables that held the data are rewritten
    (VACUUM FULL locks them for the moment it takes). What neither can reach is said in
    docs/staff/consultations.md: PostgreSQL's own write-ahead log files and backups.
    """
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql(f"PRAGMA busy_timeout={SCRUB_WAIT_MS}")
            busy, _, _ = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
            connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            return busy == 0
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.exec_driver_sql(f"SET lock_timeout = {SCRUB_WAIT_MS}")
        try:
            connection.exec_driver_sql(f"VACUUM FULL {', '.join(ERASED_TABLES)}")
        except OperationalError:  # the lock was not had in time
            return False
        finally:
            connection.exec_driver_sql("RESET lock_timeout")
        return True


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
    source = engine.raw_connection()
    try:
        with replacing(target) as partial:
            partial.touch(mode=0o600)  # a backup holds what the database holds
            destination = sqlite3.connect(partial)
            with destination:
                source.driver_connection.backup(destination)
            destination.close()
    finally:
        source.close()
