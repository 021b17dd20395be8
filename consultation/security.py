"""Security for every response: CSRF checks, security headers and the rate limits on comments
and sign-in; and `client_network`, which says whose requests count together in a limit.

The app runs no JavaScript and loads nothing from other sites, so its content security policy
can forbid scripts outright.

The rate limits use the `limits` library directly, not through Flask-Limiter: Flask-Limiter
evaluated its limits twice for each limited POST (once before the request, once in the view's
decorator) and once for every other request, where two settings and one check before the view
are all this app needs. Counts live where `RATELIMIT_STORAGE_URI` says: in each process's memory
by default, or in Redis (`redis://...`), which every worker of every server shares. While Redis
cannot be reached, each worker counts in its own memory (and logs why), so the limits still hold,
per worker, and nobody's comment is lost to an error page.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from functools import cache

from flask import Flask, Response, abort, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from policy_portal.config.environment import SettingsError

log = logging.getLogger(__name__)
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'none'", "style-src 'self'", "img-src 'self'", "form-action 'self'",
    "frame-ancestors 'none'", "base-uri 'none'",
])
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
RATE_LIMITS = {"consultation.comment": "COMMENT_RATE_LIMIT", "staff.sign_in": "SIGN_IN_RATE_LIMIT",
               "subscriptions.subscribe": "COMMENT_RATE_LIMIT"}
"""Views a stranger can post to, limited per network by the setting named ("20 per hour"):
comments and email subscriptions against floods, sign-in against password guessing (besides the
per-account lock-out). Each POST to one of them counts once, refused or not; other methods are
not counted."""
CHECKS_OWN_TOKEN = ("consultation.comment",)
"""Views whose form checks its CSRF token itself, so a failed check gives the form back with the
person's text and an error instead of the bare error page that CSRFProtect shows."""
ONE_CLICK = ("subscriptions.unsubscribe",)
"""Views that take a POST with no CSRF token: RFC 8058's one-click unsubscribe, which a mail
program sends with no page or cookie. A forged request could only unsubscribe, and only someone
holding the random token in the address, which is in their email alone."""


UNKNOWN_NETWORK = "unknown"
IPV6_NETWORK = 64
"""One home, office or phone is given a whole IPv6 /64 and may use any address in it."""


def client_network(address: str | None) -> str:
    """The network a request came from, for counting requests together in a limit.

    An IPv4 address is its own network. An IPv6 address is reduced to its /64 (as
    "2001:db8:1:2::/64"), because anyone holding one address of a /64 can use all 2**64 of them:
    counting by address would give them a fresh count with every request. An IPv4 client seen
    through an IPv6 socket ("::ffff:203.0.113.7") counts as its IPv4 address, not as the /64
    that every such client shares. Anything that is not an address (no address at all, a Unix
    socket's name, a garbled forwarded header) is the one network "unknown", so nobody can make
    up new networks by sending nonsense.
    """
    try:
        parsed = ipaddress.ip_address(address or "")
    except ValueError:
        return UNKNOWN_NETWORK
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.IPv6Network((parsed, IPV6_NETWORK), strict=False))


class AppOnlySession(SecureCookieSessionInterface):
    """The session cookie is sent only to the consultation app's own addresses, never with the
    static site's pages (the app is mounted at /consultations/ in the portal)."""

    def get_cookie_path(self, app: Flask) -> str:
        return request.script_root + "/"


