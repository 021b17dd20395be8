"""Every page type of the consultation app, public and staff, checked by the Nu HTML Checker and
for the things that fail screen-reader users after a bad submit (issue 15).

The pages are rendered once through the Flask test client on SQLite and written to files, so one
Java start checks them all (tests/vnu.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask import Flask, render_template
from sqlalchemy import select
from werkzeug.test import TestResponse

from consultation import complaints, context, create_app, mail, outbox
from consultation.models import OutboxMessage, Subscription
from tests import vnu
from tests.conftest import APP_SETTINGS, copy_project, migrated
from tests.consultation_pages import GOOD, PETS, SECTION, comment, invitation_token, soup, stored
from tests.test_public_comments import add_comments
from tests.test_staff import add_staff, sign_in

TOO_LONG = "x" * 300_000
"""Over the app's 256 KB limit on a request body, for the 413 page."""
ENTITIES = ("&#", "&amp;", "&lt;")
"""Escaped twice, these show on screen as code and are read out as "ampersand hash"."""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app on SQLite for the module: the pages only need to exist, not to be isolated."""
    folder = tmp_path_factory.mktemp("app-pages")
    database = migrated(f"sqlite:///{folder / 'consultation.sqlite'}")
    app = create_app(copy_project(folder / "project"), {**APP_SETTINGS, "DATABASE_URL": database})
    yield app
    app.extensions["engine"].dispose()


def _csrf(response: TestResponse) -> dict[str, str]:
    return {"csrf_token": soup(response).find("input", attrs={"name": "csrf_token"})["value"]}


def _public_pages(app: Flask) -> dict[str, TestResponse]:
    tenant = app.test_client()
    pages = {
        "index": tenant.get("/"),
        "draft": tenant.get(PETS),
        "draft with errors": comment(tenant, comment="", may_publish=""),
        "not open": tenant.get("/complaints/"),
        "refused": tenant.post("/complaints/comment/general", data={}),
        "panel start": tenant.get(f"/panel/?invitation={invitation_token(app)}"),
        "panel link invalid": tenant.get("/panel/?invitation=not-a-real-link"),
        "error 404": tenant.get("/no-such-draft/"),
        "error 405": tenant.get(f"{PETS}comment/{SECTION}"),
        "error 413": tenant.post(f"{PETS}comment/{SECTION}", data={"comment": TOO_LONG}),
        "error 400": tenant.post("/staff/sign-in", data={}),
    }
    pages["thank you"] = comment(tenant, **GOOD)
    pages["thank you"] = tenant.get(pages["thank you"].headers["Location"])
    pages["panel recommendations"] = tenant.get(f"{PETS}recommendations")
    return pages | _subscription_pages(app)


def _subscription_pages(app: Flask) -> dict[str, TestResponse]:
    visitor = app.test_client()
    pages = {"subscribe": visitor.get("/subscribe")}
    pages["subscribe with errors"] = visitor.post("/subscribe", data={**_csrf(pages["subscribe"]),
                                                                      "email": "not an address"})
    sent = visitor.post("/subscribe", data={**_csrf(pages["subscribe"]), "email": "ann@example.com"})
    pages["check your email"] = visitor.get(sent.headers["Location"])
    with app.app_context():
        token = context.database().scalar(select(Subscription.token))
    pages["confirm"] = visitor.get(f"/subscribe/confirm/{token}")
    pages["confirmed"] = visitor.post(f"/subscribe/confirm/{token}", data=_csrf(pages["confirm"]))
    pages["unsubscribe"] = visitor.get(f"/unsubscribe/{token}")
    pages["unsubscribed"] = visitor.post(f"/unsubscribe/{token}")
    return pages


def _staff_pages(app: Flask) -> dict[str, TestResponse]:
    add_staff(app)
    add_staff(app, "admin@larkfield.example", "administrator", "Ada Min")
    moderator, admin = app.test_client(), app.test_client()
    pages = {"sign-in": moderator.get("/staff/sign-in"),
             "sign-in with error": sign_in(app.test_client(), password="not the password")}
    sign_in(moderator)
    sign_in(admin, "admin@larkfield.example")
    comment_page = f"/staff/comments/{stored(app)[0].id}"
    pages |= {
        "dashboard": moderator.get("/staff/"),
        "queue": moderator.get("/staff/queue"),
        "comment": moderator.get(comment_page),
        "report": moderator.get("/staff/reports/pets/"),
        "audit": moderator.get("/staff/audit"),
        "error 403": moderator.get("/staff/invitations/pets"),
        "invitations": admin.get("/staff/invitations/pets"),
    }
    pages |= {"enter a comment": moderator.get("/staff/assisted/pets"),
              "outcome": admin.get("/staff/outcome/pets"),
              "recommendations": admin.get("/staff/recommendations/pets")}
    entering = _form_token(pages["enter a comment"], "Save the comment")
    pages["enter a comment with errors"] = moderator.post("/staff/assisted/pets",
                                                          data={"csrf_token": entering})
    adding = soup(pages["recommendations"]).find("input", attrs={"name": "add-csrf_token"})["value"]
    pages["recommendations with errors"] = admin.post("/staff/recommendations/pets",
                                                      data={"add-csrf_token": adding})
    token = soup(pages["comment"]).find("input", attrs={"name": "moderate-csrf_token"})["value"]
    pages["comment with errors"] = moderator.post(comment_page, data={"moderate-csrf_token": token})
    pages["invitations with error"] = admin.post(
        "/staff/invitations/pets", data={**_csrf(pages["invitations"]), "member_name": ""})
    return pages


def _form_token(response: TestResponse, button: str) -> str:
    """The CSRF token of the form with this button (the page's first is the sign-out form's)."""
    form = soup(response).find("button", string=button).find_parent("form")
    return form.find("input", attrs={"name": "csrf_token"})["value"]


def _unreachable_error_pages(app: Flask) -> dict[str, str]:
    """Error pages a test cannot easily cause (a rate limit, a crash, a database outage), rendered
    as their handler renders them."""
    with app.test_request_context("/"):
        return {f"error {code}": render_template(f"errors/{code}.html") for code in (429, 500, 503)}


@pytest.fixture(scope="module")
def pages(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every page type, written to a file each, by name."""
    responses = _public_pages(app)  # first: the staff pages need the comment it sends
    responses |= _staff_pages(app)
    add_comments(app)  # last: the staff pages take the first comment stored as theirs
    responses["draft with comments by section"] = app.test_client().get(f"{PETS}?section={SECTION}&page=2")
    html = {name: response.get_data(as_text=True) for name, response in responses.items()}
    html |= _unreachable_error_pages(app)
    folder = tmp_path_factory.mktemp("app-html")
    files = {}
    for name, text in html.items():
        files[name] = folder / (name.replace(" ", "-") + ".html")
        files[name].write_text(text, encoding="utf-8")
    return files


