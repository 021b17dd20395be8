"""The other formats of each policy, from the built example site: PDFs that pass PDF/UA-1 under two
independent checkers (page-validation and outloud), whose text is the policy's text in order, with
large print laid out as UKAAF asks; policy text that is never read as Typst; the PDF cache; and the
rule that every image has alt text."""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from collections import Counter
from pathlib import Path

import page
import pikepdf
import pymupdf
import pytest
import typst
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from policy_portal.config.languages import ENGLISH, Language
from policy_portal.config.messages import Words
from policy_portal.formats.pdf import PdfJob, make_pdfs
from policy_portal.formats.printable import policy_html
from policy_portal.formats.typst_source import PdfDocument, typst_body, typst_document, typst_string
from policy_portal.project import load_project
from policy_portal.site import csp
from portal.cli import main
from tests.conftest import ROOT
from tests.pdf_checkers import outloud_errors, pdf_ua_failures

LIBRARY = load_project(ROOT).library
FOLDERS = [(slug, "en") for slug in LIBRARY.policies] + sorted(
    (slug, code) for slug, by_language in LIBRARY.translations.items() for code in by_language)
PDFS = [pytest.param(slug, code, name, id=f"{code}/{name}") for slug, code in FOLDERS
        for name in (f"{slug}.pdf", f"{slug}-large-print.pdf")]
FONTS = {"LiberationSans", "LiberationSans-Bold", "LiberationMono", "DejaVuSans", "DejaVuSans-Bold"}
"""The Arial-metric font, its monospaced sibling for code, and DejaVu for Arabic: never a fallback."""
ARABIC_MARKS = re.compile("[\u064b-\u0652]")
WORD = re.compile("[\u0620-\u064a\u066e-\u06d3]+|[^\\W\u0600-\u06ff]+")
"""A run of Arabic letters, or of other letters and digits."""
PRINTED_ADDRESS = re.compile(r"\(https?://[^()]*\)")


def pdf_path(site: Path, slug: str, code: str, name: str) -> Path:
    return site / ("" if code == "en" else code) / "policies" / slug / name


def language(code: str) -> Language:
    return LIBRARY.languages[code]


def source_blocks(site: Path, slug: str, code: str) -> list[str]:
    """Every heading, paragraph, list item, table cell and "About this policy" row of the page the
    PDFs are made from (the large-print page: the same HTML), in order."""
    html = (pdf_path(site, slug, code, "large-print") / "index.html").read_text(encoding="utf-8")
    main = BeautifulSoup(html, "html.parser").find("main")
    blocks = []
    for element in main.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "th", "td", "dt", "dd"]):
        for nested in element.find_all(["ul", "ol"]):
            nested.extract()  # a list item's own text; the items inside it come after it
        if text := element.get_text(" ", strip=True):
            blocks.append(text)
    return blocks


def pdf_text(path: Path, code: str) -> list[str]:
    """Each page's text as PyMuPDF extracts it, its footer ("Page 2 of 5") taken out."""
    pages = list(pymupdf.open(path))
    footer = Words(language(code))("Page {page} of {pages}", page="{}", pages=str(len(pages)))
    return [page.get_text().replace(footer.format(number), "", 1) for number, page in enumerate(pages, 1)]


def squashed(text: str) -> str:
    """Text without what layout adds or moves: white space, hyphens at line ends, the direction
    marks kept round addresses in right-to-left text, and the addresses printed after links."""
    text = re.sub(r"[\s\u00ad\u2066-\u2069-]+", "", unicodedata.normalize("NFKC", text))
    return PRINTED_ADDRESS.sub("", text)


def arabic_words(text: str) -> Counter[str]:
    """Text as its words, each reduced to the letters it holds, as PDF text extractors give Arabic
    back whatever made the PDF: they repeat a letter that carries a vowel mark, swap the two
    letters of a lam-alef ligature, and run an Arabic word into a number or Latin word beside it."""
    text = ARABIC_MARKS.sub("", unicodedata.normalize("NFKC", text))
    return Counter("".join(sorted(set(word))) for word in WORD.findall(text))


def extracted_arabic_words(text: str) -> Counter[str]:
    """The words of extracted Arabic text. An extractor may also put a space inside a word, before
    a vowel mark, so the words read with such spaces taken out count too."""
    return arabic_words(text) | arabic_words(re.sub(r"\s+(?=[\u064b-\u0652])", "", text))


def test_every_policy_and_translation_has_both_pdfs(site: Path):
    assert sorted(path.relative_to(site) for path in site.rglob("*.pdf")) == sorted(
        pdf_path(site, *param.values).relative_to(site) for param in PDFS)


def test_every_pdf_passes_pdf_ua_1_under_page_validation(site: Path):
    assert pdf_ua_failures(sorted(site.rglob("*.pdf"))) == {}


