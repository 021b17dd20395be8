"""Turn policies into the Markdown of site pages.

The output is Markdown with a few HTML blocks (`markdown` attribute, for md_in_html) so any
Python-Markdown site generator can render it, link checking included: links between policies
are written as `other.md` and the generator turns them into page addresses.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from dataclasses import dataclass
from html import escape

import yaml

from policy_portal.config.languages import ENGLISH
from policy_portal.config.messages import Words
from policy_portal.config.settings import CONSULTATION_PATH, OUTCOME_WEEKS, Association
from policy_portal.consultations.rules import WindowState, outcome_due, window_state
from policy_portal.pages.about_rows import document_rows
from policy_portal.reading.library import Library
from policy_portal.reading.policy import AUDIENCES, HistoryEntry, Policy, Status
from policy_portal.text.formatting import file_size, join_words, long_date, md_text, on_date, plain_paragraph

ENGLISH_WORDS = Words(ENGLISH)
OTHER_FORMATS_ID = "ask-for-this-policy-in-another-format"
INDEX_MARKER = "<!-- policy-list -->"
"""Where the home page (docs/index.md) wants the list of policies."""


def page_title(policy: Policy) -> str:
    """The title used in the browser tab, navigation and links: drafts always say so."""
    if policy.is_draft:
        return f"{policy.title} (draft, not in force)"
    if policy.status is Status.WITHDRAWN:
        return f"{policy.title} (withdrawn)"
    return policy.title


@dataclass(frozen=True)
class Formats:
    """The other formats built for a policy: addresses relative to the policies folder, sizes
    in bytes, for the Formats box on its page."""

    large_print: str
    pdf: str
    pdf_size: int
    large_print_pdf: str
    large_print_pdf_size: int
    braille: str | None = None
    """The .brf file, if the language has a Braille table."""
    braille_size: int = 0


def front_matter(title: str, description: str) -> str:
    """The page's title and description, for the site generator, in a --- block."""
    meta = yaml.safe_dump({"title": title, "description": description}, allow_unicode=True, sort_keys=False)
    return f"---\n{meta}---"


def policy_page(policy: Policy, library: Library, association: Association, today: dt.date,
                told_us: str | None = None, formats: Formats | None = None,
                edit_url: str | None = None, versions: Collection[str] = (),
                consultation_url: str = CONSULTATION_PATH, outcome_weeks: int = OUTCOME_WEEKS) -> str:
    """The whole Markdown page for one policy, with front matter for the site generator.
    `edit_url`: where staff edit policy files (a repository's edit address), if configured;
    `versions`: earlier versions that have pages of their own, linked from the version history;
    `consultation_url`: where the consultation app runs, for a draft's "Comment" link."""
    edit = (f'\n<p class="policy-edit"><a href="{escape(edit_url)}{policy.slug}.md">Edit this page'
            f'<span class="visually-hidden"> ({escape(policy.title)}, for staff)</span></a></p>\n'
            if edit_url else "")
    text = policy_markdown(policy, library, association, today, told_us, formats, versions=versions,
                           consultation_url=consultation_url, outcome_weeks=outcome_weeks)
    return f"{front_matter(page_title(policy), policy.summary)}\n\n{text}{edit}"


def superseded_page(old: Policy, current: Policy, library: Library, association: Association,
                    today: dt.date, versions: Collection[str]) -> str:
    """An earlier approved version, at policies/<slug>/v<version>.md, marked as no longer in force."""
    title = f"{old.title}, version {old.version} (superseded)"
    notice = notice_block("withdrawn", "Superseded — not in force.",
                     f"This is version {md_text(old.version)} of the {md_text(old.title)}, approved "
                     f"{on_date(old.approval_date)}. It has been replaced by version "
                     f"{md_text(current.version)}. [Read the current version](../{current.slug}.md).")
    text = policy_markdown(old, library, association, today, versions=versions, link_prefix="../",
                           notice=notice)
    return f"{front_matter(title, old.summary)}\n\n{text}"


