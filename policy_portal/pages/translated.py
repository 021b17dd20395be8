"""Pages in the languages policies are translated into.

Every policy has a page in every language: its translation, or a page that says, in that
language, that there is no translation yet and links to the English text. A translation older
than the English policy says so at the top, in its own language: the English text is the one in
force. The portal's own words come from the language's catalogue (`messages.py`).

`root` is the way from the page to the top of the site ("../../../" from cy/policies/x/), or the
site's address for a PDF, so every page can link to the English text, which lives outside its
language's folder.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from policy_portal.config.languages import Language
from policy_portal.config.messages import Words
from policy_portal.config.settings import Association
from policy_portal.pages.policy_page import (
    Formats,
    formats_box,
    front_matter,
    metadata_panel,
    notice_block,
    other_formats,
)
from policy_portal.reading.library import Library
from policy_portal.reading.policy import Policy, Translation
from policy_portal.text.formatting import md_text, plain_paragraph


def english_link(policy: Policy, root: str) -> str:
    """A link to the English page, titled in English and marked as English for screen readers."""
    return (f'<a href="{escape(root)}policies/{policy.slug}/" hreflang="en" lang="en">'
            f"{md_text(policy.title)}</a>")


def translation_notice(translation: Translation, policy: Policy, words: Words, root: str) -> str:
    """At the top of every translation: what it translates, and, if the English has moved on,
    that the translation is out of date and the English text is the one in force."""
    link = f"{words('Read the English version:')} {english_link(policy, root)}"
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


def translation_markdown(translation: Translation, library: Library, association: Association,
                         today: dt.date, language: Language, root: str,
                         formats: Formats | None = None) -> str:
    """The translated policy, laid out as the English page is: the site page's text, and the
    large-print and PDF versions' (which have no Formats box)."""
    words = Words(language)
    policy = library[translation.slug]
    parts = [
        f"# {md_text(translation.title)}",
        translation_notice(translation, policy, words, root),
        metadata_panel(_details(translation, policy, words, today), words),
        formats_box(formats, words) if formats else "",
        f"## {words('Summary')}\n\n{plain_paragraph(translation.summary)}",
        translation.body.strip(),
        _related(policy, library, language, words),
        other_formats(policy.reference, association, words),
    ]
    return "\n\n".join(part for part in parts if part) + "\n"


def translation_page(translation: Translation, library: Library, association: Association,
                     today: dt.date, language: Language, root: str, formats: Formats | None = None) -> str:
    """The site page for a translation, with front matter for the site generator."""
    text = translation_markdown(translation, library, association, today, language, root, formats)
    return f"{front_matter(translation.title, translation.summary)}\n\n{text}"


def _details(translation: Translation, policy: Policy, words: Words,
             today: dt.date) -> list[tuple[str, str]]:
    rows = [(words("Reference"), policy.reference),
            (words("Version translated"), translation.translates_version)]
    approved = next(entry.date for entry in policy.history if entry.version == translation.translates_version)
    rows.append((words("Approved"), words.date(approved)))  # the version translated, not the newest
    if policy.next_review:
        overdue = f" ({words('overdue')})" if policy.review_overdue(today) else ""
        rows.append((words("Next review"), words.date(policy.next_review) + overdue))
    rows += [(words("Translated by"), translation.translated_by),
             (words("Translated on"), words.date(translation.translated_on))]
    return rows


def _related(policy: Policy, library: Library, language: Language, words: Words) -> str:
    """Related policies, linked to their pages in this language (a translation, or the page that
    says there is none); a title with no translation is given in English, marked as English."""
    lines = [f"- [{policy_title(library[slug], library, language)}]({slug}.md)"
             for slug in policy.related if slug in library.policies]
    return f"## {words('Related policies')}\n\n" + "\n".join(lines) if lines else ""


def policy_title(policy: Policy, library: Library, language: Language) -> str:
    """The policy's title in `language` if it is translated, else in English marked `lang="en"`."""
    translation = library.translation(policy.slug, language.code)
    if translation:
        return md_text(translation.title)
    return f'<span lang="en">{md_text(policy.title)}</span>'


def missing_page(policy: Policy, association: Association, language: Language, root: str) -> str:
    """The page a policy has in a language it is not translated into."""
    words = Words(language)
    text = "\n\n".join([
        f'# <span lang="en">{md_text(policy.title)}</span>',
        notice_block("translation", words("This policy is not available in {language} yet.",
                                          language=language.name),
                     f"{words('Read the English version:')} {english_link(policy, root)}"),
        other_formats(policy.reference, association, words),
    ])
    return f"{front_matter(policy.title, policy.summary)}\n\n{text}\n"


def policy_list(library: Library, language: Language, link_prefix: str = "policies/") -> str:
    """A language's home page list: the policies translated into it, then the rest, in English."""
    words = Words(language)
    translated, english = [], []
    for policy in library:
        translation = library.translation(policy.slug, language.code)
        link = f"[{policy_title(policy, library, language)}]({link_prefix}{policy.slug}.md)"
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