def test_every_pdf_passes_outloud_with_no_errors(site: Path):
    """Its warnings are heuristics, reported in the project's notes; an error fails the PDF."""
    assert outloud_errors(sorted(site.rglob("*.pdf"))) == {}


@pytest.mark.parametrize(("slug", "code", "name"), PDFS)
def test_pdf_says_its_title_language_and_author_and_carries_its_fonts(site: Path, slug: str, code: str,
                                                                      name: str):
    with pikepdf.open(pdf_path(site, slug, code, name)) as pdf:
        assert pdf.Root.MarkInfo.Marked is True and "/StructTreeRoot" in pdf.Root
        assert str(pdf.Root.Lang) == code
        assert pdf.open_metadata().get("pdfuaid:part") == "1"
        title = LIBRARY.translation(slug, code).title if code != "en" else LIBRARY[slug].title
        assert str(pdf.docinfo.Title).startswith(title)
        assert str(pdf.docinfo.Author) == "Larkfield Housing Association"
        fonts = [font for page_ in pdf.pages for font in page_.Resources.get("/Font", {}).values()]
        descendants = [child for font in fonts for child in font.get("/DescendantFonts", [font])]
        assert descendants and all(any(key in font.FontDescriptor for key in ("/FontFile", "/FontFile2"))
                                   for font in descendants)
        assert {str(font.BaseFont).split("+")[-1] for font in descendants} <= FONTS


@pytest.mark.parametrize(("slug", "code", "name"), PDFS)
def test_pdf_text_is_every_block_of_its_source_in_order(site: Path, slug: str, code: str, name: str):
    """What a screen reader or a copy gets. PyMuPDF gives right-to-left lines in the order they are
    drawn, so for Arabic it is checked word for word, and the order of blocks is not (the
    figures are in the project's notes)."""
    pages = pdf_text(pdf_path(site, slug, code, name), code)
    if language(code).direction == "rtl":
        extracted = extracted_arabic_words("\n".join(pages))
        for block in source_blocks(site, slug, code):
            assert not arabic_words(PRINTED_ADDRESS.sub("", block)) - extracted, block
        return
    text, position = squashed("".join(pages)), 0
    for block in source_blocks(site, slug, code):
        found = text.find(squashed(block), position)
        assert found >= 0, f"not found, or out of order: {block}"
        position = found + len(squashed(block))


@pytest.mark.parametrize(("slug", "code"), FOLDERS)
def test_large_print_page_one_starts_with_the_title_and_about_this_policy(site: Path, slug: str, code: str):
    """UKAAF: the reader sees what the document is, and its details, without turning a page."""
    first_page = pdf_text(pdf_path(site, slug, code, f"{slug}-large-print.pdf"), code)[0]
    blocks = source_blocks(site, slug, code)
    about = blocks.index(Words(language(code))("About this policy"))
    wanted = [blocks[0], *blocks[about:about + 5]]  # the title; the heading and two label-value rows
    if language(code).direction == "rtl":
        assert not sum(map(arabic_words, wanted), Counter()) - extracted_arabic_words(first_page)
    else:
        assert all(squashed(block) in squashed(first_page) for block in wanted), wanted


@pytest.mark.parametrize(("slug", "code", "name"), PDFS)
def test_text_is_18_point_or_more_in_large_print_and_12_in_standard(site: Path, slug: str, code: str,
                                                                     name: str):
    sizes = {round(span["size"], 1) for page_ in pymupdf.open(pdf_path(site, slug, code, name))
             for block in page_.get_text("dict")["blocks"] for line in block.get("lines", [])
             for span in line["spans"] if span["text"].strip()}
    assert min(sizes) == (18 if "large-print" in name else 12)


def body_rows_per_page(pdf: pikepdf.Pdf) -> list[Counter[int]]:
    """For each table, how many of its body rows start on each page (by page number)."""
    numbers = {page_.objgen: number for number, page_ in enumerate(pdf.pages, 1)}

    def first_page(element, inherited=None) -> int | None:
        here = element.get("/Pg", inherited) if isinstance(element, pikepdf.Dictionary) else inherited
        kids = element.get("/K") if isinstance(element, pikepdf.Dictionary) else None
        if isinstance(element, int) or kids is None:
            return numbers.get(here.objgen) if here is not None else None
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if (found := first_page(kid, here)) is not None:
                return found
        return None

    def elements(element, kind: str) -> list[pikepdf.Dictionary]:
        return [kid for kid in descendants(element) if kid.get("/S") == kind]

    return [Counter(first_page(row) for body in elements(table, "/TBody") for row in elements(body, "/TR"))
            for table in elements(pdf.Root.StructTreeRoot, "/Table")]


