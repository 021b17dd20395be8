"""The staff side of consultations, through Flask's test client, on SQLite and on PostgreSQL:
sign-in and lock-out, moderation and its audit trail, what the public then sees, responses and
the board report."""

from __future__ import annotations

import csv
import io
import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from consultation import auth, context, store
from consultation.models import AuditEntry, Comment
from tests.consultation_pages import GOOD, PETS, SECTION, comment, invitation_token, soup, words

PASSWORD = "correct horse battery staple"


def add_staff(app: Flask, email="mo@larkfield.example", role="moderator", name="Mo Derator") -> None:
    with app.app_context():
        store.add_staff_user(context.database(), email, name, role, auth.hash_password(PASSWORD))


def sign_in(client: FlaskClient, email="mo@larkfield.example", password=PASSWORD, next_page=""):
    address = "/staff/sign-in" + (f"?next={next_page}" if next_page else "")
    token = soup(client.get(address)).find("input", attrs={"name": "csrf_token"})["value"]
    return client.post(address, data={"csrf_token": token, "email": email, "password": password})


@pytest.fixture
def moderator(app: Flask) -> FlaskClient:
    add_staff(app)
    client = app.test_client()
    assert sign_in(client).status_code == 303
    return client


def stored(app: Flask) -> list[Comment]:
    with app.app_context():
        return list(context.database().scalars(select(Comment).order_by(Comment.id)))


def audit(app: Flask) -> list[tuple[str, str]]:
    with app.app_context():
        return [(entry.action, entry.details) for entry in
                context.database().scalars(select(AuditEntry).order_by(AuditEntry.id))]


def moderate(client: FlaskClient, comment_id: int, **fields: str):
    address = f"/staff/comments/{comment_id}"
    page = soup(client.get(address))
    token = page.find("input", attrs={"name": "moderate-csrf_token"})["value"]
    data = {"moderate-csrf_token": token, **{f"moderate-{key}": value for key, value in fields.items()}}
    return client.post(address, data=data)


def respond(client: FlaskClient, comment_id: int, **fields: str):
    address = f"/staff/comments/{comment_id}"
    token = soup(client.get(address)).find("input", attrs={"name": "respond-csrf_token"})["value"]
    data = {"respond-csrf_token": token, **{f"respond-{key}": value for key, value in fields.items()}}
    return client.post(address, data=data)


def public_comments(client: FlaskClient) -> list[str]:
    section = soup(client.get(PETS)).find(id="published-heading")
    if section is None:
        return []
    return [item.get_text() for item in section.find_parent("section").find_all(class_="kept-text")]


# Signing in


def staff_addresses(app: Flask) -> list[tuple[str, str]]:
    """Every staff route in the app's URL map, with made-up values for its parts."""
    values = {"comment_id": 1, "slug": "pets"}
    addresses = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("staff.") and rule.endpoint != "staff.sign_in":
            method = "GET" if "GET" in rule.methods else "POST"
            addresses.append((method, rule.build({key: values[key] for key in rule.arguments})[1]))
    return addresses


def test_every_staff_page_needs_sign_in_even_with_a_panel_link(app, client):
    client.get(f"/panel/{invitation_token(app)}")  # a panel member is not staff
    addresses = staff_addresses(app)
    assert len(addresses) >= 10
    for method, address in addresses:
        response = client.open(address, method=method)
        if method == "POST":
            assert response.status_code == 400, address  # no form token: refused before anything
        else:
            assert response.status_code == 302, address
            assert response.headers["Location"].startswith("/staff/sign-in?next=/staff/"), address


def test_wrong_password_and_unknown_email_get_the_same_answer(app, client):
    add_staff(app)
    for email, password in (("mo@larkfield.example", "wrong password!!"), ("nobody@x.example", PASSWORD)):
        response = sign_in(client, email, password)
        assert response.status_code == 400
        assert words(soup(response).find(class_="error-summary")) == (
            "There is a problem Enter a correct email address and password")
    assert client.get("/staff/").status_code == 302


