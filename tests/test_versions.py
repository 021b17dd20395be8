"""Earlier versions from git history: their pages, what changed, and the shallow-clone message.

Each test makes a real git repository from the example project and commits a new policy three
times, at versions 1, 2 and 3, then builds the site with `policy-portal build`.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from policy_portal.text.markdown_diff import marked
from policy_portal.text.sections import section_html
from portal.cli import main
from tests.conftest import copy_project

VERSIONS = {
    "1": ("2022-01-10", "First version.", "We will fix an emergency repair within 24 hours."),
    "2": ("2023-02-14", "Emergency repairs now within 12 hours.",
          "We will fix an emergency repair within 12 hours."),
    "3": ("2024-03-20", "Added a section on damp and mould.",
          "We will fix an emergency repair within 12 hours.\n\n## 2. Damp and mould\n\n"
          "2.1 We will inspect damp within 10 working days."),
}


def repairs_policy(version: str) -> str:
    history = "".join(f'\n  - version: "{number}"\n    date: {date}\n    approved_by: Board of Management\n'
                      f"    changes: {note}" for number, (date, note, _) in VERSIONS.items()
                      if int(number) <= int(version))
    date, _, text = VERSIONS[version]
    return (f"---\ntitle: Repairs Policy\nreference: HM-02\ncategory: Housing management\n"
            f'status: approved\nversion: "{version}"\nowner: Head of Property Services\n'
            f"approved_by: Board of Management\napproval_date: {date}\neffective_date: {date}\n"
            f"review_cycle_years: 3\nsummary: How we carry out repairs.\nhistory:{history}\n---\n\n"
            f"## 1. Emergency repairs\n\n1.1 {text}\n")


def git(project: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(project), *args], check=True, capture_output=True,
                          text=True).stdout


def make_repository(project: Path) -> Path:
    git(project, "init", "-q", "-b", "main")
    git(project, "config", "user.email", "tests@larkfield.example")
    git(project, "config", "user.name", "Tests")
    for version in VERSIONS:
        (project / "policies" / "repairs.md").write_text(repairs_policy(version), encoding="utf-8")
        git(project, "add", "-A")
        git(project, "commit", "-q", "-m", f"Repairs Policy version {version}")
    return project


@pytest.fixture
def repository(project: Path) -> Path:
    return make_repository(project)


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository as `repository` makes it, built once for the tests that only read its pages
    (a build takes seconds)."""
    built = make_repository(copy_project(tmp_path_factory.mktemp("versions") / "project"))
    assert main(["--project", str(built), "build"]) == 0
    return built / "site"


def page(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path / "index.html").read_text(encoding="utf-8"), "html.parser")


def words(element) -> str:
    return " ".join(element.get_text(" ").split())


def test_each_earlier_version_has_a_page_marked_superseded(built_site: Path):
    old = page(built_site, "policies/repairs/v1")
    notice = words(old.find(class_="policy-notice"))
    assert notice.startswith("Superseded — not in force. This is version 1 of the Repairs Policy, approved "
                             "on 10 January 2022. It has been replaced by version 3.")
    assert old.find("a", string="Read the current version")["href"] == "../"  # /policies/repairs/
    assert "within 24 hours" in words(old.find(id="clause-1-1"))
    history = page(built_site, "policies/repairs").find("h2", string="Version history").find_next("table")
    links = {words(link): link["href"] for link in history.find_all("a")}
    assert links["1"] == "v1/" and links["2"] == "v2/"
    assert links["See what changed from version 2"] == "changes-v2-to-v3/"


def test_what_changed_marks_added_and_removed_words_for_everyone(built_site: Path):
    changes = page(built_site, "policies/repairs/changes-v1-to-v2")
    assert "Emergency repairs now within 12 hours." in words(changes.find(class_="policy-notice"))
    section = changes.find(class_="diff-section")
    assert [words(tag) for tag in section.find_all("del")] == ["Removed: 24"]
    assert [words(tag) for tag in section.find_all("ins")] == ["Added: 12"]
    newer = page(built_site, "policies/repairs/changes-v2-to-v3")
    assert words(newer.find_all(class_="diff-section")[-1].h2) == "2. Damp and mould (new section)"
    assert newer.find(class_="diff-unchanged").summary.get_text() == "1. Emergency repairs: no changes"


def test_what_changed_keeps_tables_and_lists_with_the_changes_marked_inside_them():
    before = ("2.1 Our targets:\n\n| Stage | Days |\n|---|---|\n| 1 | 10 |\n| 2 | 20 |\n\n"
              "- by phone\n- by letter\n")
    after = ("2.1 Our targets:\n\n| Stage | Days |\n|---|---|\n| 1 | 5 |\n| 2 | 20 |\n\n"
             "- by phone\n- by email\n- in person\n")
    html = BeautifulSoup(section_html(marked(before, after)), "html.parser")
    rows = [[words(cell) for cell in row.find_all(["th", "td"])] for row in html.table.find_all("tr")]
    assert rows == [["Stage", "Days"], ["1", "Removed: 10 Added: 5"], ["2", "20"]]
    assert [words(item) for item in html.ul.find_all("li")] == [
        "by phone", "by Removed: letter Added: email", "Added: in person"]
    assert words(html.find(id="clause-2-1")) == "2.1 Our targets:"
    assert "|" not in html.get_text()