def descendants(element: pikepdf.Dictionary):
    """Every structure element under `element`, depth first."""
    kids = element.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
        if isinstance(kid, pikepdf.Dictionary):
            yield kid
            yield from descendants(kid)


FEWEST_TO_SPLIT = 4
"""A table of two or three rows that is taller than a page cannot be split without a page holding
one row (2 = 1 + 1, 3 = 1 + 2): in large print the complaints policy's version history is one."""


@pytest.mark.parametrize(("slug", "code", "name"), PDFS)
def test_no_page_holds_a_single_row_of_a_table(site: Path, slug: str, code: str, name: str):
    with pikepdf.open(pdf_path(site, slug, code, name)) as pdf:
        for rows in body_rows_per_page(pdf):
            assert sum(rows.values()) < FEWEST_TO_SPLIT or 1 not in rows.values(), rows


def make_pdf(tmp_path: Path, markdown: str, *, large_print: bool = False) -> Path:
    """A PDF of some Markdown, made as the site makes every PDF."""
    document = PdfDocument("A test policy", "Larkfield Housing Association", "For tests.", ENGLISH,
                           large_print)
    body = typst_body(policy_html(markdown, "https://policies.example/policies/"), "https://policies.example/",
                      tmp_path, tmp_path, right_to_left=False)
    job = PdfJob(typst_document(body, document), tmp_path, body.images)
    return make_pdfs([job], tmp_path / "cache")[0].path


def test_a_font_added_or_upgraded_makes_the_pdfs_again(tmp_path: Path, monkeypatch):
    """Typst embeds the fonts it finds on the machine, and falls back to any of them: a font
    added, or upgraded (its package replaces the file), must not leave PDFs made with the old
    fonts in the cache. A font in ~/.fonts stands for one a Debian package installs."""
    monkeypatch.setenv("HOME", str(tmp_path))
    first = make_pdf(tmp_path, "# Title\n\nRent is due on Mondays.\n")
    assert make_pdf(tmp_path, "# Title\n\nRent is due on Mondays.\n") == first  # reused
    font = tmp_path / ".fonts" / "Added.ttf"
    font.parent.mkdir()
    shutil.copy(next(info.path for info in typst.Fonts().fonts() if info.family == "DejaVu Sans"), font)
    added = make_pdf(tmp_path, "# Title\n\nRent is due on Mondays.\n")
    os.utime(font, ns=(font.stat().st_atime_ns, font.stat().st_mtime_ns + 10**9))
    upgraded = make_pdf(tmp_path, "# Title\n\nRent is due on Mondays.\n")
    assert len({first, added, upgraded}) == 3 and all(path.is_file() for path in (first, added, upgraded))


def test_a_table_that_fits_on_a_page_is_never_split(tmp_path: Path):
    words = " ".join(["Housing"] * 330)
    rows = "\n".join(f"| Row {number} | {number * 3} working days |" for number in range(1, 5))
    path = make_pdf(tmp_path, f"# Title\n\n{words}\n\n| Stage | Time |\n| --- | --- |\n{rows}\n",
                    large_print=True)
    with pikepdf.open(path) as pdf:
        assert body_rows_per_page(pdf) == [Counter({3: 4})]


@pytest.mark.parametrize("before", [0, 100, 200, 330, 400])
def test_a_table_longer_than_a_page_leaves_no_row_alone_on_a_page(tmp_path: Path, before: int):
    """Twelve rows of which six fit on a page: wherever the table starts, it is moved down (or to
    the next page) far enough that its first and last pages hold two rows or more."""
    words = " ".join(["Housing"] * before)
    rows = "\n".join(f"| Row {number} | {' '.join(['words'] * 25)} |" for number in range(1, 13))
    path = make_pdf(tmp_path, f"# Title\n\n{words}\n\n| Stage | What |\n| --- | --- |\n{rows}\n",
                    large_print=True)
    with pikepdf.open(path) as pdf:
        [rows_per_page] = body_rows_per_page(pdf)
    assert sum(rows_per_page.values()) == 12 and len(rows_per_page) > 1 and 1 not in rows_per_page.values()


HOSTILE = r"""# Typst's own characters, as text

Try #import "/etc/passwd": * and #read("/etc/passwd") and #eval("1 + 1") and #set page(width: 1cm)

$x^2$ and &lt;label&gt;, @ref, \\ a backslash, "quotes" and 'quotes', ~ -- --- ...
// not a comment /* nor this */

= not a heading, + not a list, - not a list, 1. not a list, 2) nor this, / term: not a term

`#raw("code") <code> $math$ "quotes" \`

```
#show: it => [hidden]
#context here().page() ] ) } *
```

| `#table` | $cell$ @cell |
| --- | --- |
| \* asterisk \_ underscore | [brackets] {braces} |
"""


