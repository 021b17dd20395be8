"""The consultation app: people comment on draft policies, section by section.

`create_app(project)` builds it for one project (the folder with mkdocs.yml and policies/,
loaded once as a `policy_portal.project.Project`; `consultation.context` reads it back).
Settings come from the environment, so nothing secret is ever in the repository; every variable
is declared, with its default, in `policy_portal.config.environment`: `SECRET_KEY`,
`DATABASE_URL`, `PORTAL_SECURE_COOKIES`, `COMMENT_RATE_LIMIT`, `RATELIMIT_STORAGE_URI`,
`PORTAL_URL`, `SMTP_URL`, `MAIL_FROM` (email: see `consultation.sending`),
`PUBLISHED_COMMENTS_CACHE_SECONDS` (see `consultation.published_cache`) and `PORTAL_HOSTS` (a
request for any other host name is refused, so a hostile page cannot reach a portal on loopback
through a name it controls: DNS rebinding). Moderation settings, and where
its pages link back to the site, come from mkdocs.yml (`policy_portal.config.settings`).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from consultation import (
    auth,
    context,
    errors,
    policies,
    published_cache,
    security,
    staff_loop_views,  # noqa: F401  (adds its routes to the staff blueprint)
    staff_views,
    subscription_views,
    views,
)
from consultation.database import make_engine
from consultation.sending import check_portal_url
from policy_portal.clock import Clock
from policy_portal.config.environment import setting
from policy_portal.project import Project, load_project

MAX_BODY = 256 * 1024
"""Bytes. Two 5,000-character fields of four-byte characters (emoji), URL-encoded at 12 bytes a
character, come to 120 KB; the rest is room for the other fields."""


def create_app(project: Project | Path, settings: Mapping[str, Any] | None = None,
               clock: Clock | None = None, mounted_at: str | None = None) -> Flask:
    """The app for a loaded project (the command line passes its own) or a project folder;
    `clock` is the one it tells the time by (default: the real time, or the day PORTAL_TODAY names).
    `mounted_at`: the path the portal serves it under, which `PORTAL_URL` must end with (checked
    now, raising `sending.MailSettingsError`, so a wrong one stops the portal starting instead of
    breaking every email's links); None for the app on its own (tests, commands)."""
    if not isinstance(project, Project):
        project = load_project(project)
    project.site_root  # noqa: B018 -- checked now: a bad site_url stops the app starting, not a page
    app = Flask(__name__, instance_path=str(project.instance))
    instance = project.instance
    instance.mkdir(mode=0o700, exist_ok=True)  # the database and the secret key: owner only
    app.config.update(
        SECRET_KEY=setting("SECRET_KEY") or _instance_secret(instance),
        DATABASE_URL=setting("DATABASE_URL") or f"sqlite:///{instance / 'consultation.sqlite'}",
        MAX_CONTENT_LENGTH=MAX_BODY,
        SESSION_COOKIE_SECURE=setting("PORTAL_SECURE_COOKIES") != "0",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=12),
        WTF_CSRF_TIME_LIMIT=12 * 60 * 60,  # long enough to write a considered comment
        COMMENT_RATE_LIMIT=setting("COMMENT_RATE_LIMIT"),
        SIGN_IN_RATE_LIMIT="30 per hour",
        RATELIMIT_STORAGE_URI=setting("RATELIMIT_STORAGE_URI"),
        TRUSTED_HOSTS=trusted_hosts(setting("PORTAL_HOSTS")),
        PORTAL_URL=setting("PORTAL_URL"),
        SMTP_URL=setting("SMTP_URL"),
        MAIL_FROM=setting("MAIL_FROM"),
        PUBLISHED_COMMENTS_CACHE_SECONDS=published_cache.seconds(setting(published_cache.SETTING)),
        PASSWORD_HASH_COST=auth.PASSWORD_HASH_COST,
        POLICY_CHECK_SECONDS=policies.CHECK_SECONDS,
    )
    app.config.update(settings or {})
    # A space after the address, as an env file can leave, went into every email's link
    app.config["PORTAL_URL"] = app.config["PORTAL_URL"].strip()
    auth.check_settings(app)
    if mounted_at is not None:
        check_portal_url(app.config["PORTAL_URL"], mounted_at)
    context.init_app(app, project, make_engine(app.config["DATABASE_URL"]), clock or Clock.from_environment())
    security.init_app(app)
    errors.init_app(app)
    app.register_blueprint(views.blueprint)
    app.register_blueprint(staff_views.blueprint)
    app.register_blueprint(subscription_views.blueprint)
    security.protect_submissions(app)
    return app


LOOPBACK_HOSTS = ["127.0.0.1", "localhost"]


def trusted_hosts(names: str) -> list[str]:
    """The `PORTAL_HOSTS` list; loopback names only when it names none."""
    return [host.strip() for host in names.split(",") if host.strip()] or LOOPBACK_HOSTS


def _instance_secret(instance: Path) -> str:
    """Made once: written aside, then linked into place, so processes starting together agree."""
    path = instance / "secret_key"
    if not path.exists():
        draft = instance / f"secret_key.{os.getpid()}"
        draft.touch(mode=0o600)
        draft.write_text(secrets.token_hex(32), encoding="utf-8")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text(encoding="utf-8").strip()
