"""Reading the consultation app's pages the way a browser would, for the Flask test client tests."""

from __future__ import annotations

import datetime as dt

from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from consultation import context
from consultation.models import Comment
from consultation.panel import invite
from policy_portal.clock import Clock
from tests.conftest import SECRET_KEY

PETS = "/pets/"
SECTION = "2-what-needs-our-permission"
SECTION_TITLE = "2. What needs our permission"


def soup(response: TestResponse) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def words(element) -> str:
    return " ".join(element.get_text(" ").split())


def hidden_fields(form) -> dict[str, str]:
    """What a browser sends of a form besides what the person fills in: its hidden fields."""
    return {field["name"]: field.get("value", "") for field in form.find_all("input", type="hidden")}


def form_for(page: BeautifulSoup, key: str) -> tuple[str, dict[str, str]]:
    """The action of the form for section `key`, and its hidden fields (CSRF token, submission key)."""
    form = page.find("input", attrs={"name": f"{key}-csrf_token"}).find_parent("form")
    return form["action"], hidden_fields(form)


def comment(client: FlaskClient, key: str = SECTION, path: str = PETS, **fields: str) -> TestResponse:
    """Open the page, fill in the form for `key` with `fields` (names without prefix) and send it."""
    action, hidden = form_for(soup(client.get(path)), key)
    data = {**hidden, **{f"{key}-{name}": value for name, value in fields.items()}}
    return client.post(action, data=data)


GOOD = {"respondent_type": "tenant", "comment": "Two cats should not need permission.",
        "may_publish": "yes"}


def typed(page: BeautifulSoup, field_id: str) -> str:
    """A textarea's text as a browser shows it: HTML drops the newline that follows <textarea>."""
    return page.find(id=field_id).get_text().removeprefix("\r\n").removeprefix("\n")


def invitation_token(app, slug="pets", name="Jo Bloggs", days=7) -> str:
    with app.app_context():
        ends = context.clock().now() + dt.timedelta(days=days)
        return invite(SECRET_KEY, slug, name, ends, "test")[1]


def on_day(app, day: str) -> None:
    """Set the app's clock to `day` (YYYY-MM-DD), at the real time of day, as PORTAL_TODAY does."""
    app.extensions[context.CLOCK] = Clock(day=dt.date.fromisoformat(day))


def open_panel_link(client: FlaskClient, token: str) -> TestResponse:
    """Open an invitation link and press its button, as a panel member does."""
    page = client.get(f"/panel/?invitation={token}")
    if page.status_code != 200:
        return page
    form = soup(page).find("form")
    return client.post(form["action"], data=hidden_fields(form))


def download(client: FlaskClient, name: str, query: str = "", slug: str = "pets",
             **changed: str) -> TestResponse:
    """Press a download's button on the report page (at `query`, "?respondent=tenant" say), as a
    moderator does: its form's hidden fields (CSRF token and filters), with any `changed`."""
    page = soup(client.get(f"/staff/reports/{slug}/{query}"))
    form = page.find("form", action=f"/staff/reports/{slug}/{name}")
    return client.post(form["action"], data={**hidden_fields(form), **changed})


def panel_client(app, name: str = "Jo Bloggs") -> FlaskClient:
    """A browser that has opened a panel member's invitation link for the pets draft."""
    client = app.test_client()
    open_panel_link(client, invitation_token(app, name=name))
    return client


def stored(app) -> list[Comment]:
    """Every comment in the app's database, oldest first."""
    with app.app_context():
        return list(context.database().scalars(select(Comment).order_by(Comment.id)))
