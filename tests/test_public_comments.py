"""The public consultation page at any size: published comments a page at a time and by section,
and the draft with its forms rendered once, each visitor getting their own tokens.

On SQLite and PostgreSQL through the `client` fixture; comments are stored with the app's own
model, as moderation would leave them, because sending and moderating sixty through the forms
would only slow the suite.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
import uuid
from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from bs4 import BeautifulSoup
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from consultation import actions, context, create_app, published_cache, store
from consultation.database import make_engine
from consultation.models import Comment, PanelInvitation
from consultation.paging import PAGE_SIZE
from consultation.published_cache import PublishedCache
from consultation.security import SweptMemoryStorage
from tests.conftest import APP_SETTINGS, app_project
from tests.consultation_pages import (
    GOOD,
    PETS,
    SECTION,
    SECTION_TITLE,
    form_for,
    panel_client,
    soup,
    stored,
    typed,
    words,
)
from tests.test_browser import violations

PUBLISHED_ON_SECTION = PAGE_SIZE + 5
PUBLISHED_ON_WHOLE_DRAFT = 5
NOT_PUBLISHED = 3


def add_comments(app: Flask) -> None:
    """55 published comments on one section, then 5 on the whole draft, then 3 not to publish:
    63 received, 60 shown, numbered in the order they came."""
    rows = [(SECTION, SECTION_TITLE, True)] * PUBLISHED_ON_SECTION
    rows += [(None, None, True)] * PUBLISHED_ON_WHOLE_DRAFT
    rows += [(SECTION, SECTION_TITLE, False)] * NOT_PUBLISHED
    store_comments(app, rows, moderation="approved")


def store_comments(app: Flask, rows: list[tuple[str | None, str | None, bool]], moderation: str,
                   invitation_id: int | None = None) -> None:
    """A comment for each (section key, section title, may publish), as the app stores them."""
    start = dt.datetime(2026, 11, 10, tzinfo=dt.UTC)
    with app.app_context():
        db = context.database()
        db.add_all(Comment(
            reference=f"PETS-{number:04d}", submission_key=str(uuid.uuid4()), policy_slug="pets",
            policy_version="0.2", section_key=key, section_title=title, respondent_type="tenant",
            body=f"Comment number {number}.", screened_body=f"Comment number {number}.", may_publish=publish,
            moderation=moderation, created_at=start + dt.timedelta(minutes=number),
            panel_invitation_id=invitation_id,
        ) for number, (key, title, publish) in enumerate(rows, start=1))
        db.commit()


def listed(page) -> list[str]:
    return [words(item.find(class_="kept-text")) for item in page.find(id="published").select("ol > li")]


def pager(page, label: str = "Pages of comments") -> tuple[str, dict[str, str]]:
    """The pager's "Showing ..." line, and its links by text (the current one as "current")."""
    nav = page.find("nav", attrs={"aria-label": label})
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


WRITER = "sam@example.com"


def test_a_kept_page_shows_each_moderation_and_erasure_on_the_next_visit(app, client):
    """The whole page is kept per draft version, but never its published comments: a comment
    approved, edited, erased or hidden shows as it now is on the very next visit."""
    store_comments(app, [(SECTION, SECTION_TITLE, True)], moderation="new")

    def shown() -> list[str]:
        published = soup(client.get(PETS)).find(id="published")
        return [words(text) for text in published.find_all(class_="kept-text")]

    def moderated(act: Callable[[Comment], object]) -> list[str]:
        with app.app_context():
            act(context.database().scalar(select(Comment)))
        return shown()

    def erase(comment: Comment) -> None:  # as `policy-portal personal-data --erase` does
        comment.name, comment.email, comment.email_key = "Sam Patel", WRITER, store.email_key(WRITER)
        assert actions.erase_person(WRITER, "Moderator").comments == 1

    assert shown() == []  # received but not yet read; the page is kept from here on
    assert moderated(lambda comment: actions.moderate(comment, "approve", None, None, None, "Moderator")) == [
        "Comment number 1."]
    assert moderated(lambda comment: actions.moderate(comment, "redact", "personal", "Sam Patel wrote this.",
                                                      None, "Moderator")) == ["Sam Patel wrote this."]
    assert moderated(erase) == ["[name removed] [name removed] wrote this."]
    assert moderated(lambda comment: actions.moderate(comment, "hide", "spam", None, None, "Moderator")) == []


