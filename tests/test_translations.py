"""Translated policies: the built pages in each language, and the checks on translation files.

The example content has Welsh and Polish translations of the complaints policy and the tenant
participation strategy, and an Arabic one of the complaints policy; the Polish complaints policy
translates version 2 of an English policy now at version 3, so it is out of date.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from policy_portal.config.config_file import ConfigFile
from policy_portal.config.languages import parse_languages
from policy_portal.config.messages import Words, catalogue, used_messages
from policy_portal.config.settings import read_settings
from policy_portal.problems import PolicyError
from policy_portal.project import load_project
from tests.test_site import POLICY_SLUGS, soup, text
from tests.test_validation import write, write_policy

LANGUAGES = {"en": "English", "cy": "Cymraeg", "pl": "Polski", "ar": "العربية"}
TRANSLATED = {("complaints", "cy"), ("complaints", "pl"), ("complaints", "ar"),
              ("tenant-participation", "cy"), ("tenant-participation", "pl")}


def resolve(page_address: str, href: str) -> str:
    """Where a link on the page at `page_address` (such as "cy/policies/x/") leads, from the top."""
    return urljoin(f"https://site.example/{page_address}", href).removeprefix("https://site.example/")


def address(code: str, path: str) -> str:
    """Where the page at `path` in English is in language `code`."""
    return path if code == "en" else f"{code}/{path}"


@pytest.mark.parametrize(("page", "lang", "direction"), [
    ("ar/policies/complaints", "ar", "rtl"),
    ("ar/policies/data-protection", "ar", "rtl"),
    ("ar", "ar", "rtl"),
    ("cy/policies/complaints", "cy", "ltr"),
    ("pl/policies/tenant-participation", "pl", "ltr"),
    ("policies/complaints", "en", "ltr"),
])
def test_pages_say_their_language_and_direction(site: Path, page: str, lang: str, direction: str):
    html = soup(site, page)
    assert html.html["lang"] == lang
    assert html.body["dir"] == direction  # Material puts the direction on <body>


def test_a_translation_has_its_own_page_in_its_language(site: Path):
    page = soup(site, "cy/policies/complaints")
    assert text(page.h1) == "Polisi Cwynion"
    notice = page.select_one(".policy-notice--translation")
    assert "Dyma gyfieithiad o fersiwn 3 o'r polisi hwn, a wnaed ar 15 Gorffennaf 2024." in text(notice)
    assert page.select_one(".policy-notice--stale") is None
    panel = {text(row.dt): text(row.dd) for row in page.select(".policy-meta dl > div")}
    assert panel == {"Cyfeirnod": "CS-03", "Fersiwn a gyfieithwyd": "3", "Cymeradwywyd": "21 Mai 2024",
                     "Adolygwyd ddiwethaf": "28 Ebrill 2026", "Adolygiad nesaf": "28 Ebrill 2027",
                     "Cyfieithwyd gan": "Cyfieithu Bro Cyf.", "Dyddiad cyfieithu": "15 Gorffennaf 2024",
                     "Asesiad o'r effaith ar gydraddoldeb": "9 Ebrill 2024"}


def test_a_stale_translation_carries_a_banner_linking_to_the_english(site: Path):
    page = soup(site, "pl/policies/complaints")
    banner = page.select_one(".policy-notice--stale")
    assert text(banner) == ("To tłumaczenie jest nieaktualne. Jest to tłumaczenie wersji 2 tej polityki. "
                            "Wersja angielska, wersja 3, jest nowsza i to ona obowiązuje. "
                            "Przeczytaj wersję angielską: Complaints Policy")
    link = banner.find("a")
    assert (link["lang"], link["hreflang"]) == ("en", "en")
    assert resolve("pl/policies/complaints/", link["href"]) == "policies/complaints/"
    assert (site / "policies/complaints/index.html").is_file()
    panel = {text(row.dt): text(row.dd) for row in page.select(".policy-meta dl > div")}
    assert panel["Zatwierdzona"] == "23 marca 2021"  # when version 2, the one translated, was approved


def test_a_policy_with_no_translation_says_so_in_that_language(site: Path):
    page = soup(site, "cy/policies/data-protection")
    assert page.h1.find("span", lang="en").get_text() == "Data Protection Policy"
    notice = page.select_one(".policy-notice")
    assert text(notice) == ("Nid yw'r polisi hwn ar gael yn Gymraeg eto. Darllenwch y fersiwn Saesneg: "
                            "Data Protection Policy")
    link = notice.find("a")
    assert (link["lang"], link["hreflang"]) == ("en", "en")
    assert resolve("cy/policies/data-protection/", link["href"]) == "policies/data-protection/"
    ask = text(page.select_one("#ask-for-this-policy-in-another-format").find_next("p"))
    assert ask.startswith("Gallwch ofyn i Larkfield Housing Association am y polisi hwn")
    assert "(GOV-04)" in ask


@pytest.mark.parametrize("code", ["cy", "pl", "ar"])
def test_every_policy_has_a_page_in_every_language(site: Path, code: str):
    built = sorted(path.name for path in (site / code / "policies").iterdir() if path.is_dir())
    assert built == POLICY_SLUGS


@pytest.mark.parametrize("page", ["policies/complaints", "cy/policies/complaints",
                                  "ar/policies/data-protection", "pl/policies/pets", "cy", "ar/accessibility",
                                  "pl/search"])
def test_language_switcher_links_to_the_same_page_in_each_language(site: Path, page: str):
    code, _, rest = page.partition("/")
    path = (f"{rest}/" if rest else "") if code in LANGUAGES else f"{page}/"  # the page, in English
    links = soup(site, page).select(".md-select__link")
    assert {link["lang"]: text(link) for link in links} == LANGUAGES
    for link in links:
        assert link["hreflang"] == link["lang"]
        assert resolve(f"{page}/", link["href"]).removeprefix("/") == address(link["lang"], path), link


def test_the_current_language_is_marked_in_the_switcher(site: Path):
    current = soup(site, "pl/policies/complaints").select('.md-select__link[aria-current="true"]')
    assert [link["lang"] for link in current] == ["pl"]


def test_a_language_home_page_lists_its_translations_first(site: Path):
    page = soup(site, "cy")
    assert [text(heading) for heading in page.select("article h2")] == [
        "Polisïau yn Gymraeg", "Polisïau yn Saesneg yn unig"]
    translated = page.select("article h2")[0].find_next("ul").select("a")
    assert [(text(a), a["href"]) for a in translated] == [
        ("Polisi Cwynion", "policies/complaints/"),
        ("Strategaeth Cyfranogiad Tenantiaid", "policies/tenant-participation/")]
    english = page.select("article h2")[1].find_next("ul").select("a span[lang=en]")
    assert [text(span) for span in english] == ["Data Protection Policy", "Equality and Diversity Policy",
                                                "Social Media Policy"]
    stale = text(soup(site, "pl").select("article h2")[0].find_next("ul"))
    assert "Polityka rozpatrywania skarg (CS-03) — to tłumaczenie jest nieaktualne" in stale


def test_a_page_only_in_english_is_marked_english_and_left_out_of_that_languages_search(site: Path):
    page = soup(site, "cy/accessibility")
    content = page.select_one("article div[lang]")
    assert (content["lang"], content["dir"]) == ("en", "ltr")
    assert content.h1.get_text() == "Accessibility statement"
    assert page.select_one("[data-pagefind-body]") is None
    assert soup(site, "cy/policies/complaints").select_one("[data-pagefind-body]") is not None


def test_search_indexes_each_language_apart(site: Path):
    indexes = sorted(path.name.split("_")[0] for path in (site / "pagefind").glob("pagefind.*.pf_meta"))
    assert indexes == ["pagefind.ar", "pagefind.cy", "pagefind.en", "pagefind.pl"]


@pytest.mark.parametrize(("slug", "code"), sorted(TRANSLATED))
def test_every_translation_has_large_print_and_pdfs_in_its_language(site: Path, slug: str, code: str):
    folder = site / code / "policies" / slug
    large = BeautifulSoup((folder / "large-print/index.html").read_text(encoding="utf-8"), "html.parser")
    direction = "rtl" if code == "ar" else "ltr"
    assert (large.html["lang"], large.html["dir"]) == (code, direction)
    page = soup(site, f"{code}/policies/{slug}")
    assert text(large.h1) == text(page.h1)
    for pdf in (f"{slug}.pdf", f"{slug}-large-print.pdf"):
        reader = PdfReader(folder / pdf)
        assert reader.trailer["/Root"]["/Lang"] == code
        assert text(page.h1) in reader.metadata.title
    links = {a["href"] for a in page.select(".policy-formats a")}
    assert {"large-print/", f"{slug}.pdf", f"{slug}-large-print.pdf"} <= links


def test_every_shipped_catalogue_translates_every_phrase():
    for code in ("cy", "pl", "ar"):
        language = parse_languages([{"locale": "en", "name": "English", "default": True},
                                    {"locale": code, "name": code}])[code]
        assert Words(language).missing(used_messages()) == [], code
        assert set(catalogue(code)) == set(used_messages()), f"{code}.po has phrases the code no longer uses"


# Translation files: what is checked


LANGUAGE_CONFIG = """extra:
  association: {name: Larkfield, phone: 0113 496 0750, email: a@larkfield.example, address: 4 Mill Yard}
