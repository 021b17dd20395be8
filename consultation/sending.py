"""Delivering the outbox: `policy-portal send-mail` (from cron) and the thread `policy-portal
serve` runs when `SMTP_URL` is set.

- `SMTP_URL` says where to send: `smtp://host:25` (plain, for a relay on the same machine),
  `smtp+starttls://user:pass@host:587` (TLS required before signing in), or
  `smtps://user:pass@host:465` (TLS from the start). Characters in the user or password that are
  special in a URL are %-encoded.
- `MAIL_FROM`: the sender, for example `Larkfield Housing <policies@larkfield.example>`; without
  it, the association's name and email address from mkdocs.yml.

Each message is claimed before it is sent (one statement that marks it taken; on PostgreSQL the
rows another sender is taking are skipped, on SQLite the statement holds the write lock), so two
senders never send one message. It is marked sent in its own transaction once the server has
accepted it. When sending fails it is tried again later, waiting twice as long each time up to
`LONGEST_WAIT`; after `MOST_ATTEMPTS` it is kept, unsent, and shown to staff.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import json
import smtplib
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

from flask import Flask
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from consultation import actions, context, outbox
from consultation.models import OutboxMessage
from consultation.store import as_utc
from policy_portal.config.environment import SettingsError

SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
LOOPBACK = ("127.0.0.1", "localhost", "::1")
MOST_ATTEMPTS = 8
FIRST_WAIT = dt.timedelta(minutes=1)
LONGEST_WAIT = dt.timedelta(hours=6)
"""1, 2, 4 ... minutes, never more than six hours: eight attempts span about four hours."""
CLAIM = dt.timedelta(minutes=5)
"""How long a sender holds a message it took. If it stops without saying how sending went, the
message is sent again after this, with the same Message-ID."""
BATCH = 50
TIMEOUT_SECONDS = 30
SLEEP_SECONDS = 10
"""How often `send-mail --forever` and `serve` look for messages to send."""


HEADER_POLICY = email.policy.SMTP.clone(max_line_length=998)
"""SMTP's own line limit. At the usual 78, Python folds a long subject onto the line after
"Subject:", which its own parser (and some mail programs) then read with a leading space."""


class MailSettingsError(SettingsError):
    """`SMTP_URL`, `MAIL_FROM` or `PORTAL_URL` cannot be used; the message says which and why."""


@dataclass(frozen=True)
class SmtpServer:
    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = None

    def __str__(self) -> str:
        """Where mail goes, without the password, for messages to staff."""
        user = f"{self.username}@" if self.username else ""
        return f"{self.scheme}://{user}{self.host}:{self.port}"


def smtp_server(url: str) -> SmtpServer:
    """Read `SMTP_URL`; raise `MailSettingsError` saying what is wrong with it."""
    parts = urlsplit(url.strip())
    if parts.scheme not in SCHEMES:
        raise MailSettingsError(f"SMTP_URL must start with smtp://, smtp+starttls:// or smtps://, "
                                f"as in smtp+starttls://user:password@mail.example.org:587; "
                                f"it starts {parts.scheme + '://' if parts.scheme else 'with no scheme'}")
    try:
        port = parts.port or SCHEMES[parts.scheme]
    except ValueError:
        raise MailSettingsError("SMTP_URL has a port that is not a number from 1 to 65535") from None
    if not parts.hostname:
        raise MailSettingsError("SMTP_URL has no server name, as in smtp://127.0.0.1:25")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise MailSettingsError("SMTP_URL must end after the port: nothing after it is used")
    if parts.username is not None and parts.scheme == "smtp" and parts.hostname not in LOOPBACK:
        raise MailSettingsError("SMTP_URL gives a password to send over plain smtp:// to another "
                                "machine; use smtp+starttls:// or smtps:// so it is encrypted")
    return SmtpServer(parts.scheme, parts.hostname, port,
                      unquote(parts.username) if parts.username else None,
                      unquote(parts.password) if parts.password else None)


def check_portal_url(url: str, mounted_at: str) -> None:
    """Raise `MailSettingsError` unless `PORTAL_URL` is a full web address ending with the path the
    portal serves the app under (`mounted_at`, "/consultations/"), after any path a proxy puts in
    front: email links are built from it alone, so one missing the path, or with a typo in it,
    would make every link in every email lead to a page that is not found."""
    parts = urlsplit(url.strip())
    example = f"https://policies.example.org{mounted_at}"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise MailSettingsError(f"PORTAL_URL must be the consultation app's full public address, such as "
                                f"{example}; it is '{url}'")
    if parts.query or parts.fragment or not (parts.path.rstrip("/") + "/").endswith(mounted_at):
        raise MailSettingsError(f"PORTAL_URL must end with {mounted_at}, where the portal serves the "
                                f"consultation app, such as {example}; it is '{url}', so every link in "
                                "an email would lead to a page that is not found")


def sender_address(setting: str | None, name: str, email: str) -> Address:
    """`MAIL_FROM` read, or the association's name and address."""
    if not setting:
        return Address(name, addr_spec=email)
    try:
        display, _, rest = setting.rpartition("<")
        return Address(display.strip().strip('"'), addr_spec=rest.rstrip(">").strip() or setting.strip())
    except (ValueError, IndexError) as error:
        raise MailSettingsError(f"MAIL_FROM is not an email address ({error}); write it as "
                                f"name@example.org or Name <name@example.org>") from None


def mail_settings(app: Flask) -> tuple[SmtpServer, Address] | None:
    """The app's `SMTP_URL` and sender; None when no `SMTP_URL` is set (email is off)."""
    if not app.config.get("SMTP_URL"):
        return None
    association = context.project(app).association
    return (smtp_server(app.config["SMTP_URL"]),
            sender_address(app.config.get("MAIL_FROM"), association.name, association.email))


