"""Email through the outbox, delivered to a real SMTP server (aiosmtpd) on loopback, on SQLite and
on PostgreSQL: receipts, outcomes, subscriptions, retries while the server is down, erasure."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import smtplib
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask, template_rendered
from sqlalchemy import select

from consultation import actions, context, mail, outcomes, sending, store
from consultation.models import Comment, OutboxMessage, Subscription
from consultation.outbox import confirm_subscription, notify_open, retry_given_up, subscribe
from tests.conftest import ROOT
from tests.consultation_pages import GOOD, comment, on_day, soup, stored, words
from tests.smtp import SmtpServer

LATER = dt.timedelta(days=1)
"""Past every wait between attempts."""


@pytest.fixture
def mail_app(app: Flask, smtp: SmtpServer) -> Flask:
    """The app sending to the test SMTP server, its email links pointing at the test client."""
    app.config.update(SMTP_URL=smtp.url, PORTAL_URL="http://localhost/")
    return app


def send(app: Flask, later: dt.timedelta = dt.timedelta()) -> sending.Delivery:
    """One run of `send-mail`, as if `later` from now."""
    return sending.send_due(app, *sending.mail_settings(app), at=lambda: context.clock(app).now() + later)


def outbox(app: Flask) -> list[OutboxMessage]:
    with app.app_context():
        return list(context.database().scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def body(message, kind: str = "plain") -> str:
    return message.get_body(preferencelist=(kind,)).get_content()


def path_of(url: str) -> str:
    return urlsplit(url).path


# Receipts


def test_receipt_gives_the_reference_their_words_the_complaint_route_and_their_data_rights(mail_app, client,
                                                                                           smtp):
    comment(client, **GOOD, name="Sam Patel", email="sam@example.com",
            suggested_wording="You may keep up to two cats.")
    comment(client, **GOOD)  # no email address: no receipt
    [saved, _] = stored(mail_app)
    [queued] = outbox(mail_app)
    assert (queued.kind, queued.to, queued.comment_id, queued.sent_at) == ("receipt", "sam@example.com",
                                                                           saved.id, None)
    assert send(mail_app).sent == 1
    [received] = smtp.inbox.messages
    assert received["To"] == "sam@example.com"
    assert received["From"] == "Larkfield Housing Association <policies@larkfield-housing.example>"
    assert received["Subject"] == ("Your comment on the draft Pets and Animals Policy: "
                                   f"reference {saved.reference}")
    assert received["Message-ID"] == json.loads(queued.headers)["Message-ID"]
    assert received["Message-ID"].endswith("@larkfield-housing.example>")
    assert received["Auto-Submitted"] == "auto-generated"
    text = " ".join(body(received).split())
    assert f"Your reference is {saved.reference}" in text
    assert GOOD["comment"] in text and "You may keep up to two cats." in text
    assert "The consultation closes on 21 December 2026" in text
    assert ("You can make a complaint about how we ran this consultation or handled what you told "
            "us. Phone 0113 496 0750, email policies@larkfield-housing.example or write to 4 Mill Yard, "
            "Larkfield LK1 2AB.") in text
    assert "http://localhost/policies/complaints/" in text
    assert ("We keep your name and email address for 365 days after the consultation closes, then "
            "erase them. To see what we hold about you, or to have it erased sooner, email "
            "policies@larkfield-housing.example and quote your reference.") in text
    html = soup_of(body(received, "html"))
    assert html.html["lang"] == "en" and html.title.string == received["Subject"]
    assert [words(h) for h in html.find_all("h1")] == ["We have your comment"]
    assert html.find("table") is None
    assert {words(a) for a in html.find_all("a")} >= {"our complaints policy",
                                                      "Read the draft Pets and Animals Policy again"}
    assert send(mail_app).sent == 0  # sent once only
    [done] = outbox(mail_app)
    assert done.sent_at is not None and done.attempts == 0


def soup_of(html: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


def test_receipt_escapes_what_the_person_wrote(mail_app, client, smtp):
    comment(client, **{**GOOD, "comment": "<script>alert(1)</script> & <b>cats</b>"}, email="sam@example.com")
    send(mail_app)
    html = body(smtp.inbox.messages[0], "html")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;cats" in html
    assert "<script>alert(1)</script> & <b>cats</b>" in body(smtp.inbox.messages[0])


def test_email_links_keep_the_path_a_proxy_serves_the_portal_under(app):
    """Found in review: links to policies in emails were joined to PORTAL_URL's host alone, so
    behind a proxy serving the portal under /housing/ they led to pages that are not there."""
    app.config["PORTAL_URL"] = "https://policies.example.org/housing/consultations/"
    with app.app_context():
        text, _ = mail.render("confirm", subject="Confirm", heading="Confirm",
                              confirm_url=mail.link("subscriptions.confirm", token="t0k"))
    assert "https://policies.example.org/housing/consultations/subscribe/confirm/t0k" in text
    assert "https://policies.example.org/housing/policies/complaints/" in text


# Outages and concurrency


def test_smtp_stopped_mid_run_loses_nothing_and_sends_nothing_twice(mail_app, client, smtp):
    for number in range(3):
        comment(client, **GOOD, email=f"person{number}@example.com")
    smtp.inbox.stop_after_first(smtp)
    first = send(mail_app)
    smtp.inbox.stopping.join()
    assert (first.sent, first.failed) == (1, 2)
    waiting = [message for message in outbox(mail_app) if message.sent_at is None]
    assert [message.attempts for message in waiting] == [1, 1]
    assert all(message.last_error for message in waiting)

    assert send(mail_app).sent == 0  # not due yet: the next attempt waits a minute
    assert (send(mail_app, LATER).failed, [m.attempts for m in outbox(mail_app)]) == (2, [0, 2, 2])
    with mail_app.app_context():
        state = sending.outbox_state(context.database())
    assert (state.sent, state.failing, state.queued, state.given_up) == (1, 2, 0, 0)
    assert "Connection refused" in state.last_error

    smtp.start()
    assert send(mail_app, LATER * 2).sent == 2
    assert send(mail_app, LATER * 3).sent == 0
    assert sorted(m["To"] for m in smtp.inbox.messages) == [f"person{n}@example.com" for n in range(3)]
    assert all(message.sent_at for message in outbox(mail_app))


def test_a_message_failing_every_time_is_kept_for_staff_not_dropped(mail_app, client, smtp):
    comment(client, **GOOD, email="sam@example.com")
    smtp.stop()
    for attempt in range(sending.MOST_ATTEMPTS + 2):
        send(mail_app, LATER * (attempt + 1))
    [kept] = outbox(mail_app)
    assert (kept.attempts, kept.sent_at) == (sending.MOST_ATTEMPTS, None)
    with mail_app.app_context():
        assert sending.outbox_state(context.database()).given_up == 1
        assert retry_given_up("test") == 1
    smtp.start()
    assert send(mail_app).sent == 1


def test_two_senders_at_once_send_each_message_once(mail_app, smtp):
    with mail_app.app_context():
        db = context.database()
        for number in range(30):
            db.add(mail.message(db, to=f"person{number}@example.com", subject=f"Message {number}",
                                text="Hello", html="<p>Hello</p>", kind="receipt"))
        db.commit()
    results = []
    senders = [threading.Thread(target=lambda: results.append(send(mail_app))) for _ in range(2)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    assert sum(result.sent for result in results) == 30
    received = [message["Message-ID"] for message in smtp.inbox.messages]
    assert len(received) == len(set(received)) == 30


# Subscriptions


def _subscribe(client, address: str) -> None:
    page = soup(client.get("/subscribe"))
    token = page.find("input", attrs={"name": "csrf_token"})["value"]
    response = client.post("/subscribe", data={"csrf_token": token, "email": address})
    assert response.status_code == 303
    assert words(soup(client.get(response.headers["Location"])).h1) == "Check your email"


def _confirm(client, message) -> None:
    link = re.search(r"http://localhost(/subscribe/confirm/\S+)", body(message))[1]
    page = soup(client.get(link))
    assert words(page.h1) == "Confirm you want emails about draft policies"
    form = page.find("form")
    response = client.post(form["action"], data={"csrf_token": form.find("input")["value"]})
    assert words(soup(response).h1) == "You will get emails about draft policies"


def test_double_opt_in_then_one_click_unsubscribe(mail_app, client, smtp):
    _subscribe(client, "Ann@Example.com")
    _subscribe(client, "ann@example.com")  # asked twice: one confirmation within the hour
    sending.send_once(mail_app, *sending.mail_settings(mail_app))
    [confirmation] = smtp.inbox.messages  # the pets consultation is open, but nothing before confirming
    assert confirmation["Subject"] == "Confirm you want emails about draft policies"

    _confirm(client, confirmation)
    sending.send_once(mail_app, *sending.mail_settings(mail_app))
    sending.send_once(mail_app, *sending.mail_settings(mail_app))
    [_, opened] = smtp.inbox.messages  # once only, however often send-mail runs
    assert opened["Subject"] == "Have your say: the draft Pets and Animals Policy is open for comments"
    assert "http://localhost/pets/" in body(opened)
    assert opened["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = re.match(r"<(http://localhost/unsubscribe/[^>]+)>, <mailto:policies@larkfield-housing"
                         r"\.example\?subject=Unsubscribe%20[^>]+>$", opened["List-Unsubscribe"])[1]
    assert one_click in body(opened)

    response = mail_app.test_client().post(path_of(one_click), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200  # no CSRF token, no cookie: as a mail program sends it
    assert words(soup(response).h1) == "You will get no more emails about draft policies"
    with mail_app.app_context():
        db = context.database()
        [subscription] = db.scalars(select(Subscription))
        assert subscription.unsubscribed_at is not None
        assert notify_open() == 0
        assert mail.message(db, to="ann@example.com", subject="s", text="t", html="h", kind="opened") is None


def test_consultation_open_emails_are_queued_a_batch_of_subscribers_at_a_time(mail_app, monkeypatch):
    """Issue 21: every subscriber's message was queued in one transaction. Paged by subscriber
    (here 2 a transaction), every confirmed subscriber still gets one, and a second run none."""
    monkeypatch.setattr(outcomes, "BATCH", 2)
    with mail_app.app_context():
        db = context.database()
        for number in range(5):
            subscribe(f"s{number}@example.com")
        for token in db.scalars(select(Subscription.token).where(Subscription.email != "s2@example.com")):
            confirm_subscription(token)
        assert notify_open() == 4
        assert notify_open() == 0
    assert sorted(message.to for message in outbox(mail_app) if message.kind == "opened") == [
        "s0@example.com", "s1@example.com", "s3@example.com", "s4@example.com"]


def test_unsubscribe_page_drops_what_is_queued(mail_app, client, smtp):
    _subscribe(client, "ann@example.com")
    send(mail_app)
    _confirm(client, smtp.inbox.messages[0])
    with mail_app.app_context():
        assert notify_open() == 1  # queued, not yet sent
    link = re.search(r"http://localhost(/unsubscribe/\S+)", outbox(mail_app)[-1].text)[1]
    page = soup(client.get(link))
    assert words(page.h1) == "Stop emails about draft policies"
    response = client.post(page.find("form")["action"])
    assert words(soup(response).h1) == "You will get no more emails about draft policies"
    assert send(mail_app).sent == 0
    assert len(smtp.inbox.messages) == 1  # the confirmation only
    confirm_link = re.search(r"http://localhost(/subscribe/confirm/\S+)", body(smtp.inbox.messages[0]))[1]
    assert client.get(confirm_link).status_code == 404  # no button that could only fail


def test_an_address_the_server_cannot_take_is_given_up_at_once():
    """An address needing SMTPUTF8, to a server without it, fails the same way every time."""
    assert sending.permanent(smtplib.SMTPNotSupportedError("SMTPUTF8 not supported by server"))
    assert not sending.permanent(smtplib.SMTPServerDisconnected("the server went away"))


def test_subscribe_form_says_what_is_wrong(mail_app, client):
    page = soup(client.get("/subscribe"))
    token = page.find("input", attrs={"name": "csrf_token"})["value"]
    response = client.post("/subscribe", data={"csrf_token": token, "email": "not an address"})
    assert response.status_code == 400
    assert words(soup(response).find(class_="error-summary")) == (
        "There is a problem Enter an email address in the right format, like name@example.com")
    assert client.post("/subscribe", data={"email": "ann@example.com"}).status_code == 400  # no CSRF token
    assert client.get("/unsubscribe/not-a-token").status_code == 404
    assert client.post("/unsubscribe/not-a-token").status_code == 404
    assert outbox(mail_app) == []


def test_subscribe_form_is_rate_limited_like_comments(mail_app, client):
    mail_app.config["COMMENT_RATE_LIMIT"] = "2 per hour"
    token = soup(client.get("/subscribe")).find("input", attrs={"name": "csrf_token"})["value"]
    answers = [client.post("/subscribe", data={"csrf_token": token, "email": f"p{n}@example.com"}).status_code
               for n in range(3)]
    assert answers == [303, 303, 429]
    assert len(outbox(mail_app)) == 2


def test_one_mailbox_gets_few_confirmations_however_its_address_is_varied(mail_app, client):
    """Sub-addresses reach one inbox: the form cannot fill it by adding +1, +2… to the address."""
    token = soup(client.get("/subscribe")).find("input", attrs={"name": "csrf_token"})["value"]
    for address in ["ann@example.com", "ann+1@example.com", "Ann+2@Example.com", "ann+3@example.com",
                    "ann+4@example.com", "an_n+1@example.com", "bob+1@example.com"]:
        assert client.post("/subscribe", data={"csrf_token": token, "email": address}).status_code == 303
    assert [message.to for message in outbox(mail_app)] == [
        "ann@example.com", "ann+1@example.com", "Ann+2@Example.com",  # then ann's inbox has had three
        "an_n+1@example.com", "bob+1@example.com"]


def test_gmail_addresses_with_dots_or_at_googlemail_are_one_inbox(mail_app, client):
    """Gmail ignores dots before the @ and delivers googlemail.com as gmail.com, so those are
    folded too; only for Gmail: elsewhere a dot can make another person's address."""
    token = soup(client.get("/subscribe")).find("input", attrs={"name": "csrf_token"})["value"]
    for address in ["a.n.n@gmail.com", "ann@googlemail.com", "A.nn+news@Gmail.com", "an.n@googlemail.com",
                    "ann+2@gmail.com", "an_n@gmail.com", "ann@example.com", "ann+1@example.com",
                    "ann+2@example.com", "a.nn@example.com"]:
        assert client.post("/subscribe", data={"csrf_token": token, "email": address}).status_code == 303
    assert [message.to for message in outbox(mail_app)] == [
        "a.n.n@gmail.com", "ann@googlemail.com", "A.nn+news@Gmail.com",  # then Ann's Gmail has had three
        "an_n@gmail.com", "ann@example.com", "ann+1@example.com", "ann+2@example.com", "a.nn@example.com"]