def test_five_wrong_passwords_lock_the_account(app, client):
    add_staff(app)
    for _ in range(auth.MAX_FAILURES):
        sign_in(client, password="not the password")
    response = sign_in(client)  # the right password, but too late
    summary = words(soup(response).find(class_="error-summary"))
    assert "This account is locked after 5 wrong passwords" in summary
    assert client.get("/staff/").status_code == 302
    assert ("account locked", "5 wrong passwords in a row; locked for 15 minutes") in audit(app)


def test_sign_in_goes_on_to_the_page_asked_for_but_never_to_another_site(app, client):
    add_staff(app)
    assert sign_in(client, next_page="/staff/audit").headers["Location"] == "/staff/audit"
    other = app.test_client()
    for target in ("https://evil.example/", "//evil.example/staff/", "/\\evil.example", "/pets/"):
        assert sign_in(other, next_page=target).headers["Location"] == "/staff/"


def test_only_administrators_invite_the_panel(app, moderator):
    assert moderator.get("/staff/invitations/pets").status_code == 403
    add_staff(app, "admin@larkfield.example", "administrator", "Ada Min")
    admin = app.test_client()
    sign_in(admin, "admin@larkfield.example")
    page = soup(admin.get("/staff/invitations/pets"))
    token = page.find("input", attrs={"name": "csrf_token"})["value"]
    response = admin.post("/staff/invitations/pets", data={"csrf_token": token, "member_name": "Jo Bloggs"})
    link = soup(response).find(class_="link-text").get_text()
    assert link.startswith("http://localhost/panel/")
    assert admin.get(link.removeprefix("http://localhost")).status_code == 303


def test_signing_out_ends_the_session(app, moderator):
    token = soup(moderator.get("/staff/")).find("form", action="/staff/sign-out").find("input")["value"]
    assert moderator.post("/staff/sign-out", data={"csrf_token": token}).status_code == 303
    assert moderator.get("/staff/").status_code == 302
    assert [action for action, _ in audit(app)] == ["signed in", "signed out"]


# Moderation


def test_queue_shows_flagged_comments_first_with_the_reason(app, client, moderator):
    comment(client, **GOOD)
    comment(app.test_client(), **{**GOOD, "comment": "Call Dana Whitfield on 07700 900123."})
    items = soup(moderator.get("/staff/queue")).find("ol").find_all("li")
    assert "Flagged: name of a member of staff, phone number" in words(items[0])
    assert "Flagged" not in words(items[1])


def test_redacted_comment_is_published_redacted_and_the_original_kept(app, client, moderator):
    original = "Great idea. Ring me on 07700 900123 if you want to talk."
    comment(client, **{**GOOD, "comment": original})
    [saved] = stored(app)
    page = soup(moderator.get(f"/staff/comments/{saved.id}"))
    suggested = page.find(id="moderate-public_body").get_text().strip()
    assert suggested == "Great idea. Ring me on [phone number removed] if you want to talk."
    response = moderate(moderator, saved.id, action="redact", public_body=suggested, reason="personal")
    assert response.status_code == 303
    assert public_comments(client) == [suggested]
    [saved] = stored(app)
    assert (saved.body, saved.public_body, saved.moderation) == (original, suggested, "approved")
    assert original in words(soup(moderator.get(f"/staff/comments/{saved.id}")))
    assert audit(app)[-1] == ("redacted", f"{saved.reference}; reason: Personal details, such as a "
                                          "phone number, email or home address")


def test_hidden_comment_is_never_public_but_is_counted(app, client, moderator):
    comment(client, **{**GOOD, "comment": "Spam spam www.cheap-pets.example"})
    [saved] = stored(app)
    moderate(moderator, saved.id, action="hide", reason="spam")
    assert public_comments(client) == []
    assert "We have received 1 comment." in words(soup(client.get(PETS)).find(id="published-heading")
                                                  .find_parent("section"))
    assert GOOD["comment"] not in client.get(PETS).get_data(as_text=True)
    assert stored(app)[0].moderation == "hidden"


