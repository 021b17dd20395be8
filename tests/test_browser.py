"""The portal in real Chromium: accessibility, privacy, no-JavaScript use, search, commenting.

One browser for the session (pytest-playwright's `browser` fixture, launched from Debian's
Chromium by conftest.py), a fresh page per test, the site served by the portal's own server.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, Page, Route, expect
from sqlalchemy import select

from consultation import auth, create_app, panel, staff_accounts
from consultation.context import clock as portal_clock
from consultation.database import make_engine
from consultation.models import Comment
from policy_portal.site import csp
from tests.conftest import APP_SETTINGS, SECRET_KEY, copy_project
from tests.keyboard import unseen_stops

PAGES = {
    "home": "/",
    "policy in force": "/policies/complaints/",
    "overdue policy": "/policies/data-protection/",
    "draft under consultation": "/policies/pets/",
    "withdrawn policy": "/policies/estate-walkabouts/",
    "search": "/search/",
    "reviews": "/reviews/",
    "staff guide": "/staff/policy-format/",
    "publishing guide, with wide code": "/staff/publishing/",
    "accessibility statement": "/accessibility/",
    "page not found": "/no-such-page/",
    "large print": "/policies/complaints/large-print/",
    "consultations": "/consultations/",
    "consultation page": "/consultations/pets/",
    "consultation closed or unknown": "/consultations/complaints/",
    "translation, right to left": "/ar/policies/complaints/",
    "home, right to left": "/ar/",
    "no translation yet, right to left": "/ar/policies/data-protection/",
    "large print, right to left": "/ar/policies/complaints/large-print/",
    "stale translation": "/pl/policies/complaints/",
    "search in Welsh": "/cy/search/",
}
AXE_OPTIONS = {
    "runOnly": {"type": "tag",
                "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
    "resultTypes": ["violations"],
}


@pytest.fixture(scope="module")
def portal_app(portal_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """A consultation app on the database behind `site_url`, to add staff and invitations to it
    as the app does."""
    project = copy_project(tmp_path_factory.mktemp("portal-setup") / "project")
    app = create_app(project, {**APP_SETTINGS, "DATABASE_URL": portal_database})
    yield app
    app.extensions["engine"].dispose()


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


def violations(axe: Axe, page: Page) -> list[str]:
    results = axe.run(page, options=AXE_OPTIONS).response["violations"]
    return [f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']]}" for v in results]


@pytest.mark.parametrize("address", PAGES.values(), ids=PAGES.keys())
def test_axe_finds_no_violations(page: Page, site_url: str, axe: Axe, address: str):
    page.goto(site_url + address)
    if address == "/search/":
        page.get_by_role("textbox", name="Search for a word or phrase in our policies").fill("complaint")
        expect(page.locator(".pagefind-ui__result").first).to_be_visible()
    assert violations(axe, page) == []


@pytest.mark.parametrize("address", PAGES.values(), ids=PAGES.keys())
def test_no_request_leaves_the_site(page: Page, site_url: str, address: str):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(site_url + address, wait_until="networkidle")
    here = urlparse(site_url).netloc
    assert [url for url in requested if urlparse(url).netloc != here and
            not url.startswith("data:")] == []


def test_policy_page_works_without_javascript(browser: Browser, site_url: str):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "/policies/pets/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pets and Animals Policy")
    expect(page.get_by_text("Draft — not in force.", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="About this policy")).to_be_visible()
    page.get_by_role("link", name="Home").first.click()
    expect(page).to_have_title(re.compile("^Our policies"))
    context.close()


def test_search_page_explains_itself_without_javascript(browser: Browser, site_url: str):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "/search/")
    expect(page.get_by_text("Search needs JavaScript")).to_be_visible()
    context.close()


SEARCH_LABEL = {"": "Search for a word or phrase in our policies",
                "/cy": "Chwiliwch am air neu ymadrodd yn ein polisïau yn Gymraeg"}


def search(page: Page, site_url: str, language: str, words: str) -> None:
    """Type into the search page's box, in English ("") or another language ("/cy")."""
    page.goto(f"{site_url}{language}/search/")
    page.get_by_role("textbox", name=SEARCH_LABEL[language]).fill(words)


