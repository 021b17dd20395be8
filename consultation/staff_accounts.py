"""Every change to staff accounts and their signing in: making an account, counting sign-in
attempts before the password is checked, lock-outs, signing in and out, and unlocking. `auth`
decides (the limits, the password, the session); these functions store what it decided, each in
one transaction with its audit entry (see `consultation.transactions`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING

from sqlalchemy import Row, case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from consultation import store
from consultation.models import ALL_NETWORKS, SignInFailure, StaffUser
from consultation.transactions import audit, transaction

if TYPE_CHECKING:
    from consultation.auth import Limit


def add_staff_user(email: str, name: str, role: str, password_hash: str, actor: str) -> StaffUser:
    """A staff account, and the entry that says who made it, together or not at all."""
    with transaction() as (db, now):
        user = StaffUser(email=email.strip().lower(), email_key=store.email_key(email), name=name, role=role,
                         password_hash=password_hash, session_nonce=secrets.token_hex(16), created_at=now)
        db.add(user)
        db.flush()
        audit(db, now, actor, "created staff account", None, user.actor)
    return user


UPSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
"""INSERT ... ON CONFLICT DO UPDATE, which both databases have but SQLAlchemy builds per database."""


def _count(db: Session, at: dt.datetime, user_id: int, network: str, limit: Limit) -> Row | None:
    """Count one more attempt on the account from the network, unless `limit.failures` are
    counted already, and return the row's (failures, signed_in_at); None when it is refused and
    nothing is counted.

    One statement decides and counts, and the database lets one such statement at a time change
    the row (PostgreSQL locks the row, SQLite the database), so attempts sent at the same moment
    each see the others' counts. A count is forgotten `limit.window` after it began; the attempt
    that reaches the limit keeps it until at least `limit.lock` from then.
    """
    failures, expires_at = SignInFailure.failures, SignInFailure.expires_at
    expired = expires_at <= at
    upsert = UPSERTS[db.get_bind().dialect.name](SignInFailure).values(
        staff_user_id=user_id, network=network, failures=1, expires_at=at + limit.window)
    return db.execute(upsert.on_conflict_do_update(
        index_elements=[SignInFailure.staff_user_id, SignInFailure.network],
        set_={"failures": case((expired, 1), else_=failures + 1),
              "expires_at": case((expired, at + limit.window), (failures + 1 < limit.failures, expires_at),
                                 (expires_at > at + limit.lock, expires_at), else_=at + limit.lock)},
        where=expired | (failures < limit.failures),
    ).returning(failures, SignInFailure.signed_in_at)).one_or_none()


def count_sign_in_attempt(user_id: int, network: str, per_network: Limit, from_new_networks: Limit,
                          known_for: dt.timedelta) -> tuple[int, int | None] | None:
    """Count an attempt before its password is checked: the failures now counted on its network
    and (None if the account signed in from that network within `known_for`) on networks it has
    not; None, with nothing counted, when a limit refuses it.

    Committed before the slow password check, so that guesses sent together see each other's
    count; a refusal is rolled back, so no row stays locked through the check. No audit entry:
    only a lock-out is one (`record_lock_outs`)."""
    with transaction() as (db, now):
        on_network = _count(db, now, user_id, network, per_network)
        known = (on_network is not None and on_network.signed_in_at is not None
                 and store.as_utc(on_network.signed_in_at) > now - known_for)
        overall = None if on_network is None or known else _count(db, now, user_id, ALL_NETWORKS,
                                                                    from_new_networks)
        if on_network is None or (overall is None and not known):
            db.rollback()  # counted nowhere
            return None
    return on_network.failures, None if known else overall.failures


def record_lock_outs(user: StaffUser, lock_outs: list[tuple[str, str]]) -> None:
    """The (action, details) entries for the lock-outs a refused attempt caused."""
    with transaction() as (db, now):
        for action, details in lock_outs:
            audit(db, now, user.actor, action, None, details)


def signed_in(user: StaffUser, network: str, known_for: dt.timedelta,
              lock_outs: list[tuple[str, str]]) -> None:
    """Clear the network's count and remember that the account signed in from it; forget the
    account's other networks whose counts have expired, if not signed in from within
    `known_for`; record the sign-in (and any lock-out the attempt caused elsewhere).

    The count from all networks is kept, and never deleted here: attempts lock it after a
    network's row, so leaving it alone means this cannot deadlock with them on PostgreSQL."""
    with transaction() as (db, now):
        db.execute(update(SignInFailure).where(SignInFailure.staff_user_id == user.id,
                                               SignInFailure.network == network)
                   .values(failures=0, expires_at=now, signed_in_at=now))
        db.execute(delete(SignInFailure).where(
            SignInFailure.staff_user_id == user.id, SignInFailure.network != ALL_NETWORKS,
            SignInFailure.expires_at <= now,
            or_(SignInFailure.signed_in_at.is_(None), SignInFailure.signed_in_at < now - known_for)))
        for action, details in lock_outs:
            audit(db, now, user.actor, action, None, details)
        audit(db, now, user.actor, "signed in", None, "")


def sign_out(user: StaffUser) -> None:
    """End every session of the account: the nonce their cookies carry no longer matches."""
    with transaction() as (db, now):
        audit(db, now, user.actor, "signed out", None, "")
        user.session_nonce = secrets.token_hex(16)


def unlock_staff(user: StaffUser, actor: str) -> list[tuple[str, int]]:
    """Forget the account's counts on every network; return the networks whose counts were
    still running, with their failures."""
    with transaction() as (db, now):
        running = (SignInFailure.staff_user_id == user.id, SignInFailure.failures > 0,
                   SignInFailure.expires_at > now)
        cleared = [(network, failures) for network, failures in db.execute(
            select(SignInFailure.network, SignInFailure.failures).where(*running).order_by(SignInFailure.id))]
        db.execute(update(SignInFailure).where(*running).values(failures=0, expires_at=now))
        audit(db, now, actor, "cleared failed sign-ins", None,
               f"{user.actor}: counts on {len(cleared)} network(s) cleared")
    return cleared
