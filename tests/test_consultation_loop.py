"""Closing the consultation loop, through Flask's test client on SQLite and on PostgreSQL:
comments typed in by staff, the complaint route, each stage of the consultation page, the
published outcome with its feedback summary and emails, and the scrutiny panel's
recommendations. Plus the rules and the draft's static page at each stage."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import threading
import uuid

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from consultation import actions, context, outcomes
from consultation.models import Comment, OutboxMessage
from policy_portal.consultations.moderation import complaint_flags
from policy_portal.consultations.rules import Stage, WindowState, outcome_due, recommendation_state, stage
from policy_portal.pages.context import PageContext
from policy_portal.pages.policy_page import page_markdown
from policy_portal.problems import PolicyError
from policy_portal.project import load_project
from policy_portal.text.sections import WHOLE_DRAFT
from portal.cli import main
from tests.consultation_pages import (
    GOOD,
    PETS,
    SECTION,
    SECTION_TITLE,
    comment,
    download,
    on_day,
    soup,
    stored,
    words,
)
from tests.test_staff import add_staff, audit, moderate, respond, sign_in

CLOSES = dt.date(2026, 12, 21)
"""The example pets draft's closing day."""
DUE = dt.date(2027, 3, 15)
"""Twelve weeks later: when its outcome is due."""


def staff(app, role: str):
    add_staff(app, f"{role}@larkfield.example", role, role.title())
    client = app.test_client()
    assert sign_in(client, f"{role}@larkfield.example").status_code == 303
    return client


