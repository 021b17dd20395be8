"""Every environment variable the portal reads, declared once in `ENVIRONMENT`.

Operators set these, not staff: secrets and the database address must never be in the
repository, and production differs from a laptop. Each is declared with its default, one line
saying what it does and who reads it, so the operators' guide can list them all
(tests/test_docs.py checks that it does) and nothing reads `os.environ` behind the table's back.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from policy_portal import clock


@dataclass(frozen=True)
class Variable:
    name: str
    default: str
    """Used when the variable is not set, or set to nothing."""
    doc: str
    read_by: str

    def value(self) -> str:
        return os.environ.get(self.name) or self.default


ENVIRONMENT: dict[str, Variable] = {variable.name: variable for variable in (
    Variable("SECRET_KEY", "", "signs sessions and panel links; every worker needs the same one "
             "(without it, a key is made once in instance/secret_key)", "the consultation app"),
    Variable("DATABASE_URL", "", "the consultation database, a postgresql:// address (without it, "
             "SQLite in instance/consultation.sqlite)", "the consultation app"),
    Variable("PORTAL_SECURE_COOKIES", "1", "0 lets cookies travel over plain HTTP, as "
             "`policy-portal serve` on this computer needs", "the consultation app"),
    Variable("COMMENT_RATE_LIMIT", "20 per hour", "how many comments one address may send",
             "the consultation app"),
    Variable("RATELIMIT_STORAGE_URI", "memory://", "where rate limits are counted; redis://... "
             "when several workers serve the app", "the consultation app"),
    Variable("PUBLISHED_COMMENTS_CACHE_SECONDS", "1", "how long each server process may show the "
             "published comments it read, in seconds (0: read them for every visit)", "the consultation app"),
    Variable("PORTAL_HOSTS", "127.0.0.1,localhost", "the host names the portal answers to, "
             "comma-separated; .example.org takes every subdomain", "the consultation app and the portal"),
    Variable("PORTAL_PROJECT", ".", "the project folder (with mkdocs.yml and policies/) the "
             "production server serves", "portal.wsgi"),
    Variable("PORTAL_PROXIES", "0", "how many reverse proxies stand in front of the portal "
             "(usually 1: nginx)", "portal.wsgi"),
    Variable("PORTAL_URL", "http://127.0.0.1:8000/consultations/", "the consultation app's public "
             "address, for the links in emails", "the consultation app's email"),
    Variable("SMTP_URL", "", "where email is sent: smtp://host:25, smtp+starttls://user:password@host:587 "
             "or smtps://user:password@host:465 (without it, email waits in the outbox)",
             "`policy-portal send-mail` and `serve`"),
    Variable("MAIL_FROM", "", "who email is from, such as Larkfield Homes <policies@larkfield.example> "
             "(without it, the association's name and email address)",
             "`policy-portal send-mail` and `serve`"),
    Variable(clock.VARIABLE, "", "fixes today's date, YYYY-MM-DD, to see what the site will say "
             "on another day (without it, today in the UK)", "policy_portal.clock: the build, "
             "`policy-portal check` and the app"),
)}


class SettingsError(ValueError):
    """A setting cannot be used; the message names it, says why and what to write instead.
    Raised when the app starts (or a command reads the setting), so a wrong setting stops it
    rather than failing its pages."""


def setting(name: str) -> str:
    """The value of a declared variable, or its default."""
    return ENVIRONMENT[name].value()


def config_variable(name: str) -> str | None:
    """A variable that is not a setting of the portal's (so not in the table), or None when it
    is not set: one mkdocs.yml names in an `!ENV` tag, chosen by whoever writes mkdocs.yml, or
    one MkDocs reads for the build (see `as_set`)."""
    return os.environ.get(name)


def as_set(names: tuple[str, ...] | list[str]) -> list[str]:
    """`NAME=value` for each of `names` as set now (empty when not set), for a fingerprint of
    what a build reads. Not settings of the portal's: variables MkDocs reads for the build
    (SOURCE_DATE_EPOCH, those mkdocs.yml names in `!ENV` tags), so they are only recorded here."""
    return [f"{name}={config_variable(name) or ''}" for name in names]
