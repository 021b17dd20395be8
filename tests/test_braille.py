"""Braille files: liblouis's cells for known text, the .brf layout, the cache, and a file for
every policy and translation in the built example site, linked from its Formats box."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from policy_portal.formats.braille import (
    BATCH,
    CELLS,
    LINES,
    TABLES,
    TO_ASCII,
    BrailleJob,
    brf,
    make_braille,
)
from policy_portal.formats.liblouis import BrailleError, translate
from policy_portal.project import load_project
from policy_portal.text.sections import sections
from tests.conftest import ROOT
from tests.test_site import POLICY_SLUGS, soup, text
from tests.test_translations import TRANSLATED

LIBRARY = load_project(ROOT).library
DOCUMENTS = [(slug, "en") for slug in POLICY_SLUGS] + sorted(TRANSLATED)
SITE = "https://example.org/"
FOR_WHAT = {"en": "for a Braille display or embosser",
            "cy": "ar gyfer dangosydd Braille neu argraffydd Braille",
            "pl": "dla monitora brajlowskiego lub drukarki brajlowskiej",
            "ar": "لسطر برايل الإلكتروني أو طابعة برايل"}


def ascii_braille(text: str, table: str) -> str:
    return translate(text, table).translate(TO_ASCII)


def test_a_known_sentence_in_unified_english_braille_grade_2():
    # ,!   capital sign (dot 6), then "the" as one cell (dots 2346)
    # T5ANT  "en" as one cell (dots 26)
    # M/   "must" is a shortform: m and the "st" cell (dots 34)
    # TELL no contraction
    # U4   "us" alone is the letter u; the full stop is dots 256
    cells = translate("The tenant must tell us.", TABLES["en"])
    assert cells == "⠠⠮⠀⠞⠢⠁⠝⠞⠀⠍⠌⠀⠞⠑⠇⠇⠀⠥⠲"
    assert cells.translate(TO_ASCII) == ",! T5ANT M/ TELL U4"


def test_polish_letters_and_capital_sign():
    # Polish braille: the capital sign is dots 46; ć is dots 146, ł dots 126, ż dots 12346.
    assert ascii_braille("Najemca powiedzieć", TABLES["pl"]) == ".NAJEMCA POWIEDZIE%"
    assert ascii_braille("łóżko", TABLES["pl"]) == "<+&KO"


def test_a_short_policy_laid_out_line_by_line():
    markdown = "\n\n".join([
        "# Pets", "1.1 You must ask us before you get a dog.", "- a cat\n- a dog",
        "| Stage | Time |\n| --- | --- |\n| Stage 1 | 5 days |",
        "Use the [form](https://example.org/form) or the [pets policy](pets.md)."])
    lines = [
        " " * 38 + "#A",                              # page 1, at the right of its first line
        " " * 17 + ",PETS",                           # the title, centred
        "  #A4A ,Y M/ ASK U 2F Y GET A DOG4",         # paragraphs start in cell 3; "before" is 2F
        "A CAT",                                      # list items in cell 1
        "A DOG",
        "",
        ",/AGE3 ,/AGE #A",                            # a table row: heading: value, one a line
        '  ,"T3 #E "DS',                              # "time" and "day" are dot 5 and t, d
        "",
        "  ,USE ! =M",                                # links are followed by their address
        '"<HTTPS3_/_/EXAMPLE4ORG_/=M"> OR ! PETS',
        "POLICY",
        '"<HTTPS3_/_/EXAMPLE4ORG_/POLICIES_/PETS_',   # a word longer than a line is cut at cell 40
        '/">4',
    ]
    assert brf(BrailleJob(markdown, TABLES["en"], SITE, f"{SITE}policies/")) == "\r\n".join(lines) + "\r\n\f"


def test_long_text_makes_pages_of_25_lines_numbered_at_the_top_right():
    markdown = "\n\n".join(f"## Part {number}\n\n" + "We will tell you what we decide. " * 12
                           for number in range(1, 8))
    pages = brf(BrailleJob(markdown, TABLES["en"], SITE, SITE)).split("\f")
    assert pages.pop() == ""
    assert len(pages) > 2
    for number, page in enumerate(pages, 1):
        lines = page.removesuffix("\r\n").split("\r\n")
        assert len(lines) <= LINES and all(len(line) <= CELLS for line in lines)
        assert lines[0] == ascii_braille(str(number), TABLES["en"]).rjust(CELLS)
        assert lines[1], "no page starts with a blank line"
        assert ",P>T" not in lines[-1], "no page ends with a heading"


def test_braille_files_are_made_again_only_for_changed_text(tmp_path: Path):
    jobs = [BrailleJob(f"# Policy {number}\n\nText.", TABLES["en"], SITE, SITE) for number in (1, 2)]
    first, made = make_braille(jobs, tmp_path)
    assert made == 2 and [path.suffix for path in first] == [".brf", ".brf"]
    times = [path.stat().st_mtime_ns for path in first]
    again, made = make_braille(jobs, tmp_path)
    assert made == 0 and again == first and [path.stat().st_mtime_ns for path in again] == times
    changed, made = make_braille([jobs[0], BrailleJob("# Policy 2\n\nNew text.", TABLES["en"], SITE, SITE)],
                                 tmp_path)
    assert made == 1 and changed[0] == first[0] and changed[1] != first[1]


def test_many_files_are_made_in_worker_processes_as_they_are_in_the_build(tmp_path: Path):
    jobs = [BrailleJob(f"# Policy {number}\n\nText {number}.", TABLES["en"], SITE, SITE)
            for number in range(2 * BATCH)]
    paths, made = make_braille(jobs, tmp_path)
    assert made == len(jobs)
    assert [path.read_bytes().decode("ascii") for path in paths] == [brf(job) for job in jobs]


def test_a_table_liblouis_does_not_have_is_a_plain_error():
    with pytest.raises(BrailleError, match=r"could not translate with the table no-such-table\.ctb"):
        translate("Text", "no-such-table.ctb")


@pytest.mark.parametrize(("slug", "code"), DOCUMENTS)
def test_every_policy_and_translation_has_a_braille_file_linked_from_its_formats_box(
        site: Path, slug: str, code: str):
    folder = "policies" if code == "en" else f"{code}/policies"
    box = soup(site, f"{folder}/{slug}").select_one(".policy-formats")
    link = box.find("a", href=f"{slug}.brf")
    assert link is not None and link.has_attr("download")
    assert FOR_WHAT[code] in text(link.parent)
    data = (site / folder / slug / f"{slug}.brf").read_bytes()
    assert data.isascii() and data.endswith(b"\r\n\f")
    body = []
    for page in data.decode("ascii").split("\f")[:-1]:
        lines = page.removesuffix("\r\n").split("\r\n")
        assert len(lines) <= LINES and all(len(line) <= CELLS for line in lines)
        body += lines[1:]  # after the page number
    braille = " ".join(" ".join(body).split())
    # Every paragraph and list item of the policy is there, in the language's braille; those
    # with links have the link's address after its text, so they are left out here.
    source = LIBRARY[slug] if code == "en" else LIBRARY.translation(slug, code)
    blocks = [block for section in sections(source.body)
              for block in BeautifulSoup(section.html(), "html.parser").find_all(["p", "li"])
              if not block.find(["a", "ul", "ol"])]
    assert blocks
    for block in [source.title, *(text(block) for block in blocks)]:
        cells = " ".join(ascii_braille(block, TABLES[code]).split())
        assert cells in braille, block