def policy_markdown(policy: Policy, library: Library, association: Association, today: dt.date,
                    told_us: str | None = None, formats: Formats | None = None, *,
                    versions: Collection[str] = (), link_prefix: str = "", notice: str | None = None,
                    consultation_url: str = CONSULTATION_PATH,
                    outcome_weeks: int = OUTCOME_WEEKS) -> str:
    """One policy as Markdown: the site page's text, and the large-print and PDF versions' (which
    have no Formats box: a PDF cannot list its own size). `told_us` is the consultation summary,
    shown once the policy is approved; `link_prefix` leads from the page to the policies folder;
    `notice` replaces the status notice (an earlier version's); `consultation_url` is where a
    draft's "Comment on this draft" link goes, followed by the policy's name; `outcome_weeks`:
    how long after closing day its outcome is due."""
    parts = [
        f"# {md_text(policy.title)}",
        notice if notice is not None else _status_notice(policy, library, today, link_prefix,
                                                         consultation_url, outcome_weeks),
        _metadata_panel(policy, today),
        formats_box(formats) if formats else "",
        f"## Summary\n\n{plain_paragraph(policy.summary)}",
        policy.body.strip(),
        _history(policy, versions, link_prefix),
        f"## What you told us\n\n{told_us.strip()}" if told_us and policy.in_force else "",
        _related(policy, library, link_prefix),
        other_formats(policy.reference, association),
    ]
    return "\n\n".join(part for part in parts if part) + "\n"


def notice_block(kind: str, heading: str, text: str) -> str:
    """A status notice at the top of a page: a bold heading, then what it means."""
    return (f'<div class="policy-notice policy-notice--{kind}" markdown>\n\n'
            f"**{heading}** {text}\n\n</div>")


def _status_notice(policy: Policy, library: Library, today: dt.date, link_prefix: str,
                   consultation_url: str, outcome_weeks: int = OUTCOME_WEEKS) -> str:
    if policy.status is Status.CONSULTATION and policy.consultation:
        dates = _consultation_dates(policy, today, consultation_url, outcome_weeks)
        return notice_block("draft", "Draft — not in force.",
                       f"This is a proposed policy. It does not apply yet. {dates}")
    if policy.status is Status.DRAFT:
        return notice_block("draft", "Draft — not in force.",
                       "This is a proposed policy. It does not apply yet and may change.")
    if policy.status is Status.WITHDRAWN:
        replaced = ""
        if policy.replaced_by:
            successor = library[policy.replaced_by]
            replaced = (f" It has been replaced by the [{md_text(successor.title)}]"
                        f"({link_prefix}{successor.slug}.md).")
        return notice_block("withdrawn", "Withdrawn — no longer in force.",
                       f"This policy was withdrawn {on_date(policy.withdrawn_date)}.{replaced} "
                       "It is kept here for reference.")
    if policy.review_overdue(today):
        return notice_block("overdue", "Review overdue.",
                       f"This policy was due for review {on_date(policy.next_review)}. "
                       "It stays in force until the board approves a reviewed version.")
    return ""


def _consultation_dates(policy: Policy, today: dt.date, consultation_url: str,
                        outcome_weeks: int) -> str:
    """When comments open and close, and the link to comment. The site is static, so the link is
    there whatever the date: the consultation app says whether comments are open on the day."""
    window = policy.consultation
    who = join_words([AUDIENCES[audience] for audience in window.audiences])
    opens, closes = long_date(window.opens), long_date(window.closes)
    link = f"[Comment on this draft]({consultation_url}{policy.slug}/)"
    match window_state(policy, today):
        case WindowState.OPEN:
            return f"We are asking {who} for comments until {closes}. {link}."
        case WindowState.NOT_YET_OPEN:
            return f"Comments open on {opens} and close on {closes}. {link}."
        case _:
            after = _awaiting_outcome(policy, today, consultation_url, outcome_weeks)
            return f"Comments closed on {closes}. {after}"