@pytest.mark.parametrize(("language", "words", "title"), [("", "ombudsman", "Complaints Policy"),
                                                          ("/cy", "cwyn", "Polisi Cwynion")])
def test_search_finds_a_policy_by_a_word_in_its_text(page: Page, site_url: str, language: str, words: str,
                                                     title: str):
    search(page, site_url, language, words)
    result = page.locator(".pagefind-ui__result-link", has_text=title)
    expect(result).to_be_visible()
    result.click()
    expect(page).to_have_url(re.compile(rf"{language}/policies/complaints/$"))


def test_english_search_does_not_find_welsh_pages(page: Page, site_url: str):
    search(page, site_url, "", "cwyn")
    expect(page.locator(".pagefind-ui__message")).to_contain_text("for cwyn")  # the staff guide's example
    expect(page.locator('.pagefind-ui__result-link[href*="/cy/"]')).to_have_count(0)


def test_keyboard_user_switches_language_and_stays_on_the_same_policy(page: Page, site_url: str):
    page.goto(site_url + "/ar/policies/complaints/")
    page.get_by_role("button", name="إختر اللغة").focus()  # Material's "Select language", in Arabic
    page.keyboard.press("Enter")  # opens the menu (assets/menus.js)
    for _ in range(3):  # English, Cymraeg, Polski
        page.keyboard.press("Tab")
    polish = page.get_by_role("link", name="Polski")
    expect(polish).to_be_focused()
    expect(polish).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/pl/policies/complaints/$"))
    expect(page.locator("h1")).to_have_text("Polityka rozpatrywania skarg")


