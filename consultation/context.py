"""What the app and a request work with: the project, the database, the policies.

They are kept in `app.extensions` under names only this module uses, and read only through the
functions here, so what the app holds is written down in one place, with types. Each takes an
app for code that runs outside a request (the `policy-portal` commands); inside one, the
current app.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from consultation.policies import PolicySource
from policy_portal.config.settings import Association, ModerationSettings
from policy_portal.project import Project
from policy_portal.reading.library import Library

PROJECT = "portal.project"
POLICIES = "portal.policies"
ENGINE = "engine"
SESSIONS = "sessions"


def init_app(app: Flask, project: Project, engine: Engine) -> None:
    app.extensions[PROJECT] = project
    app.extensions[POLICIES] = PolicySource(project)
    app.extensions[ENGINE] = engine
    app.extensions[SESSIONS] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(close_database)


def project(app: Flask | None = None) -> Project:
    """The project the app serves, loaded once when the app was made."""
    return (app or current_app).extensions[PROJECT]


def engine(app: Flask | None = None) -> Engine:
    return (app or current_app).extensions[ENGINE]


def sessions(app: Flask | None = None) -> sessionmaker[Session]:
    """Makes database sessions: for work outside a request, such as sending the outbox."""
    return (app or current_app).extensions[SESSIONS]


def database() -> Session:
    """One session a request, closed when the request ends."""
    if "db" not in g:
        g.db = sessions()()
    return g.db


def close_database(_error: BaseException | None = None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()


def library() -> Library:
    """The policies as they are now: read again when a file changes (see `PolicySource`)."""
    source: PolicySource = current_app.extensions[POLICIES]
    return source.library()


def association() -> Association:
    return project().association


def moderation() -> ModerationSettings:
    return project().moderation


def outcome_weeks() -> int:
    return project().outcome_weeks


def site_root() -> str:
    return project().site_root
