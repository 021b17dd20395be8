"""The consultation app through Flask's test client, on SQLite and on PostgreSQL.

Today is 23 November 2026 (conftest), so the example pets policy is open for comments from
9 November to 21 December 2026. Each test asserts on what a person would see or what was stored.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from consultation import context, create_app, store
from consultation.database import make_engine, upgrade
from consultation.panel import invite
from policy_portal.clock import UK, Clock
from policy_portal.config.environment import SettingsError
from tests.conftest import APP_SETTINGS, SECRET_KEY, migrated
from tests.consultation_pages import (
    GOOD,
    PETS,
    SECTION,
    SECTION_TITLE,
    comment,
    form_for,
    invitation_token,
    on_day,
    open_panel_link,
    panel_client,
    soup,
    stored,
    typed,
    words,
)


def edit_policy(project: Path, slug: str, old: str, new: str) -> None:
    path = project / "policies" / f"{slug}.md"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


# Commenting


def test_comment_round_trip(app, client):
    response = comment(client, **GOOD, name="Sam Patel", email="sam@example.com",
                       suggested_wording="You may keep up to two cats.")
    assert response.status_code == 303
    confirmation = soup(client.get(response.headers["Location"]))
    assert words(confirmation.h1) == "Comment sent"
    [saved] = stored(app)
    assert words(confirmation.find(class_="reference")) == saved.reference
    assert (saved.policy_slug, saved.policy_version) == ("pets", "0.2")
    assert (saved.section_key, saved.section_title) == (SECTION, SECTION_TITLE)
    assert (saved.respondent_type, saved.name, saved.email) == ("tenant", "Sam Patel", "sam@example.com")
    assert saved.body == GOOD["comment"]
    assert saved.suggested_wording == "You may keep up to two cats."
    assert saved.may_publish is True and saved.verified_panel is False


def test_general_comment_has_no_section_and_no_suggested_wording(app, client):
    page = soup(client.get(PETS))
    assert page.find(id="general-suggested_wording") is None
    assert page.find(id=f"{SECTION}-suggested_wording") is not None
    assert comment(client, "general", **{**GOOD, "may_publish": "no"}).status_code == 303
    [saved] = stored(app)
    assert (saved.section_key, saved.section_title, saved.may_publish) == (None, None, False)


def test_page_shows_every_section_with_its_own_form(client):
    page = soup(client.get(PETS))
    assert words(page.h1) == "Comment on the draft Pets and Animals Policy"
    sections = page.find_all("section", class_="draft-section")
    assert [words(section.h2) for section in sections][:2] == ["1. Introduction", SECTION_TITLE]
    assert words(sections[-1].h2) == "Comments on the whole draft"
    assert all(section.find("form") for section in sections)
    assert "21 December 2026" in words(page.find(class_="notice"))
    assert page.find(id="clause-2-1") is not None  # clause numbers kept


def test_sending_the_same_form_twice_stores_one_comment(app, client):
    action, hidden = form_for(soup(client.get(PETS)), SECTION)
    data = {**hidden, **{f"{SECTION}-{name}": value for name, value in GOOD.items()}}
    first, second = client.post(action, data=data), client.post(action, data=data)
    assert first.status_code == second.status_code == 303
    assert len(stored(app)) == 1


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({**GOOD, "respondent_type": ""}, "respondent_type", "Choose who you are"),
    ({**GOOD, "respondent_type": "landlord"}, "respondent_type", "Choose who you are"),
    ({**GOOD, "comment": "   \n  "}, "comment", "Enter your comment"),
    ({**GOOD, "comment": "x" * 5001}, "comment",
     "Your comment must be 5,000 characters or fewer. It has 5,001 now."),
    ({**GOOD, "email": "sam at example"}, "email",
     "Enter an email address in the right format, like name@example.com"),
    ({**GOOD, "name": "n" * 101}, "name", "Your name must be 100 characters or fewer. It has 101 now."),
    ({**GOOD, "may_publish": ""}, "may_publish", "Choose whether we may publish your comment"),
    ({**GOOD, "website": "http://spam.example"}, "website",
     "Leave this box empty. It is there to catch automated spam."),
])
def test_errors_are_summarised_and_the_text_is_kept(app, client, fields, field, message):
    fields = {**fields, "suggested_wording": "My wording, kept."}
    response = comment(client, **fields)
    assert response.status_code == 400
    page = soup(response)
    assert page.title.get_text().startswith("Error: ")
    summary = page.find(class_="error-summary")
    [link] = summary.find_all("a")
    assert words(link) == message
    target = page.find(id=link["href"].removeprefix("#"))
    assert target is not None and target["name"] == f"{SECTION}-{field}"
    assert words(page.find(id=f"{SECTION}-{field}-error")) == f"Error: {message}"
    box = page.find(id=f"{SECTION}-comment").find_parent("details")
    assert box.has_attr("open")
    assert typed(page, f"{SECTION}-comment") == fields["comment"].strip()
    assert typed(page, f"{SECTION}-suggested_wording") == "My wording, kept."
    assert stored(app) == []


def test_missing_csrf_token_is_refused_and_the_text_kept(app, client):
    action, hidden = form_for(soup(client.get(PETS)), SECTION)
    del hidden[f"{SECTION}-csrf_token"]
    data = {**hidden, **{f"{SECTION}-{name}": value for name, value in GOOD.items()}}
    response = client.post(action, data=data)
    assert response.status_code == 400
    page = soup(response)
    assert "did not send its security check" in words(page.find(class_="error-summary"))
    assert typed(page, f"{SECTION}-comment") == GOOD["comment"]
    assert stored(app) == []


def test_script_in_a_comment_is_shown_as_text(app, client):
    attack = '<script>alert("x")</script>'
    response = comment(client, **{**GOOD, "comment": attack, "email": "bad"})
    assert attack not in response.get_data(as_text=True)
    assert typed(soup(response), f"{SECTION}-comment") == attack


def test_audiences_limit_who_can_say_they_are(app, client, project):
    edit_policy(project, "pets", "audiences: [public, tenants, panel]", "audiences: [tenants]")
    page = soup(client.get(PETS))
    choices = [words(label) for label in page.find(id=f"{SECTION}-respondent_type-0")
               .find_parent("fieldset").find_all("label")]
    assert choices == ["Tenant", "Leaseholder or shared owner"]
    response = comment(client, **{**GOOD, "respondent_type": "staff"})
    assert "Choose who you are" in words(soup(response).find(class_="error-summary"))
    assert stored(app) == []


# When comments are open


@pytest.mark.parametrize(("today", "expected"), [
    ("2026-11-08", "Comments on this draft open on 9 November 2026 and close on 21 December 2026."),
    ("2026-12-22", "Comments closed on 21 December 2026. We are analysing your feedback."),
])
def test_outside_the_dates_the_page_says_when(app, client, today, expected):
    on_day(app, today)
    page = soup(client.get(PETS))
    assert words(page.find(class_="lead")) == expected
    assert page.find("form") is None


@pytest.mark.parametrize("today", ["2026-11-09", "2026-12-21"])
def test_opening_and_closing_days_are_included(app, client, today):
    on_day(app, today)
    assert comment(client, **GOOD).status_code == 303


def test_late_comment_is_refused_with_the_text_shown_back(app, client):
    action, hidden = form_for(soup(client.get(PETS)), SECTION)
    on_day(app, "2026-12-22")
    data = {**hidden, **{f"{SECTION}-{name}": value for name, value in GOOD.items()},
            f"{SECTION}-suggested_wording": "Up to two <cats>."}
    response = client.post(action, data=data)
    assert response.status_code == 403
    page = soup(response)
    assert words(page.h1) == "Your comment was not sent"
    assert words(page.find(class_="lead")) == "Comments on this draft closed on 21 December 2026."
    assert [text.get_text() for text in page.find_all(class_="kept-text")] == [
        GOOD["comment"], "Up to two <cats>."]
    assert stored(app) == []


def test_unknown_policy_is_not_found(client):
    response = client.get("/no-such-policy/")
    assert response.status_code == 404
    assert words(soup(response).h1) == "Page not found"


def test_policy_in_force_is_not_open_for_comments(client):
    response = client.get("/complaints/")
    assert response.status_code == 200
    assert words(soup(response).find(class_="lead")) == "The Complaints Policy is not open for comments."


def test_index_lists_open_consultations(client):
    page = soup(client.get("/"))
    assert [" ".join(item.get_text().split()) for item in page.find_all("li")] == [
        "Pets and Animals Policy: comments close 21 December 2026"]


def test_the_thank_you_page_shows_a_comment_sent_today_by_the_reference_in_its_address(app, client):
    """The receipt is in the address, not the session, so the POST sends no new cookie; the page
    shows only this draft's comment of the last 12 hours, and tells no other site its address."""
    sent = comment(client, **GOOD)
    assert "Set-Cookie" not in sent.headers
    reference = sent.headers["Location"].partition("reference=")[2]
    shown = client.get(f"/pets/thank-you?reference={reference}")
    assert words(soup(shown).find(class_="reference")) == reference
    assert shown.headers["Referrer-Policy"] == "no-referrer"
    # no reference, a made-up one, a garbled one, another draft's
    for address in ("/pets/thank-you", "/pets/thank-you?reference=C-2222-2222",
                    "/pets/thank-you?reference=C-%00", f"/complaints/thank-you?reference={reference}"):
        response = client.get(address)
        assert response.status_code == 302 and response.headers["Location"] == address.split("thank")[0]
    app.extensions[context.CLOCK] = Clock.at(context.clock(app).now() + dt.timedelta(hours=13))
    assert client.get(f"/pets/thank-you?reference={reference}").status_code == 302