plugins:
  - search
  - i18n:
      languages:
        - {locale: en, name: English, default: true}
        - {locale: cy, name: Cymraeg}
"""
TRANSLATION = """---
title: Polisi Cwynion
summary: Sut i gwyno.
translates_version: "2"
translated_by: Cyfieithu Bro Cyf.
translated_on: 2024-07-15
---

## 1. Cyflwyniad

1.1 Rydym eisiau clywed gennych.
"""


def problems(project: Path) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        load_project(project).read_library()
    return [str(problem) for problem in caught.value.problems]


@pytest.fixture
def welsh(tmp_path: Path) -> Path:
    (tmp_path / "mkdocs.yml").write_text(LANGUAGE_CONFIG, encoding="utf-8")
    write_policy(tmp_path)
    return tmp_path


def test_a_valid_translation_is_read(welsh: Path):
    write(welsh, "complaints.cy.md", TRANSLATION)
    library = load_project(welsh).library
    translation = library.translation("complaints", "cy")
    assert (translation.title, translation.translates_version) == ("Polisi Cwynion", "2")
    assert not translation.is_stale(library["complaints"])
    assert list(library.policies) == ["complaints"]


def test_a_translation_into_a_language_the_site_does_not_have_is_refused(welsh: Path):
    write(welsh, "complaints.fr.md", TRANSLATION)
    assert problems(welsh) == [
        "policies/complaints.fr.md:1: file name: 'complaints.fr.md' is not a usable file name; a "
        "translation is named after its policy and language, as in complaints.cy.md, and the site's "
        "languages are set in mkdocs.yml (now: cy)"]


def test_a_translation_needs_its_policy(welsh: Path):
    write(welsh, "complains.cy.md", TRANSLATION)
    assert problems(welsh) == [
        "policies/complains.cy.md:1: file name: there is no policy policies/complains.md for this to "
        "translate; check the name before the language code"]


def test_a_translation_must_name_a_version_the_policy_has(welsh: Path):
    write(welsh, "complaints.cy.md", TRANSLATION.replace('version: "2"', 'version: "4"'))
    assert problems(welsh) == [
        "policies/complaints.cy.md:4: translates_version: policies/complaints.md has no approved version 4; "
        "its versions are 1, 2: give the one this was translated from"]


def test_a_translation_needs_every_field_and_no_others(welsh: Path):
    write(welsh, "complaints.cy.md", TRANSLATION.replace("translated_by: Cyfieithu Bro Cyf.\n", "")
          .replace("title:", "titel:"))
    assert problems(welsh) == [
        "policies/complaints.cy.md:1: title: missing; add `title:`",
        "policies/complaints.cy.md:1: translated_by: missing; add `translated_by:`",
        "policies/complaints.cy.md:2: titel: unknown field; did you mean 'title'? the fields are listed "
        "in docs/staff/translations.md"]


def test_only_a_policy_in_force_is_translated(welsh: Path):
    write_policy(welsh, status="draft", version='"3"', approval_date=None, approved_by=None,
                 effective_date=None)
    write(welsh, "complaints.cy.md", TRANSLATION)
    assert problems(welsh) == [
        "policies/complaints.cy.md:1: file name: policies/complaints.md is draft — not in force; only a "
        "policy in force is translated: remove this file, or keep it out of the policies folder until "
        "the policy is approved"]


def test_a_translation_may_contain_only_what_a_policy_may(welsh: Path):
    """Translations come from outside translators; the rules are the policies' (test_policy_html)."""
    write(welsh, "complaints.cy.md",
          TRANSLATION + "\n<script>alert(1)</script> [ffurflen](javascript:alert(1))\n")
    assert problems(welsh) == [
        "policies/complaints.cy.md:13: body: <script> is not allowed in a policy: it would run a program in "
        "readers' browsers; remove it",
        "policies/complaints.cy.md:13: body: the address 'javascript:alert(1)' is not allowed: it runs a "
        "program instead of opening a page; link to an https://, mailto: or tel: address, or to a policy "
        "by its file name"]


