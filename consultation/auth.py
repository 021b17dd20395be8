"""Staff sign-in: hashed passwords, lock-out after repeated failures, and the sign-in check.

Every view in the staff blueprint needs a signed-in staff member (`require_staff` runs before
each one), so a new staff page cannot be left open by forgetting a decorator. A panel link or a
tenant's session never carries a staff id: only `sign_in` puts one in the session.
"""

from __future__ import annotations

import datetime as dt
import secrets
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, g, redirect, request, session, url_for
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from consultation import context, store
from consultation.models import StaffUser

MAX_FAILURES = 5
LOCK_FOR = dt.timedelta(minutes=15)
SESSION_USER = "staff_user"
SESSION_NONCE = "staff_nonce"
MIN_PASSWORD = 12
_UNUSED_HASH = generate_password_hash("an unused password, so unknown emails take as long")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password must be at least {MIN_PASSWORD} characters")
    return generate_password_hash(password)


class SignInError(Exception):
    """Why sign-in failed, in words for the person signing in."""


def sign_in(db: Session, email: str, password: str) -> StaffUser:
    """Check the email and password; lock the account for a while after repeated failures."""
    wrong = SignInError("Enter a correct email address and password")
    user = store.staff_user_by_email(db, email)
    if user is None:
        check_password_hash(_UNUSED_HASH, password)
        raise wrong
    at = store.now()
    if user.locked_until and at < store.as_utc(user.locked_until):
        raise SignInError(f"This account is locked after {MAX_FAILURES} wrong passwords. Try again "
                          f"after {store.as_utc(user.locked_until):%H:%M} UTC, or ask an administrator.")
    if not check_password_hash(user.password_hash, password):
        if store.count_failed_sign_in(db, user) >= MAX_FAILURES:
            db.refresh(user)
            user.failed_sign_ins, user.locked_until = 0, at + LOCK_FOR
            user.session_nonce = secrets.token_hex(16)  # whoever may be signed in is signed out
            store.record(db, actor(user), "account locked", None,
                         f"{MAX_FAILURES} wrong passwords in a row; locked for 15 minutes")
        db.commit()
        raise wrong
    user.failed_sign_ins, user.locked_until = 0, None
    store.record(db, actor(user), "signed in", None, "")
    db.commit()
    session.clear()  # nothing from before sign-in (a panel link, say) carries over
    session[SESSION_USER] = user.id
    session[SESSION_NONCE] = user.session_nonce
    session.permanent = True
    return user


def sign_out(db: Session, user: StaffUser) -> None:
    """End this session and every copy of it: the nonce the cookie carries no longer matches."""
    user.session_nonce = secrets.token_hex(16)
    db.commit()
    session.clear()


def current_user() -> StaffUser | None:
    if "staff_user" not in g:
        user_id = session.get(SESSION_USER)
        user = store.staff_user(context.database(), user_id) if store.is_row_id(user_id) else None
        if user is not None and not secrets.compare_digest(str(session.get(SESSION_NONCE, "")),
                                                           user.session_nonce):
            user = None
        g.staff_user = user
    return g.staff_user


def actor(user: StaffUser) -> str:
    """How the audit log names a staff member."""
    return f"{user.name} <{user.email}> ({user.role})"


def require_staff():
    """Before every staff view except signing in: send anyone not signed in to sign in."""
    if request.endpoint in ("staff.sign_in",) or current_user() is not None:
        return None
    return redirect(url_for("staff.sign_in", next=request.full_path.rstrip("?")))


def require_role(role: str):
    """Only staff with this role may use the view; others get a plain 403 page."""
    def decorate(view):
        @wraps(view)
        def checked(*args, **kwargs):
            if current_user().role != role:
                abort(403)
            return view(*args, **kwargs)
        return checked
    return decorate


def safe_next(target: str | None) -> str | None:
    """A `next` address only if it is a staff page on this site, never another site."""
    if not target:
        return None
    if not target.isprintable():  # a line break would split the Location header
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/staff/") or "\\" in target:
        return None
    return target
