"""Error pages in plain words. Nobody sees a stack trace, and a refused comment is shown back.

One handler renders `errors/<code>.html`; a rate-limited comment gets the refusal page with the
person's text on it instead, since that text would otherwise be lost.
"""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from consultation.context import library
from consultation.views import refused

log = logging.getLogger(__name__)
PAGES = {400, 403, 404, 405, 413, 429, 500, 503}


def init_app(app: Flask) -> None:
    app.register_error_handler(SecurityError, _unknown_host)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(Exception, _unexpected)


def _comment_refused(reason: str, status: int):
    """For a comment that could not be taken: the refusal page with the person's words on it;
    None for any other request."""
    if request.endpoint != "consultation.comment":
        return None
    policy = library().policies.get(request.view_args["slug"])
    if policy is None:
        return None
    return refused(policy, request.view_args["key"], reason), status


def _unknown_host(_error: SecurityError) -> tuple[str, int, dict[str, str]]:
    """A host name not in PORTAL_HOSTS. Plain text: without a trusted host the app cannot make
    the links an error page needs."""
    return ("This address is not one this portal answers to.", 400,
            {"Content-Type": "text/plain; charset=utf-8"})


def _http_error(error: HTTPException):
    if error.code == 429:
        kept = _comment_refused("You have sent a lot of comments in a short time, so we could not "
                                "take this one. Wait an hour, then send it again.", 429)
        if kept:
            return kept
    code = error.code if error.code in PAGES else 500
    headers = [(name, value) for name, value in error.get_headers() if name != "Content-Type"]
    return render_template(f"errors/{code}.html"), code, headers  # a 405's Allow, which HTTP requires


def _csrf_error(error: CSRFError):
    return render_template("errors/400.html", csrf=True), 400


def _database_unavailable(error: OperationalError):
    """The database is down or unreachable. A comment is shown back, not lost; the app recovers
    by itself when the database is back (stale connections are tested before use)."""
    log.error("Database unavailable on %s %s: %s", request.method, request.path, error.orig)
    kept = _comment_refused("We could not save your comment because of a problem on our side. "
                            "Nothing you did caused it. Please try again in a few minutes.", 503)
    return kept or (render_template("errors/503.html"), 503)


def _unexpected(error: Exception):
    log.exception("Unexpected error on %s %s", request.method, request.path)
    return render_template("errors/500.html"), InternalServerError.code