def test_keyboard_user_can_skip_to_the_policy_text(page: Page, site_url: str):
    page.goto(site_url + "/policies/complaints/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name=re.compile("Skip to content", re.IGNORECASE))
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#complaints-policy$"))


# The content security policy, sent by the portal with every page


CSP_PAGES = {"home": "/", "policy": "/policies/complaints/", "search": "/search/",
             "large print": "/policies/complaints/large-print/", "right to left": "/ar/policies/complaints/",
             "page not found": "/no-such-page/"}


def csp_reports(page: Page) -> list[str]:
    """What the page's content security policy blocks, from now on. Chromium reports each
    violation on the console, a web worker's too (Pagefind searches in one), where a
    securitypolicyviolation listener in the page would miss it."""
    reports: list[str] = []
    page.on("console", lambda message: reports.append(message.text)
            if "content security policy" in message.text.lower() else None)
    return reports


@pytest.mark.parametrize("address", CSP_PAGES.values(), ids=CSP_PAGES.keys())
def test_pages_and_search_work_within_the_content_security_policy(page: Page, site_url: str, address: str):
    reports = csp_reports(page)
    page.goto(site_url + address, wait_until="networkidle")
    if address == "/search/":
        search(page, site_url, "", "complaint")  # Pagefind's WebAssembly, in its worker
        expect(page.locator(".pagefind-ui__result").first).to_be_visible()
    assert reports == []


def test_an_inline_script_left_out_of_the_policy_is_blocked(page: Page, site: Path, site_url: str):
    """The test above can fail: without the hash of Material's first script (which defines its
    storage helper __md_get) the browser refuses to run it, and says so."""
    address = "/policies/complaints/"
    policy = (site / csp.POLICY_FILE).read_text(encoding="utf-8").strip()
    first = csp.inline_scripts((site / address.strip("/") / "index.html").read_text(encoding="utf-8"))[0]
    reports = csp_reports(page)
    page.goto(site_url + address)
    assert page.evaluate("typeof __md_get") == "function" and reports == []

    def without_its_hash(route: Route) -> None:
        response = route.fetch()
        route.fulfill(response=response, headers={
            **response.headers, "content-security-policy": policy.replace(f" {csp.script_hash(first)}", "")})

    page.route(site_url + address, without_its_hash)
    page.reload()
    assert page.evaluate("typeof __md_get") == "undefined"
    assert len(reports) == 1 and "Executing inline script violates" in reports[0]


def test_the_hash_is_of_the_script_as_the_browser_reads_it(page: Page, site_url: str):
    """Line ends the browser turns into LF, a character reference it leaves as written, and a
    letter outside ASCII; then a script the policy does not list, which must not run."""
    probe = ('<!doctype html><meta charset="utf-8"><title>Probe</title>'
             '<script>\r\nran = "a &amp; ä";\r</script>')
    policy = csp.policy(csp.script_hash(script) for script in csp.inline_scripts(probe))
    page.route(site_url + "/probe/", lambda route: route.fulfill(
        body=probe + "<script>unlisted = true</script>", content_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": policy}))
    reports = csp_reports(page)
    page.goto(site_url + "/probe/")
    assert page.evaluate("[window.ran, window.unlisted]") == ["a &amp; ä", None]
    assert len(reports) == 1


# The consultation, in the browser, against the portal's server and its SQLite database


def test_comment_on_a_section_from_the_draft_page(page: Page, site_url: str, portal_database: str,
                                                  axe: Axe):
    """A tenant reads the draft, follows its link, comments on one section by keyboard, and is
    given a reference that matches what was stored."""
    words = "Please let us ask by phone as well as online."
    page.goto(site_url + "/policies/pets/")
    page.get_by_role("link", name="Comment on this draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Comment on the draft Pets and Animals Policy")
    assert violations(axe, page) == []

    section = page.locator("section", has=page.get_by_role("heading", name="3. How to ask for permission"))
    section.get_by_text("Comment on this section").click()
    section.get_by_label("Tenant", exact=True).check()
    section.get_by_label("Your comment").fill(words)
    section.get_by_role("button", name=re.compile("^Send comment")).click()

    summary = page.get_by_role("alert")  # nothing chosen for publishing: the form comes back
    expect(summary).to_contain_text("Choose whether we may publish your comment")
    expect(section.get_by_label("Your comment")).to_have_value(words)
    assert violations(axe, page) == []
    summary.get_by_role("link").click()
    expect(section.get_by_label("Yes, you may publish my comment without my name")).to_be_visible()
    page.keyboard.press("Space")  # the link moved focus to the first choice; Space picks it
    section.get_by_role("button", name=re.compile("^Send comment")).press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Comment sent")
    reference = page.locator(".reference").inner_text()
    assert violations(axe, page) == []
    engine = make_engine(portal_database)
    with engine.connect() as connection:
        row = connection.execute(select(Comment.section_key, Comment.body, Comment.may_publish)
                                 .where(Comment.reference == reference)).one()
    engine.dispose()
    assert tuple(row) == ("3-how-to-ask-for-permission", words, True)


def test_consultation_page_works_without_javascript(browser: Browser, site_url: str):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "/consultations/pets/")
    general = page.locator("section", has=page.get_by_role("heading", name="Comments on the whole draft"))
    general.get_by_label("Other").check()
    general.get_by_label("Your comment").fill("Clear and fair overall.")
    general.get_by_label("No, do not publish my comment").check()
    general.get_by_role("button", name="Send comment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Comment sent")
    context.close()


def general_section(page: Page):
    return page.locator("section", has=page.get_by_role("heading", name="Comments on the whole draft"))


def test_failed_comment_puts_focus_on_the_error_summary(page: Page, site_url: str, axe: Axe):
    """After a bad submit a screen reader hears the problem at once, and each field with an error
    says it is invalid (WCAG 3.3.1, 4.1.2, 2.4.3)."""
    page.goto(site_url + "/consultations/pets/")
    general_section(page).get_by_role("button", name="Send comment").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_match_aria_snapshot("""
        - alert "There is a problem":
          - heading "There is a problem" [level=2]
          - list:
            - listitem:
              - link "Choose who you are"
            - listitem:
              - link "Enter your comment"
            - listitem:
              - link "Choose whether we may publish your comment"
    """)
    general = general_section(page)
    expect(general.get_by_label("Your comment")).to_have_attribute("aria-invalid", "true")
    expect(general.get_by_label("Tenant", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(general.get_by_label("Email address (optional)")).not_to_have_attribute("aria-invalid", "true")
    assert violations(axe, page) == []


def test_staff_sign_in_failure_marks_the_email_field(page: Page, site_url: str, axe: Axe):
    page.goto(site_url + "/consultations/staff/sign-in")
    page.get_by_label("Email address").fill("nobody@larkfield.example")
    page.get_by_label("Password").fill("not a password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_focused()
    expect(page.get_by_label("Email address")).to_have_attribute("aria-invalid", "true")
    assert violations(axe, page) == []


KEYBOARD_PAGES = {"consultation page": "/consultations/pets/",
                  "staff sign-in": "/consultations/staff/sign-in"}


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("address", KEYBOARD_PAGES.values(), ids=KEYBOARD_PAGES.keys())
def test_every_consultation_tab_stop_is_on_screen_with_visible_focus(page: Page, site_url: str,
                                                                      address: str, width: int):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(site_url + address)
    assert unseen_stops(page) == []


def test_consultation_pages_look_like_the_site(page: Page, site_url: str):
    """The same header colour, fonts, link colour and footer, so a tenant can tell they are still
    on the association's site (issue 15). Material sets its fonts after a "_" placeholder."""
    look = """(link) => {
        const style = (selector) => getComputedStyle(document.querySelector(selector));
        return {header: style("header").backgroundColor, headerText: style("header").color,
                font: style("body").fontFamily.replace(/^_, /, ""),
                link: style(link).color, footer: style("footer").backgroundColor};
    }"""
    page.goto(site_url + "/policies/pets/")
    site = page.evaluate(look, ".md-content a")
    page.goto(site_url + "/consultations/pets/")
    assert page.evaluate(look, "main a") == site
    for name in ("Search", "Accessibility statement"):
        expect(page.get_by_role("link", name=name)).to_be_visible()


def send_general_comment(page: Page, site_url: str, words: str) -> str:
    """Comment on the whole pets draft as a tenant who agrees to publication; return the reference."""
    page.goto(site_url + "/consultations/pets/")
    general = page.locator("section", has=page.get_by_role("heading", name="Comments on the whole draft"))
    general.get_by_label("Tenant", exact=True).check()
    general.get_by_label("Your comment").fill(words)
    general.get_by_label("Yes, you may publish my comment without my name").check()
    general.get_by_role("button", name="Send comment").click()
    return page.locator(".reference").inner_text()


def test_moderator_redacts_answers_and_downloads_the_report(page: Page, site_url: str,
                                                          portal_app: Flask, axe: Axe):
    """Two tenants comment, one leaving a phone number; a moderator signs in, approves the first,
    redacts the number from the second, answers it and downloads the report, which carries the
    redacted text and the answer; the public page then shows both, without the number."""
    with portal_app.app_context():
        staff_accounts.add_staff_user("moderator@larkfield.example", "Mo Derator", "moderator",
                               auth.hash_password("a long and private password"), "test")
    references = [send_general_comment(page, site_url, words) for words in (
        "A fair policy that is easy to read.", "Good plan. Ring me on 07700 900123 to talk it over.")]

    page.goto(site_url + "/consultations/staff/queue")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff sign-in")
    assert violations(axe, page) == []
    page.get_by_label("Email address").fill("moderator@larkfield.example")
    page.get_by_label("Password").fill("a long and private password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderation queue")
    assert violations(axe, page) == []
    page.get_by_role("link", name=references[0]).click()
    page.get_by_label("Approve: it keeps to the house rules as it is").check()
    page.get_by_role("button", name="Save moderation").click()
    expect(page.get_by_role("status")).to_have_text("The comment has been moderated.")
    page.get_by_role("link", name="Moderation queue").click()
    reference = references[1]
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_label("The comment as it will be published")).to_have_value(
        "Good plan. Ring me on [phone number removed] to talk it over.")
    assert violations(axe, page) == []
    page.get_by_label("Redact: remove personal details or offensive words, then approve").check()
    page.get_by_label("Personal details, such as a phone number, email or home address").check()
    page.get_by_role("button", name="Save moderation").click()
    expect(page.get_by_role("status")).to_have_text("The comment has been moderated.")
    page.get_by_label("Accepted", exact=True).check()
    page.get_by_label("What we did and why").fill("We will take requests by phone too.")
    page.get_by_role("button", name="Save response").click()
    expect(page.get_by_role("status")).to_have_text("Your response has been saved.")

    page.get_by_role("link", name="Consultations").click()
    page.get_by_role("link", name="Report on the Pets and Animals Policy").click()
    assert violations(axe, page) == []
    with page.expect_download() as download:
        page.get_by_role("button", name="Spreadsheet (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    [row] = [row for row in rows if row["reference"] == reference]
    assert row["comment"] == "Good plan. Ring me on [phone number removed] to talk it over."
    assert (row["response"], row["explanation"]) == ("Accepted", "We will take requests by phone too.")

    page.goto(site_url + "/consultations/pets/")
    published = page.locator("section", has=page.get_by_role("heading", name="What people have said"))
    expect(published).to_contain_text("A fair policy that is easy to read.")
    expect(published).to_contain_text("Good plan. Ring me on [phone number removed] to talk it over.")
    expect(published).not_to_contain_text("07700")



# Accessible formats


@pytest.mark.parametrize("address", PAGES.values(), ids=PAGES.keys())
def test_text_reflows_at_400_percent_zoom(page: Page, site_url: str, address: str):
    """A 1280-pixel screen at 400 % is 320 CSS pixels wide: nothing may need sideways scrolling.
    Nor may a table's own scroll box hide a link: the version history's "See what changed" was once
    past the right edge of the screen, at 320 pixels and on a 375-pixel phone."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(site_url + address)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    for width in (320, 375):
        page.set_viewport_size({"width": width, "height": 640})
        boxes = [link.bounding_box() for link in page.get_by_role("link", name="See what changed").all()]
        assert [box for box in boxes if not box or box["x"] < 0 or box["x"] + box["width"] > width] == []


def test_large_print_follows_the_clear_print_guidance(page: Page, site_url: str):
    page.goto(site_url + "/policies/complaints/large-print/")
    styles = page.evaluate("""() => {
        const style = (selector) => getComputedStyle(document.querySelector(selector));
        const paragraph = style("main p.clause");
        document.querySelector("main").insertAdjacentHTML("beforeend", "<p><em id=probe>emphasis</em></p>");
        return {size: parseFloat(paragraph.fontSize), line: parseFloat(paragraph.lineHeight),
                align: paragraph.textAlign, family: paragraph.fontFamily,
                h2: parseFloat(style("main h2").fontSize), h2weight: style("main h2").fontWeight,
                emphasis: style("#probe").fontStyle};
    }""")
    assert styles["size"] >= 24  # 18 point
    assert styles["line"] >= 1.5 * styles["size"]
    assert styles["align"] in ("left", "start")
    assert styles["family"].startswith('"Liberation Sans"')
    assert styles["h2"] > styles["size"] and int(styles["h2weight"]) >= 700
    assert styles["emphasis"] == "normal"  # no italics


def test_listen_reads_the_policy_aloud_with_pause_and_stop(page: Page, site_url: str):
    page.goto(site_url + "/policies/complaints/")
    formats = page.locator(".policy-formats")
    formats.get_by_role("button", name="Listen to this policy").click()
    expect(formats.get_by_role("status")).to_have_text(re.compile("Reading the policy aloud|^$"))
    pause = formats.get_by_role("button", name="Pause")
    if pause.is_visible():  # still speaking: a headless browser with no voices may finish at once
        pause.click()
        expect(formats.get_by_role("status")).to_have_text("Paused.")
        formats.get_by_role("button", name="Stop").click()
    expect(formats.get_by_role("button", name="Listen to this policy")).to_be_visible()


def test_listen_is_not_offered_where_the_browser_cannot_speak(browser: Browser, site_url: str):
    for options in ({"java_script_enabled": False}, {}):
        context = browser.new_context(**options)
        if options == {}:  # a browser with no speech synthesis
            context.add_init_script("delete window.speechSynthesis; delete window.SpeechSynthesisUtterance;")
        page = context.new_page()
        page.goto(site_url + "/policies/complaints/")
        expect(page.get_by_role("link", name="Large-print PDF of this policy")).to_be_visible()
        expect(page.get_by_role("button", name="Listen to this policy")).to_have_count(0)
        context.close()


def test_panel_member_starts_from_their_link_by_keyboard(page: Page, site_url: str, portal_app: Flask,
                                                          axe: Axe):
    """Opening the link shows who it is for and a button; only pressing it starts the panel session."""
    with portal_app.app_context():
        ends = portal_clock().now() + dt.timedelta(days=7)
        _, token = panel.invite(SECRET_KEY, "pets", "Jo Bloggs", ends, "test")
    page.goto(f"{site_url}/consultations/panel/?invitation={token}")
    button = page.get_by_role("button", name="Start commenting as Jo Bloggs")
    expect(button).to_be_visible()
    assert violations(axe, page) == []
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Comment on the draft Pets and Animals Policy")
    expect(page.locator(".notice--panel")).to_contain_text("You are commenting as Jo Bloggs")
    assert violations(axe, page) == []


@pytest.mark.parametrize("width", [375, 1280])
def test_every_staff_tab_stop_is_on_screen_with_visible_focus(page: Page, site_url: str, portal_app: Flask,
                                                              width: int):
    """Every signed-in staff page type, and the panel start page, by keyboard at a phone's width
    and a desktop's (issue 15: every page type)."""
    email = f"keyboard-{width}@larkfield.example"
    with portal_app.app_context():
        staff_accounts.add_staff_user(email, "Key Board", "administrator",
                               auth.hash_password("a long and private password"), "test")
        ends = portal_clock().now() + dt.timedelta(days=7)
        _, token = panel.invite(SECRET_KEY, "pets", "Jo Bloggs", ends, "test")
    reference = send_general_comment(page, site_url, "Tabbing through every staff page.")
    page.goto(site_url + "/consultations/staff/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("a long and private password")
    page.get_by_role("button", name="Sign in").click()
    page.goto(site_url + "/consultations/staff/queue")
    comment_address = page.get_by_role("link", name=reference).get_attribute("href")
    page.set_viewport_size({"width": width, "height": 800})
    found = {}
    for address in ("/consultations/staff/", "/consultations/staff/queue", comment_address,
                    "/consultations/staff/reports/pets/", "/consultations/staff/audit",
                    "/consultations/staff/invitations/pets", f"/consultations/panel/?invitation={token}",
                    "/consultations/staff/assisted/pets", "/consultations/staff/outcome/pets",
                    "/consultations/staff/recommendations/pets", "/consultations/pets/recommendations"):
        page.goto(site_url + address if address.startswith("/consultations") else address)
        found[address] = unseen_stops(page)
    assert {address: stops for address, stops in found.items() if stops} == {}