def test_approved_comment_is_public_only_if_its_writer_agreed(app, client, moderator):
    comment(client, **GOOD)
    comment(app.test_client(), **{**GOOD, "comment": "Keep this private.", "may_publish": "no"})
    for saved in stored(app):
        moderate(moderator, saved.id, action="approve")
    assert public_comments(client) == [GOOD["comment"]]


def test_hiding_needs_a_house_rule_and_nothing_is_lost(app, client, moderator):
    comment(client, **GOOD)
    [saved] = stored(app)
    response = moderate(moderator, saved.id, action="hide")
    assert response.status_code == 400
    assert "Choose the house rule the comment breaks" in words(soup(response).find(class_="error-summary"))
    assert stored(app)[0].moderation == "new"


def test_response_is_recorded_and_shown_with_the_published_comment(app, client, moderator):
    comment(client, **GOOD)
    [saved] = stored(app)
    moderate(moderator, saved.id, action="approve")
    response = respond(moderator, saved.id, outcome="partly",
                       explanation="Two cats are now allowed without asking.", section=SECTION)
    assert response.status_code == 303
    [saved] = stored(app)
    assert (saved.response_outcome, saved.response_section) == ("partly", SECTION)
    section = soup(client.get(PETS)).find(id="published-heading").find_parent("section")
    assert "What we did: Partly accepted. Two cats are now allowed without asking." in words(section)
    assert audit(app)[-1] == ("responded", "Partly accepted: Two cats are now allowed without asking.")


# The report


def test_report_counts_match_what_was_stored(app, moderator):
    senders = [("tenant", SECTION), ("tenant", "general"), ("panel", SECTION), ("staff", "1-introduction")]
    for kind, key in senders:
        comment(app.test_client(), key, **{**GOOD, "respondent_type": kind, "name": "Secret Name",
                                           "email": "secret@example.com"})
    data = json.loads(moderator.get("/staff/reports/pets/report.json").get_data(as_text=True))
    assert data["totals"] == {
        "comments": 4,
        "by_respondent": {"Tenant": 2, "Tenant scrutiny panel member": 1, "Member of staff": 1},
        "by_section": {"1. Introduction": 1, "2. What needs our permission": 2, "The whole draft": 1},
    }
    assert data["consultation"]["promotion"][0].startswith("Text message to every tenant")
    assert len(data["comments"]) == len(stored(app))
    report = moderator.get("/staff/reports/pets/").get_data(as_text=True)
    assert "Secret Name" not in report and "secret@example.com" not in report


def test_csv_has_the_right_columns_and_no_personal_details(app, client, moderator):
    comment(client, **{**GOOD, "comment": "=HYPERLINK(\"http://x\")", "name": "Secret Name"})
    response = moderator.get("/staff/reports/pets/comments.csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="pets-comments.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["reference", "received", "section", "respondent", "verified_panel_member",
                       "comment", "suggested_wording", "may_publish", "moderation", "response",
                       "explanation", "wording_changed_in"]
    assert rows[1][5] == "'=HYPERLINK(\"http://x\")"  # not run as a formula in a spreadsheet
    assert "Secret Name" not in response.get_data(as_text=True)


def test_what_you_told_us_quotes_only_answered_comments_their_writers_let_us_publish(app, moderator):
    for text, publish in (("Publish me <b>please</b>.", "yes"), ("Keep me private.", "no")):
        comment(app.test_client(), **{**GOOD, "comment": text, "may_publish": publish})
    for saved in stored(app):
        moderate(moderator, saved.id, action="approve")
        respond(moderator, saved.id, outcome="accepted", explanation="We changed it.")
    summary = moderator.get("/staff/reports/pets/what-you-told-us.md").get_data(as_text=True)
    assert "received 2." in summary
    assert "**You said:** Publish me &lt;b&gt;please&lt;/b&gt;." in summary
    assert "Keep me private" not in summary
