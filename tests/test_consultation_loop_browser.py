"""One consultation from open to outcome, in Chromium against the real portal server, a real
SQLite database and a real SMTP server (aiosmtpd), with `policy-portal send-mail` delivering:
a tenant comments and gets a receipt, staff type in a phoned response, moderate, answer and
publish the outcome, and both respondents are emailed the decision on their own comment. The
consultation page is checked at each stage (PORTAL_TODAY moves the app's clock) and with axe."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import make_server

from consultation import auth, staff_accounts
from portal.cli import main
from portal.server import create_portal
from tests.conftest import APP_SETTINGS, copy_project, migrated
from tests.consultation_pages import on_day
from tests.smtp import SmtpServer
from tests.test_browser import violations

PASSWORD = "correct horse battery staple"
SECTION = "2. What needs our permission"
PETS = "Pets and Animals Policy"


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def portal(site: Path, tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:
    """A portal of this test's own (the built site and the app, on a fresh SQLite database), and
    the environment `policy-portal send-mail` reads to deliver its outbox to the test SMTP server."""
    project = copy_project(tmp_path / "project")
    database = migrated(f"sqlite:///{tmp_path / 'portal.sqlite'}")
    app = create_portal(project, site, {**APP_SETTINGS, "DATABASE_URL": database})
    with app.extensions["consultation"].app_context():
        for email, role in (("mo@larkfield.example", "moderator"),
                            ("ada@larkfield.example", "administrator")):
            staff_accounts.add_staff_user(email, role.title(), role, auth.hash_password(PASSWORD), "test")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    for name, value in {"DATABASE_URL": database, "SMTP_URL": smtp.url, "SECRET_KEY": "a key for tests only",
                        "PORTAL_URL": f"{url}/consultations/"}.items():
        monkeypatch.setenv(name, value)
    yield {"url": url, "project": project, "app": app.extensions["consultation"]}
    server.shutdown()


def send_mail(project: Path, capsys: pytest.CaptureFixture) -> str:
    """`policy-portal send-mail`, as cron runs it."""
    assert main(["--project", str(project), "send-mail"]) == 0
    return capsys.readouterr().out


def staff_page(browser: Browser, url: str, email: str) -> Page:
    page = browser.new_context().new_page()
    page.goto(url + "/consultations/staff/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultations")
    return page


def body(message) -> str:
    return " ".join(message.get_body(preferencelist=("plain",)).get_content().split())


def test_one_consultation_from_open_to_outcome(browser: Browser, portal: dict, smtp: SmtpServer, axe: Axe,
                                               monkeypatch: pytest.MonkeyPatch, capsys):
    url, project = portal["url"], portal["project"]

    # Open: a tenant reads the draft, comments on a section with an email address, gets a receipt.
    tenant = browser.new_context().new_page()
    tenant.goto(url + "/policies/pets/")
    expect(tenant.locator(".policy-notice")).to_contain_text("until 21 December 2026")
    tenant.get_by_role("link", name="Comment on this draft").click()
    section = tenant.locator("section", has=tenant.get_by_role("heading", name=SECTION))
    section.get_by_text("Comment on this section").click()
    section.get_by_label("Tenant", exact=True).check()
    section.get_by_label("Your comment").fill("Two cats should not need permission.")
    section.get_by_label("Email address (optional)").fill("sam@example.com")
    section.get_by_label("Yes, you may publish my comment without my name").check()
    section.get_by_role("button", name=re.compile("^Send comment")).click()
    expect(tenant.get_by_role("heading", level=1)).to_have_text("Comment sent")
    expect(tenant.get_by_role("heading", name="If you are unhappy with a service")).to_be_visible()
    online = tenant.locator(".reference").inner_text()
    assert violations(axe, tenant) == []
    assert "Sent 1 email(s)." in send_mail(project, capsys)
    [receipt] = smtp.inbox.to("sam@example.com")
    assert online in receipt["Subject"]

    # Staff type in a phoned response, against the same section, with the caller's email.
    moderator = staff_page(browser, url, "mo@larkfield.example")
    moderator.get_by_role("link", name=f"Enter a comment received another way on the {PETS}").click()
    expect(moderator.get_by_role("heading", level=1)).to_contain_text("received another way")
    assert violations(axe, moderator) == []
    moderator.get_by_label("By phone").check()
    moderator.get_by_label("Which part of the draft is it about?").select_option(label=SECTION)
    moderator.get_by_label("Tenant", exact=True).check()
    moderator.get_by_label("Their comment, in their words").fill(
        "Dogs should be allowed in flats. My repair has been waiting six months, too.")
    moderator.get_by_label("Their email address (optional)").fill("pat@example.com")
    moderator.get_by_label("Yes, they agreed").check()
    moderator.get_by_role("button", name="Save the comment").click()
    status = moderator.get_by_role("status")
    expect(status).to_contain_text("saved")
    phoned = re.search(r"C-\w{4}-\w{4}", status.inner_text()).group()

    # Moderate and answer both; the phoned one is flagged as a possible complaint, and offered the route.
    moderator.goto(url + "/consultations/staff/queue")
    expect(moderator.locator("li", has_text=phoned)).to_contain_text("Flagged: may be a complaint")
    for reference, outcome, why in ((online, "Accepted", "Two cats no longer need permission."),
                                    (phoned, "Partly accepted", "Dogs are allowed in flats with a garden.")):
        moderator.goto(url + "/consultations/staff/queue")
        moderator.get_by_role("link", name=reference).click()
        moderator.get_by_label("Approve: it keeps to the house rules as it is").check()
        moderator.get_by_role("button", name="Save moderation").click()
        moderator.get_by_label(outcome, exact=True).check()
        moderator.get_by_label("What we did and why").fill(why)
        moderator.get_by_role("button", name="Save response").click()
        expect(moderator.get_by_role("status")).to_have_text("Your response has been saved.")
        if reference == phoned:
            moderator.get_by_role("button", name="Record that the complaint route was offered").click()
            expect(moderator.get_by_role("status")).to_contain_text("emailed how to complain")
            assert violations(axe, moderator) == []

    # Closed, then late: the consultation page says so.
    public = browser.new_context().new_page()
    monkeypatch.setenv("PORTAL_TODAY", "2026-12-22")  # for send-mail
    on_day(portal["app"], "2026-12-22")
    public.goto(url + "/consultations/pets/")
    expect(public.get_by_role("heading", level=1)).to_have_text(f"{PETS}: consultation closed")
    expect(public.locator("main")).to_contain_text("We are analysing your feedback")
    expect(public.locator("main")).to_contain_text("by 15 March 2027")
    assert violations(axe, public) == []
    monkeypatch.setenv("PORTAL_TODAY", "2027-03-16")  # for send-mail
    on_day(portal["app"], "2027-03-16")
    public.reload()
    expect(public.locator("main")).to_contain_text("The outcome was due on 15 March 2027 and is late")

    # The administrator publishes the outcome.
    administrator = staff_page(browser, url, "ada@larkfield.example")
    administrator.get_by_role("link", name=f"Outcome of the consultation on the {PETS}").click()
    assert violations(axe, administrator) == []
    administrator.get_by_label("Approved with changes").check()
    administrator.get_by_label("The version the board approved").fill("1.0")
    administrator.get_by_label("The date the board decided").fill("2027-03-16")
    administrator.get_by_label("What the board decided and why").fill(
        "The board approved the policy with the changes tenants asked for about cats and dogs.")
    administrator.get_by_role("button", name="Publish the outcome").click()
    expect(administrator.get_by_role("status")).to_contain_text("Approved with changes as version 1.0")

    public.reload()
    expect(public.get_by_role("heading", level=1)).to_have_text("Pets and Animals Policy: what we decided")
    expect(public.locator("main")).to_contain_text("Approved with changes as version 1.0")
    channels = public.get_by_role("table", name="How the responses reached us")
    expect(channels.get_by_role("row", name="By phone 1")).to_be_visible()
    expect(channels.get_by_role("row", name="Online, on this website 1")).to_be_visible()
    expect(public.locator("main")).to_contain_text("Dogs are allowed in flats with a garden.")
    changes = public.get_by_role("link", name=re.compile("^What changed between the draft you commented on"))
    expect(changes).to_have_attribute("href", "/policies/pets/changes-v0.2-to-v1.0/")
    assert violations(axe, public) == []

    # Both respondents are emailed the decision on their own comment; the caller has had a receipt
    # and how to complain too.
    assert "Sent 4 email(s)." in send_mail(project, capsys)
    assert any(phoned in m["Subject"] for m in smtp.inbox.to("pat@example.com"))
    [sam] = [m for m in smtp.inbox.to("sam@example.com") if "decided" in m["Subject"]]
    [pat] = [m for m in smtp.inbox.to("pat@example.com") if "decided" in m["Subject"]]
    assert "Our decision on your comment: Accepted" in body(sam) and online in body(sam)
    assert "Our decision on your comment: Partly accepted" in body(pat) and phoned in body(pat)
    assert "Approved with changes as version 1.0" in body(pat)
    assert [m["Subject"] for m in smtp.inbox.to("pat@example.com")].count("How to make a complaint") == 1
    assert "Sent 0 email(s)." in send_mail(project, capsys)  # nothing sent twice


def test_the_panels_recommendations_pages_pass_axe(browser: Browser, portal: dict, axe: Axe):
    """The administrator records a recommendation; the public page tracks it."""
    url = portal["url"]
    administrator = staff_page(browser, url, "ada@larkfield.example")
    administrator.get_by_role("link", name=f"Panel recommendations about the {PETS}").click()
    administrator.get_by_label("The panel's recommendation").fill("Let tenants keep two cats without asking.")
    administrator.get_by_label("The date the panel made it").fill("2026-11-20")
    administrator.get_by_label("The date the board must respond by").fill("2026-12-18")
    administrator.get_by_role("button", name="Record the recommendation").click()
    expect(administrator.get_by_role("status")).to_have_text("The recommendation has been recorded.")
    assert violations(axe, administrator) == []
    public = browser.new_context().new_page()
    public.goto(url + "/consultations/pets/recommendations")
    expect(public.locator("main")).to_contain_text("Open: the board will answer by 18 December 2026")
    assert violations(axe, public) == []
