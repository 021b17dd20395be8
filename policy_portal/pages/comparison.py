"""What changed between two versions of a policy, section by section, for people who do not read
Markdown diffs. Added and removed words are marked with <ins> and <del>, each also saying
"added" or "removed" in words a screen reader announces, inside the section's own tables and
lists (markdown_diff.py); unchanged sections are folded away."""

from __future__ import annotations

from policy_portal.pages.policy_page import front_matter, notice_block
from policy_portal.pages.templating import render, trusted
from policy_portal.reading.policy import Policy
from policy_portal.text.formatting import md_text
from policy_portal.text.markdown_diff import marked
from policy_portal.text.sections import Section, section_html, sections


def _section_change(before: str, after: str) -> str:
    """The section as HTML, its tables and lists kept, with the words that changed marked."""
    return section_html(marked(before, after))


def comparison_page(before: Policy, after: Policy, note: str, current: str, consulted: bool = False) -> str:
    """The Markdown page (with HTML for the changes) comparing two versions of one policy. It sits
    beside the version pages; `current` is the version in force, whose page is the policy's own.
    `consulted`: `before` is the draft people were consulted on, which has no page of its own."""

    def link(version: str) -> str:
        return f"../{after.slug}.md" if version == current else f"v{version}.md"

    was = f"the draft consulted on (version {before.version})" if consulted else f"version {before.version}"
    title = f"{after.title}: what changed from {was} to version {after.version}"
    old = {section.key: section for section in sections(before.body)}
    new = {section.key: section for section in sections(after.body)}
    parts = [front_matter(title, note), f"# {md_text(title)}",
             notice_block("changes", "What changed, as the board recorded it:", md_text(note)),
             f"[Read version {md_text(after.version)}]({link(after.version)})"
             + ("" if consulted else f" · [Read version {md_text(before.version)}]({link(before.version)})")]
    changed = unchanged = 0
    for key in [*new, *(key for key in old if key not in new)]:
        a, b = old.get(key), new.get(key)
        if a and b and a.markdown == b.markdown and a.title == b.title:
            unchanged += 1
            parts.append(render("unchanged_section.html", title=b.title,
                                body=trusted(section_html(b.markdown))))
            continue
        changed += 1
        parts.append(_changed_section(a, b))
    parts.insert(3, f"{changed} section{'s' if changed != 1 else ''} changed, {unchanged} unchanged.")
    return "\n\n".join(parts) + "\n"


def _changed_section(before: Section | None, after: Section | None) -> str:
    if before is None:
        heading, body = f"{after.title} (new section)", _section_change("", after.markdown)
    elif after is None:
        heading, body = f"{before.title} (removed)", _section_change(before.markdown, "")
    else:
        heading = (after.title if before.title == after.title else
                   f"{after.title} (was: {before.title})")
        body = _section_change(before.markdown, after.markdown)
    return render("changed_section.html", heading=heading, body=trusted(body))


