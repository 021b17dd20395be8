"""What a request works with: the database session, the policies and the association's details."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session

from policy_portal.config.settings import Association
from policy_portal.reading.library import Library


def database() -> Session:
    """One session a request, closed when the request ends."""
    if "db" not in g:
        g.db = current_app.extensions["sessions"]()
    return g.db


def close_database(_error: BaseException | None = None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()


def library() -> Library:
    return current_app.extensions["policies"].library()


def association() -> Association:
    return current_app.extensions["association"]
