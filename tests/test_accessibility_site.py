"""WCAG checks on the static site that axe-core cannot make: the Nu HTML Checker over every built
page, pa11y's HTML_CodeSniffer rules over every page type, tab stops that are on screen with a
visible focus indicator, the accessibility tree of the menus and live regions, and visible text
free of HTML entities.

Uses the session's one browser and built site (tests/conftest.py) and the page types of
tests/test_browser.py, without the consultation app's pages (tested with the app) except where
a checker runs over every page type at once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, Page, expect

from tests import pa11y, vnu
from tests.keyboard import MAX_STOPS, focused_problems, unseen_stops
from tests.test_browser import PAGES

SITE_PAGES = {name: address for name, address in PAGES.items() if not address.startswith("/consultations/")}


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("address", SITE_PAGES.values(), ids=SITE_PAGES.keys())
def test_every_tab_stop_is_on_screen_with_a_visible_focus_indicator(page: Page, site_url: str, address: str,
                                                                     width: int):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(site_url + address)
    assert unseen_stops(page) == []


def test_the_nu_html_checker_finds_no_errors(site: Path):
    assert vnu.errors(sorted(site.rglob("*.html"))) == []


APP_PAGES = {"subscribe": "/consultations/subscribe",
             "recommendations": "/consultations/pets/recommendations"}


def test_pa11y_finds_no_errors_on_any_page_type(site_url: str):
    """HTML_CodeSniffer's WCAG 2 AA rules over every page type, site and consultation app."""
    addresses = [site_url + address for address in {**PAGES, **APP_PAGES}.values()]
    assert pa11y.errors(addresses) == {address: [] for address in addresses}


def test_the_theme_toggles_pa11y_skips_are_hidden_from_everyone(page: Page, site_url: str):
    """pa11y is told to skip Material's menu checkboxes (tests/pa11y.py): only right while no
    assistive technology can meet them, that is, while each is display:none."""
    for address in ("/search/", "/policies/pets/", "/ar/policies/complaints/"):
        page.goto(site_url + address)
        toggles = page.locator(pa11y.THEME_TOGGLES)
        assert toggles.count() >= 3
        assert set(toggles.evaluate_all("all => all.map(e => getComputedStyle(e).display)")) == {"none"}

def test_no_page_shows_an_html_entity_as_text(site: Path):
    """Text escaped twice ("Ombudsman&#x27;s") is read out as "ampersand hash x 27". Code examples
    may show an entity on purpose: the staff guide tells staff to write &lt;."""
    shown = {}
    for path in sorted(site.rglob("*.html")):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for hidden in soup.find_all(["script", "style", "code"]):
            hidden.decompose()
        found = re.findall(r"&#|&amp;|&lt;", soup.get_text(" "))
        if found:
            shown[str(path.relative_to(site))] = found
    assert shown == {}


# The accessibility tree of the menus, toggles and live regions (assets/menus.js, listen.js, search.js)


def test_language_menu_is_a_button_that_opens_and_closes_a_list_of_links(page: Page, site_url: str):
    page.goto(site_url + "/policies/complaints/")
    menu = page.locator(".md-header__option")
    expect(menu).to_match_aria_snapshot('- button "Select language" [expanded=false]')
    menu.get_by_role("button").click()
    expect(menu).to_match_aria_snapshot("""
        - button "Select language" [expanded]
        - list:
          - listitem:
            - link "English"
          - listitem:
            - link "Cymraeg"
          - listitem:
            - link "Polski"
          - listitem:
            - link "العربية"
    """)
    page.get_by_role("link", name="Cymraeg").focus()
    page.keyboard.press("Escape")
    expect(menu).to_match_aria_snapshot('- button "Select language" [expanded=false]')
    expect(menu.get_by_role("button")).to_be_focused()