# The scrutiny panel


def test_panel_link_marks_comments_as_verified_and_shows_other_members(app, client):
    first = app.test_client()
    assert open_panel_link(first, invitation_token(app, name="Jo Bloggs")).status_code == 303
    assert comment(first, **{**GOOD, "comment": "From Jo <b>bold</b>"}).status_code == 303
    response = open_panel_link(client, invitation_token(app, name="Ash Khan"))
    assert response.headers["Location"] == PETS
    page = soup(client.get(PETS))
    assert "You are commenting as Ash Khan" in words(page.find(class_="notice--panel"))
    assert page.find(id=f"{SECTION}-respondent_type-0") is None  # who they are is known
    listed = page.find(id="panel-comments").find_parent("section")
    assert "A panel member on 2. What needs our permission" in words(listed)
    assert "Jo Bloggs" not in words(listed)  # other members see comments without names
    assert listed.find(class_="kept-text").get_text() == "From Jo <b>bold</b>"
    [saved] = stored(app)
    assert (saved.verified_panel, saved.respondent_type, saved.name) == (True, "panel", "Jo Bloggs")


def test_panel_members_see_others_only_as_published_or_screened(app, client):
    """Found in an attack: members saw each other's unmoderated comments as written, personal
    details included, even when the writer said "do not publish"."""
    jo = panel_client(app, "Jo Bloggs")
    comment(jo, **{**GOOD, "comment": "Ring me on 07700 900123 about my cat."})
    comment(jo, **{**GOOD, "comment": "Private: my neighbour's dog bit me.", "may_publish": "no"})
    listed = soup(panel_client(app, "Ash Khan").get(PETS)).find(id="panel-comments").find_parent("section")
    shown = [words(text) for text in listed.find_all(class_="kept-text")]
    assert shown == ["Ring me on [phone number removed] about my cat."]
    assert "not yet checked by a moderator" in words(listed)