# Outcomes


def test_the_outcome_email_names_the_decision_on_their_own_comment_once(mail_app, client, smtp):
    comment(client, **GOOD, email="sam@example.com")
    comment(client, **GOOD)
    send(mail_app)
    with mail_app.app_context():
        db = context.database()
        mine, anonymous = db.scalars(select(Comment).order_by(Comment.id))
        mine.response_outcome, mine.response_text = "partly", "We now allow two cats without asking."
        outcome = {"policy_title": "Pets and Animals Policy", "outcome_url": "http://localhost/outcome/pets/"}
        message = mail.outcome(db, mine, **outcome)
        assert message is not None
        assert mail.outcome(db, anonymous, **outcome) is None
        db.add(message)
        db.commit()
        assert mail.outcome(db, mine, **outcome) is None  # published again: not sent again
    assert send(mail_app).sent == 1
    received = smtp.inbox.messages[-1]
    assert received["Subject"] == "What we decided about your comment on the Pets and Animals Policy"
    text = " ".join(body(received).split())
    assert "Our decision on your comment: Partly accepted" in text
    assert "We now allow two cats without asking." in text and "http://localhost/outcome/pets/" in text
    assert "You can make a complaint" in text


# Erasure


def test_an_erased_address_gets_nothing(mail_app, client, smtp, project, database_url, monkeypatch, capsys):
    from portal.cli import main

    comment(client, **GOOD, email="Sam@Example.com")
    _subscribe(client, "sam@example.com")
    assert len(outbox(mail_app)) == 2
    monkeypatch.setenv("DATABASE_URL", database_url)
    capsys.readouterr()
    assert main(["--project", str(project), "personal-data", "SAM@example.com"]) == 0
    held = json.loads(capsys.readouterr().out)  # a subject access request sees all three kinds
    assert [sent["email"] for sent in held["comments"]] == ["Sam@Example.com"]
    assert held["subscription"]["email"] == "sam@example.com" and "token" not in held["subscription"]
    assert sorted(email["kind"] for email in held["emails"]) == ["confirm", "receipt"]
    assert main(["--project", str(project), "personal-data", "SAM@example.com", "--erase"]) == 0
    assert "and any subscription and 2 email(s) to the address" in capsys.readouterr().out
    assert outbox(mail_app) == []
    with mail_app.app_context():
        db = context.database()
        assert list(db.scalars(select(Subscription))) == []
        assert ("erased personal data", "1 email subscription(s) and 2 email(s) to one address") in [
            (entry.action, entry.details) for entry in store.audit_log(db)]
        [erased] = db.scalars(select(Comment))
        assert mail.receipt(db, erased, "Pets and Animals Policy") is None
        assert mail.outcome(db, erased, policy_title="P", outcome_url="http://localhost/") is None
    assert sending.send_once(mail_app, *sending.mail_settings(mail_app)).sent == 0
    assert smtp.inbox.messages == []


