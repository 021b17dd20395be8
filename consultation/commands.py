"""The `policy-portal` commands that work on the consultation database, beside the app they share
it with: `portal.cli` parses their arguments and prints what they return.

Each takes the app (made by `consultation_app`) and the command's arguments, and returns what
to print (`Said`); a command that can do nothing raises `CommandError` with the reason, in
words for staff. Changes go through the write path (see `consultation.transactions`) like the
app's own, with "command line" as the actor in the audit log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from flask import Flask, url_for

from consultation import actions, auth, context, create_app, outbox, staff_accounts, store, subscriptions
from consultation.database import backup_sqlite, scrub_erased, upgrade
from consultation.models import ALL_NETWORKS, Base
from consultation.panel import invite as make_invitation
from consultation.panel import name_problem
from consultation.sending import MailSettingsError, mail_settings, send_forever, send_once
from policy_portal.clock import Clock
from policy_portal.config.settings import CONSULTATION_PATH
from policy_portal.consultations.rules import invitation_ends, invitation_problem
from policy_portal.project import Project
from policy_portal.text.formatting import long_date

COMMAND_LINE = "command line"
"""The actor the audit log names for commands run on the server."""


class CommandError(Exception):
    """Why a command did nothing, in words for staff: printed as it is."""


@dataclass(frozen=True)
class Said:
    """What a command that did its work says; with a `warning` (for standard error) it fails
    even so, because something is left for staff to do."""

    text: str
    warning: str | None = None


def consultation_app(project: Project, clock: Clock, upgrade_database: bool = True) -> Flask:
    """The consultation app for a command, its database brought up to date unless told not to.

    It serves no requests: its one request context builds an invitation link for the address
    staff give (see `invite`), so it is not limited to the host names the portal answers to."""
    app = create_app(project, {"TRUSTED_HOSTS": None}, clock=clock)
    if upgrade_database:
        upgrade(context.engine(app))
    return app


def migrate(app: Flask) -> Said:
    url = context.engine(app).url.render_as_string()  # the password hidden
    return Said(f"The consultation database is up to date ({url}).")


def invite(app: Flask, policy_slug: str, member_name: str, base_url: str | None) -> Said:
    """A panel member's personal link, at the address the app is public on (see `app_address`)."""
    address = app_address(context.project(app), base_url)
    with app.app_context():
        policy = context.library().policies.get(policy_slug)
        problem = (f"there is no policy called '{policy_slug}'" if policy is None
                   else invitation_problem(policy, context.clock().today()) or name_problem(member_name))
        if problem:
            raise CommandError(f"No invitation made: {problem}.")
        _, token = make_invitation(app.secret_key, policy.slug, member_name, invitation_ends(policy),
                                   COMMAND_LINE)
    with app.test_request_context(base_url=address):  # the app's own route, wherever it is mounted
        link = url_for("consultation.panel_link", invitation=token, _external=True)
    return Said(f"Invitation for {member_name} to comment on the draft {policy.title} until the end of "
                f"{long_date(policy.consultation.closes)}:\n\n{link}\n\nSend it to them only: anyone "
                "with the link can comment in their name.")


def app_address(project: Project, base_url: str | None) -> str:
    """Where the public reaches the consultation app: under `base_url` (the portal's public
    address) when staff give it; else `extra.consultation_url` in mkdocs.yml, on the host of
    `site_url` when it is a path. A link to 127.0.0.1 would reach nobody, so without either
    address there is no default."""
    if base_url is not None:
        if not _web_address(base_url):
            raise CommandError(f"No invitation made: --base-url '{base_url}' is not a web address; write "
                               "it in full, for example --base-url https://policies.example.org")
        return base_url.rstrip("/") + CONSULTATION_PATH
    consultation_url, site_url = project.consultation_url, project.settings["site_url"]
    if _web_address(consultation_url):
        return consultation_url
    if isinstance(site_url, str) and _web_address(site_url):
        return urljoin(site_url, consultation_url)
    raise CommandError("No invitation made: the portal's public address is not known. Set `site_url` "
                       "in mkdocs.yml to the address the site is published at, or give it with "
                       "--base-url, for example --base-url https://policies.example.org")


