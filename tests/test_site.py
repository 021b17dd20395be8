"""The example content, built once, checked page by page as a reader would see it.

Every page: one h1, a title that starts with it, no duplicate ids, a language, nothing fetched
from another host, and every internal link pointing at a page that exists. Then the policy pages
in particular: metadata panel, draft and withdrawn marking, the overdue notice, clause numbers,
version history, related links and the "another format" contact details. Last, the content
security policy made from the built pages.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urljoin, urlparse
from urllib.request import urlopen
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from policy_portal.config.settings import CONSULTATION_PATH
from policy_portal.pages.context import PageContext
from policy_portal.pages.policy_page import policy_page
from policy_portal.project import load_project
from policy_portal.site import csp
from portal.cli import main
from tests.conftest import ROOT

POLICY_SLUGS = ["complaints", "data-protection", "equality-and-diversity", "estate-walkabouts",
                "pets", "social-media", "tenant-participation"]


def pages(site: Path) -> list[Path]:
    return sorted(path for path in site.rglob("*.html") if "pagefind" not in path.parts)


def soup(site: Path, address: str) -> BeautifulSoup:
    return BeautifulSoup((site / address / "index.html").read_text(encoding="utf-8"), "html.parser")


def text(element) -> str:
    return " ".join(element.get_text().split())


def panel(page: BeautifulSoup) -> dict[str, str]:
    """The "About this policy" panel as label -> value."""
    rows = page.select(".policy-meta dl > div")
    return {text(row.dt): text(row.dd) for row in rows}


def test_every_policy_has_a_page(site: Path):
    built = sorted(path.name for path in (site / "policies").iterdir() if path.is_dir())
    assert built == POLICY_SLUGS


def test_every_page_is_well_formed(site: Path):
    """Notify's page checks, over every built page: each language's folder in its language."""
    failures = []
    for path in pages(site):
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        name = path.relative_to(site).as_posix()
        headings = page.find_all("h1")
        if len(headings) != 1:
            failures.append(f"{name}: {len(headings)} h1 elements")
            continue
        if not text(page.title).startswith(text(headings[0])):
            failures.append(f"{name}: title {text(page.title)!r} does not start with the h1")
        repeated = [key for key, n in Counter(el["id"] for el in page.find_all(id=True)).items() if n > 1]
        if repeated:
            failures.append(f"{name}: duplicate ids {repeated}")
        folder = name.split("/")[0]
        if page.html.get("lang") != (folder if folder in ("cy", "pl", "ar") else "en"):
            failures.append(f"{name}: lang is {page.html.get('lang')!r}")
    assert failures == []


def test_nothing_is_fetched_from_another_host(site: Path):
    """No web fonts, scripts, styles or images from elsewhere: private and offline-proof. (A
    canonical link names the public address; browsers do not fetch it.)"""
    external = []
    for path in pages(site):
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for element in page.find_all(["script", "link", "img", "iframe", "source", "audio", "video"]):
            fetched_link = element.name == "link" and "canonical" not in element.get("rel", [])
            address = element.get("src") or (element.get("href") if fetched_link else None)
            if address and urlparse(address).netloc:
                external.append(f"{path.relative_to(site)}: <{element.name}> {address}")
    assert external == []


def test_every_internal_link_leads_to_a_page(site: Path, site_url: str):
    """Links into the site are checked on disk; links to the consultation app on the live portal."""
    broken = []
    for path in pages(site):
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        here = "/" + path.relative_to(site).as_posix()
        for link in page.find_all("a", href=True):
            target = urlparse(urljoin(here, link["href"]))
            if target.scheme not in ("", "http", "https") or target.netloc:
                continue
            if target.path.startswith(CONSULTATION_PATH):
                found = urlopen(site_url + target.path).status == 200  # raises on 4xx and 5xx
            else:
                file = site / target.path.lstrip("/")
                found = file.is_file() or (file / "index.html").is_file()
            if not found:
                broken.append(f"{here}: {link['href']}")
    assert broken == []


def test_metadata_panel_shows_the_policy_facts(site: Path):
    assert panel(soup(site, "policies/complaints")) == {
        "Reference": "CS-03",
        "Status": "In force",
        "Version": "3",
        "Policy owner": "Head of Customer Services",
        "Category": "Customer service",
        "Approved by": "Board of Management, 21 May 2024",
        "In force since": "3 June 2024",
        "Last reviewed": "28 April 2026",
        "Next review": "28 April 2027",
        "Equality impact assessment": "9 April 2024",
    }


def test_overdue_review_is_announced(site: Path):
    page = soup(site, "policies/data-protection")
    notice = page.select_one(".policy-notice--overdue")
    assert notice is not None
    assert text(notice).startswith("Review overdue. This policy was due for review on 31 May 2026.")
    assert panel(page)["Next review"] == "31 May 2026 (overdue)"
    home = soup(site, "")
    row = home.find("a", string="Data Protection Policy").find_parent("tr")
    assert "Overdue (was due 31 May 2026)" in text(row)


@pytest.mark.parametrize(("today", "expected"), [
    ("2026-11-01", "Comments open on 9 November 2026 and close on 21 December 2026. Comment on this draft."),
    ("2026-12-22", "Comments closed on 21 December 2026. We are analysing your feedback. We will publish "
                   "the outcome on [the consultation page](/consultations/pets/) by 15 March 2027."),
])
def test_draft_page_gives_the_consultation_dates_on_any_day(today: str, expected: str):
    """The site is static: built before or after the consultation, it must still say the truth."""
    project = load_project(ROOT)
    context = PageContext(project.library, project.association, dt.date.fromisoformat(today))
    markdown = policy_page(context, project.library["pets"])
    link = "[Comment on this draft](/consultations/pets/)"
    assert expected in markdown.replace(link, "Comment on this draft")


def test_policies_not_overdue_have_no_notice(site: Path):
    assert soup(site, "policies/complaints").select(".policy-notice") == []


def test_draft_is_marked_everywhere_it_appears(site: Path):
    page = soup(site, "policies/pets")
    notice = page.select_one(".policy-notice--draft")
    assert text(notice).startswith("Draft — not in force.")
    assert "until 21 December 2026" in text(notice)
    assert "the public, tenants and the tenant scrutiny panel" in text(notice)
    assert notice.find("a", string="Comment on this draft")["href"] == "/consultations/pets/"
    assert text(page.title).startswith("Pets and Animals Policy (draft, not in force)")
    assert panel(page)["Status"] == "Draft under consultation — not in force"
    assert "In force since" not in panel(page)

    home = soup(site, "")
    in_force = home.find(id="policies-in-force").find_next(id="drafts-not-in-force")
    listed_in_force = [text(a) for a in home.select("table a")]
    assert "Pets and Animals Policy" not in listed_in_force
    draft_item = in_force.find_next("a", string="Pets and Animals Policy").find_parent("li")
    assert text(draft_item) == ("Pets and Animals Policy: draft under consultation — not in force, "
                                "comments close 21 December 2026")


def test_withdrawn_policy_stays_reachable_but_marked(site: Path):
    page = soup(site, "policies/estate-walkabouts")
    notice = page.select_one(".policy-notice--withdrawn")
    assert text(notice).startswith("Withdrawn — no longer in force. This policy was withdrawn on "
                                   "31 March 2025.")
    replacement = notice.find("a")
    assert text(replacement) == "Tenant Participation Strategy"
    assert replacement["href"] == "../tenant-participation/"
    home = soup(site, "")
    assert "Estate Walkabouts Policy" not in [text(a) for a in home.select("table a")]
    assert home.find(id="withdrawn-policies").find_next("a", string="Estate Walkabouts Policy")


def test_home_page_groups_policies_in_force_by_category(site: Path):
    home = soup(site, "")
    groups = {}
    for heading in home.find(id="policies-in-force").find_all_next("h3"):
        groups[text(heading)] = [text(a) for a in heading.find_next("table").select("tbody a")]
    assert groups == {
        "Customer service": ["Complaints Policy", "Social Media Policy"],
        "Equality and diversity": ["Equality and Diversity Policy"],
        "Governance": ["Data Protection Policy"],
        "Tenant involvement": ["Tenant Participation Strategy"],
    }
    complaints = home.find("a", string="Complaints Policy").find_parent("tr")
    assert [text(cell) for cell in complaints.find_all("td")] == [
        "Complaints Policy", "CS-03", "28 April 2027"]


def test_clause_numbers_are_kept_and_linkable(site: Path):
    page = soup(site, "policies/complaints")
    clause = page.find(id="clause-4-1")
    assert clause.name == "p"
    assert text(clause.select_one(".clause-number")) == "4.1"
    assert text(clause).startswith("4.1 We deal with complaints in two stages.")
    numbers = [text(span) for span in page.select(".clause-number")]
    assert numbers[:3] == ["1.1", "1.2", "1.3"]


def test_version_history_lists_every_version_newest_first(site: Path):
    page = soup(site, "policies/complaints")
    table = page.find(id="version-history").find_next("table")
    rows = [[text(cell) for cell in row.find_all("td")][:3] for row in table.select("tbody tr")]
    assert rows == [["3", "21 May 2024", "Board of Management"],
                    ["2", "23 March 2021", "Board of Management"],
                    ["1", "20 June 2017", "Board of Management"]]


def test_related_policies_link_to_each_other(site: Path):
    page = soup(site, "policies/complaints")
    section = page.find(id="related-policies-and-documents").find_next("ul")
    links = {text(a): a["href"] for a in section.find_all("a")}
    assert links["Social Media Policy"] == "../social-media/"
    assert links["Tenant Participation Strategy"] == "../tenant-participation/"


def test_related_draft_is_labelled_as_not_in_force(site: Path):
    pages_linking_to_pets = [slug for slug in POLICY_SLUGS if slug != "pets" and
                             soup(site, f"policies/{slug}").find("a", href="../pets/")]
    assert pages_linking_to_pets, "the example content should link to the draft from somewhere"
    for slug in pages_linking_to_pets:
        item = soup(site, f"policies/{slug}").find("a", href="../pets/").find_parent("li")
        assert "(draft under consultation — not in force)" in text(item)


@pytest.mark.parametrize("slug", POLICY_SLUGS)
def test_every_policy_says_how_to_ask_for_another_format(site: Path, slug: str):
    page = soup(site, f"policies/{slug}")
    section = page.find(id="ask-for-this-policy-in-another-format").find_next("ul")
    links = {a["href"] for a in section.find_all("a")}
    assert links == {"tel:+441134960750", "mailto:policies@larkfield-housing.example"}
    assert "4 Mill Yard, Larkfield LK1 2AB" in text(section)


def test_search_index_is_loaded_only_by_the_search_page(site: Path):
    assert (site / "pagefind" / "pagefind-ui.js").is_file()
    assert list((site / "pagefind").glob("pagefind.*.pf_meta"))
    loaders = [path.relative_to(site).as_posix() for path in pages(site)
               if "pagefind-ui.js" in path.read_text(encoding="utf-8")]
    assert loaders == ["ar/search/index.html", "cy/search/index.html", "pl/search/index.html",
                       "search/index.html"]
    assert not (site / "search" / "search_index.json").exists()


def test_what_you_told_us_summary_shows_on_the_approved_policy(site: Path):
    page = soup(site, "policies/tenant-participation")
    heading = page.find("h2", string="What you told us")
    assert heading is not None
    assert "received 41" in text(heading.find_next("p"))
    assert page.find("h3", string="On 4. The Tenant Scrutiny Panel") is not None
    assert soup(site, "policies/pets").find("h2", string="What you told us") is None


def test_reviews_page_lists_overdue_and_soon_due_policies_with_owner_and_date(site: Path):
    page = soup(site, "reviews")
    overdue = page.find("h2", string="Overdue for review").find_next("table")
    assert [[text(cell) for cell in row.find_all("td")] for row in overdue.find_all("tr")[1:]] == [
        ["Data Protection Policy", "Head of Governance", "31 May 2026"]]
    soon = page.find("h2", string="Due for review in the next 90 days").find_next_sibling()
    assert text(soon) == "No policy is due for review in the next 90 days."


@pytest.mark.parametrize(("feed", "expected"), [
    ("changes", "Complaints Policy: version 3 approved"),
    ("consultations", "Draft Pets and Animals Policy: comments open 9 November 2026 to 21 December 2026"),
])
def test_atom_feeds_are_valid_and_announced_on_the_home_and_reviews_pages(site: Path, feed: str,
                                                                          expected: str):
    atom = "{http://www.w3.org/2005/Atom}"
    root = ElementTree.parse(site / "feeds" / f"{feed}.xml").getroot()
    assert root.tag == f"{atom}feed" and root.find(f"{atom}id").text.endswith(f"feeds/{feed}.xml")
    titles = [entry.find(f"{atom}title").text for entry in root.iter(f"{atom}entry")]
    assert expected in titles
    ids = [entry.find(f"{atom}id").text for entry in root.iter(f"{atom}entry")]
    assert len(ids) == len(set(ids)) and all(entry_id.startswith("tag:") for entry_id in ids)
    for address in ("", "reviews"):
        assert soup(site, address).find("link", type="application/atom+xml", href=re.compile(feed))


def test_no_page_makes_materials_script_probe_for_sitemaps(site: Path):
    """Material's script fetches sitemap.xml under every <link rel="alternate">: on a policy page
    that would be requests for missing files on every view."""
    for address in ("policies/complaints", "cy/policies/complaints", "ar"):
        assert soup(site, address).find("link", rel="alternate") is None, address


def test_each_policy_page_links_staff_to_edit_its_file(site: Path):
    link = soup(site, "policies/pets").find(class_="policy-edit").find("a")
    assert link["href"] == "https://github.com/larkfield-housing/policies/edit/main/policies/pets.md"
    assert text(link) == "Edit this page (Pets and Animals Policy, for staff)"


# Content security policy


def test_the_policy_allows_each_inline_script_by_its_hash_and_nothing_else_inline(site: Path):
    """Worked out again here, apart from `policy_portal.site.csp`: Material's scripts on every page
    of every language, and not its JSON configuration, which is never run."""
    scripts = {script.string for path in pages(site)
               for script in BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
               .find_all("script", src=False) if script.get("type") != "application/json"}
    hashes = sorted(f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
                    for script in scripts)
    assert len(hashes) > 1
    assert (site / csp.POLICY_FILE).read_text(encoding="utf-8").strip().split("; ") == [
        "default-src 'self'",
        " ".join(["script-src 'self' 'wasm-unsafe-eval'", *hashes]),
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]


@pytest.mark.parametrize(("tag", "runs"), [
    ("<script>", True), ('<script type="">', True), ("<script type=module>", True),
    ('<script type="Text/JavaScript">', True), ('<script language="javascript">', True),
    ('<script type="application/json">', False), ('<script type="text/plain">', False),
    ('<script src="listen.js">', False),
])
def test_only_inline_scripts_a_browser_runs_are_hashed(tag: str, runs: bool):
    assert csp.inline_scripts(f"<p>{tag}go()</script></p>") == (["go()"] if runs else [])


def test_a_script_in_one_of_the_sites_own_pages_fails_the_build(project: Path, capsys):
    """Every inline script in the built site is allowed by its hash, so one written into a page
    would be allowed too. Only the theme's may be there. (Policies are refused earlier, by the
    reader's allowlist: tests/test_policy_html.py.)"""
    page = project / "docs" / "accessibility.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n<script>alert(1)</script>\n", encoding="utf-8")
    assert main(["--project", str(project), "build"]) == 1
    assert "accessibility.md: a page cannot contain a <script>" in capsys.readouterr().err


def test_a_tag_in_a_site_pages_title_fails_the_build(project: Path, capsys):
    """Found in an attack: the theme writes a page's title into <title> unescaped, so a title
    could end the element and start a script."""
    page = project / "docs" / "staff" / "large-print.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("title: ", "title: x</title><b>", 1), encoding="utf-8")
    assert main(["--project", str(project), "build"]) == 1
    assert "large-print.md: the title 'x</title><b>" in capsys.readouterr().err
