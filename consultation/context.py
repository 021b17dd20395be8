"""What the app and a request work with: the project, the database, the clock, the policies.

They are kept in `app.extensions` under names only this module uses, and read only through the
functions here, so what the app holds is written down in one place, with types. Each takes an
app for code that runs outside a request (the `policy-portal` commands); inside one, the
current app.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from consultation.database import single_reads as reads_engine
from consultation.policies import PolicySource
from policy_portal.clock import Clock
from policy_portal.config.settings import Association, ModerationSettings
from policy_portal.project import Project
from policy_portal.reading.library import Library

PROJECT = "portal.project"
POLICIES = "portal.policies"
ENGINE = "engine"
SINGLE_READS = "portal.single_reads"
SESSIONS = "sessions"
CLOCK = "portal.clock"


def init_app(app: Flask, project: Project, engine: Engine, clock: Clock) -> None:
    app.extensions[PROJECT] = project
    app.extensions[CLOCK] = clock
    app.extensions[POLICIES] = PolicySource(project, app.config["POLICY_CHECK_SECONDS"])
    app.extensions[ENGINE] = engine
    app.extensions[SINGLE_READS] = reads_engine(engine)
    app.extensions[SESSIONS] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(close_database)


def project(app: Flask | None = None) -> Project:
    """The project the app serves, loaded once when the app was made."""
    return (app or current_app).extensions[PROJECT]


def engine(app: Flask | None = None) -> Engine:
    return (app or current_app).extensions[ENGINE]


def single_reads(app: Flask | None = None) -> Engine:
    """The engine for reads of one statement outside a request's session (see
    `consultation.database.single_reads`): counts on a public page."""
    return (app or current_app).extensions[SINGLE_READS]


def clock(app: Flask | None = None) -> Clock:
    """The app's one clock (see `policy_portal.clock`): every date and time the app judges or
    stores comes from it, so invitations, comment windows and audit entries agree. Tests set
    `app.extensions[CLOCK]` to a clock of their own."""
    return (app or current_app).extensions[CLOCK]


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
    """The policies as they are now: read again when a file changes (see `PolicySource`). Looked
    at once a request, since one request should see one version of the policies."""
    if "library" not in g:
        source: PolicySource = current_app.extensions[POLICIES]
        g.library = source.library()
    return g.library


def association() -> Association:
    return project().association


def moderation() -> ModerationSettings:
    return project().moderation


def outcome_weeks() -> int:
    return project().outcome_weeks


COMPLAINTS_POLICY = "complaints"
"""The policy that says how to complain, linked from every confirmation page and every email
when the library has it."""


def policy_page(slug: str) -> str | None:
    """Where one of the association's policies is on the site, from the app's pages (a path when
    the site is served beside the app, else the site's full address); None if it has no such policy."""
    return f"{site_root()}policies/{slug}/" if slug in library().policies else None


def site_root() -> str:
    return project().site_root
