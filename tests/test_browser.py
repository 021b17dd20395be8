"""The built site in real Chromium: accessibility, privacy, no-JavaScript use and search.

One browser for the session (pytest-playwright's `browser` fixture, launched from Debian's
Chromium by conftest.py), a fresh page per test, the site served by the portal's own server.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

PAGES = {
    "home": "/",
    "policy in force": "/policies/complaints/",
    "overdue policy": "/policies/data-protection/",
    "draft under consultation": "/policies/pets/",
    "withdrawn policy": "/policies/estate-walkabouts/",
    "search": "/search/",
    "staff guide": "/staff/policy-format/",
    "accessibility statement": "/accessibility/",
    "page not found": "/no-such-page/",
}
AXE_OPTIONS = {
    "runOnly": {"type": "tag",
                "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
    "resultTypes": ["violations"],
}


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


def test_search_finds_a_policy_by_a_word_in_its_text(page: Page, site_url: str):
    page.goto(site_url + "/search/")
    page.get_by_role("textbox", name="Search for a word or phrase in our policies").fill("ombudsman")
    result = page.locator(".pagefind-ui__result-link", has_text="Complaints Policy")
    expect(result).to_be_visible()
    result.click()
    expect(page).to_have_url(re.compile(r"/policies/complaints/"))


def test_keyboard_user_can_skip_to_the_policy_text(page: Page, site_url: str):
    page.goto(site_url + "/policies/complaints/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name=re.compile("Skip to content", re.IGNORECASE))
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#complaints-policy$"))
