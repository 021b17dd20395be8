"""The other formats of each policy, from the built example site: tagged PDF/UA-1 PDFs whose text
is the policy's text, the PDF cache, and the rule that every image has alt text."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest
from bs4 import BeautifulSoup
from pdfua import validate
from pypdf import PdfReader

from policy_portal.library import load_library
from policy_portal.sections import sections
from portal.cli import main
from tests.conftest import ROOT

LIBRARY = load_library(ROOT / "policies")
PDFS = [pytest.param(slug, name, id=name) for slug in ("complaints", "pets")
        for name in (f"{slug}.pdf", f"{slug}-large-print.pdf")]


def fonts(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    found = []
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            found += list(font.DescendantFonts) if "/DescendantFonts" in font else [font]
    return found


def without_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(("slug", "name"), PDFS)
def test_pdf_is_tagged_pdf_ua_with_title_language_and_embedded_fonts(site: Path, slug: str, name: str):
    path = site / "policies" / slug / name
    with pikepdf.open(path) as pdf:
        assert pdf.Root.MarkInfo.Marked is True and "/StructTreeRoot" in pdf.Root
        assert str(pdf.Root.Lang) == "en"
        metadata = pdf.open_metadata()
        assert metadata.get("pdfuaid:part") == "1"
        assert str(pdf.docinfo.Title).startswith(LIBRARY[slug].title)
        assert str(pdf.docinfo.Author) == "Larkfield Housing Association"
        embedded = [font for font in fonts(pdf) if any(key in font.FontDescriptor
                                                       for key in ("/FontFile", "/FontFile2", "/FontFile3"))]
        assert fonts(pdf) and embedded == fonts(pdf)
        assert {str(font.BaseFont).split("+")[-1] for font in fonts(pdf)} <= {
            "Liberation-Sans", "Liberation-Sans-Bold"}  # the Arial-metric font, not a fallback
    findings = [f"{finding.rule_id}: {finding.message}" for finding in validate(str(path)).findings]
    assert findings == []


@pytest.mark.parametrize(("slug", "name"), PDFS)
def test_pdf_text_is_the_policys_text(site: Path, slug: str, name: str):
    pages = PdfReader(site / "policies" / slug / name).pages
    # Page numbers and list bullets are drawn around the text, not part of it: take them out.
    text = without_space("".join(page.extract_text().replace(f"Page {number} of {len(pages)}", "")
                                 .replace("•", "") for number, page in enumerate(pages, 1)))
    policy = LIBRARY[slug]
    assert without_space(policy.title) in text and without_space(policy.summary) in text
    for section in sections(policy.body):
        assert without_space(section.title) in text
        for block in BeautifulSoup(section.html(), "html.parser").find_all(["p", "li", "td"]):
            assert without_space(block.get_text()) in text, block.get_text()


def test_pdfs_are_made_again_only_for_a_changed_policy(project: Path):
    """A second build reuses every PDF; changing one policy's text makes just its two again (its
    translations do not contain the English text)."""
    cache = project / ".cache" / "pdf"

    def cached() -> dict[str, int]:
        return {path.name: path.stat().st_mtime_ns for path in cache.glob("*.pdf")}

    assert main(["--project", str(project), "build"]) == 0
    first = cached()
    assert len(first) == 2 * (len(LIBRARY.policies) + sum(map(len, LIBRARY.translations.values())))
    assert main(["--project", str(project), "build"]) == 0
    assert cached() == first
    path = project / "policies" / "complaints.md"
    text = path.read_text(encoding="utf-8")
    assert "no longer than 10 working days" in text
    path.write_text(text.replace("no longer than 10 working days", "no longer than 8 working days"),
                    encoding="utf-8")
    assert main(["--project", str(project), "build"]) == 0
    after = cached()
    assert len(set(after) - set(first)) == 2 and all(after[name] == first[name] for name in first)


def test_an_image_without_alt_text_fails_the_build(project: Path, capsys):
    page = project / "docs" / "accessibility.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n![](logo.png)\n", encoding="utf-8")
    assert main(["--project", str(project), "build"]) == 1
    assert ("docs/accessibility.md: image 'logo.png' has no alt text; describe it in the square "
            "brackets") in capsys.readouterr().err