def test_opening_a_panel_link_changes_nothing_until_the_button_is_pressed(app, client):
    """Found in an attack: a top-level GET of a panel link signed a staff member out and made
    their browser comment as the panel member."""
    with client.session_transaction() as session:
        session["staff_user"], session["kept"] = 1, "yes"
    page = client.get(f"/panel/?invitation={invitation_token(app, name='Jo Bloggs')}")
    assert (page.status_code, page.headers["Referrer-Policy"]) == (200, "no-referrer")  # nor the token
    assert "Start commenting as Jo Bloggs" in words(soup(page).find("form"))
    with client.session_transaction() as session:
        assert (session.get("staff_user"), session.get("panel_invitation")) == (1, None)
    form = soup(page).find("form")
    fields = {field["name"]: field["value"] for field in form.find_all("input", type="hidden")}
    assert client.post(form["action"], data={**fields, "csrf_token": ""}).status_code == 400
    assert client.post(form["action"], data=fields).status_code == 303
    with client.session_transaction() as session:
        assert "staff_user" not in session and store.is_row_id(session["panel_invitation"])


def test_without_a_panel_link_panel_comments_stay_hidden(app, client):
    member = app.test_client()
    open_panel_link(member, invitation_token(app))
    comment(member, **GOOD)
    page = soup(client.get(PETS))
    assert page.find(id="panel-comments") is None
    assert GOOD["comment"] not in page.get_text()


