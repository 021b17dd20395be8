"""Turn a policy, or a translation of it, into the Markdown of its page.

One renderer for every language: English is a language whose words are the messages
themselves. A page shows a text (the English policy, or a translation) in its context's
language; what differs for a translation (its notice, its facts, the link to the English text)
comes from the translation's own data, not from another set of functions.

The output is Markdown with a few HTML blocks (`markdown` attribute, for md_in_html) so any
Python-Markdown site generator can render it, link checking included: links between policies
are written as `other.md` and the generator turns them into page addresses. Blocks of more
than a line are templates (`templating.py`).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from html import escape

import yaml

from policy_portal.config.messages import Words
from policy_portal.consultations.rules import WindowState, outcome_due, window_state
from policy_portal.pages.about_rows import document_rows
from policy_portal.pages.context import PageContext
from policy_portal.pages.templating import render, trusted
from policy_portal.reading.policy import AUDIENCES, HistoryEntry, Policy, Status, Translation
from policy_portal.text.formatting import file_size, join_words, md_text, on_date, plain_paragraph

OTHER_FORMATS_ID = "ask-for-this-policy-in-another-format"


def page_title(text: Policy | Translation) -> str:
    """The title used in the browser tab, navigation and links: drafts always say so."""
    if isinstance(text, Translation):
        return text.title
    if text.is_draft:
        return f"{text.title} (draft, not in force)"
    if text.status is Status.WITHDRAWN:
        return f"{text.title} (withdrawn)"
    return text.title


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


def policy_page(context: PageContext, text: Policy | Translation, *, told_us: str | None = None,
                formats: Formats | None = None, edit_url: str | None = None,
                versions: Collection[str] = ()) -> str:
    """The whole Markdown page for a policy or translation, with front matter for the site
    generator. `edit_url`: where staff edit policy files (a repository's edit address), if
    configured; `versions`: earlier versions that have pages of their own, linked from the
    version history."""
    edit = (f'\n<p class="policy-edit"><a href="{escape(edit_url)}{text.slug}.md">Edit this page'
            f'<span class="visually-hidden"> ({escape(text.title)}, for staff)</span></a></p>\n'
            if edit_url else "")
    markdown = page_markdown(context, text, told_us=told_us, formats=formats, versions=versions)
    return f"{front_matter(page_title(text), text.summary)}\n\n{markdown}{edit}"


def superseded_page(context: PageContext, old: Policy, current: Policy, versions: Collection[str]) -> str:
    """An earlier approved version, at policies/<slug>/v<version>.md, marked as no longer in force."""
    title = f"{old.title}, version {old.version} (superseded)"
    notice = notice_block("withdrawn", "Superseded — not in force.",
                          f"This is version {md_text(old.version)} of the {md_text(old.title)}, approved "
                          f"{on_date(old.approval_date)}. It has been replaced by version "
                          f"{md_text(current.version)}. [Read the current version](../{current.slug}.md).")
    markdown = page_markdown(context, old, versions=versions, link_prefix="../", notice=notice)
    return f"{front_matter(title, old.summary)}\n\n{markdown}"


def page_markdown(context: PageContext, text: Policy | Translation, *, told_us: str | None = None,
                  formats: Formats | None = None, versions: Collection[str] = (), link_prefix: str = "",
                  notice: str | None = None) -> str:
    """A policy or translation as Markdown in the context's language: the site page's text, and
    the large-print, PDF and Braille versions' (which have no Formats box: a PDF cannot list its
    own size). `told_us` is the consultation summary, shown once the policy is approved;
    `versions` have pages of their own; `link_prefix` leads from the page to the policies folder;
    `notice` replaces the status notice (an earlier version's)."""
    words = context.words
    translation = text if isinstance(text, Translation) else None
    policy = context.library[text.slug] if translation else text
    if notice is None:
        notice = (translation_notice(context, translation, policy) if translation
                  else _status_notice(context, policy, link_prefix))
    parts = [
        f"# {md_text(text.title)}",
        notice,
        metadata_panel(about_rows(context, policy, translation), words),
        formats_box(context, formats) if formats else "",
        f"## {words('Summary')}\n\n{plain_paragraph(text.summary)}",
        text.body.strip(),
        "" if translation else _history(context, policy, versions, link_prefix),
        f"## What you told us\n\n{told_us.strip()}" if told_us and policy.in_force else "",
        _related(context, policy, link_prefix),
        other_formats(context, policy.reference),
    ]
    return "\n\n".join(part for part in parts if part) + "\n"


def notice_block(kind: str, heading: str, text: str) -> str:
    """A notice at the top of a page: a bold heading, then what it means. Both are Markdown the
    portal wrote, any outside text in them already escaped with `md_text`."""
    return render("notice.md", kind=kind, heading=trusted(heading), text=trusted(text))


def _status_notice(context: PageContext, policy: Policy, link_prefix: str) -> str:
    if policy.status is Status.CONSULTATION and policy.consultation:
        dates = _consultation_dates(context, policy)
        return notice_block("draft", "Draft — not in force.",
                            f"This is a proposed policy. It does not apply yet. {dates}")
    if policy.status is Status.DRAFT:
        return notice_block("draft", "Draft — not in force.",
                            "This is a proposed policy. It does not apply yet and may change.")
    if policy.status is Status.WITHDRAWN:
        replaced = ""
        if policy.replaced_by:
            successor = context.library[policy.replaced_by]
            replaced = (f" It has been replaced by the [{md_text(successor.title)}]"
                        f"({link_prefix}{successor.slug}.md).")
        return notice_block("withdrawn", "Withdrawn — no longer in force.",
                            f"This policy was withdrawn {on_date(policy.withdrawn_date)}.{replaced} "
                            "It is kept here for reference.")
    if policy.review_overdue(context.today):
        return notice_block("overdue", "Review overdue.",
                            f"This policy was due for review {on_date(policy.next_review)}. "
                            "It stays in force until the board approves a reviewed version.")
    return ""


def _consultation_dates(context: PageContext, policy: Policy) -> str:
    """When comments open and close, and the link to comment. The site is static, so the link is
    there whatever the date: the consultation app says whether comments are open on the day."""
    window = policy.consultation
    who = join_words([AUDIENCES[audience] for audience in window.audiences])
    opens, closes = context.words.date(window.opens), context.words.date(window.closes)
    link = f"[Comment on this draft]({context.consultation_url}{policy.slug}/)"
    match window_state(policy, context.today):
        case WindowState.OPEN:
            return f"We are asking {who} for comments until {closes}. {link}."
        case WindowState.NOT_YET_OPEN:
            return f"Comments open on {opens} and close on {closes}. {link}."
        case _:
            return f"Comments closed on {closes}. {_awaiting_outcome(context, policy)}"


def _awaiting_outcome(context: PageContext, policy: Policy) -> str:
    """After closing day: that we are analysing the feedback and when the outcome is due, or
    that it is late and when staff now expect it. The site is built daily and cannot know when
    the outcome is published in the consultation app, so it links there for it."""
    window, date = policy.consultation, context.words.date
    due = outcome_due(window.closes, context.outcome_weeks)
    link = f"[the consultation page]({context.consultation_url}{policy.slug}/)"
    if context.today <= due:
        return (f"We are analysing your feedback. We will publish the outcome on {link} "
                f"by {date(due)}.")
    expected = (f"We now expect to publish it by {date(window.outcome_expected)}"
                if window.outcome_expected and window.outcome_expected >= context.today
                else "We will give a new date soon")
    return (f"The outcome was due on {date(due)} and is late. {expected}: "
            f"it will be on {link}.")


def english_link(policy: Policy, root: str) -> str:
    """A link to the English page, titled in English and marked as English for screen readers."""
    return (f'<a href="{escape(root)}policies/{policy.slug}/" hreflang="en" lang="en">'
            f"{md_text(policy.title)}</a>")


def translation_notice(context: PageContext, translation: Translation, policy: Policy) -> str:
    """At the top of every translation: what it translates, and, if the English has moved on,
    that the translation is out of date and the English text is the one in force."""
    words = context.words
    link = f"{words('Read the English version:')} {english_link(policy, context.root)}"
    if translation.is_stale(policy):
        return notice_block("stale", words("This translation is out of date."), " ".join([
            words("It is a translation of version {old} of this policy. The English version, version "
                  "{new}, is newer, and it is the one that applies.",
                  old=translation.translates_version, new=policy.version), link]))
    return notice_block("translation", words("Translation."), " ".join([
        words("This is a translation of version {version} of this policy, made on {date}. If the "
              "translation and the English version differ, the English version applies.",
              version=translation.translates_version, date=words.date(translation.translated_on)),
        link]))


def about_rows(context: PageContext, policy: Policy,
               translation: Translation | None = None) -> list[tuple[str, str]]:
    """The facts in "About this policy". A translation gives the version it translates and who
    made it; the English page gives the policy's status, owner and approval, whose values are
    English text (its labels are not in the catalogues: no translated page shows them). Both give
    the dates of the policy's reviews and equality impact assessment, in the page's language."""
    words, date = context.words, context.words.date
    rows = [(words("Reference"), policy.reference)]
    if translation:
        approved = next(entry.date for entry in policy.history
                        if entry.version == translation.translates_version)
        rows += [(words("Version translated"), translation.translates_version),
                 (words("Approved"), date(approved))]  # the version translated, not the newest
    else:
        rows += [("Status", policy.status.label), ("Version", policy.version),
                 ("Policy owner", policy.owner), ("Category", policy.category)]
        if policy.approval_date:
            rows.append(("Approved by", f"{policy.approved_by}, {date(policy.approval_date)}"))
        if policy.effective_date and policy.status is Status.APPROVED:
            rows.append(("In force since", date(policy.effective_date)))
    if policy.last_reviewed:
        rows.append((words("Last reviewed"), date(policy.last_reviewed)))
    if policy.next_review and (translation or policy.in_force):
        overdue = f" ({words('overdue')})" if policy.review_overdue(context.today) else ""
        rows.append((words("Next review"), date(policy.next_review) + overdue))
    if translation:
        rows += [(words("Translated by"), translation.translated_by),
                 (words("Translated on"), date(translation.translated_on))]
    if policy.equality_impact_assessment:
        rows.append((words("Equality impact assessment"), date(policy.equality_impact_assessment)))
    if not translation:
        rows += document_rows(policy)  # the document control table and appendices
    return rows


def metadata_panel(rows: list[tuple[str, str]], words: Words) -> str:
    """"About this policy": label and value pairs, as a definition list."""
    return render("metadata_panel.html", heading=words("About this policy"), rows=rows)


def _history(context: PageContext, policy: Policy, versions: Collection[str], link_prefix: str) -> str:
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
        rows.append(f"| {version} | {context.words.date(entry.date)} | {md_text(entry.approved_by)} "
                    f"| {changes} |")
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


def _related(context: PageContext, policy: Policy, link_prefix: str) -> str:
    """Related policies, linked to their pages in this language (a translation, or the page that
    says there is none). An English page also says which are not in force and lists the
    documents the policy names: status labels and documents' titles are English words."""
    words, english = context.words, context.language.default
    items = []
    for slug in policy.related:
        if slug not in context.library.policies:  # an earlier version may name a policy since removed
            continue
        other = context.library[slug]
        note = "" if other.in_force or not english else other.status.label.lower()
        items.append(_Link(trusted(policy_title(context, other)), f"{link_prefix}{slug}.md", note))
    if english:
        items += [_Link(document.title, trusted(document.url) if document.url else None)
                  for document in policy.documents]
    if not items:
        return ""
    heading = "Related policies and documents" if english else words("Related policies")
    return render("related.md", heading=trusted(heading), items=items)


def policy_title(context: PageContext, policy: Policy) -> str:
    """The policy's title as Markdown in the page's language if it is translated, else in English,
    marked `lang="en"` on another language's page."""
    translation = context.library.translation(policy.slug, context.language.code)
    if translation:
        return md_text(translation.title)
    if context.language.default:
        return md_text(policy.title)
    return f'<span lang="en">{md_text(policy.title)}</span>'


@dataclass(frozen=True)
class _Link:
    """A line of a list of links: the link's text, where it goes, and what follows it."""

    title: str
    href: str | None
    note: str = ""
    download: bool = False


def formats_box(context: PageContext, formats: Formats) -> str:
    """Links to every format, and a place for the Listen control (listen.js fills it in). The
    Braille file is downloaded, not shown: it is read in a Braille display's or embosser's own
    software, and a browser would show it as letters."""
    words = context.words
    links = [
        _Link(trusted(words("Large print version of this policy")), formats.large_print),
        _Link(trusted(words("PDF of this policy")), formats.pdf, file_size(formats.pdf_size)),
        _Link(trusted(words("Large-print PDF of this policy")), formats.large_print_pdf,
              file_size(formats.large_print_pdf_size)),
    ]
    if formats.braille:
        links.append(_Link(trusted(words("Braille file of this policy")), formats.braille,
                           trusted(f"{file_size(formats.braille_size)}, "
                                   f"{words('for a Braille display or embosser')}"), download=True))
    return render("formats_box.md", heading=trusted(words("Formats")), links=links,
                  other_formats=trusted(words("Braille, Easy Read, audio or another language")),
                  other_formats_id=OTHER_FORMATS_ID, listen=trusted(listen_words(words)))


def listen_words(words: Words) -> str:
    """The Listen control's words in the page's language, as JSON for an attribute: listen.js
    has no catalogues of its own, and English buttons on a Welsh page are read with Welsh sounds."""
    return escape(json.dumps({
        "listen": words("Listen to this policy"), "pause": words("Pause"), "resume": words("Carry on"),
        "stop": words("Stop"), "paused": words("Paused."), "reading": words("Reading the policy aloud."),
    }, ensure_ascii=False))


def other_formats(context: PageContext, reference: str) -> str:
    """How to ask for the policy in a format or language the site does not have."""
    words, association = context.words, context.association
    text = words("You can ask {association} for this policy in large print, audio, Braille, Easy Read or "
                 "another language. Tell us the policy's reference ({reference}) and the format you need.",
                 association=md_text(association.name), reference=md_text(reference))
    return render("other_formats.md", heading=trusted(words("Ask for this policy in another format")),
                  anchor=OTHER_FORMATS_ID, text=trusted(text), association=association,
                  phone_label=trusted(words("Phone")), email_label=trusted(words("Email")),
                  write_label=trusted(words("Write to")), phone_uri=trusted(association.phone_uri),
                  email=trusted(association.email))


def missing_page(context: PageContext, policy: Policy) -> str:
    """The page a policy has in a language it is not translated into."""
    words = context.words
    text = "\n\n".join([
        f'# <span lang="en">{md_text(policy.title)}</span>',
        notice_block("translation", words("This policy is not available in {language} yet.",
                                          language=context.language.name),
                     f"{words('Read the English version:')} {english_link(policy, context.root)}"),
        other_formats(context, policy.reference),
    ])
    return f"{front_matter(policy.title, policy.summary)}\n\n{text}\n"
