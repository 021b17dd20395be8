"""Security for every response: CSRF checks, security headers and the rate limit on comments;
and `client_network`, which says whose requests count together in a limit.

The app runs no JavaScript and loads nothing from other sites, so its content security policy
can forbid scripts outright.
"""

from __future__ import annotations

import ipaddress
from functools import partial

from flask import Flask, Response, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFProtect

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
"""Views a stranger can post to, limited per address by the setting named: comments and
subscriptions against floods, sign-in against password guessing (besides the per-account
lock-out)."""
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


def init_app(app: Flask) -> None:
    app.session_interface = AppOnlySession()
    app.extensions["security.csrf"] = CSRFProtect(app)
    app.after_request(add_headers)
    app.extensions["security.limiter"] = Limiter(_requesting_network, app=app)


def protect_submissions(app: Flask) -> None:
    """Called once the views are registered. One limiter an app, not one for the module, so apps
    made in one process (tests, several sites) keep their own counts."""
    limiter: Limiter = app.extensions["security.limiter"]
    for endpoint in (*CHECKS_OWN_TOKEN, *ONE_CLICK):
        app.extensions["security.csrf"].exempt(app.view_functions[endpoint])
    for endpoint, setting in RATE_LIMITS.items():
        rate = partial(_rate, setting)
        app.view_functions[endpoint] = limiter.limit(rate, methods=["POST"])(app.view_functions[endpoint])


def _requesting_network() -> str:
    """Rate limits count per network, so one IPv6 /64 cannot send from a fresh address each time."""
    return client_network(request.remote_addr)


def _rate(setting: str) -> str:
    return current_app.config[setting]


def add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():  # a view may have set a stricter one
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if response.mimetype == "text/html":  # pages may hold someone's comment or a panel session
        response.headers["Cache-Control"] = "no-store"
    return response
