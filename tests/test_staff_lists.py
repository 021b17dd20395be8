"""The staff queue, report and downloads at scale (issue 21): filtered and paged by SQL, counted
by GROUP BY, downloads streamed; and migration 0008, which adds the flags' table and indexes."""

from __future__ import annotations

import csv
import io
import json
import uuid

import pytest
from alembic import command
from alembic.config import Config
from flask import Flask
from sqlalchemy import inspect, text

from consultation import actions
from consultation.database import MIGRATIONS, make_engine, upgrade
from consultation.paging import PAGE_SIZE
from tests import test_production, test_staff
from tests.consultation_pages import SECTION, SECTION_TITLE, download, soup, words

FLAGGED = "Ring 07700 900123 about the cat."
moderator = test_staff.moderator  # a signed-in moderator's client
production_database = test_production.production_database  # a new, empty PostgreSQL database


def save(count: int, *, respondent: str = "tenant", body: str = "Two cats should be fine.",
         section: bool = True, channel: str = "online") -> None:
    """Store `count` comments on the pets draft the way the app does, flags and all."""
    for _ in range(count):
        actions.save_comment(actions.NewComment(
            str(uuid.uuid4()), "pets", "0.2", SECTION if section else None,
            SECTION_TITLE if section else None, respondent, None, None, body, None, True,
            body.replace("07700 900123", "[phone number removed]"),
            flags=json.dumps([{"start": 5, "end": 17, "kind": "phone", "text": "07700 900123"}]
                             if "07700" in body else []),
            channel=channel, entered_by="Mo" if channel != "online" else None))


@pytest.fixture
def comments(app: Flask) -> None:
    """55 tenants online (2 of them flagged), 3 by phone from leaseholders on the whole draft."""
    with app.app_context():
        save(53)
        save(2, body=FLAGGED)
        save(3, respondent="leaseholder", section=False, channel="phone")


def references(page) -> list[str]:
    return [link.get_text() for link in page.select(".comment-list .comment-meta a")]


def test_filters_narrow_the_queue_and_report_and_the_counts_match_the_rows(app, comments, moderator):
    queue = soup(moderator.get("/staff/queue?flag=phone"))
    assert "2 comments." in words(queue.find(class_="lead"))
    assert len(references(queue)) == 2
    assert queue.find("select", id="filter-flag").find("option", selected=True)["value"] == "phone"
    first = soup(moderator.get("/staff/queue"))
    assert "Flagged: phone number" in words(first.find(class_="comment-list").find("li"))  # flagged first
    assert "58 comments" in words(first.find(class_="lead"))
    assert "58 comments waiting" in words(soup(moderator.get("/staff/")).find(class_="lead"))
    whole_draft = soup(moderator.get("/staff/queue?policy=pets&section=general"))  # a draft, then a section
    assert "3 comments." in words(whole_draft.find(class_="lead"))

    report = soup(moderator.get("/staff/reports/pets/?channel=phone"))
    tables = {words(table.find_previous("h2")): {words(row.th): int(words(row.td))
                                                 for row in table.tbody.find_all("tr")}
              for table in report.find_all("table")[:-1]}
    assert tables["Comments by who sent them"] == {"Leaseholder or shared owner": 3}
    assert tables["Comments by section"] == {"The whole draft": 3}
    assert tables["Comments by how they reached us"] == {"By phone": 3}
    assert tables["What we did with the comments"] == {"Not yet answered": 3}
    assert len(report.find_all("table")[-1].tbody.find_all("tr")) == 3
    assert "3 that match the filters below" in words(report.find(class_="facts"))


def test_pages_link_to_each_other_with_the_filters_kept(comments, moderator):
    page = soup(moderator.get("/staff/queue?respondent=tenant"))
    assert len(references(page)) == PAGE_SIZE
    following = page.find("a", rel="next")["href"]
    assert "respondent=tenant" in following and "page=2" in following
    second = soup(moderator.get(following))
    assert len(references(second)) == 55 - PAGE_SIZE  # the 3 leaseholders stay filtered out
    assert words(second.find(class_="pager").p) == f"Showing {PAGE_SIZE + 1} to 55 of 55."
    assert second.find("a", class_="filters__clear")["href"] == "/staff/queue"


