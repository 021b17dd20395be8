"""How every change the app makes is written: its rows and its audit entry in one transaction.

The write path is `consultation.actions` (comments, erasure, outcomes and the rest),
`consultation.staff_accounts` (accounts and signing in) and `consultation.outbox` (email), and
each of their functions follows one pattern:

    def do_something(thing, ..., actor: str) -> ...:
        with transaction() as (db, now):
            ...change rows through `db`, stamping them with `now`...
            audit(db, now, actor, "did something", thing.id, "what, and why")

`transaction` commits when the block ends and rolls everything back if anything in it fails,
the audit entry included: a change is never stored without its entry, nor an entry without its
change. Views, `auth` and the commands call those functions and never set a model's fields or
commit themselves; `store` only reads (tests/test_code_quality.py holds the line). Each function
runs in an app context (a request's, or `app.app_context()` in a command), works on that
context's session (`context.database()`) and tells the time by the app's one clock
(`context.clock()`), so what it stores agrees with the dates the pages judge by.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from consultation import context
from consultation.models import AuditEntry


@contextmanager
def transaction() -> Iterator[tuple[Session, dt.datetime]]:
    """The context's session and the moment now; commits at the end, rolls back on any error."""
    db = context.database()
    try:
        yield db, context.clock().now()
        db.commit()
    except BaseException:
        db.rollback()
        raise


def audit(db: Session, at: dt.datetime, actor: str, action: str, comment_id: int | None,
          details: str) -> None:
    db.add(AuditEntry(at=at, actor=actor, action=action, comment_id=comment_id, details=details))