def send_once(app: Flask, server: SmtpServer, sender: Address,
              stop: threading.Event | None = None) -> Delivery:
    """One run of the sender: queue notices of consultations that have opened, and what is left
    of outcome emails whose queueing stopped part way, then send every message that is due
    (until `stop` is set: see `send_due`)."""
    with app.app_context():
        outbox.notify_open()
        actions.finish_outcome_emails("send-mail")
    return send_due(app, server, sender, stop=stop)


def start_sender(app: Flask) -> threading.Event | None:
    """For `policy-portal serve`: send mail in a background thread while it runs, when
    `SMTP_URL` is set. Returns the event that stops it; None when email is off."""
    settings = mail_settings(app)
    if settings is None:
        return None
    stop = threading.Event()
    threading.Thread(target=send_forever, args=(lambda: send_once(app, *settings), stop),
                     name="send-mail", daemon=True).start()
    return stop


def as_email(message: OutboxMessage, sender: Address) -> EmailMessage:
    """The message as it is sent: plain text with an HTML alternative."""
    sending = EmailMessage(policy=HEADER_POLICY)
    sending["From"] = sender
    sending["To"] = message.to
    sending["Subject"] = message.subject
    sending["Date"] = formatdate(as_utc(message.created_at).timestamp(), usegmt=True)
    sending["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    for name, value in json.loads(message.headers).items():
        sending[name] = value
    sending.set_content(message.text)
    sending.add_alternative(message.html, subtype="html")
    return sending


def connect(server: SmtpServer) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if server.scheme == "smtps":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT_SECONDS,
                                              context=context)
    else:
        smtp = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS)
        if server.scheme == "smtp+starttls":
            smtp.starttls(context=context)
    if server.username:
        smtp.login(server.username, server.password or "")
    return smtp


def wait_after(attempts: int) -> dt.timedelta:
    return min(FIRST_WAIT * 2 ** (attempts - 1), LONGEST_WAIT)


def due(at: dt.datetime) -> tuple:
    """What makes a message due at `at`: unsent, not given up on, its wait over, and not held by
    a sender (or held by one whose claim ran out)."""
    return (OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MOST_ATTEMPTS,
            OutboxMessage.next_attempt_at <= at,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= at))


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0


def send_due(app: Flask, server: SmtpServer, sender: Address,
             at: Callable[[], dt.datetime] | None = None, stop: threading.Event | None = None) -> Delivery:
    """Send every message due now (by the app's clock, unless `at` says); return how many were
    sent and how many failed this time. Each batch is claimed, and each message marked sent or
    failed, in a transaction of its own (see `outbox.claim_mail`). Once `stop` is set, the
    message being sent is finished and the rest of the batch released for the next sender."""
    done = Delivery()
    stop = stop or threading.Event()
    with app.app_context():
        at = at or context.clock().now
        while not stop.is_set() and (ids := outbox.claim_mail(at(), BATCH, CLAIM)):
            smtp = None
            for position, message_id in enumerate(ids):
                if stop.is_set():
                    outbox.release_mail(ids[position:])
                    break
                message = context.database().get(OutboxMessage, message_id)
                if message is None or message.sent_at is not None:  # erased meanwhile
                    continue
                try:
                    smtp = smtp or connect(server)
                    smtp.send_message(as_email(message, sender))
                except (OSError, smtplib.SMTPException, ValueError) as error:
                    outbox.mark_failed(message, f"{type(error).__name__}: {error}", permanent(error), at())
                    done.failed += 1
                    if not isinstance(error, smtplib.SMTPRecipientsRefused):
                        smtp = _close(smtp)
                    continue
                outbox.mark_sent(message, at())
                done.sent += 1
            _close(smtp)
    return done


def permanent(error: Exception) -> bool:
    """Whether a failed message is not to be tried again: the server refuses it or its address
    for good (a 5xx reply to it), or it cannot be made into an email (an address no header can
    hold). A refused sender or password is the settings' fault, not the message's, so that is
    retried."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, ValueError | smtplib.SMTPNotSupportedError):
        return True  # the message cannot be written as email at all, or not for this server (an
        # address needing SMTPUTF8 the server does not offer): trying again cannot help
    return isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def send_forever(run_once: Callable[[], object], stop: threading.Event, every: float = SLEEP_SECONDS) -> None:
    """Call `run_once` every `every` seconds until `stop` is set; an error in one run (the
    database restarting, say) is printed and the next run tries again."""
    while not stop.is_set():
        try:
            run_once()
        except Exception as error:  # the sender must outlive one bad run
            print(f"send-mail: {type(error).__name__}: {error}", flush=True)
        stop.wait(every)


@dataclass(frozen=True)
class OutboxState:
    queued: int
    failing: int
    given_up: int
    sent: int
    last_error: str | None


def outbox_state(db: Session) -> OutboxState:
    """For the staff dashboard: what is waiting, what keeps failing, what was given up on."""
    unsent = OutboxMessage.sent_at.is_(None)
    counts = dict(db.execute(select(
        func.sum(1).filter(unsent, OutboxMessage.attempts == 0),
        func.sum(1).filter(unsent, OutboxMessage.attempts > 0, OutboxMessage.attempts < MOST_ATTEMPTS),
        func.sum(1).filter(unsent, OutboxMessage.attempts >= MOST_ATTEMPTS),
        func.sum(1).filter(OutboxMessage.sent_at.is_not(None)),
    )).one()._asdict().items())
    last = db.scalar(select(OutboxMessage.last_error).where(unsent, OutboxMessage.last_error.is_not(None))
                     .order_by(OutboxMessage.id.desc()).limit(1))
    return OutboxState(*(value or 0 for value in counts.values()), last_error=last)
