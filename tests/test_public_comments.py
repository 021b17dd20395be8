"""The public consultation page at any size: published comments a page at a time and by section,
and the draft with its forms rendered once, each visitor getting their own tokens.

On SQLite and PostgreSQL through the `client` fixture; comments are stored with the app's own
model, as moderation would leave them, because sending and moderating sixty through the forms
would only slow the suite.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from bs4 import BeautifulSoup
from flask import Flask

from consultation import context
from consultation.models import Comment
from consultation.paging import PAGE_SIZE
from tests.consultation_pages import GOOD, PETS, SECTION, SECTION_TITLE, form_for, soup, stored, typed, words

PUBLISHED_ON_SECTION = PAGE_SIZE + 5
PUBLISHED_ON_WHOLE_DRAFT = 5
NOT_PUBLISHED = 3


def add_comments(app: Flask) -> None:
    """55 published comments on one section, then 5 on the whole draft, then 3 not to publish:
    63 received, 60 shown, numbered in the order they came."""
    start = dt.datetime(2026, 11, 10, tzinfo=dt.UTC)
    rows = [(SECTION, SECTION_TITLE, True)] * PUBLISHED_ON_SECTION
    rows += [(None, None, True)] * PUBLISHED_ON_WHOLE_DRAFT
    rows += [(SECTION, SECTION_TITLE, False)] * NOT_PUBLISHED
    with app.app_context():
        db = context.database()
        db.add_all(Comment(
            reference=f"PETS-{number:04d}", submission_key=str(uuid.uuid4()), policy_slug="pets",
            policy_version="0.2", section_key=key, section_title=title, respondent_type="tenant",
            body=f"Comment number {number}.", screened_body=f"Comment number {number}.", may_publish=publish,
            moderation="approved", created_at=start + dt.timedelta(minutes=number),
        ) for number, (key, title, publish) in enumerate(rows, start=1))
        db.commit()


def listed(page) -> list[str]:
    return [words(item.find(class_="kept-text")) for item in page.find(id="published").select("ol > li")]


def pager(page) -> tuple[str, dict[str, str]]:
    """The pager's "Showing ..." line, and its links by text (the current one as "current")."""
    nav = page.find("nav", attrs={"aria-label": "Pages of comments"})
    links = {("current" if link.get("aria-current") == "page" else words(link)): link["href"]
             for link in nav.find_all("a")}
    return words(nav.p), links


def test_published_comments_come_a_page_at_a_time_counted_and_by_section(app, client):
    add_comments(app)
    first = soup(client.get(PETS))
    section = first.find(id="published")
    assert ("We have received 63 comments. 60 are shown here, without names. We do not show the others"
            in words(section))
    assert listed(first) == [f"Comment number {number}." for number in range(1, PAGE_SIZE + 1)]
    showing, links = pager(first)
    assert showing == "Showing 1 to 50 of 60."
    assert (links["current"], links["Page 2"], links["Next page"]) == (
        f"{PETS}?page=1#published", f"{PETS}?page=2#published", f"{PETS}?page=2#published")

    second = soup(client.get(links["Page 2"]))
    assert listed(second) == [f"Comment number {number}." for number in range(51, 61)]
    assert second.find(id="published").ol["start"] == "51"
    assert pager(second)[1]["current"] == f"{PETS}?page=2#published"

    form = section.find("form")
    assert (form["method"], form["action"]) == ("get", f"{PETS}#published")
    assert words(form.find("label", attrs={"for": "section-filter"})) == "Show comments on"
    options = {option["value"]: words(option) for option in form.find_all("option")}
    assert options[""] == "Every section and the whole draft"
    assert options[SECTION] == SECTION_TITLE and options["general"] == "The whole draft"

    narrowed = soup(client.get(f"{PETS}?section={SECTION}"))
    assert f"55 of them are on {SECTION_TITLE}." in words(narrowed.find(id="published"))
    assert narrowed.find("option", selected=True)["value"] == SECTION
    assert pager(narrowed)[0] == "Showing 1 to 50 of 55."
    next_page = pager(narrowed)[1]["Page 2"]
    assert next_page == f"{PETS}?section={SECTION}&page=2#published"  # the filter is kept
    assert listed(soup(client.get(next_page))) == [f"Comment number {number}." for number in range(51, 56)]

    whole = soup(client.get(f"{PETS}?section=general"))
    assert "5 of them are on the whole draft." in words(whole.find(id="published"))
    assert listed(whole) == [f"Comment number {number}." for number in range(56, 61)]
    assert whole.find("nav", attrs={"aria-label": "Pages of comments"}) is None  # one page only