def test_expired_panel_link_is_explained(app, client):
    response = open_panel_link(client, invitation_token(app, days=-1))
    assert response.status_code == 410
    assert "ended at the end of" in words(soup(response).find(class_="lead"))


def test_altered_panel_link_is_explained(app, client):
    token = invitation_token(app)
    response = open_panel_link(client, f"{token[:-2]}xx")
    assert response.status_code == 400
    assert "not complete or has been changed" in words(soup(response).find(class_="lead"))


def test_panel_only_consultation_refuses_others(app, client, project):
    edit_policy(project, "pets", "audiences: [public, tenants, panel]", "audiences: [panel]")
    page = soup(client.get(PETS))
    assert "Only members of the tenant scrutiny panel" in words(page.find(class_="lead"))
    member = app.test_client()
    open_panel_link(member, invitation_token(app))
    assert comment(member, **GOOD).status_code == 303


def test_leaving_the_panel_needs_the_form_token(app, client):
    open_panel_link(client, invitation_token(app))
    assert client.post("/pets/leave-panel").status_code == 400
    token = soup(client.get(PETS)).find(class_="notice--panel").find("input", attrs={"name": "csrf_token"})
    assert client.post("/pets/leave-panel", data={"csrf_token": token["value"]}).status_code == 303
    assert soup(client.get(PETS)).find(class_="notice--panel") is None


# Safety


def test_security_headers(client):
    response = client.get(PETS)
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_is_secure_by_default(project, database_url):
    app = create_app(project, {"SECRET_KEY": SECRET_KEY, "DATABASE_URL": database_url})
    assert "Secure" in app.test_client().get(PETS).headers["Set-Cookie"]
    app.extensions["engine"].dispose()


def test_too_many_comments_are_refused_with_the_text_shown_back(app, client):
    app.config["COMMENT_RATE_LIMIT"] = "2 per hour"
    for _ in range(2):
        assert comment(client, **GOOD).status_code == 303
    response = comment(client, **{**GOOD, "comment": "My third comment."})
    assert response.status_code == 429
    assert [text.get_text() for text in soup(response).find_all(class_="kept-text")] == ["My third comment."]
    assert len(stored(app)) == 2


def test_each_comment_post_counts_once_against_the_limit(app, client):
    """Issue 21: with a limit of 3, the third POST is the last taken. Opening the page is not
    counted; a POST with a mistake in it is, like any other."""
    app.config["COMMENT_RATE_LIMIT"] = "3 per hour"
    sent = [comment(client, **{**GOOD, "comment": ""}).status_code]
    sent += [comment(client, **GOOD).status_code for _ in range(3)]
    assert sent == [400, 303, 303, 429]
    assert len(stored(app)) == 2


