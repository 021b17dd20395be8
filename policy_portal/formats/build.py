"""Every other format of every policy and translation: the large-print web page, two PDFs and
a Braille file.

Made before the site's pages, so each policy page's Formats box can give the files' sizes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from policy_portal.config.languages import Language
from policy_portal.config.messages import Words
from policy_portal.config.settings import CONSULTATION_PATH, OUTCOME_WEEKS, Association
from policy_portal.formats.braille import BrailleJob, braille_table, make_braille
from policy_portal.formats.pdf import PdfJob, make_pdfs
from policy_portal.formats.printable import (
    document_title,
    policy_html,
    printable_document,
    printable_html,
)
from policy_portal.formats.typst_source import PdfDocument, typst_body, typst_document
from policy_portal.pages.policy_page import Formats, page_title, policy_markdown
from policy_portal.pages.translated import translation_markdown
from policy_portal.reading.library import Library, told_us
from policy_portal.reading.policy import Translation

LARGE_PRINT_STYLE = "assets/large-print.css"
"""The large-print web page's stylesheet, in docs/."""
IMAGES = "policies"
"""The folder in docs/ that an image address in a policy is relative to, as on the site."""


@dataclass(frozen=True)
class PolicyFormats:
    large_print_page: str
    """The large-print web page's HTML."""
    pdf: Path
    large_print_pdf: Path
    links: Formats
    """For the Formats box on the policy's page, relative to the policies folder."""
    braille: Path | None = None

    def files(self, slug: str) -> dict[str, str | Path]:
        """Where each goes in the site, relative to the policies folder: text, or a file to copy."""
        return {**dict(zip(format_paths(slug), (self.large_print_page, self.pdf, self.large_print_pdf),
                           strict=True)),
                **({f"{slug}/{slug}.brf": self.braille} if self.braille else {})}


def format_paths(slug: str) -> tuple[str, str, str]:
    """Where a policy's large-print page, PDF and large-print PDF go, relative to the policies
    folder of their language."""
    return f"{slug}/large-print/index.html", f"{slug}/{slug}.pdf", f"{slug}/{slug}-large-print.pdf"


@dataclass
class FormatsBuild:
    formats: dict[tuple[str, str], PolicyFormats]
    """By policy slug and language code."""
    pdfs_made: int
    pdfs_reused: int
    braille_made: int = 0
    braille_reused: int = 0


def build_formats(library: Library, association: Association, today: dt.date, policies: Path,
                  docs: Path, site_url: str, cache: Path,
                  consultation_url: str = CONSULTATION_PATH,
                  outcome_weeks: int = OUTCOME_WEEKS) -> FormatsBuild:
    """Every policy's formats in English, and every translation's in its language, keyed by
    (slug, language code). `policies`: the policies folder; `docs`: the site's own pages, with
    the stylesheets and any images; `site_url`: the site's public address, for the links inside
    PDFs; `cache`: where PDFs and Braille files are kept between builds; `consultation_url`: where
    drafts' "Comment" links go; `outcome_weeks`: when a closed draft's outcome is due."""
    jobs, braille_jobs, pages, order = [], {}, {}, []
    english = library.languages.default
    for policy in library:
        summary = told_us(policies, policy.slug)
        text = policy_markdown(policy, library, association, today, summary,
                               consultation_url=consultation_url, outcome_weeks=outcome_weeks)
        jobs += _pdf_jobs(text, page_title(policy), policy.summary, association, english, site_url, docs)
        braille_jobs[policy.slug, english.code] = _braille_job(text, english, site_url)
        pages[policy.slug, english.code] = printable_html(
            policy, library, association, today, summary, large_print=True, policies_url="../../",
            stylesheet=f"../../../{LARGE_PRINT_STYLE}", back_link="../", consultation_url=consultation_url,
            outcome_weeks=outcome_weeks)
        order.append((policy.slug, english.code))
    for by_language in library.translations.values():
        for translation in by_language.values():
            language = library.languages[translation.language]
            text = translation_markdown(translation, library, association, today, language, site_url)
            jobs += _pdf_jobs(text, translation.title, translation.summary, association, language, site_url,
                              docs)
            braille_jobs[translation.slug, language.code] = _braille_job(text, language, site_url)
            pages[translation.slug, language.code] = _translated(
                translation, library, association, today, "../../../../", large_print=True,
                policies_url="../../", stylesheet=f"../../../../{LARGE_PRINT_STYLE}", back_link="../")
            order.append((translation.slug, language.code))
    made = make_pdfs(jobs, cache)
    braille_jobs = {key: job for key, job in braille_jobs.items() if job}
    brfs, brfs_made = make_braille(list(braille_jobs.values()), cache)
    braille = dict(zip(braille_jobs, brfs, strict=True))
    results = iter(made)
    built = {}
    for key in order:
        pdf, large_pdf = next(results), next(results)
        slug, brf = key[0], braille.get(key)
        large_print, pdf_path, large_print_pdf = format_paths(slug)
        built[key] = PolicyFormats(pages[key], pdf.path, large_pdf.path, Formats(
            large_print, pdf_path, pdf.path.stat().st_size, large_print_pdf, large_pdf.path.stat().st_size,
            f"{slug}/{slug}.brf" if brf else None, brf.stat().st_size if brf else 0), brf)
    fresh = sum(result.made for result in made)
    return FormatsBuild(built, fresh, len(made) - fresh, brfs_made, len(brfs) - brfs_made)


def _braille_job(text: str, language: Language, site_url: str) -> BrailleJob | None:
    """A Braille file of the same Markdown the PDFs are made from, if liblouis has a table for
    the language."""
    table = braille_table(language.code)
    return BrailleJob(text, table, site_url, _policies_url(site_url, language)) if table else None


def _policies_url(site_url: str, language: Language) -> str:
    """Where the language's policy pages are on the site, for links in printed and Braille text."""
    return f"{site_url}policies/" if language.default else f"{site_url}{language.code}/policies/"


def _pdf_jobs(text: str, title: str, summary: str, association: Association, language: Language,
              site_url: str, docs: Path) -> list[PdfJob]:
    """The standard and large-print PDFs of a page's Markdown, typeset from the HTML the site
    makes of it."""
    body = typst_body(policy_html(text, _policies_url(site_url, language)), site_url, docs / IMAGES, docs,
                      right_to_left=language.direction == "rtl")
    jobs = []
    for large in (False, True):
        document = PdfDocument(document_title(title, association, Words(language), large_print=large),
                               association.name, summary, language, large)
        jobs.append(PdfJob(typst_document(body, document), docs, body.images))
    return jobs


def _translated(translation: Translation, library: Library, association: Association, today: dt.date,
                root: str, **options) -> str:
    """A translation as a standalone document; `root` leads to the top of the site."""
    language = library.languages[translation.language]
    text = translation_markdown(translation, library, association, today, language, root)
    return printable_document(text, translation.title, translation.summary, association, language, **options)
