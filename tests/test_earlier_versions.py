"""Earlier versions kept as files (policies/earlier-versions/<slug>/<version>.md): published and
compared on the example site like versions from git history (the example's git history starts
at each policy's current version), and checked against their policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.cli import main
from tests.test_versions import page, words

EARLIER = Path("policies") / "earlier-versions" / "complaints"


def test_the_example_site_shows_the_complaints_policys_earlier_versions_from_files(site: Path):
    for version, date in (("1", "20 June 2017"), ("2", "23 March 2021")):
        old = page(site, f"policies/complaints/v{version}")
        assert words(old.find(class_="policy-notice")).startswith(
            f"Superseded — not in force. This is version {version} of the Complaints Policy, approved on "
            f"{date}. It has been replaced by version 3.")
    assert "within 15 working days" in words(page(site, "policies/complaints/v1").find(id="clause-4-3"))
    history = page(site, "policies/complaints").find("h2", string="Version history").find_next("table")
    links = {words(link): link["href"] for link in history.find_all("a")}
    assert links == {"1": "v1/", "2": "v2/", "See what changed from version 1": "changes-v1-to-v2/",
                     "See what changed from version 2": "changes-v2-to-v3/"}


def test_what_changed_between_the_files_and_the_policy_is_marked(site: Path):
    changes = page(site, "policies/complaints/changes-v1-to-v2")
    assert "Reduced the process from three stages to two." in words(changes.find(class_="policy-notice"))
    stages = next(section for section in changes.find_all(class_="diff-section")
                  if words(section.h2).startswith("4. Complaint stages"))
    assert "Removed: three" in [words(tag) for tag in stages.find_all("del")]
    assert "Added: two" in [words(tag) for tag in stages.find_all("ins")]
    newest = page(site, "policies/complaints/changes-v2-to-v3")
    assert "Added: A senior manager who was not involved at stage 1" in [  # version 3's table
        words(tag) for tag in newest.find_all("ins")]


def write(project: Path, name: str, old: str, new: str) -> None:
    text = (project / EARLIER / "2.md").read_text(encoding="utf-8")
    assert old in text
    (project / EARLIER / name).write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(("name", "old", "new", "problem"), [
    ("2.md", "status: approved", "status: withdrawn\nwithdrawn_date: 2021-04-01",
     "policies/earlier-versions/complaints/2.md:5: status: an earlier version is one that was approved: "
     "write status: approved"),
    ("4.md", 'version: "2"', 'version: "3"',
     "policies/earlier-versions/complaints/4.md:6: version: the file is named 4.md but this is version 3; "
     "rename the file 3.md or correct the version"),
    ("3.md", 'version: "2"', 'version: "3"',
     "policies/earlier-versions/complaints/3.md:6: version: policies/complaints.md (version 3) has no "
     "earlier version 3 in its history (1, 2, 3); give one of the earlier versions listed there"),
])
def test_check_refuses_an_earlier_version_that_is_not_one(project: Path, capsys, name: str, old: str,
                                                         new: str, problem: str):
    write(project, name, old, new)
    capsys.readouterr()
    assert main(["--project", str(project), "check"]) == 1
    assert capsys.readouterr().err == f"1 problem in the policy files:\n{problem}\n"


def test_check_refuses_earlier_versions_of_a_policy_that_is_not_there(project: Path, capsys):
    (project / EARLIER).rename(project / "policies" / "earlier-versions" / "complaint")
    capsys.readouterr()
    assert main(["--project", str(project), "check"]) == 1
    assert capsys.readouterr().err.startswith(
        "2 problems in the policy files:\npolicies/earlier-versions/complaint/1.md:1: file name: there is "
        "no policy policies/complaint.md; the folder is named after the policy whose earlier version "
        "this is\n")


def test_search_leaves_out_earlier_versions_and_what_changed(site: Path):
    """Pagefind indexes only pages with data-pagefind-body: the policies in force, not these."""
    assert page(site, "policies/complaints").find(attrs={"data-pagefind-body": True})
    for path in ("policies/complaints/v1", "policies/complaints/changes-v1-to-v2"):
        assert page(site, path).find(attrs={"data-pagefind-body": True}) is None