@pytest.mark.parametrize("limit", ["twenty", "0 per hour", "2 per hour; 1 per day"])
def test_a_limit_that_is_not_one_rate_stops_the_app_starting(project, limit):
    with pytest.raises(SettingsError, match=f"COMMENT_RATE_LIMIT is '{limit}', which is not a rate: write"):
        create_app(project, {**APP_SETTINGS, "COMMENT_RATE_LIMIT": limit})


def test_one_ipv6_network_shares_one_comment_limit(app, client):
    """Issue 19, finding 7: 50 comments from one /64, each from another address, all went in."""
    app.config["COMMENT_RATE_LIMIT"] = "2 per hour"
    sent = []
    for address in ("2001:db8:7:1::1", "2001:db8:7:1::2", "2001:db8:7:1:ffff::3", "2001:db8:7:2::1"):
        client.environ_base["REMOTE_ADDR"] = address
        sent.append(comment(client, **GOOD).status_code)
    assert sent == [303, 303, 429, 303]  # the third from the same /64 is refused; another /64 is not


def test_oversized_request_is_refused(app, client):
    action, hidden = form_for(soup(client.get(PETS)), SECTION)
    response = client.post(action, data={**hidden, f"{SECTION}-comment": "x" * 300_000})
    assert response.status_code == 413
    assert words(soup(response).h1) == "What you sent was too long"
    assert stored(app) == []


# Storage