def test_another_process_shows_a_hidden_comment_until_its_copy_expires(app, client, project, database_url,
                                                                       libraries):
    """Two apps on one database, as two gunicorn workers: the app where a moderator hides a
    comment stops showing it at once; the other keeps showing the published comments it read for
    at most PUBLISHED_COMMENTS_CACHE_SECONDS, then reads them again. The kept block is the same
    for every visitor and carries nobody's token or form keys."""
    store_comments(app, [(SECTION, SECTION_TITLE, True)], moderation="approved")
    app.config[published_cache.SETTING] = 60  # so only the moderation can make it read them again
    seconds = 1.0
    other = create_app(app_project(project, libraries), {**APP_SETTINGS, "DATABASE_URL": database_url,
                                                         published_cache.SETTING: seconds})

    def visit(visitor, address: str = PETS) -> tuple[list[str], str, set[str]]:
        page = soup(visitor.get(address))
        published = page.find(id="published")
        (token,), keys = hidden_values(page)
        shown = [words(text) for text in published.find_all(class_="kept-text")]
        return shown, str(published), {token, *keys}

    try:
        assert visit(client)[0] == ["Comment number 1."]
        visit(other.test_client(), f"{PETS}?page=1")  # its draft rendered, so the visits below are quick
        read_at = time.monotonic()
        first, first_block, first_values = visit(other.test_client())
        assert first == ["Comment number 1."]
        with app.app_context():
            hidden = context.database().scalar(select(Comment))
            actions.moderate(hidden, "hide", "spam", None, None, "Moderator")
        kept, kept_block, values = visit(other.test_client())  # another visitor, the other process
        assert time.monotonic() - read_at < seconds, "the machine was too slow for this test's premise"
        assert kept == ["Comment number 1."] and kept_block == first_block
        assert not any(value in kept_block for value in first_values | values)
        assert visit(client)[0] == []  # where it was hidden: at once
        time.sleep(max(0.0, read_at + seconds - time.monotonic()))
        assert visit(other.test_client())[0] == []
    finally:
        other.extensions["engine"].dispose()


def test_the_kept_blocks_are_bounded_and_a_change_outlives_a_read_begun_before_it():
    cache = PublishedCache(seconds=60, size=2)
    renders: list[str] = []

    def render(block: str) -> Callable[[], str]:
        return lambda: renders.append(block) or block

    for key in ("a", "b", "a", "c", "a", "b"):  # "b" is the least recently used when "c" comes
        cache.render(key, render(key))
    assert renders == ["a", "b", "c", "b"]
    text = PublishedCache(seconds=60, characters=5)
    for key in ("xx", "yy", "zz", "xx"):  # two of them fit: "xx" is gone when "zz" comes
        text.render(key, render(key))
    assert renders[4:] == ["xx", "yy", "zz", "xx"]
    cache.render("d", lambda: cache.clear() or "read before the change")  # a change while reading
    assert cache.render("d", render("read after it")) == "read after it"
    with pytest.raises(ValueError, match="set it to a number of seconds from 0 to 60, such as 1"):
        published_cache.seconds("soon")


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


def test_panel_members_read_the_panels_comments_a_page_at_a_time(app):
    member = panel_client(app)
    with app.app_context():
        [invitation_id] = context.database().scalars(select(PanelInvitation.id))
    store_comments(app, [(SECTION, SECTION_TITLE, True)] * (PAGE_SIZE + 1), "new", invitation_id)
    page = soup(member.get(PETS))
    panel = page.find(id="panel-comments").find_parent("section")
    assert len(panel.find_all(class_="kept-text")) == PAGE_SIZE
    showing, links = pager(panel, "Pages of panel comments")
    assert (showing, links["Page 2"]) == ("Showing 1 to 50 of 51.", f"{PETS}?panel-page=2#panel-comments")
    last = soup(member.get(links["Page 2"])).find(id="panel-comments").find_parent("section")
    assert [words(text) for text in last.find_all(class_="kept-text")] == ["Comment number 51."]


def test_rate_limit_counts_start_no_thread_and_expired_ones_are_swept():
    counts = SweptMemoryStorage()
    counts.SWEEP_EVERY = 0
    time.sleep(0.05)  # the one timer limits starts when its storage is made has run
    threads = threading.active_count()
    counts.incr("old network", expiry=0.01)
    time.sleep(0.02)
    counts.incr("new network", expiry=60)
    assert threading.active_count() == threads
    assert dict(counts.storage) == {"new network": 1}


def test_rate_limit_counts_swept_by_several_threads_at_once_raise_nothing():
    """A threaded server (`policy-portal serve`) counts comments from several threads: a sweep
    must not fail a POST because another thread dropped the same expired count first."""
    counts = SweptMemoryStorage()
    counts.SWEEP_EVERY = 0
    errors = []

    def count(offset: int) -> None:
        for number in range(2000):
            try:
                counts.incr(f"network {(number + offset) % 300}", expiry=0.001)
            except KeyError as error:
                errors.append(error)

    threads = [threading.Thread(target=count, args=(offset,)) for offset in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_the_section_filter_lands_back_on_the_list(page: Page, site_url: str, portal_database: str):
    """The browser matters here: a GET form's address keeps its #published, so the reader is not
    taken back to the top of a long draft. (The app's pages run no script at all.)"""
    engine = make_engine(portal_database)
    with Session(engine) as db:
        shown = Comment(reference="C-FILT-ER01", submission_key=str(uuid.uuid4()), policy_slug="pets",
                        policy_version="0.2", section_key=SECTION, section_title=SECTION_TITLE,
                        respondent_type="tenant", body="Filtered in.", screened_body="Filtered in.",
                        may_publish=True, moderation="approved", created_at=dt.datetime.now(dt.UTC))
        db.add(shown)
        db.commit()
        try:
            page.goto(site_url + "/consultations/pets/")
            page.get_by_label("Show comments on").select_option(SECTION, timeout=10_000)
            page.get_by_role("button", name="Show", exact=True).click(timeout=10_000)
            expect(page).to_have_url(f"{site_url}/consultations/pets/?section={SECTION}#published")
            expect(page.get_by_role("heading", name="What people have said")).to_be_in_viewport()
            expect(page.locator("#published")).to_contain_text("Filtered in.")
            assert violations(Axe(), page) == []
        finally:
            db.delete(shown)  # the database is the session's: leave it as it was
            db.commit()
    engine.dispose()