# Settings


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://127.0.0.1:2525", ("smtp", "127.0.0.1", 2525, None, None)),
    ("smtp://localhost", ("smtp", "localhost", 25, None, None)),
    ("smtps://user:p%40ss@mail.example.org:465", ("smtps", "mail.example.org", 465, "user", "p@ss")),
    ("smtp+starttls://portal%40example.org:secret@mail.example.org",
     ("smtp+starttls", "mail.example.org", 587, "portal@example.org", "secret")),
])
def test_smtp_url_is_read(url, expected):
    server = sending.smtp_server(url)
    assert (server.scheme, server.host, server.port, server.username, server.password) == expected
    assert "secret" not in str(server) and "p@ss" not in str(server)


@pytest.mark.parametrize(("url", "problem"), [
    ("mail.example.org:25", "SMTP_URL must start with smtp://, smtp+starttls:// or smtps://"),
    ("http://mail.example.org", "SMTP_URL must start with smtp://, smtp+starttls:// or smtps://"),
    ("smtp://mail.example.org:twenty-five", "SMTP_URL has a port that is not a number from 1 to 65535"),
    ("smtps://:465", "SMTP_URL has no server name"),
    ("smtp://mail.example.org/inbox", "SMTP_URL must end after the port"),
    ("smtp://user:pw@mail.example.org", "SMTP_URL gives a password to send over plain smtp://"),
])
def test_a_bad_smtp_url_is_refused_with_what_is_wrong(url, problem):
    with pytest.raises(sending.MailSettingsError, match=re.escape(problem)):
        sending.smtp_server(url)


