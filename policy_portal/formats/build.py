"""Every other format of every policy and translation: the large-print web page, two PDFs and
a Braille file.

Made before the site's pages, so each policy page's Formats box can give the files' sizes.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from pathlib import Path

from policy_portal.config.languages import Language
from policy_portal.config.messages import Words
from policy_portal.config.settings import Association
from policy_portal.formats.braille import BrailleJob, braille_table, make_braille
from policy_portal.formats.pdf import PdfJob, make_pdfs
from policy_portal.formats.printable import document_title, policy_html, printable_document
from policy_portal.formats.typst_source import PdfDocument, typst_body, typst_document
from policy_portal.pages.context import PageContext
from policy_portal.pages.policy_page import Formats, page_markdown, page_title
from policy_portal.progress import PerLanguage, Progress, quiet
from policy_portal.reading.policy import Policy, Translation

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


Inputs = tuple[str, ...]
"""Everything a text's formats are made from, compared to know whether they are still right."""


@dataclass
class FormatsMemo:
    """The formats each text was last made from and into, kept while a preview runs: a rebuild
    after editing one policy makes only that policy's formats again (converting every text to
    HTML and Typst took seconds of every rebuild, though its PDFs were cached)."""

    made: dict[tuple[str, str], tuple[Inputs, PolicyFormats]] = field(default_factory=dict)


def build_formats(context: PageContext, docs: Path, site_url: str, cache: Path,
                  languages: Container[str] | None = None, progress: Progress = quiet,
                  memo: FormatsMemo | None = None) -> FormatsBuild:
    """Every policy's formats in English, and every translation's in its language, keyed by
    (slug, language code). `docs`: the site's own pages, with
    the stylesheets and any images; `site_url`: the site's public address, for the links inside
    PDFs; `cache`: where PDFs and Braille files are kept between builds; `languages`: only these
    languages' (by code; default: all); `progress`: told of each PDF and Braille file, by
    language; `memo`: the last build's, to reuse what has not changed."""
    library = context.library
    jobs, braille_jobs, pages, order = [], {}, {}, []
    wanted = {language.code for language in library.languages.all
              if languages is None or language.code in languages}
    default = library.languages.default
    texts: list[tuple[Language, Policy | Translation, str | None]] = [
        (default, policy, library.told_us.get(policy.slug)) for policy in library if default.code in wanted]
    texts += [(library.languages[translation.language], translation, None)
              for by_language in library.translations.values() for translation in by_language.values()
              if translation.language in wanted]
    reused: dict[tuple[str, str], PolicyFormats] = {}
    pdf_languages: list[str] = []
    inputs: dict[tuple[str, str], Inputs] = {}
    for language, text, summary in texts:
        key = (text.slug, language.code)
        markdown = page_markdown(context.in_language(language, site_url), text, told_us=summary)
        root = "../../../" if language.default else "../../../../"  # from [<code>/]policies/x/large-print/
        printable = page_markdown(context.in_language(language, root), text, told_us=summary)
        title = page_title(text)
        inputs[key] = (markdown, printable, title, text.summary, repr(context.association), site_url,
                       str(docs))
        if memo and key in memo.made and memo.made[key][0] == inputs[key]:
            reused[key] = memo.made[key][1]
            continue
        jobs += _pdf_jobs(markdown, title, text.summary, context.association, language, site_url, docs)
        pdf_languages += [language.english_name] * 2  # the standard and large-print PDFs
        braille_jobs[key] = _braille_job(markdown, language, site_url)
        pages[key] = printable_document(
            printable, title, text.summary, context.association, language, large_print=True,
            policies_url="../../", images_url=f"{root}{IMAGES}/", stylesheet=f"{root}{LARGE_PRINT_STYLE}",
            back_link="../")
        order.append(key)
    made = make_pdfs(jobs, cache, finished=PerLanguage(progress, "PDFs", pdf_languages).finished)
    braille_jobs = {key: job for key, job in braille_jobs.items() if job}
    braille_languages = [library.languages[code].english_name for _, code in braille_jobs]
    brfs, brfs_made = make_braille(list(braille_jobs.values()), cache,
                                   PerLanguage(progress, "Braille files", braille_languages).finished)
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
    if memo is not None:
        memo.made = {key: (inputs[key], formats) for key, formats in (reused | built).items()}
    reused_braille = sum(1 for formats in reused.values() if formats.braille)
    return FormatsBuild(reused | built, fresh, len(made) - fresh + 2 * len(reused), brfs_made,
                        len(brfs) - brfs_made + reused_braille)


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