def send(client, address: str, prefix: str = "", button: str | None = None, **fields: str):
    """Open a staff page and send the form whose CSRF token has `prefix` (or whose button says
    `button`), as a browser would."""
    page = soup(client.get(address))
    if button:
        form = page.find("button", string=button).find_parent("form")
    else:
        form = page.find("input", attrs={"name": f"{prefix}csrf_token"}).find_parent("form")
    hidden = {field["name"]: field.get("value", "") for field in form.find_all("input", type="hidden")}
    return client.post(form.get("action") or address,
                       data={**hidden, **{prefix + key: value for key, value in fields.items()}})


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        return list(context.database().scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


SAVE, PUBLISH = "Save the comment", "Publish the outcome"
PHONED = {"channel": "phone", "section": SECTION, "respondent_type": "tenant",
          "comment": "My neighbour's dog barks all night; the policy should say what you will do.",
          "name": "Pat Caller", "email": "pat@example.com", "may_publish": "yes"}


# The rules


@pytest.mark.parametrize("text", [
    "My repair has been waiting six months and nobody came.",
    "I reported the damp in March and I'm still waiting for someone to look at it.",
    "The contractor never turned up, twice. Unacceptable.",
    "I rang three times and never heard back from the housing officer.",
    "I want to complain about how my neighbour's dog was dealt with.",
    "Honestly I am fed up with being ignored about the fence.",
])
def test_dissatisfaction_with_a_service_is_flagged_as_a_possible_complaint(text):
    assert [flag.kind for flag in complaint_flags(text)][:1] == ["complaint"]


@pytest.mark.parametrize("text", [
    "Two cats should not need permission.",
    "The complaints policy should say how long a reply takes.",
    "Section 2 is clear, but please explain what 'exotic' means.",
    "The waiting list for parking is explained well in this draft.",
    "I am happy with the draft; my dog is no trouble.",
])
def test_comments_about_the_draft_itself_are_not_flagged(text):
    assert complaint_flags(text) == []


def test_each_stage_follows_from_the_dates_and_whether_the_outcome_is_out():
    def on(day: dt.date, state: WindowState, published: bool = False) -> Stage | None:
        return stage(state, CLOSES, day, published)

    assert outcome_due(CLOSES) == DUE
    assert on(dt.date(2026, 11, 1), WindowState.NOT_YET_OPEN) is Stage.UPCOMING
    assert on(dt.date(2026, 12, 21), WindowState.OPEN) is Stage.OPEN
    assert on(dt.date(2026, 12, 22), WindowState.CLOSED) is Stage.ANALYSING
    assert on(DUE, WindowState.CLOSED) is Stage.ANALYSING
    assert on(DUE + dt.timedelta(days=1), WindowState.CLOSED) is Stage.LATE
    assert on(DUE + dt.timedelta(days=1), WindowState.NOT_CONSULTING, published=True) is Stage.OUTCOME
    assert stage(WindowState.NOT_CONSULTING, None, DUE, False) is None
    assert stage(WindowState.CLOSED, CLOSES, dt.date(2027, 1, 26), False, weeks=4) is Stage.LATE
    assert recommendation_state(DUE, False, DUE) == "open"
    assert recommendation_state(DUE, False, DUE + dt.timedelta(days=1)) == "late"
    assert recommendation_state(DUE, True, DUE + dt.timedelta(days=1)) == "answered"


def test_the_outcome_weeks_setting_is_checked(project):
    config = project / "mkdocs.yml"
    assert load_project(project).outcome_weeks == 12
    config.write_text(config.read_text().replace("consultation_outcome_weeks: 12",
                                                 "consultation_outcome_weeks: 8"))
    assert load_project(project).outcome_weeks == 8
    config.write_text(config.read_text().replace("consultation_outcome_weeks: 8",
                                                 "consultation_outcome_weeks: twelve"))
    with pytest.raises(PolicyError, match=r"mkdocs.yml:\d+: extra.consultation_outcome_weeks: 'twelve' "
                                          r"is not a number of weeks"):
        load_project(project)


def draft_notice(project, today: dt.date, weeks: int = 12) -> str:
    loaded = load_project(project)
    text = page_markdown(PageContext(loaded.library, loaded.association, today, outcome_weeks=weeks),
                         loaded.library["pets"])
    notice = text.split('<div class="policy-notice', 1)[1].split("</div>", 1)[0]
    return " ".join(notice.split())


def test_the_draft_page_says_we_are_analysing_then_that_the_outcome_is_late(project):
    assert ("Comments closed on 21 December 2026. We are analysing your feedback. We will publish "
            "the outcome on [the consultation page](/consultations/pets/) by 15 March 2027."
            in draft_notice(project, dt.date(2026, 12, 22)))
    assert "by 22 February 2027" in draft_notice(project, dt.date(2026, 12, 22), weeks=9)
    assert ("The outcome was due on 15 March 2027 and is late. We will give a new date soon"
            in draft_notice(project, dt.date(2027, 3, 16)))
    pets = project / "policies" / "pets.md"
    pets.write_text(pets.read_text().replace("  closes: 2026-12-21\n",
                                             "  closes: 2026-12-21\n  outcome_expected: 2027-04-30\n"))
    assert ("The outcome was due on 15 March 2027 and is late. We now expect to publish it by "
            "30 April 2027: it will be on [the consultation page](/consultations/pets/)."
            in draft_notice(project, dt.date(2027, 3, 16)))


# Comments typed in by staff


def test_staff_enter_a_phoned_comment_which_is_audited_and_moderated_like_any_other(app):
    moderator = staff(app, "moderator")
    response = send(moderator, "/staff/assisted/pets", button=SAVE, **PHONED)
    assert response.status_code == 303
    [saved] = stored(app)
    assert (saved.channel, saved.section_title, saved.respondent_type, saved.email) == (
        "phone", SECTION_TITLE, "tenant", "pat@example.com")
    assert saved.entered_by == "Moderator <moderator@larkfield.example> (moderator)"
    assert ("entered comment", f"{saved.reference}: received by phone") in audit(app)
    page = soup(moderator.get(response.headers["Location"]))
    assert f"Comment {saved.reference} saved" in words(page.find(role="status"))
    queue = words(soup(moderator.get("/staff/queue")))
    assert saved.reference in queue
    assert "by phone; typed in by Moderator" in words(soup(moderator.get(f"/staff/comments/{saved.id}")))


def test_a_phoned_comment_form_with_mistakes_keeps_what_was_typed_and_says_what_to_fix(app):
    moderator = staff(app, "moderator")
    response = send(moderator, "/staff/assisted/pets", button=SAVE, **{**PHONED, "channel": "carrier pigeon",
                                                          "comment": "  ", "email": "pat at example"})
    assert response.status_code == 400
    summary = [words(item) for item in soup(response).find(class_="error-summary").find_all("li")]
    assert summary == ["Choose how the comment reached us", "Enter their comment",
                       "Enter an email address in the right format, like name@example.com"]
    assert soup(response).find(id="name")["value"] == "Pat Caller"
    assert stored(app) == []


def test_nobody_but_staff_can_enter_a_comment_and_never_without_the_form_token(app, client):
    assert client.get("/staff/assisted/pets").status_code == 302
    moderator = staff(app, "moderator")
    assert moderator.post("/staff/assisted/pets", data=PHONED).status_code == 400
    assert stored(app) == []


# The complaint route


def test_a_complaint_is_flagged_and_the_offer_is_recorded_and_emailed(app, client):
    comment(client, **{**GOOD, "comment": "My repair has been waiting six months. Nobody came.",
                       "email": "sam@example.com"})
    [saved] = stored(app)
    assert [flag["text"] for flag in json.loads(saved.flags)] == ["been waiting", "Nobody came"]
    assert saved.screened_body == saved.body  # flagged, never redacted
    moderator = staff(app, "moderator")
    assert "Flagged: may be a complaint" in words(soup(moderator.get("/staff/queue")))
    offer = "Record that the complaint route was offered"
    response = send(moderator, f"/staff/comments/{saved.id}", button=offer)
    assert response.status_code == 303
    done = soup(moderator.get(response.headers["Location"]))
    assert "they are being emailed how to complain" in words(done)
    [offered] = stored(app)
    assert offered.complaint_offered_at is not None
    assert ("offered complaint route", f"{saved.reference}: by email") in audit(app)
    [message] = [m for m in outbox(app) if m.kind == "complaint"]
    assert (message.to, message.subject) == ("sam@example.com", "How to make a complaint")
    assert "phone 0113 496 0750" in message.text and saved.reference in message.text
    assert '<html lang="en">' in message.html and "/policies/complaints/" in message.html
    assert soup(moderator.get(f"/staff/comments/{saved.id}")).find("button", string=offer) is None
    token = soup(moderator.get("/staff/queue")).find("input", attrs={"name": "csrf_token"})["value"]
    moderator.post(f"/staff/comments/{saved.id}/complaint-route", data={"csrf_token": token})  # a repeat
    assert len([m for m in outbox(app) if m.kind == "complaint"]) == 1


def test_every_confirmation_page_says_how_to_complain(client):
    page = soup(client.get(comment(client, **GOOD).headers["Location"]))
    part = page.find("h2", string="If you are unhappy with a service").find_next("p")
    assert "call 0113 496 0750" in words(part)
    assert part.find("a", string="Read our complaints policy")["href"] == "/policies/complaints/"


# Stages, the outcome and its emails


def test_the_consultation_page_through_closing_analysis_lateness_and_outcome(app, client, monkeypatch):
    comment(client, **{**GOOD, "email": "sam@example.com"})
    comment(client, key=WHOLE_DRAFT, **{**GOOD, "comment": "Fine as it is."})
    moderator = staff(app, "moderator")
    send(moderator, "/staff/assisted/pets", button=SAVE, **PHONED)
    online, general, phoned = stored(app)
    for saved, outcome in ((online, "accepted"), (general, "noted"), (phoned, "partly")):
        moderate(moderator, saved.id, action="approve")
        respond(moderator, saved.id, outcome=outcome, explanation=f"Answer to {saved.reference}.")

    report = json.loads(download(moderator, "report.json").get_data(as_text=True))
    assert report["totals"]["by_channel"] == {"Online, on this website": 2, "By phone": 1}
    assert [row["channel"] for row in report["comments"]] == ["Online, on this website"] * 2 + ["By phone"]

    monkeypatch.setenv("PORTAL_TODAY", "2026-12-22")  # for the commands
    on_day(app, "2026-12-22")
    page = soup(client.get(PETS))
    assert words(page.find("h1")) == "Pets and Animals Policy: consultation closed"
    assert "We are analysing your feedback" in words(page)
    assert "We will publish the outcome on this page by 15 March 2027" in words(page)
    closed = soup(client.get("/")).find("h2", string="Closed: we are analysing your feedback").find_next("ul")
    assert words(closed) == "Pets and Animals Policy : comments closed 21 December 2026"
    monkeypatch.setenv("PORTAL_TODAY", "2027-03-16")  # for the commands
    on_day(app, "2027-03-16")
    assert "The outcome was due on 15 March 2027 and is late" in words(soup(client.get(PETS)))

    administrator = staff(app, "administrator")
    assert moderator.get("/staff/outcome/pets").status_code == 403
    refused = send(administrator, "/staff/outcome/pets", button=PUBLISH, decision="approved",
                   approved_version="", decided_on="16/03/2027", summary="")
    assert [words(item) for item in soup(refused).find(class_="error-summary").find_all("li")] == [
        "Enter the version the board approved, like 1.0",
        "Enter the date the board decided as a date, like 2027-03-15",
        "Explain what the board decided and why"]
    assert outbox(app) == [] or all(m.kind != "outcome" for m in outbox(app))
    published = send(administrator, "/staff/outcome/pets", button=PUBLISH,
                     decision="approved-with-changes",
                     approved_version="1.0", decided_on="2027-03-16",
                     summary="The board approved the policy with two changes people asked for.")
    assert published.status_code == 303

    page = soup(client.get(PETS))
    assert words(page.find("h1")) == "Pets and Animals Policy: what we decided"
    assert ("The board decided on 16 March 2027: Approved with changes as version 1.0."
            in " ".join(page.get_text().split()))
    tables = {words(table.find("caption")): [[words(cell) for cell in row.find_all(["th", "td"])]
                                            for row in table.find("tbody").find_all("tr")]
              for table in page.find_all("table")}
    assert tables == {
        "Who responded": [["Tenant", "3"]],
        "Which part of the draft they commented on": [[SECTION_TITLE, "2"], ["The whole draft", "1"]],
        "How the responses reached us": [["Online, on this website", "2"], ["By phone", "1"]],
    }
    assert f"Answer to {phoned.reference}." in words(page.find(id="published-heading").find_parent("section"))
    listed = soup(client.get("/"))
    decided = listed.find("h2", string="What we decided").find_next("ul")
    assert words(decided) == "Pets and Animals Policy : decided 16 March 2027"

    emails = {m.to: m for m in outbox(app) if m.kind == "outcome"}
    assert sorted(emails) == ["pat@example.com", "sam@example.com"]
    assert "Our decision on your comment: Accepted" in emails["sam@example.com"].text
    assert f"Answer to {online.reference}." in emails["sam@example.com"].text
    assert "Our decision on your comment: Partly accepted" in emails["pat@example.com"].text
    assert ("The board's decision on 16 March 2027: Approved with changes as version 1.0."
            in emails["pat@example.com"].text)
    assert ("published outcome", "pets: Approved with changes; outcome emails to 2 respondents"
            ) in audit(app)
    after = soup(administrator.get("/staff/outcome/pets"))
    assert after.find("button", string=PUBLISH) is None and "Published on 16 March 2027" in words(after)
    assert "Published on" in words(after)
    assert len([m for m in outbox(app) if m.kind == "outcome"]) == 2


def test_two_administrators_publishing_at_once_publish_one_outcome_and_email_once(app, client, monkeypatch):
    comment(client, **{**GOOD, "email": "sam@example.com"})
    monkeypatch.setenv("PORTAL_TODAY", "2027-01-05")  # for the commands
    on_day(app, "2027-01-05")
    start, results = threading.Barrier(2), []

    def publish(name: str) -> None:
        with app.test_request_context("/"):
            policy = context.library()["pets"]
            start.wait()
            try:
                actions.publish_outcome(policy, decision="withdrawn", approved_version=None,
                                        decided_on=dt.date(2027, 1, 5), summary="Withdrawn.", closes=CLOSES,
                                        actor=name)
                results.append("published")
            except outcomes.OutcomeError as problem:
                results.append(str(problem))

    threads = [threading.Thread(target=publish, args=(name,)) for name in ("Ada", "Bea")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["The outcome of the consultation on the Pets and Animals Policy is already "
                               "published", "published"]
    assert [m.to for m in outbox(app) if m.kind == "outcome"] == ["sam@example.com"]
    assert [action for action, _ in audit(app)].count("published outcome") == 1


def test_outcome_emails_are_queued_a_batch_at_a_time_and_finished_once_each_after_a_stop(app, monkeypatch):
    """Issue 21: publishing queued every outcome email in the one transaction, a huge one at
    100,000 comments. Now `outcomes.BATCH` comments a transaction; when the database refuses a
    batch part way, the outcome stands, and send-mail's next run queues the rest: every
    respondent with an address gets one email, nobody two."""
    monkeypatch.setattr(outcomes, "BATCH", 100)
    on_day(app, "2027-01-05")
    with app.app_context():
        for number in range(350):  # every tenth without an address
            actions.save_comment(actions.NewComment(
                str(uuid.uuid4()), "pets", "0.2", None, None, "tenant", None,
                f"r{number}@example.com" if number % 10 else None, "Fine.", None, True, "Fine."))
        first = context.database().scalar(select(func.min(Comment.id)))
    engine = app.extensions["engine"]
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as connection:  # refuses the second batch, as a full disk would
        connection.exec_driver_sql(
            f"CREATE TRIGGER stop_outbox BEFORE INSERT ON outbox WHEN NEW.comment_id > {first + 150} "
            "BEGIN SELECT RAISE(ABORT, 'refused'); END" if sqlite else
            f"ALTER TABLE outbox ADD CONSTRAINT stop_outbox CHECK (comment_id <= {first + 150}) NOT VALID")
    try:
        with app.test_request_context("/"):
            actions.publish_outcome(context.library()["pets"], decision="approved", approved_version="1.0",
                                    decided_on=dt.date(2027, 1, 5), summary="Approved.", closes=CLOSES,
                                    actor="Ada")
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP TRIGGER stop_outbox" if sqlite else
                                       "ALTER TABLE outbox DROP CONSTRAINT stop_outbox")
    stopped = [message.to for message in outbox(app) if message.kind == "outcome"]
    assert len(stopped) == 100  # the first batch
    assert ("published outcome", "pets: Approved; outcome emails to 315 respondents") in audit(app)
    assert outcomes.QUEUED not in [action for action, _ in audit(app)]

    with app.test_request_context("/"):
        assert actions.finish_outcome_emails("send-mail") == 215
        assert actions.finish_outcome_emails("send-mail") == 0  # finished: nothing is looked at again
    emailed = [message.to for message in outbox(app) if message.kind == "outcome"]
    assert sorted(emailed) == sorted(f"r{number}@example.com" for number in range(350) if number % 10)
    assert (outcomes.QUEUED, "pets") in audit(app)



@pytest.mark.parametrize(("today", "decided_on", "field", "message"), [
    ("2026-11-30", "2026-11-30", "decision-0",
     "Comments are open until 21 December 2026: publish the outcome after closing day"),
    ("2027-01-05", "2026-12-21", "decided_on",
     "The board must decide after comments closed on 21 December 2026"),
    ("2027-01-05", "2027-01-06", "decided_on", "The decision date is in the future"),
])
def test_an_outcome_is_published_only_after_closing_day_and_decided_after_it(app, client, today, decided_on,
                                                                            field, message):
    """Found by an attack: the form was hidden while comments were open, but the server took a
    POST, emailed every respondent and could not take it back."""
    comment(client, **{**GOOD, "email": "sam@example.com"})
    on_day(app, today)
    administrator = staff(app, "administrator")
    page = soup(administrator.get("/staff/outcome/pets"))
    token = page.find("input", attrs={"name": "csrf_token"})["value"]
    refused = administrator.post("/staff/outcome/pets", data={  # as a hand-made request would, while
        "csrf_token": token, "decision": "withdrawn", "approved_version": "",  # the form is hidden
        "decided_on": decided_on, "summary": "Withdrawn."})
    assert refused.status_code == 400
    [problem] = soup(refused).find(class_="error-summary").find_all("a")
    assert problem["href"] == f"#{field}" and message in words(problem)
    assert [m for m in outbox(app) if m.kind == "outcome"] == []
    with app.app_context():
        assert outcomes.outcome(context.database(), "pets") is None


# The scrutiny panel's recommendations


def test_recommendations_are_tracked_open_late_and_answered(app, client, monkeypatch):
    administrator = staff(app, "administrator")
    added = send(administrator, "/staff/recommendations/pets", prefix="add-",
                 text="Let tenants keep two cats without asking.", made_on="2026-11-20",
                 response_due="2026-12-18")
    assert added.status_code == 303
    again = send(administrator, "/staff/recommendations/pets", prefix="add-",  # sent twice: kept once
                 text="Let tenants keep two cats without asking.", made_on="2026-11-20",
                 response_due="2026-12-18")
    assert again.status_code == 303
    public = soup(client.get("/pets/recommendations"))
    assert words(public).count("Let tenants keep two cats without asking.") == 1
    assert ("Open: the board will answer by 18 December 2026" in words(public)
            and "Let tenants keep two cats without asking." in words(public))
    monkeypatch.setenv("PORTAL_TODAY", "2026-12-19")  # for the commands
    on_day(app, "2026-12-19")
    late = words(soup(client.get("/pets/recommendations")))
    assert "Late: the board's answer was due on 18 December 2026" in late
    wrong = send(administrator, "/staff/recommendations/pets", prefix="answer-1-", response="",
                 responded_on="2026-12-19")
    assert wrong.status_code == 400
    assert "Enter the board's response" in words(soup(wrong).find(class_="error-summary"))
    answered = send(administrator, "/staff/recommendations/pets", prefix="answer-1-",
                    response="Agreed: section 2 now allows two cats.", responded_on="2026-12-19")
    assert answered.status_code == 303
    public = words(soup(client.get("/pets/recommendations")))
    assert "Answered on 19 December 2026" in public and "Agreed: section 2 now allows two cats." in public
    assert [action for action, _ in audit(app) if "recommendation" in action or "board" in action] == [
        "recorded recommendation", "recorded board response"]
    backwards = send(administrator, "/staff/recommendations/pets", prefix="add-", text="Another.",
                     made_on="2026-12-10", response_due="2026-12-01")
    assert "The response date must be on or after the date the panel made it" in words(soup(backwards))
    future = send(administrator, "/staff/recommendations/pets", prefix="add-", text="Another.",
                  made_on="2030-01-01", response_due="2030-02-01")  # found by an attack
    assert "The date the panel made it is after today; enter the day it happened" in words(soup(future))
    token = soup(administrator.get("/staff/recommendations/pets")).find(
        "input", attrs={"name": "add-csrf_token"})["value"]
    corrected = administrator.post("/staff/recommendations/pets", data={  # by hand: no form once answered
        "recommendation": "1", "answer-1-csrf_token": token, "answer-1-responded_on": "2026-12-19",
        "answer-1-response": "Agreed: two cats, and a dog with permission."})
    assert corrected.status_code == 303
    assert audit(app)[-1] == ("recorded board response", "pets recommendation 1: answered 2026-12-19; "
                              "replaced the response of 2026-12-19: Agreed: section 2 now allows two cats.")


def test_a_comment_stored_before_channels_counts_as_online(app, client):
    comment(client, **GOOD)
    with app.app_context():
        assert context.database().scalar(select(Comment.channel)) == "online"


# What changed between the consulted draft and the approved text


@pytest.mark.usefixtures("warm_cache")
def test_the_site_shows_what_changed_between_the_consulted_draft_and_the_approved_version(project):
    """The draft is committed under consultation, then approved with a change: the site gets a
    page comparing the two, where the outcome links; the draft itself is unchanged in history."""
    pets = project / "policies" / "pets.md"
    draft = pets.read_text(encoding="utf-8")
    for args in (("init", "-q", "-b", "main"), ("config", "user.email", "tests@larkfield.example"),
                 ("config", "user.name", "Tests"), ("add", "-A"), ("commit", "-q", "-m", "Pets draft")):
        subprocess.run(["git", "-C", str(project), *args], check=True, capture_output=True)
    head, _, body = draft.partition("\n---\n")
    head = head.split("consultation:\n")[0].replace("status: consultation", "status: approved")
    head = head.replace('version: "0.2"', 'version: "1.0"')
    approved = (f"{head}approved_by: Board of Management\napproval_date: 2027-03-16\n"
                "effective_date: 2027-04-01\nreview_cycle_years: 3\nhistory:\n  - version: \"1.0\"\n"
                "    date: 2027-03-16\n    approved_by: Board of Management\n"
                "    changes: Two cats no longer need permission, after the consultation.\n---\n"
                + body.replace("a cat", "a third cat", 1))
    pets.write_text(approved, encoding="utf-8")
    subprocess.run(["git", "-C", str(project), "commit", "-qam", "Pets approved"], check=True,
                   capture_output=True)
    assert main(["--project", str(project), "build"]) == 0
    page = BeautifulSoup((project / "site/policies/pets/changes-v0.2-to-v1.0/index.html").read_text(),
                         "html.parser")
    assert words(page.find("h1")) == ("Pets and Animals Policy: what changed from the draft consulted on "
                                      "(version 0.2) to version 1.0")
    assert "Two cats no longer need permission" in words(page.find(class_="policy-notice"))
    assert page.find("ins") is not None