def test_a_shallow_clone_says_how_to_get_the_history(repository: Path, tmp_path: Path, capsys):
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repository}", str(shallow)], check=True)
    capsys.readouterr()
    assert main(["--project", str(shallow), "build"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # the summary staff see, not only the log
    assert ("Only the current version of each policy, and those in policies/earlier-versions/, are "
            "published: this is a shallow clone, so "
            "earlier versions of policies are missing and are not published. Run `git fetch "
            "--unshallow`") in out
    assert not (shallow / "site" / "policies" / "repairs" / "v1").exists()
    from_files = shallow / "site" / "policies" / "complaints" / "changes-v1-to-v2" / "index.html"
    assert from_files.is_file()  # policies/earlier-versions/ needs no history


# Pull requests: `diff` and `check --base`


def edit(project: Path, old: str, new: str) -> None:
    path = project / "policies" / "repairs.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_diff_summarises_each_changed_policy_for_a_pull_request(repository: Path, capsys):
    git(repository, "checkout", "-q", "-b", "change")
    edit(repository, '\nversion: "3"', '\nversion: "4"')
    edit(repository, "approval_date: 2024-03-20\neffective_date: 2024-03-20",
         "approval_date: 2025-05-06\neffective_date: 2025-05-06")
    edit(repository, "    changes: Added a section on damp and mould.\n",
         "    changes: Added a section on damp and mould.\n  - version: \"4\"\n    date: 2025-05-06\n"
         "    approved_by: Board of Management\n    changes: Damp inspections within 5 days.\n")
    edit(repository, "within 10 working days", "within 5 working days")
    capsys.readouterr()
    assert main(["--project", str(repository), "diff", "--base", "main"]) == 0
    assert capsys.readouterr().out == (
        "### Repairs Policy\n\n`policies/repairs.md`\n\n- Version 3 → 4.\n"
        "- History: version 4 approved by Board of Management on 6 May 2025: Damp inspections within "
        "5 days.\n- Section 2. Damp and mould: changed, 1 words added, 1 removed.\n")
    assert main(["--project", str(repository), "check", "--base", "main"]) == 0


def test_diff_lists_where_the_changed_pages_are_in_the_built_site(repository: Path, capsys):
    """The check workflow writes this under a link to the built site, for reviewers to open."""
    git(repository, "checkout", "-q", "-b", "change")
    edit(repository, "within 10 working days", "within 10 working days of your call")
    (repository / "policies" / "repairs.cy.md").write_text(
        '---\ntitle: Polisi Atgyweirio\nsummary: Sut rydym yn atgyweirio.\ntranslates_version: "3"\n'
        "translated_by: Cyfieithu Bro Cyf.\ntranslated_on: 2024-04-01\n---\n\n## 1. Atgyweiriadau brys\n",
        encoding="utf-8")
    (repository / "policies" / "complaints.pl.md").unlink()  # removed: no pages to list
    capsys.readouterr()
    assert main(["--project", str(repository), "diff", "--base", "main", "--pages"]) == 0
    listed = capsys.readouterr().out
    assert listed == (
        "- **Repairs Policy**: page `policies/repairs/index.html`, large print "
        "`policies/repairs/large-print/index.html`, PDF `policies/repairs/repairs.pdf`, large-print PDF "
        "`policies/repairs/repairs-large-print.pdf`\n"
        "- **Polisi Atgyweirio (Welsh)**: page `cy/policies/repairs/index.html`, large print "
        "`cy/policies/repairs/large-print/index.html`, PDF `cy/policies/repairs/repairs.pdf`, "
        "large-print PDF `cy/policies/repairs/repairs-large-print.pdf`\n")
    assert main(["--project", str(repository), "build"]) == 0
    for path in re.findall(r"`([^`]+)`", listed):
        assert (repository / "site" / path).is_file(), path


def test_diff_pages_says_when_no_page_has_changed(repository: Path, capsys):
    assert main(["--project", str(repository), "diff", "--base", "main", "--pages"]) == 0
    assert capsys.readouterr().out == "No policy or translation has changed, so there are no changed pages.\n"


def test_check_refuses_a_new_text_without_a_new_version(repository: Path, capsys):
    edit(repository, "within 10 working days", "within 5 working days")
    assert main(["--project", str(repository), "check", "--base", "main"]) == 1
    assert capsys.readouterr().err == (
        "1 problem in the policy files:\npolicies/repairs.md:6: version: the text has changed since main "
        "but the version is still 3; raise the version and add a history entry saying what changed\n")


def test_check_refuses_rewriting_a_published_versions_history(repository: Path, capsys):
    edit(repository, "changes: Emergency repairs now within 12 hours.", "changes: Faster repairs.")
    assert main(["--project", str(repository), "check", "--base", "main"]) == 1
    assert capsys.readouterr().err == (
        "1 problem in the policy files:\npolicies/repairs.md:13: history: the entry for version 2, "
        "published before main, has been changed or removed; published versions stay as they were, "
        "so put it back and add a new version instead\n")


def test_check_refuses_changing_or_removing_an_earlier_version_kept_as_a_file(repository: Path, capsys):
    earlier = repository / "policies" / "earlier-versions" / "complaints"
    (earlier / "1.md").write_text((earlier / "1.md").read_text(encoding="utf-8") + "\nA new line.\n",
                                  encoding="utf-8")
    (earlier / "2.md").unlink()
    assert main(["--project", str(repository), "check", "--base", "main"]) == 1
    assert capsys.readouterr().err == "\n".join([
        "2 problems in the policy files:",
        "policies/earlier-versions/complaints/1.md:1: earlier version: this earlier version, published "
        "before main, has been changed; it is the record of what was in force, so put it back as it was "
        "(git checkout main -- policies/earlier-versions/complaints/1.md)",
        "policies/earlier-versions/complaints/2.md:1: earlier version: this earlier version, published "
        "before main, has been removed; it is the record of what was in force, so put it back as it was "
        "(git checkout main -- policies/earlier-versions/complaints/2.md)"]) + "\n"