# The commands


def test_send_mail_command_from_cron(project, database_url, smtp, monkeypatch, capsys):
    from consultation import create_app
    from portal.cli import main

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", "mail test key")
    app = create_app(project, {"SESSION_COOKIE_SECURE": False})
    comment(app.test_client(), **GOOD, email="sam@example.com")
    assert main(["--project", str(project), "send-mail"]) == 1
    assert "No email sent: set SMTP_URL to the mail server" in capsys.readouterr().err
    monkeypatch.setenv("SMTP_URL", "smtp://127.0.0.1:port")
    assert main(["--project", str(project), "send-mail"]) == 1
    assert capsys.readouterr().err == ("No email sent: SMTP_URL has a port that is not a number from 1 "
                                       "to 65535.\n")
    monkeypatch.setenv("SMTP_URL", smtp.url)
    assert main(["--project", str(project), "send-mail"]) == 0
    assert capsys.readouterr().out.endswith("Sent 1 email(s).\n")
    smtp.stop()
    comment(app.test_client(), **GOOD, email="jo@example.com")
    assert main(["--project", str(project), "send-mail"]) == 1
    assert "1 email(s) could not be sent and will be tried again later" in capsys.readouterr().err
    smtp.start()
    with app.app_context():  # as if every attempt had failed
        db = context.database()
        db.execute(OutboxMessage.__table__.update().values(attempts=sending.MOST_ATTEMPTS))
        db.commit()
    assert main(["--project", str(project), "send-mail"]) == 0
    assert main(["--project", str(project), "send-mail", "--retry-failed"]) == 0
    assert "Trying again 1 message(s) given up on.\nSent 1 email(s)." in capsys.readouterr().out
    assert [message["To"] for message in smtp.inbox.messages] == ["sam@example.com", "jo@example.com"]
    with app.app_context():
        assert ("command line", "retried emails", "1 email(s) given up on, tried again") in [
            (entry.actor, entry.action, entry.details) for entry in store.audit_log(context.database())]
    app.extensions["engine"].dispose()