def _web_address(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def staff_add(app: Flask, email: str, name: str, role: str, password: str) -> Said:
    with app.app_context():
        try:
            password_hash = auth.hash_password(password)
        except ValueError as error:
            raise CommandError(f"No account was made: {error}.") from None
        if store.staff_user_by_email(context.database(), email):
            raise CommandError(f"There is already an account for {email}.")
        user = staff_accounts.add_staff_user(email, name, role, password_hash, COMMAND_LINE)
    return Said(f"Made an account for {name} <{user.email}>, with the role {role}.")


def staff_unlock(app: Flask, email: str) -> Said:
    """For someone locked out (or on a new network during a guessing attack): forget the failed
    sign-ins on their account from every network."""
    with app.app_context():
        user = store.staff_user_by_email(context.database(), email)
        if user is None:
            raise CommandError(f"There is no staff account for {email}.")
        cleared = staff_accounts.unlock_staff(user, COMMAND_LINE)
    if not cleared:
        return Said(f"There were no failed sign-ins on {user.actor} to clear.")
    lines = [f"Cleared the failed sign-ins on {user.actor}; it can be signed in to from anywhere again:"]
    for network, failures in cleared:
        limit = auth.FROM_NEW_NETWORKS if network == ALL_NETWORKS else auth.PER_NETWORK
        where = "networks it had not signed in from lately" if network == ALL_NETWORKS else network
        lines.append(f"  {where}: {failures}{' (locked out)' if failures >= limit.failures else ''}")
    return Said("\n".join(lines))


def erase_expired(app: Flask, scrub: bool) -> Said:
    days = context.project(app).moderation.retention_days
    with app.app_context():
        last_kept = context.clock().today() - dt.timedelta(days=days)
        erasure = actions.erase_expired(last_kept, COMMAND_LINE,
                                        f"kept {days} days after the consultation closed")
    scrubbed = erasure.scrubbed
    if scrub and not (erasure.comments or erasure.invitations or erasure.subscriptions):  # erasing scrubbed
        scrubbed = scrub_erased(context.engine(app))
    return Said(f"Erased names and email addresses from {erasure.comments} comment(s) and "
                f"{erasure.invitations} panel invitation(s) from consultations that closed before "
                f"{long_date(last_kept)}, and {erasure.subscriptions} email subscription(s) never "
                "confirmed.", _unscrubbed(scrubbed))


def _unscrubbed(scrubbed: bool) -> str | None:
    """Say so when an old copy of erased data may still be in the database's files."""
    if scrubbed:
        return None
    return ("The database was busy (a backup running?), so an old copy of what was erased may "
            "still be in its files. Run `policy-portal erase-expired --scrub` when it is quiet.")


def personal_data(app: Flask, email: str, erase: bool) -> Said:
    """For a subject access or erasure request: everything stored with that email address."""
    with app.app_context():
        if erase:
            erasure = actions.erase_person(email, COMMAND_LINE)
            return Said(f"Erased the name and email address from {erasure.comments} comment(s), and any "
                        f"subscription and {erasure.emails} email(s) to the address.",
                        _unscrubbed(erasure.scrubbed))
        db = context.database()
        found = store.comments_with_email(db, email)
        subscription = subscriptions.by_address(db, store.email_key(email))
        emails = store.emails_to(db, email)
        actions.record(COMMAND_LINE, "exported personal data",  # not the address itself
                       f"{len(found)} comment(s), {len(emails)} email(s) and "
                       f"{'a' if subscription else 'no'} subscription held with one email address")
        return Said(json.dumps({"comments": [_row(comment) for comment in found],
                                "subscription": _row(subscription, NOT_EXPORTED) if subscription else None,
                                "emails": [_row(message, NOT_EXPORTED) for message in emails]},
                               indent=2, ensure_ascii=False))


NOT_EXPORTED = frozenset({"token", "html", "headers", "dedupe_key", "claimed_until"})
"""Columns a subject access export leaves out: the secret in their unsubscribe link (it would
travel by email to them again), and copies or machinery of what is exported (`text` is the email)."""


def _row(row: Base, leave_out: frozenset[str] = frozenset()) -> dict[str, object]:
    return {column.name: _plain(getattr(row, column.name))
            for column in row.__table__.columns if column.name not in leave_out}


def send_mail(app: Flask, retry_failed: bool, forever: bool, progress: Callable[[str], object]) -> Said:
    """Deliver the outbox once (from cron), or every few seconds until Ctrl+C or SIGTERM
    (`forever`, saying so through `progress` once either will stop it). Fails when email is off
    or its settings are wrong, and when a message could not be sent, so cron reports it."""
    try:
        settings = mail_settings(app)
    except MailSettingsError as error:
        raise CommandError(f"No email sent: {error}.") from None
    if settings is None:
        raise CommandError("No email sent: set SMTP_URL to the mail server, for example smtp+starttls://"
                           "user:password@mail.example.org:587 (see docs/staff/email.md).")
    retried = ""
    if retry_failed:
        with app.app_context():
            retried = f"Trying again {outbox.retry_given_up(COMMAND_LINE)} message(s) given up on.\n"
    if forever:
        stop = threading.Event()
        with _stopped_by(stop, signal.SIGINT, signal.SIGTERM):
            progress(f"{retried}Sending email to {settings[0]} every few seconds (press Ctrl+C to stop).")
            send_forever(lambda: send_once(app, *settings, stop=stop), stop)
        return Said("Stopped sending email.")
    done = send_once(app, *settings)
    failed = (f"{done.failed} email(s) could not be sent and will be tried again later; the staff "
              "dashboard shows why.") if done.failed else None
    return Said(f"{retried}Sent {done.sent} email(s).", failed)


@contextlib.contextmanager
def _stopped_by(stop: threading.Event, *signals: signal.Signals) -> Iterator[None]:
    """While in the block, each of `signals` sets `stop`, so the sender finishes the message it
    is sending and returns, and the command exits 0. Installed explicitly, not left to Python's
    KeyboardInterrupt: a process started with SIGINT ignored (under nohup, by a shell running it
    in the background, by some supervisors) keeps it ignored, and SIGTERM, which systemd and
    `kill` send, would end it at once, in the middle of a message."""
    previous = {number: signal.signal(number, lambda *_: stop.set()) for number in signals}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _plain(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def backup(app: Flask, target: Path) -> Said:
    """SQLite only: PostgreSQL has its own tool, pg_dump, which the operators' guide shows."""
    engine = context.engine(app)
    if engine.dialect.name != "sqlite":
        raise CommandError("The database is PostgreSQL: back it up with pg_dump, for example\n"
                           "  pg_dump --format=custom --file=portal.dump \"$DATABASE_URL\"\n"
                           "See docs/staff/operations.md.")
    backup_sqlite(engine, target)
    return Said(f"Copied the consultation database to {target}.")
