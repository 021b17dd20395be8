"""Hosting the site and the consultation app together and apart (docs/staff/publishing.md).

Apart, the static site links to wherever the app runs (`extra.consultation_url`): a build with
another address links there from every page, large-print page, PDF and feed, and nowhere else;
and the app links back to the site's published address (`site_url`) instead of its own host.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from consultation import create_app
from policy_portal.consultations import CONSULTATION_PATH
from policy_portal.problems import PolicyError
from policy_portal.settings import site_root_for_app
from portal.cli import main
from tests.conftest import APP_SETTINGS, migrated
from tests.consultation_pages import PETS, soup

APP = "https://portal.larkfield.example/consultations/"


def set_consultation_url(project: Path, value: str) -> None:
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    line = f"  consultation_url: {CONSULTATION_PATH}\n"
    assert line in text
    config.write_text(text.replace(line, f"  consultation_url: {value}\n"), encoding="utf-8")


def links(site: Path, page: Path) -> list[str]:
    """Every link on the page, made absolute as a browser would from the page's own address."""
    here = "/" + page.relative_to(site).as_posix()
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return [urljoin(here, link["href"]) for link in soup.find_all("a", href=True)]


def pdf_links(path: Path) -> list[str]:
    return [annotation.get_object()["/A"]["/URI"] for page in PdfReader(path).pages
            for annotation in page.get("/Annots", []) if "/URI" in annotation.get_object().get("/A", {})]


def test_the_site_links_to_the_consultation_app_wherever_the_setting_says(project: Path):
    set_consultation_url(project, APP)
    assert main(["--project", str(project), "build"]) == 0
    site = project / "site"
    pets = site / "policies" / "pets"
    assert f"{APP}pets/" in links(site, pets / "index.html")
    assert f"{APP}pets/" in links(site, pets / "large-print" / "index.html")
    assert f"{APP}pets/" in pdf_links(pets / "pets.pdf")
    assert f"{APP}pets/" in pdf_links(pets / "pets-large-print.pdf")
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.parse(site / "feeds" / "consultations.xml").getroot()
    assert [entry.find(f"{atom}link").get("href") for entry in feed.iter(f"{atom}entry")] == [f"{APP}pets/"]
    to_the_old_place = [f"{page}: {link}" for page in site.rglob("*.html") for link in links(site, page)
                        if link.startswith(CONSULTATION_PATH)]
    assert to_the_old_place == []


def test_an_address_that_is_not_one_stops_the_build(project: Path, capsys):
    set_consultation_url(project, "consultations")
    assert main(["--project", str(project), "build"]) == 1
    assert ("mkdocs.yml:1: extra.consultation_url: 'consultations' is not the consultation app's address; "
            "write a path such as /consultations/, or a full address such as "
            "https://portal.example.org/consultations/, ending in /") in capsys.readouterr().err
    assert not (project / "site").exists()


@pytest.mark.parametrize(("consultation_url", "site"), [
    (CONSULTATION_PATH, "/"),
    (APP, "https://policies.larkfield-housing.example/"),  # site_url in mkdocs.yml
])
def test_the_app_links_back_to_the_site_where_it_is(project: Path, tmp_path: Path, consultation_url: str,
                                                     site: str):
    set_consultation_url(project, consultation_url)
    app = create_app(project, {**APP_SETTINGS,
                                "DATABASE_URL": migrated(f"sqlite:///{tmp_path / 'c.sqlite'}")})
    page = soup(app.test_client().get(PETS))
    assert page.find("a", class_="site-name")["href"] == site
    assert page.find("a", string="Read the draft on the policy website")["href"] == f"{site}policies/pets/"
    app.extensions["engine"].dispose()


def test_an_app_apart_from_the_site_needs_the_sites_address():
    with pytest.raises(PolicyError, match=r"mkdocs\.yml:1: site_url: the consultation app runs apart"):
        site_root_for_app({"extra": {"consultation_url": APP}})