def test_send_mail_forever_keeps_sending_until_stopped(project, smtp, tmp_path):
    import time

    from consultation import create_app

    database = f"sqlite:///{tmp_path / 'forever.sqlite'}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": database, "SMTP_URL": smtp.url,
           "SECRET_KEY": "mail test key"}
    process = subprocess.Popen([sys.executable, "-m", "portal.cli", "--project", str(project), "send-mail",
                                "--forever"], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().startswith(f"Sending email to {smtp.url} every few seconds")
        app = create_app(project, {"DATABASE_URL": database, "SESSION_COOKIE_SECURE": False,
                                   "SECRET_KEY": "mail test key"})
        comment(app.test_client(), **GOOD, email="sam@example.com")
        deadline = time.monotonic() + 30
        while not smtp.inbox.messages and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [message["To"] for message in smtp.inbox.messages] == ["sam@example.com"]
        app.extensions["engine"].dispose()
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        process.stdout.close()


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_send_mail_forever_stops_cleanly_on_a_signal_even_with_sigint_ignored(project, smtp, tmp_path, stop):
    """Found in issue 21's review: started with SIGINT ignored (nohup, a background job of a
    script, some supervisors), `send-mail --forever` ignored Ctrl+C, and SIGTERM killed it
    mid-message. Each now finishes the message being sent and exits 0."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path / 'stop.sqlite'}",
           "SMTP_URL": smtp.url, "SECRET_KEY": "mail test key"}
    process = subprocess.Popen([sys.executable, "-m", "portal.cli", "--project", str(project), "send-mail",
                                "--forever"], env=env, stdout=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        assert process.stdout.readline().startswith(f"Sending email to {smtp.url} every few seconds")
        process.send_signal(stop)
        assert process.wait(timeout=30) == 0
        assert process.stdout.read().strip() == "Stopped sending email."
    finally:
        process.kill()
        process.stdout.close()


def test_the_portal_sends_mail_while_it_serves(mail_app, client, smtp):
    """`policy-portal serve` starts this thread when SMTP_URL is set."""
    import time

    comment(client, **GOOD, email="sam@example.com")
    stop = sending.start_sender(mail_app)
    try:
        deadline = time.monotonic() + 30
        while not smtp.inbox.messages and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        for thread in threading.enumerate():
            if thread.name == "send-mail":
                thread.join(timeout=30)
    assert [message["To"] for message in smtp.inbox.messages] == ["sam@example.com"]
    mail_app.config["SMTP_URL"] = None
    assert sending.start_sender(mail_app) is None  # email off: no thread


def test_staff_dashboard_shows_the_outbox(mail_app, client, smtp):
    from tests.test_staff import add_staff, sign_in

    comment(client, **GOOD, email="sam@example.com")
    comment(client, **GOOD, email="jo@example.com")
    send(mail_app)
    comment(client, **GOOD, email="ann@example.com")
    smtp.stop()
    comment(client, **GOOD, email="bo@example.com")
    send(mail_app)  # both fail
    smtp.start()
    add_staff(mail_app)
    staff = mail_app.test_client()
    sign_in(staff)
    line = words(soup(staff.get("/staff/")).find(class_="outbox-state"))
    assert line.startswith("Email: 2 sent, 0 waiting to be sent, 2 failing and being tried again, "
                           "0 given up on. Last error: ")


@pytest.mark.usefixtures("warm_cache")
def test_serve_sends_mail_when_smtp_url_is_set(project, smtp):
    """As docs/staff/email.md says: `SMTP_URL=... policy-portal serve` sends what is waiting."""
    import os
    import subprocess
    import sys
    import time

    from consultation import create_app
    from portal.cli import main
    from tests.conftest import ROOT
    from tests.smtp import free_port

    assert main(["--project", str(project), "migrate"]) == 0
    app = create_app(project, {"SESSION_COOKIE_SECURE": False, "SECRET_KEY": "mail test key"})
    comment(app.test_client(), **GOOD, email="sam@example.com")
    app.extensions["engine"].dispose()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SMTP_URL": smtp.url}
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "portal.cli", "--project", str(project), "serve",
                                "--port", str(free_port())], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 240  # the site is built first
        while not smtp.inbox.messages and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.5)
        assert [message["To"] for message in smtp.inbox.messages] == ["sam@example.com"]
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert "Sending email from the outbox while it runs (SMTP_URL is set)." in output


def test_subscription_pages_in_the_browser(page, site_url: str, portal_database: str):
    """Ask, confirm and stop the emails in Chromium, through the portal's server, with axe-core
    checking every page on the way."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    from consultation.database import make_engine
    from tests.test_browser import violations

    axe = Axe()
    heading = page.get_by_role("heading", level=1)
    page.goto(site_url + "/consultations/")
    page.get_by_role("link", name="Tell me by email when a consultation opens").click()
    expect(heading).to_have_text("Tell me when a consultation opens")
    assert violations(axe, page) == []
    page.get_by_label("Email address").fill("not an address")
    page.get_by_role("button", name="Send me a confirmation email").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter an email address in the right format")
    assert violations(axe, page) == []
    page.get_by_label("Email address").fill("browser@example.com")
    page.get_by_role("button", name="Send me a confirmation email").press("Enter")
    expect(heading).to_have_text("Check your email")
    assert violations(axe, page) == []

    engine = make_engine(portal_database)
    with engine.connect() as connection:
        token = connection.execute(select(Subscription.token).where(
            Subscription.email == "browser@example.com")).scalar_one()
    engine.dispose()
    page.goto(f"{site_url}/consultations/subscribe/confirm/{token}")
    assert violations(axe, page) == []
    page.get_by_role("button", name="Yes, email me").click()
    expect(heading).to_have_text("You will get emails about draft policies")
    assert violations(axe, page) == []
    page.get_by_role("link", name="Stop these emails").click()
    expect(heading).to_have_text("Stop emails about draft policies")
    assert violations(axe, page) == []
    page.get_by_role("button", name="Stop the emails").click()
    expect(heading).to_have_text("You will get no more emails about draft policies")
    assert violations(axe, page) == []


def test_a_message_that_cannot_be_email_is_kept_for_staff_and_the_rest_still_go(mail_app, smtp):
    with mail_app.app_context():
        db = context.database()
        for to in ("a@example.com\r\nBcc: victim@example.com", "b@example.com"):
            db.add(mail.message(db, to=to, subject="Hello", text="Hello", html="<p>Hello</p>",
                                kind="receipt"))
        db.commit()
    assert (send(mail_app).sent, send(mail_app, LATER).sent) == (1, 0)
    assert [message["To"] for message in smtp.inbox.messages] == ["b@example.com"]
    bad, _ = outbox(mail_app)
    assert (bad.attempts, bad.sent_at) == (sending.MOST_ATTEMPTS, None)
    assert bad.last_error.startswith("ValueError")


def test_erase_expired_forgets_subscriptions_never_confirmed(mail_app, client, smtp, project, database_url,
                                                             monkeypatch, capsys):
    from portal.cli import main

    _subscribe(client, "kept@example.com")
    send(mail_app)
    _confirm(client, smtp.inbox.messages[0])
    _subscribe(client, "never@example.com")
    with mail_app.app_context():
        db = context.database()
        month_ago = context.clock().now() - dt.timedelta(days=31)
        db.execute(Subscription.__table__.update().values(created_at=month_ago))
        db.commit()
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["--project", str(project), "erase-expired"]) == 0
    assert "and 1 email subscription(s) never confirmed" in capsys.readouterr().out
    with mail_app.app_context():
        assert [s.email for s in context.database().scalars(select(Subscription))] == ["kept@example.com"]
    assert [message.to for message in outbox(mail_app)] == ["kept@example.com"]


