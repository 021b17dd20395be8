"""Security for every response: CSRF checks, security headers and the rate limit on comments.

The app runs no JavaScript and loads nothing from other sites, so its content security policy
can forbid scripts outright.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
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
CHECKS_OWN_TOKEN = ("consultation.views.comment",)
"""Views whose form checks its CSRF token itself, so a failed check can give the form back with
the person's text and an error, instead of the bare error page that CSRFProtect shows."""
RATE_LIMITED = ("consultation.comment",)
"""Views that store something a stranger sends, and so are limited per address."""


def init_app(app: Flask) -> None:
    csrf = CSRFProtect(app)
    for view in CHECKS_OWN_TOKEN:
        csrf.exempt(view)
    app.after_request(_add_headers)
    app.extensions["security.limiter"] = Limiter(get_remote_address, app=app)


def limit_submissions(app: Flask) -> None:
    """Wrap the storing views in the per-address limit (called once the views are registered).

    One limiter an app, not one for the module, so apps made in one process (tests, several
    sites) keep their own counts.
    """
    limiter: Limiter = app.extensions["security.limiter"]
    for endpoint in RATE_LIMITED:
        view = app.view_functions[endpoint]
        app.view_functions[endpoint] = limiter.limit(_comment_rate, methods=["POST"])(view)


def _comment_rate() -> str:
    return current_app.config["COMMENT_RATE_LIMIT"]


def _add_headers(response: Response) -> Response:
    response.headers.update(HEADERS)
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if response.mimetype == "text/html":  # pages may hold someone's comment or a panel session
        response.headers["Cache-Control"] = "no-store"
    return response