class SweptMemoryStorage(MemoryStorage):
    """limits' counts in this process's memory, without a thread a count.

    limits' MemoryStorage (5.x) starts a new 10 ms `threading.Timer` to drop expired counts on
    every count made once the last timer has ended, which on a busy two-core server is every
    comment POST: starting the thread and waiting for it to run was the largest single cost of a
    POST (about a quarter of its time, measured with cProfile). Here the request that counts
    drops expired counts itself, at most once every `SWEEP_EVERY` seconds, so memory stays
    bounded by the networks seen within the longest limit's window. Expired counts are never
    used meanwhile: `get` ignores a count past its expiry whether or not it has been dropped.

    The sweep is our own, not limits' `__expire_events`: that one looks each key up again after
    listing them, which in a request (rather than limits' timer thread) failed the POST with a
    KeyError whenever another thread's `get` had dropped the same expired count in between. Only
    fixed-window counts are kept (the app's one strategy), so there are no moving-window events.
    """

    SWEEP_EVERY = 1.0

    def __init__(self) -> None:
        super().__init__()
        self._next_sweep = 0.0
        self._sweeping = threading.Lock()

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 -- limits' private name, replaced
        now = time.monotonic()
        if now < self._next_sweep or not self._sweeping.acquire(blocking=False):
            return  # not due, or another thread is sweeping
        try:
            self._next_sweep = now + self.SWEEP_EVERY
            self._sweep()
        finally:
            self._sweeping.release()

    def _sweep(self) -> None:
        """Drop every expired count, even as other threads drop some of the same ones."""
        now = time.time()
        for key, expires in list(self.expirations.items()):
            if expires <= now:
                self.storage.pop(key, None)
                self.expirations.pop(key, None)
                self.locks.pop(key, None)


CSRF = "security.csrf"
LIMITER = "security.limiter"
FALLBACK = "security.limiter_fallback"


def init_app(app: Flask) -> None:
    """One limiter an app, not one for the module, so apps made in one process (tests, several
    sites) keep their own counts unless their storage is shared. The limit is checked after the
    CSRF check (registered first), so a forged sign-in is refused without being counted."""
    app.session_interface = AppOnlySession()
    app.extensions[CSRF] = CSRFProtect(app)
    app.after_request(add_headers)
    uri = app.config["RATELIMIT_STORAGE_URI"]
    storage = SweptMemoryStorage() if uri == "memory://" else storage_from_string(uri, wrap_exceptions=True)
    app.extensions[LIMITER] = FixedWindowRateLimiter(storage)
    fallback = storage if isinstance(storage, MemoryStorage) else SweptMemoryStorage()
    app.extensions[FALLBACK] = FixedWindowRateLimiter(fallback)
    app.before_request(_limit_submissions)
    for setting in set(RATE_LIMITS.values()):
        check_rate(setting, app.config[setting])


def check_rate(setting: str, value: str) -> None:
    """Refuse to start with a limit that is not one rate of at least one, rather than fail or
    refuse every comment with it."""
    try:
        _rate(value)
    except ValueError:
        raise SettingsError(f"{setting} is {value!r}, which is not a rate: write it like \"20 per hour\" "
                            "or \"5 per minute\"") from None


@cache
def _rate(value: str) -> RateLimitItem:
    """A limit setting read once: parsing it took as long as counting the POST against it. One
    rate only: `limits` would read "2 per hour; 1 per day" as two, and `parse` use the first
    without a word; and "0 per hour" would refuse everything."""
    rates = parse_many(value)
    if len(rates) != 1 or rates[0].amount < 1:
        raise ValueError(value)
    return rates[0]


def csrf(app: Flask) -> CSRFProtect:
    return app.extensions[CSRF]


def protect_submissions(app: Flask) -> None:
    """Called once the views are registered: the views that check their own CSRF token, and
    the one-click unsubscribe, which has none."""
    for endpoint in (*CHECKS_OWN_TOKEN, *ONE_CLICK):
        csrf(app).exempt(app.view_functions[endpoint])


def _limit_submissions() -> None:
    """Count a POST to a limited view against its network's limit; refuse it (429) past the limit.
    Rate limits count per network, so one IPv6 /64 cannot send from a fresh address each time."""
    setting = RATE_LIMITS.get(request.endpoint or "")
    if setting is None or request.method != "POST":
        return
    rate = _rate(current_app.config[setting])
    counted = (request.endpoint, client_network(request.remote_addr))
    try:
        allowed = current_app.extensions[LIMITER].hit(rate, *counted)
    except StorageError as error:
        log.error("Rate-limit storage unavailable, counting in this process only: %s", error.storage_error)
        allowed = current_app.extensions[FALLBACK].hit(rate, *counted)
    if not allowed:
        abort(429)


def add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():  # a view may have set a stricter one
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if response.mimetype == "text/html":  # pages may hold someone's comment or a panel session
        response.headers["Cache-Control"] = "no-store"
    return response