def test_a_translations_summary_may_contain_only_what_a_policy_may(welsh: Path):
    write(welsh, "complaints.cy.md", TRANSLATION.replace("Sut i gwyno.", "Sut i gwyno. <style>p {}</style>"))
    assert problems(welsh) == [
        "policies/complaints.cy.md:3: summary: <style> is not allowed in a policy: it can hide text from "
        "readers or change how the page looks; remove it"]


def setting_problems(config: str) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        read_settings(ConfigFile.parse(config))
    return [str(problem) for problem in caught.value.problems]


def test_a_language_code_must_be_real():
    config = LANGUAGE_CONFIG.replace("{locale: cy, name: Cymraeg}", "{locale: xx-zz, name: '?'}")
    assert setting_problems(config) == [
        "mkdocs.yml:8: plugins.i18n.languages[2].locale: 'xx-zz' is not a language code; use a two-letter "
        "code such as cy, pl or ar"]


def test_languages_need_exactly_one_default():
    config = LANGUAGE_CONFIG.replace("- {locale: en, name: English, default: true}\n        ", "")
    assert setting_problems(config) == [
        "mkdocs.yml:6: plugins.i18n.languages: mark exactly one language `default: true`: the one policies "
        "are written in"]


def test_right_to_left_comes_from_the_language_itself():
    languages = parse_languages([
        {"locale": "en", "name": "English", "default": True}, {"locale": "ur", "name": "اردو"},
        {"locale": "so", "name": "Soomaali"}])
    assert [(language.code, language.direction) for language in languages.all] == [
        ("en", "ltr"), ("ur", "rtl"), ("so", "ltr")]