def _awaiting_outcome(policy: Policy, today: dt.date, consultation_url: str, outcome_weeks: int) -> str:
    """After closing day: that we are analysing the feedback and when the outcome is due, or
    that it is late and when staff now expect it. The site is built daily and cannot know when
    the outcome is published in the consultation app, so it links there for it."""
    window = policy.consultation
    due = outcome_due(window.closes, outcome_weeks)
    link = f"[the consultation page]({consultation_url}{policy.slug}/)"
    if today <= due:
        return (f"We are analysing your feedback. We will publish the outcome on {link} "
                f"by {long_date(due)}.")
    expected = (f"We now expect to publish it by {long_date(window.outcome_expected)}"
                if window.outcome_expected and window.outcome_expected >= today
                else "We will give a new date soon")
    return (f"The outcome was due on {long_date(due)} and is late. {expected}: "
            f"it will be on {link}.")


def _metadata_panel(policy: Policy, today: dt.date) -> str:
    rows = [
        ("Reference", policy.reference),
        ("Status", policy.status.label),
        ("Version", policy.version),
        ("Policy owner", policy.owner),
        ("Category", policy.category),
    ]
    if policy.approval_date:
        rows.append(("Approved by", f"{policy.approved_by}, {long_date(policy.approval_date)}"))
    if policy.effective_date and policy.status is Status.APPROVED:
        rows.append(("In force since", long_date(policy.effective_date)))
    if policy.last_reviewed:
        rows.append(("Last reviewed", long_date(policy.last_reviewed)))
    if policy.in_force and policy.next_review:
        overdue = " (overdue)" if policy.review_overdue(today) else ""
        rows.append(("Next review", long_date(policy.next_review) + overdue))
    if policy.equality_impact_assessment:
        rows.append(("Equality impact assessment", long_date(policy.equality_impact_assessment)))
    return metadata_panel(rows + document_rows(policy), ENGLISH_WORDS)


def metadata_panel(rows: list[tuple[str, str]], words: Words) -> str:
    """"About this policy": label and value pairs, as a definition list."""
    items = "\n".join(f"<div><dt>{escape(name)}</dt><dd>{escape(value)}</dd></div>"
                      for name, value in rows)
    return (f'<section class="policy-meta" aria-labelledby="about-this-policy">\n'
            f'<h2 id="about-this-policy">{escape(words("About this policy"))}</h2>\n<dl>\n{items}\n'
            "</dl>\n</section>")


def _history(policy: Policy, versions: Collection[str] = (), link_prefix: str = "") -> str:
    """The version table. A version with a page of its own links to it, and to what changed."""
    if not policy.history:
        return ""
    pages = {*versions, policy.version} if policy.in_force else set(versions)
    rows = []
    for before, entry in zip([None, *policy.history], policy.history, strict=False):
        version, changes = md_text(entry.version), _changes(entry)
        if entry.version in versions:
            version = f"[{version}]({link_prefix}{policy.slug}/v{entry.version}.md)"
        if before and before.version in pages and entry.version in pages:
            target = comparison_path(policy.slug, before.version, entry.version)
            changes += (f" [See what changed<span class=\"visually-hidden\"> from version {before.version}"
                        f"</span>]({link_prefix}{target})")
        rows.append(f"| {version} | {long_date(entry.date)} | {md_text(entry.approved_by)} | {changes} |")
    rows.reverse()
    return "\n".join(["## Version history", "",
                      "| Version | Date approved | Approved by | What changed |",
                      "| --- | --- | --- | --- |", *rows])


def _changes(entry: HistoryEntry) -> str:
    """One change as text; several as a list, in HTML because a table cell cannot hold a Markdown list."""
    if len(entry.changes) == 1:
        return md_text(entry.changes_in_a_line)
    items = "".join(f"<li>{md_text(' '.join(change.split()))}</li>" for change in entry.changes)
    return f"<ul>{items}</ul>"


def comparison_path(slug: str, before: str, after: str) -> str:
    """Where the page comparing two versions goes, relative to the policies folder."""
    return f"{slug}/changes-v{before}-to-v{after}.md"


