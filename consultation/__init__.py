"""The consultation app: people comment on draft policies, section by section.

`create_app(project)` builds it for one project folder (the one with mkdocs.yml and policies/).
Settings come from the environment, so nothing secret is ever in the repository:

- `DATABASE_URL`: a PostgreSQL URL; without it, SQLite in `instance/consultation.sqlite`.
- `SECRET_KEY`: signs sessions and panel links; without it, a random key is made once and kept
  in `instance/secret_key`. Several app processes must share one key.
- `PORTAL_SECURE_COOKIES=0`: allow cookies over plain HTTP, for `policy-portal serve` on loopback.
- Moderation settings (staff names, offensive words, how long personal data is kept) come from
  `extra.moderation` in mkdocs.yml; where its pages link back to the site, from
  `extra.consultation_url` and `site_url` (see `policy_portal.config.settings.site_root_for_app`).
- `COMMENT_RATE_LIMIT`: comments one address may send (default "20 per hour").
- `RATELIMIT_STORAGE_URI`: where rate-limit counts are kept (default: in memory, per process;
  use `redis://...` when several processes serve the app).
- `PORTAL_HOSTS`: the host names the portal answers to, comma-separated (`.example.org` takes
  every subdomain); default `127.0.0.1,localhost`. A request for any other name is refused, so a
  hostile page cannot reach a portal on loopback through a name it controls (DNS rebinding).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.orm import sessionmaker

from consultation import context, errors, security, staff_views, views
from consultation.database import make_engine
from consultation.policies import PolicySource
from policy_portal.config.settings import (
    association_from,
    moderation_from,
    read_config,
    read_extra_from,
    site_root_for_app,
)

MAX_BODY = 256 * 1024
"""Bytes. Two 5,000-character fields of four-byte characters (emoji), URL-encoded at 12 bytes a
character, come to 120 KB; the rest is room for the other fields."""


def create_app(project: Path, settings: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(project.resolve() / "instance"))
    instance = Path(app.instance_path)
    instance.mkdir(mode=0o700, exist_ok=True)  # the database and the secret key: owner only
    app.config.update(
        SECRET_KEY=os.environ.get("SECRET_KEY") or _instance_secret(instance),
        DATABASE_URL=os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'consultation.sqlite'}",
        MAX_CONTENT_LENGTH=MAX_BODY,
        SESSION_COOKIE_SECURE=os.environ.get("PORTAL_SECURE_COOKIES", "1") != "0",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=12),
        WTF_CSRF_TIME_LIMIT=12 * 60 * 60,  # long enough to write a considered comment
        COMMENT_RATE_LIMIT=os.environ.get("COMMENT_RATE_LIMIT", "20 per hour"),
        SIGN_IN_RATE_LIMIT="30 per hour",
        RATELIMIT_STORAGE_URI=os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        TRUSTED_HOSTS=trusted_hosts(os.environ.get("PORTAL_HOSTS", "")),
    )
    app.config.update(settings or {})
    app.extensions["policies"] = PolicySource(project / "policies")
    config = read_config(project / "mkdocs.yml")
    extra = read_extra_from(config)
    app.extensions["association"] = association_from(extra)
    app.extensions["moderation"] = moderation_from(extra)
    app.extensions["site_root"] = site_root_for_app(config)
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["engine"] = engine
    app.extensions["sessions"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(context.close_database)
    security.init_app(app)
    errors.init_app(app)
    app.register_blueprint(views.blueprint)
    app.register_blueprint(staff_views.blueprint)
    security.protect_submissions(app)
    return app


LOOPBACK_HOSTS = ["127.0.0.1", "localhost"]


def trusted_hosts(setting: str) -> list[str]:
    """The `PORTAL_HOSTS` list; loopback names only when it is not set."""
    return [host.strip() for host in setting.split(",") if host.strip()] or LOOPBACK_HOSTS


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