def test_policy_text_is_printed_exactly_and_never_read_as_typst(tmp_path: Path):
    """Every character Typst's markup and code give a meaning to, and attempts to run commands,
    come out of the PDF as the text the web page shows."""
    path = make_pdf(tmp_path, HOSTILE)
    extracted = re.sub(r"\s+", "", "".join(pdf_text(path, "en")))  # lines may break after a / or -
    html = BeautifulSoup(policy_html(HOSTILE, "https://policies.example/policies/"), "html.parser")
    blocks = [element.get_text() for element in html.find_all(["h1", "p", "pre", "th", "td"])]
    assert len(blocks) == 10 and "#import" in blocks[1] and "<label>" in blocks[2]
    position = 0
    for block in blocks:
        position = extracted.index(re.sub(r"\s+", "", block), position)
    assert "root:" not in extracted  # nothing was read from /etc/passwd
    with pikepdf.open(path) as pdf:
        assert float(pdf.pages[0].MediaBox[2]) > 500  # #set page(width: 1cm) did not take effect


@settings(max_examples=40, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=40))
def test_any_text_is_a_typst_string_of_itself(text: str):
    typst.Compiler().compile(f"#assert.eq({typst_string(text)}, sys.inputs.text)".encode(),
                             sys_inputs={"text": text})


def test_an_image_is_shown_with_its_alt_text(tmp_path: Path):
    (tmp_path / "dog.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30">'
                                      '<rect width="40" height="30"/></svg>', encoding="utf-8")
    path = make_pdf(tmp_path, "# Pets\n\n![A dog in a garden](dog.svg)\n")
    with pikepdf.open(path) as pdf:
        figures = [element for element in descendants(pdf.Root.StructTreeRoot)
                   if element.get("/S") == "/Figure"]
        assert [str(figure.Alt) for figure in figures] == ["A dog in a garden"]
    assert page.validate_pdf(str(path), profile=page.ValidationProfile.PDF_UA_1).is_compliant


def test_pdfs_and_the_search_index_are_made_again_only_when_their_sources_change(project: Path, capsys):
    """A second build (forced, as nothing changed) reuses every PDF, and the search index, as no
    page changed; changing one policy's text makes just its two PDFs again (its translations do
    not contain the English text), and the index. The build's summary says what it made and what
    it reused, of the PDFs and of the Braille files (one for each policy and translation). The
    content security policy, made with the hashes of unchanged pages' scripts kept from the build
    before, is the one every page's scripts make."""
    cache = load_project(project).pdf_cache
    texts = len(LIBRARY.policies) + sum(map(len, LIBRARY.translations.values()))

    def cached() -> dict[str, int]:
        return {path.name: path.stat().st_mtime_ns for path in cache.glob("*.pdf")}

    def build(*options: str) -> list[str]:
        """The summary's lines for PDFs, Braille files and the index, without each language's numbers."""
        assert main(["--project", str(project), "build", *options]) == 0
        return [line.split(" (")[0] for line in capsys.readouterr().out.splitlines()
                if line.startswith(("  PDFs:", "  Braille files:", "  Search index:"))]

    assert build() == [f"  PDFs: {2 * texts} made", f"  Braille files: {texts} made", "  Search index: made."]
    first = cached()
    assert len(first) == 2 * texts
    assert build("--force") == [f"  PDFs: 0 made, {2 * texts} reused from the cache",
                                f"  Braille files: 0 made, {texts} reused from the cache",
                                "  Search index: reused from the cache."]
    assert cached() == first
    path = project / "policies" / "complaints.md"
    text = path.read_text(encoding="utf-8")
    assert "no longer than 10 working days" in text
    path.write_text(text.replace("no longer than 10 working days", "no longer than 8 working days"),
                    encoding="utf-8")
    assert build() == [f"  PDFs: 2 made, {2 * texts - 2} reused from the cache",
                       f"  Braille files: 1 made, {texts - 1} reused from the cache", "  Search index: made."]
    after = cached()
    assert len(set(after) - set(first)) == 2 and all(after[name] == first[name] for name in first)
    site = project / "site"
    made_afresh = csp.site_policy(csp.site_script_hashes((str(page), page.read_bytes())
                                                         for page in site.rglob("*.html")))
    assert (site / csp.POLICY_FILE).read_text(encoding="utf-8") == f"{made_afresh}\n"


def test_an_image_without_alt_text_fails_the_build(project: Path, capsys):
    page_ = project / "docs" / "accessibility.md"
    page_.write_text(page_.read_text(encoding="utf-8") + "\n![](logo.png)\n", encoding="utf-8")
    assert main(["--project", str(project), "build"]) == 1
    assert ("docs/accessibility.md: image 'logo.png' has no alt text; describe it in the square "
            "brackets") in capsys.readouterr().err