def test_an_unknown_section_or_page_gets_a_plain_answer(app, client):
    add_comments(app)
    unknown = client.get(f"{PETS}?section=3-a-section-since-removed")
    assert unknown.status_code == 200
    section = soup(unknown).find(id="published")
    assert "This draft has no such section: it may have been renamed or removed" in words(section)
    assert len(listed(soup(unknown))) == PAGE_SIZE  # every section's comments instead
    past_the_end = soup(client.get(f"{PETS}?page=99"))
    assert pager(past_the_end)[0] == "Showing 51 to 60 of 60."
    assert pager(soup(client.get(f"{PETS}?page=two")))[0] == "Showing 1 to 50 of 60."


def hidden_values(page) -> tuple[set[str], set[str]]:
    """The CSRF tokens and the submission keys of every form on a page."""
    fields = page.find_all("input", type="hidden")
    return ({field["value"] for field in fields if field["name"].endswith("csrf_token")},
            {field["value"] for field in fields if field["name"].endswith("-submission")})


def test_each_visitor_gets_their_own_tokens_on_a_draft_rendered_once(app):
    first, second = app.test_client(), app.test_client()
    first_html, second_html = (visitor.get(PETS).get_data(as_text=True) for visitor in (first, second))
    (first_token,), first_keys = hidden_values(BeautifulSoup(first_html, "html.parser"))
    (second_token,), second_keys = hidden_values(BeautifulSoup(second_html, "html.parser"))
    assert len(first_keys) == len(second_keys) == 9  # one a form, none repeated
    assert first_token != second_token and not first_keys & second_keys
    assert first_token not in second_html and not any(key in second_html for key in first_keys)
    # the second page came from the first's render: the same but for the tokens and keys
    assert blank(first_html, first_token, first_keys) == blank(second_html, second_token, second_keys)
    action, hidden = form_for(BeautifulSoup(second_html, "html.parser"), SECTION)
    filled = {f"{SECTION}-{name}": value for name, value in GOOD.items()}
    sent = second.post(action, data={**hidden, **filled})
    assert sent.status_code == 303  # the filled-in token and key are good ones
    assert [comment.submission_key for comment in stored(app)] == [hidden[f"{SECTION}-submission"]]


def test_a_form_sent_back_keeps_its_text_and_nobody_else_sees_it(app, client):
    client.get(PETS)  # the draft is rendered and kept
    action, hidden = form_for(soup(client.get(PETS)), SECTION)
    refused = client.post(action, data={**hidden, f"{SECTION}-comment": "My own words about cats.",
                                        f"{SECTION}-respondent_type": "tenant"})
    assert refused.status_code == 400
    page = soup(refused)
    assert typed(page, f"{SECTION}-comment") == "My own words about cats."
    assert "Choose whether we may publish your comment" in words(page.find(class_="error-summary"))
    stranger = app.test_client().get(PETS).get_data(as_text=True)
    assert "My own words about cats." not in stranger and "Choose whether we may publish" not in stranger


def blank(html: str, token: str, keys: set[str]) -> str:
    """A page with its token and submission keys taken out, to compare two visitors' pages."""
    return re.sub("|".join(map(re.escape, [token, *keys])), "", html)