def test_erasing_a_subscription_never_confirmed_keeps_the_emails_about_its_address_comments(mail_app, client,
                                                                                          smtp):
    """Found in review: erase-expired deleted every message to an unconfirmed subscription's
    address, the outcome email about a comment from it too, and with it the record that it was
    queued: a resumed run of outcome emails then emailed its writer the outcome twice. And the
    erased address stayed in the database's files: nothing was scrubbed for subscriptions alone."""
    comment(client, **GOOD, email="sam@example.com")
    _subscribe(client, "sam@example.com")
    _subscribe(client, "never@example.com")
    on_day(mail_app, "2027-01-25")  # comments closed; the subscriptions are two months old
    with mail_app.test_request_context("/"):
        policy = context.library()["pets"]
        published = actions.publish_outcome(policy, decision="withdrawn", approved_version=None,
                                            decided_on=dt.date(2027, 1, 25), summary="Withdrawn.",
                                            closes=dt.date(2026, 12, 21), actor="Ada")
    assert send(mail_app).sent == 4
    with mail_app.app_context():
        erasure = actions.erase_expired(dt.date(2026, 1, 1), "Ada", "kept 365 days")
    assert (erasure.subscriptions, erasure.emails, erasure.scrubbed) == (2, 2, True)
    assert [(message.to, message.kind) for message in outbox(mail_app)] == [
        ("sam@example.com", "receipt"), ("sam@example.com", "outcome")]
    with mail_app.test_request_context("/"):  # a run of the outcome emails resumed after a stop
        assert actions.queue_outcome_emails(policy, published, "send-mail") == 0
    assert send(mail_app, LATER).sent == 0
    assert [message["To"] for message in smtp.inbox.messages if "What we decided" in message["Subject"]] == [
        "sam@example.com"]
    if mail_app.config["DATABASE_URL"].startswith("sqlite:///"):  # PostgreSQL: VACUUM FULL, no file to read
        database = Path(mail_app.config["DATABASE_URL"].removeprefix("sqlite:///"))
        files = [database, database.with_name(database.name + "-wal")]
        assert not any(b"never@example.com" in file.read_bytes() for file in files if file.exists())


