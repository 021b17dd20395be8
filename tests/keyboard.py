"""Tabbing through a page in Chromium as a keyboard user does, to find the tab stops that axe
cannot judge: off screen, invisible, or showing no change when focused (WCAG 2.4.7, 2.4.11)."""

from __future__ import annotations

from playwright.sync_api import Page

MAX_STOPS = 400
"""More than any of our pages has; a bound so that a focus trap cannot loop for ever."""

_LOOK = """(element) => {
    // A focus indicator is an outline or a box shadow: a change of colour alone is not one.
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
        ? `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}` : "no outline";
    return `${outline} | ${style.boxShadow}`;
}"""
_STOP = """(element) => {
    const rect = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    return {
        name: element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") + " "
              + (element.innerText || element.value || "").trim().slice(0, 40),
        // Wholly within the width, and at least partly within the height: Chromium scrolls a
        // tall textarea only far enough to show its caret, which is enough to see focus.
        onScreen: rect.left >= 0 && rect.right <= innerWidth && rect.bottom > 0 && rect.top < innerHeight,
        visible: rect.width >= 1 && rect.height >= 1 && style.visibility === "visible"
                 && parseFloat(style.opacity) > 0,
    };
}"""


_FOCUSED = f"""() => {{
    // The focused element's probe number, where it is and how it looks; null when nothing is.
    const element = document.querySelector(":focus");
    if (!element) {{ return null; }}
    // Judge how a transition that focus starts ends (the site's skip link fades in), not its first frame.
    for (const animation of element.getAnimations()) {{
        try {{ animation.finish(); }} catch (endless) {{ /* an endless animation has no end to go to */ }}
    }}
    return {{probe: element.dataset.tabProbe, stop: ({_STOP})(element), look: ({_LOOK})(element)}};
}}"""
"""All that is asked of each stop, in one call to the browser rather than four: a page with many
stops took seconds of round trips."""


def unseen_stops(page: Page) -> list[str]:
    """Every tab stop on the page that is off screen, hidden, or looks the same focused as not,
    each as "what: why". Each element's unfocused look is taken first, with nothing focused.
    Off screen is not wholly within the width."""
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
        problems += _problems(focused, unfocused[index])
    return problems


def focused_problems(page: Page) -> list[str]:
    """What `unseen_stops` would say of the element that has focus now, for a stop that only
    appears after something else (a menu's panel): its unfocused look is taken by blurring it
    and focusing it again."""
    focused = page.evaluate(_FOCUSED)
    unfocused = page.evaluate(f"""() => {{
        const element = document.activeElement;
        element.blur();
        const look = ({_LOOK})(element);
        element.focus({{focusVisible: true}});
        return look;
    }}""")
    return _problems(focused, unfocused)


def _problems(focused: dict, unfocused: str) -> list[str]:
    stop = focused["stop"]
    problems = []
    if not stop["onScreen"]:
        problems.append(f"{stop['name']}: off screen")
    if not stop["visible"]:
        problems.append(f"{stop['name']}: invisible")
    if focused["look"] == unfocused:
        problems.append(f"{stop['name']}: no visible focus indicator")
    return problems
