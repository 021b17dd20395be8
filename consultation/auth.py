"""Staff sign-in: hashed passwords, the limits on guessing, and the sign-in check.

Every view in the staff blueprint needs a signed-in staff member (`require_staff` runs before
each one), so a new staff page cannot be left open by forgetting a decorator. A panel link or a
tenant's session never carries a staff id: only `sign_in` puts one in the session.

Guessing is limited in the database (`SignInFailure`), so the limits hold however many app
processes there are, and each attempt is counted *before* its password is checked, in one
statement that refuses it if the limit is reached: guesses sent at the same moment each see the
others' counts, so no more than the limit are ever checked. A refused attempt is counted nowhere.

- **5 wrong passwords from one network, within 15 minutes: that network cannot sign in to that
  account for the next 15 minutes.** A network is one IPv4 address or one IPv6 /64
  (`security.client_network`). Five allows for a caps lock and a few tries at which password it
  was; it holds one guesser to 20 guesses an hour. Because the count is per network, a stranger
  guessing from theirs never locks the owner out of theirs. The right password clears the
  network's count.
- **50 attempts in an hour from networks the account has not signed in from in the last 30
  days: attempts from such networks are refused until that hour is over (at least 15 minutes).**
  This is for guessing spread over many networks (a botnet, or one IPv6 /48, which holds 65,536
  /64s), which the first limit alone would allow 20 guesses an hour on each; refusing until the
  hour is over, not only for 15 minutes, is what holds them to about 50 an hour in all. Nobody
  reaches it by mistyping: it takes ten networks' worth of lock-outs. It does not stop networks
  the account signed in from lately, so a stranger cannot lock the owner out of the places they
  work from; someone on a new network during such an attack waits, or an administrator runs
  `policy-portal staff-unlock`. A successful sign-in leaves this count alone: it says nothing
  about whether the guessing has stopped, resetting it would give a guesser 50 more each time
  the owner signs in, and the owner does not need it reset.
- What these limits do not prevent: people who share one address with a guesser (an office
  behind one IPv4 address, a phone network's shared address) share the guesser's count, so the
  guesser can keep that address locked out of the account, 15 minutes at a time.

A lock-out signs nobody out. Every refusal (unknown email, wrong password, either lock-out)
gives the same message after one password check of the same cost, so neither the answer nor
its timing tells a stranger whether an email is a staff account or whether it is locked out.
Lock-outs go in the audit log, never the password tried.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from functools import cache, wraps
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from consultation import context, staff_accounts, store
from consultation.models import StaffUser
from consultation.security import client_network
from policy_portal.config.environment import SettingsError

SESSION_USER = "staff_user"
SESSION_NONCE = "staff_nonce"
MIN_PASSWORD = 12
PASSWORD_HASH_COST = 2**15
"""scrypt's cost (its N) for staff passwords: Werkzeug's default, about a tenth of a second of
CPU a hash, which is what makes a stolen database slow to guess from. The app's setting of the
same name may only lower it in tests (TESTING), where hundreds of sign-ins at full cost took
half a minute of the suite; `check_settings` refuses a lower cost anywhere else."""


@dataclass(frozen=True)
class Limit:
    """At most `failures` attempts within `window` of the first; the attempt that reaches the
    limit refuses more for `lock` (or until the window is over, if that is later)."""

    failures: int
    window: dt.timedelta
    lock: dt.timedelta

    @property
    def lock_minutes(self) -> int:
        return self.lock // dt.timedelta(minutes=1)


PER_NETWORK = Limit(5, dt.timedelta(minutes=15), dt.timedelta(minutes=15))
FROM_NEW_NETWORKS = Limit(50, dt.timedelta(hours=1), dt.timedelta(minutes=15))
KNOWN_FOR = dt.timedelta(days=30)
"""How long a network the account signed in from is not stopped by `FROM_NEW_NETWORKS`."""
REFUSED = (f"Enter a correct email address and password. After {PER_NETWORK.failures} wrong passwords "
           f"we stop accepting sign-ins from your network for {PER_NETWORK.lock_minutes} minutes.")


def check_settings(app: Flask) -> None:
    """Refuse to start with a password hash cost below the secure one, unless testing."""
    cost = app.config["PASSWORD_HASH_COST"]
    if cost < PASSWORD_HASH_COST and not app.config["TESTING"]:
        raise SettingsError(f"PASSWORD_HASH_COST is {cost}, below {PASSWORD_HASH_COST}: only tests (TESTING) "
                            "may lower it, since a cheaper hash makes stolen passwords quicker to guess")


def hash_password(password: str) -> str:
    """The password hashed at the app's cost (the cost is stored in the hash, which is checked
    at the cost it was made with)."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password must be at least {MIN_PASSWORD} characters")
    return generate_password_hash(password, method=_method(current_app.config["PASSWORD_HASH_COST"]))


def _method(cost: int) -> str:
    return f"scrypt:{cost}:8:1"


@cache
def _unused_hash(cost: int) -> str:
    """What a refusal checks the password against, at the app's cost, so that refusals take as
    long as checks."""
    return generate_password_hash("an unused password, so refusals take as long as checks",
                                  method=_method(cost))


class SignInError(Exception):
    """Why sign-in failed, in words for the person signing in."""


@dataclass(frozen=True)
class _Attempt:
    """What was counted for an attempt allowed to have its password checked."""

    on_network: int
    from_new_networks: int | None
    """None when the attempt came from a network the account signed in from lately."""


def sign_in(email: str, password: str, address: str | None) -> StaffUser:
    """Check the email and password sent from `address`; refuse within the limits above."""
    user = store.staff_user_by_email(context.database(), email)
    network = client_network(address)
    counted = (staff_accounts.count_sign_in_attempt(user.id, network, PER_NETWORK, FROM_NEW_NETWORKS,
                                                    KNOWN_FOR) if user else None)
    attempt = _Attempt(*counted) if counted else None
    unused = _unused_hash(current_app.config["PASSWORD_HASH_COST"])
    right = check_password_hash(user.password_hash if attempt else unused, password)
    lock_outs = _lock_outs(attempt, right) if attempt else []
    if not (right and attempt):
        if lock_outs:
            staff_accounts.record_lock_outs(user, lock_outs)
        raise SignInError(REFUSED)
    staff_accounts.signed_in(user, network, KNOWN_FOR, lock_outs)
    session.clear()  # nothing from before sign-in (a panel link, say) carries over
    session[SESSION_USER] = user.id
    session[SESSION_NONCE] = user.session_nonce
    session.permanent = True
    return user


def _lock_outs(attempt: _Attempt, right: bool) -> list[tuple[str, str]]:
    """The audit entries for the lock-outs this attempt began, once each: the right password
    clears the network's count, not the other."""
    entries = []
    if attempt.on_network == PER_NETWORK.failures and not right:
        entries.append(("sign-in locked",
                        f"{PER_NETWORK.failures} wrong passwords from one network: it cannot sign in "
                        f"to this account for {PER_NETWORK.lock_minutes} minutes"))
    if attempt.from_new_networks == FROM_NEW_NETWORKS.failures:
        entries.append(("account locked",
                        f"{FROM_NEW_NETWORKS.failures} sign-in attempts in an hour from networks it has not "
                        f"signed in from lately: they cannot sign in to it for at least "
                        f"{FROM_NEW_NETWORKS.lock_minutes} minutes"))
    return entries


def sign_out(user: StaffUser) -> None:
    """End this session and every copy of it (see `staff_accounts.sign_out`)."""
    staff_accounts.sign_out(user)
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
