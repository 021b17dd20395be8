"""The home page's list of policies, in each language: docs/index.md marks where it goes."""

from __future__ import annotations

from policy_portal.pages.context import PageContext
from policy_portal.pages.policy_page import policy_title
from policy_portal.reading.policy import Status
from policy_portal.text.formatting import md_text

INDEX_MARKER = "<!-- policy-list -->"
"""Where the home page (docs/index.md) wants the list of policies."""


def policy_list(context: PageContext, link_prefix: str = "policies/") -> str:
    """The English list: policies in force by category, then drafts, then withdrawn ones."""
    library, date = context.library, context.words.date
    parts = ["## Policies in force"]
    for category, policies in library.in_force_by_category().items():
        rows = []
        for policy in policies:
            due = policy.next_review
            review = date(due) if due else "Not set"
            if policy.review_overdue(context.today):
                review = f"**Overdue** (was due {review})"
            rows.append(f"| [{md_text(policy.title)}]({link_prefix}{policy.slug}.md) "
                        f"| {md_text(policy.reference)} | {review} |")
        parts.append("\n".join([f"### {md_text(category)}", "",
                                "| Policy | Reference | Next review |", "| --- | --- | --- |", *rows]))
    drafts = library.with_status(Status.DRAFT, Status.CONSULTATION)
    if drafts:
        lines = []
        for policy in drafts:
            closes = ""
            if policy.consultation:
                closes = f", comments close {date(policy.consultation.closes)}"
            lines.append(f"- [{md_text(policy.title)}]({link_prefix}{policy.slug}.md): "
                         f"{policy.status.label.lower()}{closes}")
        parts.append("## Drafts — not in force\n\nThese are proposals. They do not apply yet.\n\n"
                     + "\n".join(lines))
    withdrawn = library.with_status(Status.WITHDRAWN)
    if withdrawn:
        lines = [f"- [{md_text(p.title)}]({link_prefix}{p.slug}.md): withdrawn on "
                 f"{date(p.withdrawn_date)}" for p in withdrawn]
        parts.append("## Withdrawn policies\n\nKept for reference. They no longer apply.\n\n"
                     + "\n".join(lines))
    return "\n\n".join(parts)


def translated_policy_list(context: PageContext, link_prefix: str = "policies/") -> str:
    """Another language's list: the policies translated into it, then the rest, in English."""
    words, language = context.words, context.language
    translated, english = [], []
    for policy in context.library:
        translation = context.library.translation(policy.slug, language.code)
        link = f"[{policy_title(context, policy)}]({link_prefix}{policy.slug}.md)"
        if translation:
            note = f" — {words('this translation is out of date')}" if translation.is_stale(policy) else ""
            translated.append(f"- {link} ({md_text(policy.reference)}){note}")
        elif policy.in_force:
            english.append(f"- {link} ({md_text(policy.reference)})")
    parts = [f"## {words('Policies in {language}', language=language.name)}",
             "\n".join(translated) or words("None yet."),
             f"## {words('Policies in English only')}",
             words("Each page says how to ask for the policy in {language}.", language=language.name),
             "\n".join(english)]
    return "\n\n".join(part for part in parts if part)
