"""`policy-portal init` on a copy of the example project, and `check`'s warning about the example
association's details left behind once its policies are gone."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from policy_portal.config.config_file import ConfigFile
from portal.cli import main

OPTIONS = {
    "--name": "Brookside Homes",
    "--phone": "01632 960 123",
    "--email": "help@brookside.example.org",
    "--address": "1 High Street, Brookside BR1 1AA",
    "--site-url": "https://policies.brookside.example.org/",
    "--edit-url": "https://github.com/brookside/policies/edit/main/policies/",
    "--staff-names": "Ann Lee, Bo Chan",
}
WRITTEN = [
    "site_name: Brookside Homes policies",
    "site_url: https://policies.brookside.example.org/   # where the site is published; links in PDFs use it",
    "site_description: The policies of Brookside Homes, and drafts open for comment.",
    "copyright: Brookside Homes, 1 High Street, Brookside BR1 1AA",
    "  edit_policies_url: https://github.com/brookside/policies/edit/main/policies/",
    "    name: Brookside Homes",
    "    phone: 01632 960 123",
    "    email: help@brookside.example.org",
    "    address: 1 High Street, Brookside BR1 1AA",
    "    staff_names: [Ann Lee, Bo Chan]   # comments naming staff are flagged",
]


def init(project: Path, **options: str) -> int:
    arguments = [part for item in {**OPTIONS, **options}.items() for part in item]
    return main(["--project", str(project), "init", *arguments])


def test_init_writes_every_place_keeps_every_other_line_and_the_site_shows_it(project, tmp_path, capsys):
    config = project / "mkdocs.yml"
    before = config.read_text(encoding="utf-8").splitlines()
    assert init(project) == 0
    after = config.read_text(encoding="utf-8").splitlines()
    assert len(after) == len(before)
    assert [line for line in after if line not in before] == WRITTEN  # comments and the rest kept
    out = capsys.readouterr().out
    assert out.startswith("Wrote your association's details into mkdocs.yml:\n  site_name: Brookside Homes "
                          "policies\n")
    assert "\nStill the example association's, to change by hand (see docs/staff/setting-up.md):\n" in out
    assert "  docs/accessibility.md:39: example association: '0113 496 0750' is the example " in out

    site = tmp_path / "site"
    assert main(["--project", str(project), "build", "--site-dir", str(site)]) == 0
    page = BeautifulSoup((site / "policies/pets/index.html").read_text(encoding="utf-8"), "html.parser")
    assert page.title.get_text().endswith("Brookside Homes policies")
    assert "Brookside Homes, 1 High Street, Brookside BR1 1AA" in page.select_one(".md-copyright").get_text()
    formats = page.find(id="ask-for-this-policy-in-another-format").find_parent("div") or page
    contact = " ".join(formats.get_text().split())
    assert "01632 960 123" in contact and "help@brookside.example.org" in contact
    assert page.find("a", href="https://github.com/brookside/policies/edit/main/policies/pets.md")
    config = ConfigFile.read(project / "mkdocs.yml").data
    assert config["extra"]["moderation"]["staff_names"] == ["Ann Lee", "Bo Chan"]


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--phone", "call us", "--phone: 'call us' is not a phone number; write it as people dial it, "
                           "for example 0113 496 0750"),
    ("--email", "help@brookside", "--email: 'help@brookside' is not an email address; write it as "
                                  "name@example.org"),
    ("--site-url", "http://policies.brookside.example.org/", "--site-url: 'http://policies.brookside.example"
     ".org/' is not a web address starting https:// and ending in /; for example https://policies.example.org/"),
    ("--edit-url", "https://github.com/brookside/policies", "--edit-url: 'https://github.com/brookside/"
     "policies' is not a web address starting https:// and ending in /; for example "
     "https://github.com/example/policies/edit/main/policies/"),
    ("--name", " ", "--name: is empty; give the association's name"),
    ("--address", "1 High St <b>",
     "--address: '1 High St <b>' must be one line of plain text, without < or >"),
])
def test_init_refuses_a_bad_value_and_writes_nothing(project, capsys, option, value, message):
    before = (project / "mkdocs.yml").read_bytes()
    assert init(project, **{option: value}) == 1
    assert capsys.readouterr() == ("", f"{message}\n\nNothing was written to mkdocs.yml.\n")
    assert (project / "mkdocs.yml").read_bytes() == before


class Terminal(io.StringIO):
    """Someone typing answers at a terminal."""

    def isatty(self) -> bool:
        return True


def test_init_asks_for_what_is_not_given_and_enter_keeps_it(project, capsys, monkeypatch):
    answers = ["Oak & Ash Homes: Policies", "", "", "2 Low Road, Oakley OK1 1AA", "", "", ""]
    monkeypatch.setattr("sys.stdin", Terminal("\n".join(answers) + "\n"))
    assert main(["--project", str(project), "init"]) == 0
    assert capsys.readouterr().out.startswith(
        "The association's name, as tenants know it [Larkfield Housing Association]: "
        "The phone number tenants call to ask for a policy in another format [0113 496 0750]: ")
    config = ConfigFile.read(project / "mkdocs.yml").data
    assert config["copyright"] == "Oak & Ash Homes: Policies, 2 Low Road, Oakley OK1 1AA"  # quoted: a colon
    assert config["extra"]["association"]["phone"] == "0113 496 0750"
    assert config["extra"]["moderation"]["staff_names"] == ["Dana Whitfield", "Marcus Obi", "Priya Lal"]


def test_check_warns_about_the_example_association_once_its_policies_are_gone(project, capsys):
    assert main(["--project", str(project), "check"]) == 0
    assert "example association" not in capsys.readouterr().out  # still the example project
    shutil.rmtree(project / "policies")
    (project / "policies").mkdir()
    assert main(["--project", str(project), "new", "Rent Policy"]) == 0
    capsys.readouterr()
    assert main(["--project", str(project), "check"]) == 0
    out = capsys.readouterr().out
    warning = "example association: '{}' is the example association's; put your own details here " \
              "(see docs/staff/setting-up.md)"
    assert f"  mkdocs.yml:3: {warning.format('Larkfield')}\n" in out
    assert f"  docs/index.md:7: {warning.format('Larkfield')}\n" in out
    assert f"  docs/accessibility.md:39: {warning.format('0113 496 0750')}\n" in out
    assert "  docs/staff/" not in out  # the staff guide's examples are instructions
    assert init(project) == 0
    capsys.readouterr()
    assert main(["--project", str(project), "check"]) == 0
    out = capsys.readouterr().out
    assert "mkdocs.yml:3:" not in out and "mkdocs.yml:82:" not in out
    assert f"  mkdocs.yml:33: {warning.format('Larkfield')}\n" in out  # the Welsh name: by hand


def test_staff_names_yaml_would_misread_are_written_so_they_read_back(project, capsys):
    """Found by an attack: `(?:a+)+$` and `?q` were written plain inside [...], and mkdocs.yml
    then could not be read (or read `?q` as a mapping)."""
    names = ["A", "(?:a+)+$", ".*", "?q", "Dana Whitfield"]
    assert init(project, **{"--staff-names": ",".join(names)}) == 0
    config = ConfigFile.read(project / "mkdocs.yml").data
    assert config["extra"]["moderation"]["staff_names"] == names
    assert main(["--project", str(project), "check"]) == 0
    assert init(project, **{"--staff-names": "Dana Whitfield"}) == 0  # init reads its own file again