def test_navigation_toggles_are_buttons_that_say_whether_they_are_open(page: Page, site_url: str):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(site_url + "/")
    header = page.get_by_role("banner")
    expect(header).to_match_aria_snapshot("""
        - navigation "Header":
          - button "Navigation" [expanded=false]
    """)
    header.get_by_role("button", name="Navigation").focus()
    page.keyboard.press("Enter")
    expect(header.get_by_role("button", name="Navigation")).to_have_attribute("aria-expanded", "true")
    menu = page.get_by_role("navigation", name="Navigation", exact=True)
    expect(menu.get_by_role("link", name="Search")).to_be_in_viewport()
    expect(menu).to_match_aria_snapshot("""
        - list:
          - listitem:
            - button "For staff" [expanded=false]
    """)
    page.keyboard.press("Escape")
    expect(header.get_by_role("button", name="Navigation")).to_be_focused()
    expect(menu.get_by_role("link", name="Search")).to_be_hidden()


def test_drawer_sections_work_by_keyboard_and_focus_is_never_left_under_them(page: Page, site_url: str):
    """On a phone a section ("For staff") slides over the drawer: focus goes to its title, the way
    back, and returns to the section's button; tabbing past the drawer's end closes it."""
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(site_url + "/reviews/")
    page.get_by_role("button", name="Navigation").press("Enter")
    section = page.locator("#__nav_5_label")
    section.focus()
    page.keyboard.press("Enter")
    back = page.get_by_role("button", name="For staff", expanded=True).last
    expect(back).to_be_focused()
    page.wait_for_timeout(300)  # the section's slide
    assert focused_problems(page) == []
    page.keyboard.press("Enter")
    expect(section).to_be_focused()
    expect(section).to_have_attribute("aria-expanded", "false")
    in_drawer = "document.querySelector('.md-sidebar--primary').contains(document.activeElement)"
    for _ in range(MAX_STOPS):
        page.keyboard.press("Tab")
        if not page.evaluate(in_drawer):
            break
    expect(page.get_by_role("button", name="Navigation")).to_have_attribute("aria-expanded", "false")


@pytest.mark.parametrize(("address", "listen"), [("/policies/complaints/", "Listen to this policy"),
                                                  ("/cy/policies/complaints/", "Gwrando ar y polisi hwn")])
def test_listen_offers_only_listen_before_it_plays_in_the_pages_language(page: Page, site_url: str,
                                                                        address: str, listen: str):
    page.goto(site_url + address)
    expect(page.locator("[data-listen]")).to_match_aria_snapshot(f"""
        - button "{listen}"
        - status
    """)


def test_search_says_how_many_results_in_a_status_message(page: Page, site_url: str):
    page.goto(site_url + "/search/")
    page.get_by_role("textbox", name="Search for a word or phrase in our policies").fill("ombudsman")
    expect(page.get_by_role("status")).to_match_aria_snapshot("- status: 4 results for ombudsman")


@pytest.mark.parametrize("address", SITE_PAGES.values(), ids=SITE_PAGES.keys())
def test_no_page_asks_for_a_missing_file(page: Page, site_url: str, address: str):
    """Such as the sitemap Material's script looks for under each feed link, or a favicon."""
    missing: list[str] = []
    page.on("response", lambda response: missing.append(response.url)
            if response.status >= 400 and response.url != site_url + address else None)
    page.goto(site_url + address, wait_until="networkidle")
    assert missing == []


TEXT_SPACING = """* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
                     word-spacing: 0.16em !important; }
                   p { margin-bottom: 2em !important; }"""
"""WCAG 1.4.12's text-spacing override: nothing may be lost with it."""


@pytest.mark.parametrize("address", ["/policies/data-protection/large-print/",
                                     "/pl/policies/complaints/large-print/"])
def test_large_print_reflows_at_320_pixels_with_text_spacing_increased(browser: Browser, site_url: str,
                                                                       address: str):
    """These have an email address in their text, longer than a 320 px line. The override is an
    inline style, as a reader's bookmarklet adds it, so the content security policy is bypassed."""
    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(site_url + address)
    page.add_style_tag(content=TEXT_SPACING)
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    context.close()
