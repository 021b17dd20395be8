"""Tabbing through a page in Chromium as a keyboard user does, to find the tab stops that axe
cannot judge: off screen, invisible, or showing no change when focused (WCAG 2.4.7, 2.4.11)."""

from __future__ import annotations

from playwright.sync_api import Page

MAX_STOPS = 400
"""More than any of our pages has; a bound so that a focus trap cannot loop for ever."""

_LOOK = """(element) => {
    const style = getComputedStyle(element);
    return [style.outlineStyle, style.outlineWidth, style.outlineColor, style.boxShadow,
            style.backgroundColor, style.color].join(" | ");
}"""
_STOP = """(element) => {
    const rect = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    return {
        name: element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") + " "
              + (element.innerText || element.value || "").trim().slice(0, 40),
        // Wholly within the width, and at least partly within the height: Chromium scrolls a
        // tall textarea only far enough to show its caret, which is enough to see focus.
        onScreen: rect.width > 0 && rect.height > 0 && rect.left >= 0 && rect.right <= innerWidth
                  && rect.bottom > 0 && rect.top < innerHeight,
        visible: style.visibility === "visible" && parseFloat(style.opacity) > 0,
    };
}"""


_FOCUSED = f"""() => {{
    // The focused element's probe number, where it is and how it looks; null when nothing is.
    const element = document.querySelector(":focus");
    return element && {{probe: element.dataset.tabProbe, stop: ({_STOP})(element), look: ({_LOOK})(element)}};
}}"""
"""All that is asked of each stop, in one call to the browser rather than four: a page with many
stops took seconds of round trips."""


def unseen_stops(page: Page) -> list[str]:
    """Every tab stop on the page that is off screen, hidden, or looks the same focused as not,
    each as "what: why". Each element's unfocused look is taken first, with nothing focused."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.evaluate("document.querySelectorAll('*').forEach((e, i) => e.dataset.tabProbe = i)")
    unfocused = page.evaluate(f"[...document.querySelectorAll('*')].map({_LOOK})")
    problems, seen = [], set()
    for _ in range(MAX_STOPS):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        if focused is None:  # focus has left the page, past its last stop
            break
        index = int(focused["probe"])
        if index in seen:
            break
        seen.add(index)
        stop = focused["stop"]
        if not stop["onScreen"]:
            problems.append(f"{stop['name']}: off screen")
        if not stop["visible"]:
            problems.append(f"{stop['name']}: invisible")
        if focused["look"] == unfocused[index]:
            problems.append(f"{stop['name']}: no visible focus indicator")
    return problems