def read(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_every_page_type_was_rendered(pages: dict[str, Path]):
    """A page that silently became a redirect or another page would pass every check below."""
    headings = {name: read(path).h1.get_text(" ", strip=True) for name, path in pages.items()}
    assert headings["draft with errors"] == "Comment on the draft Pets and Animals Policy"
    by_section = read(pages["draft with comments by section"]).find(id="published")
    assert "Showing 51 to 55 of 55." in by_section.get_text(" ")
    assert headings["thank you"] == "Comment sent"
    assert headings["refused"] == "Your comment was not sent"
    assert headings["comment with errors"].startswith("Comment ")
    assert headings["sign-in with error"] == "Staff sign-in"
    assert headings["error 403"] == "You cannot see this page"
    assert headings["error 413"] == "What you sent was too long"
    assert headings["error 405"] == "Something went wrong with that request"
    assert headings["error 400"] == "Something went wrong with that form"
    assert headings["enter a comment with errors"].startswith("Enter a comment on the Pets")
    assert headings["recommendations with errors"].startswith("The scrutiny panel's recommendations")
    assert headings["outcome"] == "The outcome of the consultation on the Pets and Animals Policy"
    assert headings["subscribe with errors"] == "Tell me when a consultation opens"
    assert headings["confirmed"] == "You will get emails about draft policies"
    assert headings["unsubscribed"] == "You will get no more emails about draft policies"


def test_email_html_passes_the_nu_html_checker(app: Flask, tmp_path: Path):
    """The HTML part of every kind of email, as `send-mail` sends it."""
    comment(app.test_client(), **GOOD, email="sam@example.com", suggested_wording="Two cats.")
    with app.app_context():
        db = context.database()
        outbox.subscribe("bo@example.com")
        outbox.confirm_subscription(db.scalar(select(Subscription.token).where(
            Subscription.email == "bo@example.com")))
        outbox.notify_open()
        kinds = {message.kind: message.html for message in db.scalars(select(OutboxMessage))}
        outcome = mail.outcome(db, stored(app)[-1], policy_title="Pets", outcome_url="http://localhost/")
        kinds["outcome"] = outcome.html
        kinds["complaint"] = complaints.email(db, stored(app)[-1]).html
    assert set(kinds) == {"receipt", "confirm", "opened", "outcome", "complaint"}
    files = []
    for kind, html in kinds.items():
        files.append(tmp_path / f"{kind}.html")
        files[-1].write_text(html, encoding="utf-8")
    assert vnu.errors(files) == []


def test_nu_html_checker_finds_no_errors(pages: dict[str, Path]):
    assert vnu.errors(pages.values()) == []


@pytest.mark.parametrize("name", ["draft with errors", "sign-in with error", "comment with errors",
                                  "invitations with error", "enter a comment with errors",
                                  "recommendations with errors", "subscribe with errors"])
def test_form_errors_are_told_to_screen_readers(pages: dict[str, Path], name: str):
    """After a failed submit: the page's H1 comes first, then the error summary, which takes focus
    on load without JavaScript; each field with an error says so (WCAG 3.3.1, 4.1.2, 2.4.3)."""
    page = read(pages[name])
    main = page.find("main")
    assert main.find(["h1", "h2"]).name == "h1"
    summary = main.find(class_="error-summary")
    assert summary.has_attr("autofocus") and summary["tabindex"] == "-1"
    for link in summary.find_all("a"):
        control = page.find(id=link["href"].removeprefix("#"))
        assert control.get("aria-invalid") == "true", link["href"]
    invalid = page.find_all(attrs={"aria-invalid": "true"})
    assert len(invalid) >= len(summary.find_all("a"))


@pytest.mark.parametrize("name", ["draft", "sign-in", "dashboard", "subscribe"])
def test_no_field_is_invalid_before_a_submit(pages: dict[str, Path], name: str):
    assert read(pages[name]).find(attrs={"aria-invalid": True}) is None


def test_no_visible_text_shows_an_html_entity(pages: dict[str, Path]):
    shown = {name: read(path).get_text(" ") for name, path in pages.items()}
    assert [name for name, text in shown.items() if any(entity in text for entity in ENTITIES)] == []



def test_every_page_has_a_description_and_an_icon(pages: dict[str, Path]):
    for name, path in pages.items():
        page = read(path)
        assert page.find("meta", attrs={"name": "description"})["content"], name
        assert page.find("link", rel="icon")["href"], name
