"""The `policy-portal` command, run in-process on a copy of the project.

`check` on good and broken policies, `new` (the file it writes passes `check`; it never
overwrites; it refuses a title it cannot make a file name from), and `build`: a broken policy
publishes nothing and leaves the existing site as it was, a good one writes the site and its
search index, and a build with nothing changed builds nothing. Builds are the slow part, so
there are only a few.
"""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select, text

from consultation import context, create_app
from consultation.models import AuditEntry, Comment
from policy_portal.config.messages import catalogue
from policy_portal.project import load_project
from policy_portal.site.up_to_date import build_inputs, up_to_date
from portal.cli import main
from portal.site import CODE
from tests.consultation_pages import GOOD, comment, open_panel_link, soup, words
from tests.test_staff import sign_in

ROOT = Path(__file__).resolve().parent.parent
DATE_PROBLEM = ("policies/complaints.md:9: approval_date: '14/05/2024' is not a date; "
                "write it as YYYY-MM-DD, for example 2025-04-01, or as YYYY-MM for a month, "
                "for example 2024-10")


def break_policy(project, slug, old, new):
    path = project / "policies" / f"{slug}.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_check_passes_on_the_example_content_and_warns_about_reviews(project, capsys):
    assert main(["--project", str(project), "check"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith("7 policies checked: no problems.\n\nPlain English (reading ease: about 60 "
                          "or more is plain English):\n  policies/complaints.md: reading ease ")
    assert ("\n1 warning:\n  policies/data-protection.md:12: review: overdue: it was due "
            "for review on 31 May 2026; Head of Governance should review it\n\n") in out


def test_check_lists_stale_and_missing_translations(project, capsys):
    assert main(["--project", str(project), "check"]) == 0
    out = capsys.readouterr().out
    assert out.endswith(
        "\nTranslations (Welsh, Polish, Arabic):\n"
        "  Out of date: policies/complaints.pl.md translates version 2, but policies/complaints.md is at "
        "version 3\n"
        "  Not in Welsh (cy): data-protection, equality-and-diversity, social-media\n"
        "  Not in Polish (pl): data-protection, equality-and-diversity, social-media\n"
        "  Not in Arabic (ar): data-protection, equality-and-diversity, social-media, tenant-participation\n")


def test_stale_translations_can_be_made_an_error(project, capsys):
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("out_of_date: warn", "out_of_date: error"),
                      encoding="utf-8")
    assert main(["--project", str(project), "check"]) == 1
    assert capsys.readouterr().err == (
        "1 problem in the policy files:\n"
        "policies/complaints.pl.md:8: translates_version: translates version 2, but policies/complaints.md "
        'is at version 3; have the changes translated and set translates_version: "3"\n')
    assert main(["--project", str(project), "build"]) == 1
    assert "policies/complaints.pl.md:8: translates_version: translates version 2" in capsys.readouterr().err
    assert not (project / "site").exists()


def test_a_missing_interface_phrase_is_listed(project, capsys, monkeypatch):
    monkeypatch.setitem(catalogue("cy"), "Summary", "")
    del catalogue("cy")["Summary"]
    assert main(["--project", str(project), "check"]) == 0
    assert ("  1 of the portal's own phrases are not in Welsh yet "
            "(policy_portal/config/locales/cy.po): Summary\n"
            in capsys.readouterr().out)


def test_check_warns_about_plain_english_without_failing(project, capsys):
    path = project / "policies" / "complaints.md"
    text = path.read_text(encoding="utf-8")
    long_sentence = " ".join(["the association shall endeavour to facilitate resolution"] * 6) + "."
    text = text.replace("## 1. Introduction", "## 1. Introduction\n\n#### Too deep\n\n##\n\n"
                        f"{long_sentence}\n\nTo complain, [click here](https://example.org/form).", 1)
    path.write_text(text, encoding="utf-8")
    assert main(["--project", str(project), "check"]) == 0
    out = capsys.readouterr().out
    line = text.splitlines().index("#### Too deep") + 1
    assert (f"policies/complaints.md:{line}: heading: '#### Too deep' skips from level 2 to 4; "
            "use ###") in out
    assert f"policies/complaints.md:{line + 2}: heading: an empty heading; give it words or remove it" in out
    assert (f"policies/complaints.md:{line + 4}: plain English: a sentence of 42 words (more than 35): "
            "'the association shall endeavour") in out
    assert (f"policies/complaints.md:{line + 6}: link text: 'click here' does not say where the link "
            "goes") in out


def test_check_lists_every_problem_with_file_and_line(project, capsys):
    break_policy(project, "complaints", "approval_date: 2024-05-21", "approval_date: 14/05/2024")
    break_policy(project, "pets", "audiences: [public, tenants, panel]", "audiences: [public, landlords]")
    assert main(["--project", str(project), "check"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "\n".join([
        "2 problems in the policy files:",
        DATE_PROBLEM,
        "policies/pets.md:20: consultation.audiences: 'landlords' is not an audience; "
        "use any of: public, tenants, panel",
    ]) + "\n"


@pytest.mark.parametrize(("title", "slug", "reference"), [
    ("Complaints Procedure Policy", "complaints-procedure", "CPP-01"),
    ("Tenancy Policy", "tenancy", "TP-03"),  # TP-01 and TP-02 are taken
    ("Café Policy", "cafe", "CP-01"),  # accents are dropped from the file name, not the letter
])
def test_new_writes_a_draft_that_passes_check(project, capsys, title, slug, reference):
    assert main(["--project", str(project), "new", title]) == 0
    assert capsys.readouterr().out == (f"Wrote policies/{slug}.md. Fill in the summary and the text, "
                                       "then run `policy-portal check`.\n")
    text = (project / "policies" / f"{slug}.md").read_text(encoding="utf-8")
    assert f"\ntitle: {title}\nreference: {reference}\n" in text
    assert "\nstatus: draft\n" in text
    assert main(["--project", str(project), "check"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("8 policies checked: no problems.\n") and err == ""


def test_new_never_overwrites(project, capsys):
    path = project / "policies" / "complaints.md"
    before = path.read_bytes()
    assert main(["--project", str(project), "new", "Complaints Policy"]) == 1
    assert capsys.readouterr() == ("", "policies/complaints.md already exists; choose another file name "
                                   "with --slug, for example --slug complaints-2, or another title.\n")
    assert path.read_bytes() == before


@pytest.mark.parametrize(("reference", "problem"), [
    ("CS-03", "policies/rent.md:3: reference: CS-03 is also used by policies/complaints.md; "
              "give every policy its own reference"),
    ("rent 1", "policies/rent.md:3: reference: 'rent 1' is not a reference code; use capital letters "
               "and digits, for example CS-03 (up to 20 characters, '-', '.' and '/' allowed)"),
])
def test_new_refuses_a_reference_that_would_fail_check(project, capsys, reference, problem):
    assert main(["--project", str(project), "new", "Rent Policy", "--reference", reference]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert problem in err.splitlines()
    assert err.endswith("Nothing was written: change the options and try again.\n")
    assert not (project / "policies" / "rent.md").exists()


def test_new_needs_letters_or_digits_in_the_title(project, capsys):
    before = sorted(path.name for path in (project / "policies").iterdir())
    assert main(["--project", str(project), "new", "?!"]) == 1
    assert capsys.readouterr() == ("", "'?!' has no letters or digits to make a file name from; choose "
                                   "the file name with --slug, for example --slug rent\n")
    assert sorted(path.name for path in (project / "policies").iterdir()) == before


def test_build_with_a_broken_policy_keeps_the_old_site(project, capsys):
    (project / "site").mkdir()
    (project / "site" / "marker.html").write_text("the live site", encoding="utf-8")
    break_policy(project, "complaints", "approval_date: 2024-05-21", "approval_date: 14/05/2024")
    assert main(["--project", str(project), "build"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert DATE_PROBLEM in err.splitlines()
    assert "The site was not built" in err
    assert [path.name for path in (project / "site").iterdir()] == ["marker.html"]
    assert (project / "site" / "marker.html").read_text(encoding="utf-8") == "the live site"
    assert sorted(path.name for path in project.iterdir()) == [
        "docs", "hooks", "mkdocs.yml", "overrides", "policies", "site",
    ]


def test_build_writes_the_site_and_search_index_and_says_what_it_made(project, tmp_path, capsys):
    """Not at a terminal (as in CI), progress is plain lines on standard error: each language's
    pages, PDFs and Braille files, at most one line a tenth of each, and the search index. A
    summary of what was made, warnings and time ends standard output."""
    site = tmp_path / "published"
    assert main(["--project", str(project), "build", "--site-dir", str(site)]) == 0
    out, err = capsys.readouterr()
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f]", out + err)  # no escape codes, no redrawing
    progress: dict[str, list[tuple[int, int]]] = {}
    for line in err.splitlines():
        task, done, total = re.fullmatch(r"(.+): (\d+) of (\d+)", line).groups()
        progress.setdefault(task, []).append((int(done), int(total)))
    last = {task: steps[-1] for task, steps in progress.items()}
    assert all(done == total for done, total in last.values())
    assert all(len(steps) <= min(steps[-1][1], 10) for steps in progress.values())
    library = load_project(project).library
    texts = Counter({"English": len(library.policies)})  # every policy and translation; no cache yet
    texts.update(library.languages[code].english_name for translations in library.translations.values()
                 for code in translations)

    def made(what: str) -> tuple[int, dict[str, int]]:
        """12 and {English: 8, Welsh: 4}: the last line of each language's task (the languages are
        built at the same time, so in no set order)."""
        tasks = {task.removesuffix(f" {what}"): last[task][0] for task in last if task.endswith(f" {what}")}
        return sum(tasks.values()), tasks

    def said(line: str) -> tuple[str, tuple[int, dict[str, int]]]:
        """What a summary line says: "  PDFs: 12 made (English 8, Welsh 4).", as `made` gives it."""
        what, total, languages = re.fullmatch(r"  (\w[\w ]*): (\d+) made \((.*)\)\.", line).groups()
        return what, (int(total), {name: int(done) for name, done in
                                   (each.rsplit(" ", 1) for each in languages.split(", "))})

    assert {name: last[f"{name} PDFs"][0] for name in texts} == {name: 2 * texts[name] for name in texts}
    assert {name: last[f"{name} Braille files"][0] for name in texts} == texts
    assert last["Search index"] == (1, 1)
    lines = out.splitlines()
    assert lines[:-1] == [
        "", "1 warning:", "  policies/data-protection.md:12: review: overdue: it was due for review on "
        "31 May 2026; Head of Governance should review it",  # what `check` says: it does not stop a build
        "", "Only the current version of each policy, and those in policies/earlier-versions/, are "
        f"published: {project} is not a git repository (fatal: not a git repository (or any of the "
        "parent directories): .git), so earlier versions of policies cannot be read; build from a clone "
        "of the policies repository.",  # the example, copied out of its repository
        "", f"Built the site in {site}.", *lines[7:10],
        "  Search index: made.", "  Warnings: 2, listed above.",
    ]
    assert [said(line) for line in lines[7:10]] == [
        ("PDFs", made("PDFs")), ("Braille files", made("Braille files")), ("Pages", made("pages"))]
    assert re.fullmatch(r"  Time taken: \d+\.\d seconds\.", lines[-1])
    assert (site / "index.html").is_file()
    assert (site / "policies" / "complaints" / "index.html").is_file()
    assert (site / "pagefind").is_dir()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["project", "published"]


def site_files(site: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of a built site: its content and modification time."""
    return {path.relative_to(site).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
            for path in site.rglob("*") if path.is_file()}


def test_a_build_with_nothing_changed_says_so_and_builds_nothing(project, capsys, monkeypatch):
    """What killed builds left (sites, PDFs half written) goes; a running build's stays.
    --quiet: no progress, only the warnings and the summary. Built again with nothing changed,
    the site is left as it was, and the summary says so with the same warnings. What a build
    reads (a policy, the date) or what it made (a site file edited or deleted) changed means a
    real build (test_formats' PDF test builds with --force when nothing changed)."""
    site = project / "site"
    ended = subprocess.Popen(["true"])
    ended.wait()
    abandoned = [project / f"site.{ended.pid}.partial-x1", project / f"site.{ended.pid}.old"]
    running = project / f"site.{os.getpid()}.partial-x2"
    for folder in (*abandoned, running):
        (folder / "policies").mkdir(parents=True)
    pdfs = load_project(project).pdf_cache
    pdfs.mkdir(parents=True)
    half_written = [pdfs / f"{'0' * 64}.pdf.{pid}.partial" for pid in (ended.pid, os.getpid())]
    for path in half_written:
        path.write_bytes(b"%PDF-")
    assert main(["--project", str(project), "build", "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert f"Built the site in {site}." in out.splitlines()
    left = [path.exists() for path in (*abandoned, running, *half_written)]
    assert left == [False, False, True, False, True]  # killed builds' sites and cache files go
    built = site_files(site)
    report = out[:out.index("\nBuilt the site")]
    assert "1 warning:" in report

    assert main(["--project", str(project), "build"]) == 0
    out, err = capsys.readouterr()
    assert err == ""  # no progress either: there is nothing to do
    skipped = out.splitlines()[-3:]
    assert out.startswith(report)
    assert re.fullmatch(r"Nothing changed since the last build at \d\d:\d\d on \d{1,2} [A-Z][a-z]+ \d{4}; "
                        r"site/ is up to date\.", skipped[0])
    assert skipped[1] == "  Warnings: 2, listed above."
    assert site_files(site) == built

    def current() -> bool:
        loaded = load_project(project)
        inputs = build_inputs(project, loaded.sources, loaded.config_variables, CODE, site)
        return up_to_date(loaded.cache, inputs, site) is not None

    assert current()
    policy = project / "policies" / "complaints.md"
    text = policy.read_text(encoding="utf-8")
    policy.write_text(text.replace("10 working days", "8 working days", 1), encoding="utf-8")
    assert not current()
    policy.write_text(text, encoding="utf-8")
    assert current()
    monkeypatch.setenv("PORTAL_TODAY", "2026-11-24")  # review and consultation notices may change
    assert not current()
    monkeypatch.setenv("PORTAL_TODAY", "2026-11-23")
    page = site / "policies" / "complaints" / "index.html"
    page.write_bytes(built["policies/complaints/index.html"][0].replace(b"<h1", b"<h1 class=edited", 1))
    assert not current()
    page.unlink()
    assert not current()

    assert main(["--project", str(project), "build", "--quiet"]) == 0
    assert f"Built the site in {site}." in capsys.readouterr().out.splitlines()
    assert page.read_bytes() == built["policies/complaints/index.html"][0]
    assert current()


def test_what_mkdocs_reads_beyond_the_project_folders_counts_as_a_change(project, tmp_path, monkeypatch):
    """MkDocs follows a linked folder in docs/, reads the file mkdocs.yml inherits from, and
    puts in the environment variable an `!ENV` tag names: a change to any of them must mean a
    real build, or the old site stays up saying nothing changed. A link to nothing is left for
    MkDocs to name, not a traceback."""
    def inputs() -> str:
        loaded = load_project(project)
        return build_inputs(project, loaded.sources, loaded.config_variables, CODE, project / "site")

    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "help.md").write_text("# Help\n", encoding="utf-8")
    before = inputs()
    (project / "docs" / "shared").symlink_to(shared)
    (shared / "loop").symlink_to(shared)  # walked once, not for ever
    linked = inputs()
    assert linked != before
    (shared / "help.md").write_text("# Help with rent\n", encoding="utf-8")
    assert inputs() != linked

    (project / "docs" / "gone.md").symlink_to(tmp_path / "nowhere.md")
    inputs()

    monkeypatch.setenv("COPYRIGHT_HOLDER", "Larkfield")
    edit_config(project, "copyright:", "INHERIT: base.yml\ncopyright: !ENV [COPYRIGHT_HOLDER, Larkfield]  #")
    (project / "base.yml").write_text("theme:\n  palette:\n    primary: indigo\n", encoding="utf-8")
    configured = inputs()
    monkeypatch.setenv("COPYRIGHT_HOLDER", "Larkfield Homes")
    assert inputs() != configured
    monkeypatch.setenv("COPYRIGHT_HOLDER", "Larkfield")
    assert inputs() == configured
    (project / "base.yml").write_text("theme:\n  palette:\n    primary: teal\n", encoding="utf-8")
    assert inputs() != configured


def test_invite_prints_a_link_that_signs_a_panel_member_in(project, capsys, monkeypatch):
    """`invite` upgrades the database itself, and its link works in the app on the same project."""
    monkeypatch.setenv("SECRET_KEY", "invite test key")
    assert main(["--project", str(project), "invite", "pets", "--name", "Jo Bloggs",
                 "--base-url", "https://policies.example/"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Invitation for Jo Bloggs to comment on the draft Pets and Animals Policy "
                          "until the end of 21 December 2026:")
    link = next(line for line in out.splitlines() if line.startswith("https://"))
    assert link.startswith("https://policies.example/consultations/panel/?invitation=")
    app = create_app(project, {"SESSION_COOKIE_SECURE": False})
    client = app.test_client()
    token = link.removeprefix("https://policies.example/consultations/panel/?invitation=")
    assert open_panel_link(client, token).status_code == 303
    assert "You are commenting as Jo Bloggs" in words(soup(client.get("/pets/")).find(class_="notice--panel"))
    app.extensions["engine"].dispose()


def edit_config(project, old, new):
    path = project / "mkdocs.yml"
    config = path.read_text(encoding="utf-8")
    assert old in config
    path.write_text(config.replace(old, new, 1), encoding="utf-8")


def invitations_made(project) -> list[str]:
    """The names on the invitations in the project's own database."""
    connection = sqlite3.connect(project / "instance" / "consultation.sqlite")
    try:
        return [name for (name,) in connection.execute("SELECT member_name FROM panel_invitations")]
    finally:
        connection.close()


SITE_URL = "site_url: https://policies.larkfield-housing.example/"


@pytest.mark.parametrize(("old", "new", "address"), [
    (SITE_URL, SITE_URL, "https://policies.larkfield-housing.example/consultations/"),
    ("consultation_url: /consultations/", "consultation_url: https://have-your-say.example/larkfield/",
     "https://have-your-say.example/larkfield/"),
])
def test_invite_links_to_the_public_address_in_mkdocs_yml(project, capsys, old, new, address):
    """Without --base-url, the link is on the address the public reach the app at: the host of
    site_url, or extra.consultation_url where the app runs apart from the site."""
    edit_config(project, old, new)
    assert main(["--project", str(project), "invite", "pets", "--name", "Jo Bloggs"]) == 0
    link = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("https://"))
    assert link.startswith(f"{address}panel/?invitation=")


def test_invite_without_a_public_address_says_how_to_give_one(project, capsys):
    """It used to link to http://127.0.0.1:8000, which reaches nobody but the server itself."""
    edit_config(project, SITE_URL, "")
    assert main(["--project", str(project), "invite", "pets", "--name", "Jo Bloggs"]) == 1
    assert capsys.readouterr().err == (
        "No invitation made: the portal's public address is not known. Set `site_url` in mkdocs.yml "
        "to the address the site is published at, or give it with --base-url, for example "
        "--base-url https://policies.example.org\n")
    assert invitations_made(project) == []
    assert main(["--project", str(project), "invite", "pets", "--name", "Jo Bloggs",
                 "--base-url", "policies.example.org"]) == 1
    assert capsys.readouterr().err == (
        "No invitation made: --base-url 'policies.example.org' is not a web address; write it in full, "
        "for example --base-url https://policies.example.org\n")
    assert invitations_made(project) == []


@pytest.mark.parametrize(("slug", "message"), [
    ("complaints", "No invitation made: policies/complaints.md is not under consultation; set "
                   "`status: consultation` and add a `consultation:` block first.\n"),
    ("nothing", "No invitation made: there is no policy called 'nothing'.\n"),
])
def test_invite_refuses_a_policy_not_under_consultation(project, capsys, slug, message):
    assert main(["--project", str(project), "invite", slug, "--name", "Jo"]) == 1
    assert capsys.readouterr().err == message


def test_migrate_can_run_again(project, capsys):
    assert main(["--project", str(project), "migrate"]) == 0
    assert main(["--project", str(project), "migrate"]) == 0
    assert capsys.readouterr().out.count("The consultation database is up to date") == 2
    assert (project / "instance" / "consultation.sqlite").is_file()
    assert (project / "instance" / "secret_key").stat().st_mode & 0o077 == 0  # only its owner reads it


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("COMMENT_RATE_LIMIT", "twenty", "COMMENT_RATE_LIMIT is 'twenty', which is not a rate: write it like "
                                     "\"20 per hour\" or \"5 per minute\".\n"),
    ("PUBLISHED_COMMENTS_CACHE_SECONDS", "soon", "PUBLISHED_COMMENTS_CACHE_SECONDS is 'soon': set it to a "
     "number of seconds from 0 to 60, such as 1 (0 reads the published comments for every visit).\n"),
])
def test_a_setting_the_app_cannot_start_with_is_said_in_a_line(project, capsys, monkeypatch, variable, value,
                                                               message):
    """Every command that opens the app (migrate, serve, invite...) says what is wrong with a
    setting and stops, with no traceback."""
    monkeypatch.setenv(variable, value)
    assert main(["--project", str(project), "migrate"]) == 1
    assert capsys.readouterr().err == message


def test_staff_add_reads_a_piped_password_and_refuses_a_short_one(project, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["--project", str(project), "staff-add", "mo@larkfield.example", "--name", "Mo"]) == 1
    assert capsys.readouterr().err == "No account was made: the password must be at least 12 characters.\n"
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main(["--project", str(project), "staff-add", "Mo@Larkfield.example", "--name", "Mo",
                 "--role", "administrator"]) == 0
    assert capsys.readouterr().out == ("Made an account for Mo <mo@larkfield.example>, "
                                       "with the role administrator.\n")


def test_staff_unlock_clears_failed_sign_ins_from_every_network(project, capsys, monkeypatch):
    """Finding 6: the lock-out message said "ask an administrator", who had no way to unlock."""
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main(["--project", str(project), "staff-add", "mo@larkfield.example", "--name", "Mo"]) == 0
    app = create_app(project, {"SESSION_COOKIE_SECURE": False})
    for address in ("198.51.100.7",) * 5 + ("2001:db8::1",) * 2:
        sign_in(app.test_client(), "mo@larkfield.example", "a wrong password", address=address)
    assert sign_in(app.test_client(), "mo@larkfield.example", "a long enough password",
                   address="198.51.100.7").status_code == 400
    capsys.readouterr()
    assert main(["--project", str(project), "staff-unlock", "Mo@Larkfield.example"]) == 0
    assert capsys.readouterr().out == (
        "Cleared the failed sign-ins on Mo <mo@larkfield.example> (moderator); it can be signed in to "
        "from anywhere again:\n"
        "  198.51.100.7: 5 (locked out)\n"
        "  networks it had not signed in from lately: 7\n"
        "  2001:db8::/64: 2\n")
    assert sign_in(app.test_client(), "mo@larkfield.example", "a long enough password",
                   address="198.51.100.7").status_code == 303
    with app.app_context():
        entry = context.database().scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).all()[1]
    assert (entry.actor, entry.action, entry.details) == (
        "command line", "cleared failed sign-ins", "Mo <mo@larkfield.example> (moderator): counts on 3 "
        "network(s) cleared")
    app.extensions["engine"].dispose()


def test_staff_unlock_refuses_an_unknown_email(project, capsys):
    assert main(["--project", str(project), "staff-unlock", "nobody@larkfield.example"]) == 1
    assert capsys.readouterr().err == "There is no staff account for nobody@larkfield.example.\n"


def _commented_app(project, monkeypatch):
    """The app on the project's own database, with one comment that has a name and an email."""
    monkeypatch.setenv("SECRET_KEY", "cli test key")
    assert main(["--project", str(project), "migrate"]) == 0
    app = create_app(project, {"SESSION_COOKIE_SECURE": False})
    comment(app.test_client(), **{**GOOD, "name": "Sam Patel", "email": "Sam@Example.com"})
    return app


def _people(app) -> list[tuple[str | None, str | None, str]]:
    with app.app_context():
        return [(c.name, c.email, c.body) for c in context.database().scalars(select(Comment))]


def test_erase_expired_waits_for_the_retention_period(project, capsys, monkeypatch):
    app = _commented_app(project, monkeypatch)
    monkeypatch.setenv("PORTAL_TODAY", "2027-12-21")  # 365 days after closing: still kept
    assert main(["--project", str(project), "erase-expired"]) == 0
    assert _people(app) == [("Sam Patel", "Sam@Example.com", GOOD["comment"])]
    monkeypatch.setenv("PORTAL_TODAY", "2027-12-22")
    assert main(["--project", str(project), "erase-expired"]) == 0
    assert "Erased names and email addresses from 1 comment(s)" in capsys.readouterr().out
    assert _people(app) == [(None, None, GOOD["comment"])]  # the anonymised comment stays
    app.extensions["engine"].dispose()


def test_personal_data_exports_then_erases_what_is_held_about_an_email(project, capsys, monkeypatch):
    app = _commented_app(project, monkeypatch)
    capsys.readouterr()
    assert main(["--project", str(project), "personal-data", "sam@example.com"]) == 0
    held = json.loads(capsys.readouterr().out)
    [sent] = held["comments"]
    assert (sent["name"], sent["email"], sent["body"]) == ("Sam Patel", "Sam@Example.com", GOOD["comment"])
    assert main(["--project", str(project), "personal-data", "sam@example.com", "--erase"]) == 0
    assert _people(app) == [(None, None, GOOD["comment"])]
    app.extensions["engine"].dispose()


@pytest.mark.parametrize("name", ["", "   ", "n" * 101])
def test_invite_refuses_an_empty_or_overlong_name(project, capsys, name):
    assert main(["--project", str(project), "invite", "pets", "--name", name]) == 1
    assert capsys.readouterr().err == (
        "No invitation made: Enter the panel member's name (up to 100 characters).\n")


def test_backup_while_comments_arrive_restores_every_comment(project, capsys, monkeypatch):
    """Comments keep arriving from another thread during the backup; the copy is consistent and
    holds at least every comment acknowledged before the backup began."""
    app = _commented_app(project, monkeypatch)
    stop = threading.Event()

    def keep_commenting() -> None:
        client = app.test_client()
        while not stop.is_set():
            comment(client, **GOOD)

    writer = threading.Thread(target=keep_commenting)
    writer.start()
    try:
        before = len(_people(app))
        assert main(["--project", str(project), "backup", str(project / "backups" / "copy.sqlite")]) == 0
    finally:
        stop.set()
        writer.join()
    restored = create_app(project, {"DATABASE_URL": f"sqlite:///{project / 'backups' / 'copy.sqlite'}"})
    with restored.app_context():
        database = context.database()
        assert database.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert len(list(database.scalars(select(Comment)))) >= before >= 1
    restored.extensions["engine"].dispose()
    app.extensions["engine"].dispose()


def test_personal_data_finds_an_email_with_accents_typed_in_any_case(project, capsys, monkeypatch):
    """Issue 19, finding 3: `ÉLISE@Example.com` found nothing, even typed exactly."""
    monkeypatch.setenv("SECRET_KEY", "cli test key")
    assert main(["--project", str(project), "migrate"]) == 0
    app = create_app(project, {"SESSION_COOKIE_SECURE": False})
    comment(app.test_client(), **{**GOOD, "name": "Élise", "email": "ÉLISE@Example.com"})
    capsys.readouterr()
    assert main(["--project", str(project), "personal-data", "élise@example.COM"]) == 0
    held = json.loads(capsys.readouterr().out)["comments"]
    assert [sent["email"] for sent in held] == ["ÉLISE@Example.com"]
    assert main(["--project", str(project), "personal-data", "Élise@example.com", "--erase"]) == 0
    assert _people(app) == [(None, None, GOOD["comment"])]
    app.extensions["engine"].dispose()


def test_database_files_and_backups_are_readable_by_their_owner_only(project, capsys, monkeypatch):
    """Issue 19, finding 10: the database files were created world-readable (0644)."""
    app = _commented_app(project, monkeypatch)
    assert main(["--project", str(project), "backup", str(project / "backups" / "copy.sqlite")]) == 0
    instance = project / "instance"
    kept = [instance, *instance.glob("consultation.sqlite*"), project / "backups" / "copy.sqlite"]
    assert {path.name for path in kept} >= {"consultation.sqlite", "consultation.sqlite-wal"}
    assert {path.name: oct(path.stat().st_mode & 0o077) for path in kept} == {
        path.name: "0o0" for path in kept}
    app.extensions["engine"].dispose()


def test_an_erasure_while_a_backup_reads_says_so_and_scrub_finishes_it(project, capsys, monkeypatch):
    """Found in a second attack: with a reader holding the database, the checkpoint that clears
    the write-ahead log failed silently, leaving erased emails in it (and stalled comments)."""
    app = _commented_app(project, monkeypatch)
    database = project / "instance" / "consultation.sqlite"
    reader = sqlite3.connect(database)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM comments").fetchone()  # a snapshot, as a backup holds
    assert main(["--project", str(project), "personal-data", "sam@example.com", "--erase"]) == 1
    assert "Run `policy-portal erase-expired --scrub` when it is quiet." in capsys.readouterr().err
    reader.rollback()
    reader.close()
    assert main(["--project", str(project), "erase-expired", "--scrub"]) == 0
    for path in database.parent.glob("consultation.sqlite*"):
        assert b"Sam@Example.com" not in path.read_bytes(), path
    app.extensions["engine"].dispose()


# What hand-converting two real policies showed (issue 17)


def test_new_takes_a_file_name_when_the_titles_is_taken(project, capsys):
    assert main(["--project", str(project), "new", "Social Media Policy"]) == 1
    assert "choose another file name with --slug" in capsys.readouterr().err
    assert main(["--project", str(project), "new", "Social Media Policy",
                 "--slug", "staff-social-media"]) == 0
    text = (project / "policies" / "staff-social-media.md").read_text(encoding="utf-8")
    assert "\ntitle: Social Media Policy\n" in text
    assert main(["--project", str(project), "new", "Rent Policy", "--slug", "Rent Policy"]) == 1
    assert capsys.readouterr().err.endswith(
        "'Rent Policy' is not a usable file name; use lower-case words joined by hyphens, "
        "for example --slug staff-social-media\n")


def test_starter_text_is_a_warning_in_a_draft_and_refused_in_consultation(project, capsys):
    assert main(["--project", str(project), "new", "Rent Policy"]) == 0
    path = project / "policies" / "rent.md"
    text = path.read_text(encoding="utf-8")
    assert "<!--" not in text.split("\n---\n", 1)[1]  # no note for staff in the published text
    lines = text.splitlines()
    starts = ("summary:", "1.1", "2.1", "3.1", "4.1")
    placeholders = [number for number, line in enumerate(lines, 1) if line.startswith(starts)]
    capsys.readouterr()
    assert main(["--project", str(project), "check"]) == 0
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if "starter text" in line] == [
        f"  policies/rent.md:{number}: {'summary' if number == placeholders[0] else 'body'}: starter text "
        f"from `policy-portal new` is still here: '{lines[number - 1].partition(' ')[2][:60]}'; replace it "
        "with the policy's own words" for number in placeholders]
    path.write_text(text.replace("status: draft", "status: consultation\nconsultation:\n  opens: 2026-11-23\n"
                                 "  closes: 2026-12-21\n  audiences: [tenants]"), encoding="utf-8")
    assert main(["--project", str(project), "check"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("5 problems in the policy files:\n")
    assert err.count("starter text from `policy-portal new` is still here") == 5


def test_the_old_starter_note_makes_no_opening_section_and_is_starter_text(project, capsys):
    """Files started before the note moved into the front matter still have it in their text."""
    from policy_portal.text.sections import sections

    note = "<!-- Started on 2026-11-01. Field guide: docs/staff/policy-format.md -->"
    path = project / "policies" / "pets.md"
    text = path.read_text(encoding="utf-8").replace("\n---\n", f"\n---\n\n{note}\n", 1)
    path.write_text(text, encoding="utf-8")
    assert sections(text.split("\n---\n", 1)[1])[0].title == "1. Introduction"
    assert main(["--project", str(project), "check"]) == 1  # pets is open for comments
    line = text.splitlines().index(note) + 1
    assert (f"policies/pets.md:{line}: body: starter text from `policy-portal new` is still here: "
            f"'{note[:60]}'; replace it with the policy's own words") in capsys.readouterr().err.splitlines()


def test_plain_english_counts_the_long_sentences_it_does_not_quote(project, capsys):
    path = project / "policies" / "complaints.md"
    long_sentence = " ".join(["the association shall endeavour to facilitate resolution"] * 6) + "."
    text = path.read_text(encoding="utf-8").replace(
        "## 1. Introduction", "## 1. Introduction\n\n" + "\n\n".join([long_sentence] * 5), 1)
    path.write_text(text, encoding="utf-8")
    assert main(["--project", str(project), "check"]) == 0
    out = capsys.readouterr().out
    assert out.count("plain English: a sentence of 42 words (more than 35)") == 3
    body_line = text.splitlines().index("---", 1) + 2
    assert (f"policies/complaints.md:{body_line}: plain English: and 2 more sentences of more than 35 "
            "words besides the 3 longest listed; split them too") in out


def test_a_sentence_may_start_with_a_brand_name(project, capsys):
    from policy_portal.checks.plain_english import readability

    result = readability("We sell old furniture online. eBay charges a fee. iPhone users can use the app.")
    assert sorted(sentence for _, sentence in result.longest) == [
        "We sell old furniture online.", "eBay charges a fee.", "iPhone users can use the app."]


def test_check_piped_into_head_stops_quietly(project):
    """`check | head`: the reader goes away before the output ends; no traceback."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    finished = subprocess.run([sys.executable, "-m", "portal.cli", "--project", str(project), "check"],
                              stdout=write_end, stderr=subprocess.PIPE, cwd=ROOT, check=False,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    os.close(write_end)
    assert (finished.returncode, finished.stderr.decode()) == (1, "")


def test_serve_explains_its_options(capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--host HOST the address to listen on (default: 127.0.0.1, this computer only;" in out
    assert "--port PORT the port to listen on (default: 8000)" in out