def test_a_filter_value_not_offered_is_named_and_not_used(comments, moderator):
    page = soup(moderator.get("/staff/reports/pets/?respondent=landlord"))
    assert ("The “Who sent it” choice in the address is not one of the choices, so that filter is not "
            "used") in words(page.find(class_="notice"))
    assert "58" in words(page.find(class_="facts"))
    refused = download(moderator, "comments.csv", flag="nonsense")  # a form sent changed
    assert refused.status_code == 400 and "The “Flagged for” choice" in refused.get_data(as_text=True)


def test_downloads_stream_the_filtered_rows(app, moderator):
    with app.app_context():
        save(2, body="=SUM(A1:A9) is what I owe")
        save(1, respondent="leaseholder")
    response = download(moderator, "comments.csv", "?respondent=tenant")
    assert response.is_streamed
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["reference", "received", "section"] and len(rows) == 3
    assert {row[3] for row in rows[1:]} == {"Tenant"}
    assert rows[1][5] == "'=SUM(A1:A9) is what I owe"  # not run as a formula

    response = download(moderator, "report.json", "?respondent=leaseholder")
    assert response.is_streamed
    data = json.loads(response.get_data(as_text=True))
    assert data["filters"] == {"respondent": "leaseholder"}
    assert data["totals"]["comments"] == 1 == len(data["comments"])
    assert data["comments"][0]["respondent"] == "Leaseholder or shared owner"
    empty = json.loads(download(moderator, "report.json", "?channel=letter").get_data(as_text=True))
    assert empty["comments"] == [] and empty["totals"]["comments"] == 0


OLD_COMMENT = """INSERT INTO comments (reference, submission_key, policy_slug, policy_version,
  respondent_type, body, may_publish, created_at, flags, screened_body, moderation, channel)
  VALUES (:reference, :key, 'pets', '0.2', 'tenant', 'Ring me', true, :at, :flags, 'Ring me', 'new',
  'online')"""


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path) -> str:
    """A new database with no tables, on SQLite or on the session's PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.sqlite'}"
    return request.getfixturevalue("production_database")


def test_migration_0008_fills_the_flags_of_comments_already_stored_and_goes_back(empty_database):
    engine = make_engine(empty_database)
    upgrade(engine, "0007")
    flags = [json.dumps([{"start": 0, "end": 4, "kind": kind, "text": "x"} for kind in kinds])
             for kinds in (["phone", "email", "phone"], [], ["complaint"])]
    with engine.begin() as connection:
        for number, flagged in enumerate(flags):
            connection.execute(text(OLD_COMMENT), {"reference": f"C-{number}", "key": f"k{number}",
                                                   "at": "2026-11-01 10:00:00+00", "flags": flagged})
    upgrade(engine)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT reference, unflagged FROM comments ORDER BY reference"))
        assert [(reference, bool(unflagged)) for reference, unflagged in stored] == [
            ("C-0", False), ("C-1", True), ("C-2", False)]
        assert connection.execute(text("SELECT c.reference, f.kind FROM comment_flags f JOIN comments c "
                                        "ON c.id = f.comment_id ORDER BY 1, 2")).all() == [
            ("C-0", "email"), ("C-0", "phone"), ("C-2", "complaint")]
    _downgrade(engine, "0007")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM comments")).scalar() == 3
    engine.dispose()


def _downgrade(engine, revision: str) -> None:
    """Alembic's downgrade, set up as `consultation.database.upgrade` sets up the upgrade."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_migration_0009_drops_the_moderation_index_and_goes_back(empty_database):
    engine = make_engine(empty_database)
    upgrade(engine)
    assert "ix_comments_moderation" not in _comment_indexes(engine)
    assert "ix_comments_policy_slug" in _comment_indexes(engine)  # SQLite counts flags by it
    _downgrade(engine, "0008")
    assert "ix_comments_moderation" in _comment_indexes(engine)
    upgrade(engine)
    assert "ix_comments_moderation" not in _comment_indexes(engine)
    engine.dispose()


def _comment_indexes(engine) -> set[str]:
    return {index["name"] for index in inspect(engine).get_indexes("comments")}