def _related(policy: Policy, library: Library, link_prefix: str = "") -> str:
    lines = []
    for slug in policy.related:
        if slug not in library.policies:  # an earlier version may name a policy since removed
            continue
        other = library[slug]
        note = "" if other.in_force else f" ({other.status.label.lower()})"
        lines.append(f"- [{md_text(other.title)}]({link_prefix}{slug}.md){note}")
    for document in policy.documents:
        title = md_text(document.title)
        lines.append(f"- [{title}]({document.url})" if document.url else f"- {title}")
    if not lines:
        return ""
    return "## Related policies and documents\n\n" + "\n".join(lines)


def formats_box(formats: Formats, words: Words = ENGLISH_WORDS) -> str:
    """Links to every format, and a place for the Listen control (listen.js fills it in). The
    Braille file is downloaded, not shown: it is read in a Braille display's or embosser's own
    software, and a browser would show it as letters."""
    return "\n".join([
        '<section class="policy-formats" aria-labelledby="formats" markdown>', "",
        f"## {words('Formats')} {{#formats}}", "",
        f"- [{words('Large print version of this policy')}]({formats.large_print})",
        f"- [{words('PDF of this policy')}]({formats.pdf}) ({file_size(formats.pdf_size)})",
        f"- [{words('Large-print PDF of this policy')}]({formats.large_print_pdf}) "
        f"({file_size(formats.large_print_pdf_size)})",
        *([f"- [{words('Braille file of this policy')}]({formats.braille}){{download}} "
           f"({file_size(formats.braille_size)}, {words('for a Braille display or embosser')})"]
          if formats.braille else []),
        f"- [{words('Braille, Easy Read, audio or another language')}](#{OTHER_FORMATS_ID})", "",
        f'<div class="listen" data-listen="{listen_words(words)}" hidden></div>', "",
        "</section>",
    ])


def listen_words(words: Words) -> str:
    """The Listen control's words in the page's language, as JSON for an attribute: listen.js
    has no catalogues of its own, and English buttons on a Welsh page are read with Welsh sounds."""
    return escape(json.dumps({
        "listen": words("Listen to this policy"), "pause": words("Pause"), "resume": words("Carry on"),
        "stop": words("Stop"), "paused": words("Paused."), "reading": words("Reading the policy aloud."),
    }, ensure_ascii=False))


def other_formats(reference: str, association: Association, words: Words = ENGLISH_WORDS) -> str:
    """How to ask for the policy in a format or language the site does not have."""
    return "\n".join([
        f"## {words('Ask for this policy in another format')} {{#{OTHER_FORMATS_ID}}}", "",
        words("You can ask {association} for this policy in large print, audio, Braille, Easy Read or "
              "another language. Tell us the policy's reference ({reference}) and the format you need.",
              association=md_text(association.name), reference=md_text(reference)), "",
        f"- {words('Phone')}: [{md_text(association.phone)}]({association.phone_uri})",
        f"- {words('Email')}: [{md_text(association.email)}](mailto:{association.email})",
        f"- {words('Write to')}: {md_text(association.address)}",
    ])


def policy_list(library: Library, today: dt.date, link_prefix: str = "policies/") -> str:
    """The home page's list: policies in force by category, then drafts, then withdrawn ones."""
    parts = ["## Policies in force"]
    for category, policies in library.in_force_by_category().items():
        rows = []
        for policy in policies:
            due = policy.next_review
            review = long_date(due) if due else "Not set"
            if policy.review_overdue(today):
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
                closes = f", comments close {long_date(policy.consultation.closes)}"
            lines.append(f"- [{md_text(policy.title)}]({link_prefix}{policy.slug}.md): "
                         f"{policy.status.label.lower()}{closes}")
        parts.append("## Drafts — not in force\n\nThese are proposals. They do not apply yet.\n\n"
                     + "\n".join(lines))
    withdrawn = library.with_status(Status.WITHDRAWN)
    if withdrawn:
        lines = [f"- [{md_text(p.title)}]({link_prefix}{p.slug}.md): withdrawn on "
                 f"{long_date(p.withdrawn_date)}" for p in withdrawn]
        parts.append("## Withdrawn policies\n\nKept for reference. They no longer apply.\n\n"
                     + "\n".join(lines))
    return "\n\n".join(parts)