def test_migrations_match_the_models(app):
    """A model changed without a migration would fail here, on SQLite and on PostgreSQL."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from consultation.models import Base

    with app.extensions["engine"].connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_sqlite_runs_with_write_ahead_log_and_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'tuned.sqlite'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


# Found in review: each of these once lost a comment, leaked data or gave a 500


def test_control_characters_are_dropped_not_stored_or_refused(app, client):
    response = comment(client, **{**GOOD, "comment": "Two cats\x00 please\x07", "name": "Sam\x00"})
    assert response.status_code == 303
    [saved] = stored(app)
    assert (saved.body, saved.name) == ("Two cats please", "Sam")


def test_a_long_comment_in_emoji_fits(app, client):
    emoji = "\N{CAT FACE}" * 5000
    assert comment(client, **{**GOOD, "comment": emoji, "suggested_wording": emoji}).status_code == 303
    assert stored(app)[0].body == emoji


def test_a_section_renamed_while_someone_writes_keeps_their_text(app, client, project):
    action, hidden = form_for(soup(client.get(PETS)), SECTION)
    edit_policy(project, "pets", "## 2. What needs our permission", "## 2. What needs our consent")
    data = {**hidden, **{f"{SECTION}-{name}": value for name, value in GOOD.items()}}
    response = client.post(action, data=data)
    assert response.status_code == 409
    page = soup(response)
    assert "the section you commented on has been renamed or removed" in words(page.find(class_="lead"))
    assert [text.get_text() for text in page.find_all(class_="kept-text")] == [GOOD["comment"]]


def test_an_edited_draft_is_shown_once_its_process_looks_at_the_files_again(project, tmp_path):
    """Each process looks at the policy files' dates at most every POLICY_CHECK_SECONDS (issue 21:
    at 100 policies in four languages, looking on every request took longer than the page)."""
    database = migrated(f"sqlite:///{tmp_path / 'edits.sqlite'}")
    app = create_app(project, {**APP_SETTINGS, "DATABASE_URL": database, "POLICY_CHECK_SECONDS": 0.5})
    client = app.test_client()
    assert "What needs our permission" in client.get(PETS).get_data(as_text=True)
    edit_policy(project, "pets", "## 2. What needs our permission", "## 2. What needs our consent")
    assert "What needs our permission" in client.get(PETS).get_data(as_text=True)  # not looked at again yet
    time.sleep(0.5)
    assert "What needs our consent" in client.get(PETS).get_data(as_text=True)
    app.extensions["engine"].dispose()


@pytest.mark.parametrize("value", ["abc", [1, 2], True, 10**30])
def test_an_unexpected_panel_value_in_the_session_is_ignored(client, value):
    with client.session_transaction() as session:
        session["panel_invitation"] = value
    assert client.get(PETS).status_code == 200


def test_nobody_can_call_themselves_a_panel_member_unless_the_public_is_asked(app, client, project):
    edit_policy(project, "pets", "audiences: [public, tenants, panel]", "audiences: [tenants, panel]")
    response = comment(client, **{**GOOD, "respondent_type": "panel"})
    assert "Choose who you are" in words(soup(response).find(class_="error-summary"))
    assert stored(app) == []


def test_section_headings_never_take_the_pages_own_ids(client, project):
    edit_policy(project, "pets", "## 1. Introduction", "## Main")
    page = soup(client.get(PETS))
    ids = [element["id"] for element in page.find_all(id=True)]
    assert len(ids) == len(set(ids))
    assert page.find("main")["id"] == "main"


def test_error_summary_follows_the_order_of_the_fields(client):
    response = comment(client, respondent_type="", comment="", email="bad", may_publish="")
    assert [words(link) for link in soup(response).find(class_="error-summary").find_all("a")] == [
        "Choose who you are", "Enter your comment",
        "Enter an email address in the right format, like name@example.com",
        "Choose whether we may publish your comment"]


def test_panel_links_are_judged_by_the_clock_that_opens_comments(app, client):
    """Issue 18: comment windows went by PORTAL_TODAY and invitations by the real time, so on a
    fixed day a link could work after its draft closed, or expire before it opened."""
    token = invitation_token(app, days=7)  # made on 23 November, so it ends on 30 November
    on_day(app, "2026-12-01")
    assert open_panel_link(client, token).status_code == 410
    on_day(app, "2026-11-29")
    assert open_panel_link(client, token).status_code == 303


def test_panel_link_for_a_policy_that_has_gone_says_so(app, client):
    response = open_panel_link(client, invitation_token(app, slug="gone"))
    assert response.status_code == 410
    assert words(soup(response).find(class_="lead")) == (
        "The consultation this invitation was for is no longer running.")


def test_expired_link_gives_the_last_day_it_worked_in_uk_time(app, client):
    """Midnight at the end of 21 July, British Summer Time: stored in UTC, shown as 21 July."""
    with app.app_context():
        ends = dt.datetime(2026, 7, 22, tzinfo=UK)
        token = invite(SECRET_KEY, "pets", "Jo", ends, "test")[1]
    response = open_panel_link(client, token)
    assert "ended at the end of 21 July 2026" in words(soup(response).find(class_="lead"))


def test_upgrading_gives_old_comments_a_closing_date_so_they_are_erased_in_time(tmp_path):
    """A comment stored under migration 0001 had no closing date; 0003 takes the day it was made."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO comments (reference, submission_key, policy_slug, policy_version, respondent_type,"
            " name, email, body, may_publish, created_at) VALUES ('C-AAAA-AAAA', 'k', 'pets', '0.1',"
            " 'tenant', 'Old Name', 'old@example.com', 'Old comment.', 1, '2025-01-05 10:00:00')")
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT consultation_closes FROM comments").scalar() == "2025-01-05"
    engine.dispose()


def test_a_section_shows_html_in_code_as_text_as_the_site_does(app, client, project):
    """Found in a third attack: the consultation page read `<blockquote markdown="1">` without
    md_in_html, so code inside it, text on the site, became a meta refresh on this page."""
    edit_policy(project, "pets", "## 2. What needs our permission",
                '## 2. What needs our permission\n\n<blockquote markdown="1">\n'
                '`<meta http-equiv="refresh" content="0;url=https://evil.example/">`\n</blockquote>\n')
    page = soup(client.get(PETS))
    assert page.find("meta", attrs={"http-equiv": "refresh"}) is None
    assert '<meta http-equiv="refresh"' in page.find("code").get_text()
