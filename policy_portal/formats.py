"""Every other format of every policy: the large-print web page and the two PDFs.

Made before the site's pages, so each policy page's Formats box can give the PDFs' sizes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from policy_portal.library import Library, told_us
from policy_portal.pages import Formats
from policy_portal.pdf import PdfJob, make_pdfs
from policy_portal.printable import printable_html
from policy_portal.settings import Association

STYLES = {True: "assets/large-print.css", False: "assets/print.css"}
"""Stylesheets in docs/, by large print or not."""


@dataclass(frozen=True)
class PolicyFormats:
    large_print_page: str
    """The large-print web page's HTML."""
    pdf: Path
    large_print_pdf: Path
    links: Formats
    """For the Formats box on the policy's page, relative to the policies folder."""

    def files(self, slug: str) -> dict[str, str | Path]:
        """Where each goes in the site, relative to the policies folder: text, or a file to copy."""
        return {f"{slug}/large-print/index.html": self.large_print_page,
                f"{slug}/{slug}.pdf": self.pdf, f"{slug}/{slug}-large-print.pdf": self.large_print_pdf}


@dataclass
class FormatsBuild:
    formats: dict[str, PolicyFormats]
    pdfs_made: int
    pdfs_reused: int


def build_formats(library: Library, association: Association, today: dt.date, policies: Path,
                  docs: Path, site_url: str, cache: Path) -> FormatsBuild:
    """`policies`: the policies folder; `docs`: where the stylesheets are; `site_url`: the site's
    public address, for the links inside PDFs; `cache`: where PDFs are kept between builds."""
    jobs, pages = [], {}
    for policy in library:
        summary = told_us(policies, policy.slug)
        for large in (False, True):
            html = printable_html(policy, library, association, today, summary, large_print=large,
                                  policies_url=f"{site_url}policies/")
            jobs.append(PdfJob(html, docs / STYLES[large], site_url))
        pages[policy.slug] = printable_html(
            policy, library, association, today, summary, large_print=True, policies_url="../../",
            stylesheet=f"../../../{STYLES[True]}", back_link="../")
    made = make_pdfs(jobs, cache)
    results = iter(made)
    built = {}
    for policy in library:
        pdf, large_pdf = next(results), next(results)
        slug = policy.slug
        built[slug] = PolicyFormats(pages[slug], pdf.path, large_pdf.path, Formats(
            f"{slug}/large-print/index.html", f"{slug}/{slug}.pdf", pdf.path.stat().st_size,
            f"{slug}/{slug}-large-print.pdf", large_pdf.path.stat().st_size))
    fresh = sum(result.made for result in made)
    return FormatsBuild(built, fresh, len(made) - fresh)