def test_an_erasure_while_outcome_emails_are_made_leaves_nothing_to_the_erased_address(mail_app, client):
    """Found in review: a batch of outcome emails is made from its comments as read at its start;
    a person's erasure committed while the emails were being rendered left them queued to the
    address just erased. The batch now checks, locked until it commits, which are still held."""
    comment(client, **GOOD, email="sam@example.com")
    comment(client, **GOOD, email="pat@example.com")
    on_day(mail_app, "2027-01-25")
    erasing = threading.Thread(target=lambda: _in_context(mail_app, actions.erase_person, "sam@example.com",
                                                           "Ada"))

    def erase_while_rendering(_app, template, context) -> None:
        if template.name == "mail/outcome.txt" and erasing.ident is None:  # the first one rendered
            erasing.start()  # a request to erase Sam's data, made as the batch renders its emails
            for _ in range(100):  # until it is committed (the batch then writes its emails)
                if _erasure_committed(mail_app):
                    break
                time.sleep(0.01)

    with template_rendered.connected_to(erase_while_rendering, mail_app), mail_app.test_request_context("/"):
        actions.publish_outcome(context.library()["pets"], decision="withdrawn", approved_version=None,
                                decided_on=dt.date(2027, 1, 25), summary="Withdrawn.",
                                closes=dt.date(2026, 12, 21), actor="Ada")
    erasing.join()
    assert [comment.email for comment in stored(mail_app)] == [None, "pat@example.com"]
    assert [(message.to, message.kind) for message in outbox(mail_app)] == [
        ("pat@example.com", "receipt"), ("pat@example.com", "outcome")]


def _in_context(app: Flask, action, *args) -> None:
    with app.app_context():
        action(*args)


def _erasure_committed(app: Flask) -> bool:
    """From the audit log, which the erasure's scrub of the personal data's tables leaves alone:
    a read of those tables would wait for the scrub, and the scrub for the batch."""
    with app.app_context():
        return "erased personal data" in [entry.action for entry in store.audit_log(context.database())]


def test_one_mailbox_asked_for_at_the_same_moment_still_gets_few_confirmations(app):
    """Requests for one inbox arriving together take turns: without that, each found the
    mailbox short of the limit before any had queued its confirmation (sixteen sent eleven)."""
    app.config["PORTAL_URL"] = "http://localhost/"
    start = threading.Barrier(8)

    def ask(number: int) -> None:
        with app.app_context():
            start.wait()
            subscribe(f"zed+{number}@example.com")

    threads = [threading.Thread(target=ask, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outbox(app)) == 3
