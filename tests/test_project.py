"""One project, one reading of mkdocs.yml: the command line, the build (through the hooks) and the
consultation app all start from `load_project`, so they agree on every setting, and a wrong one
is reported on its own line of mkdocs.yml by each of them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from consultation import create_app
from policy_portal.config.config_file import ConfigFile
from policy_portal.config.settings import read_settings
from policy_portal.problems import PolicyError
from policy_portal.project import load_project
from portal.cli import main
from tests.conftest import APP_SETTINGS, ROOT, migrated
from tests.consultation_pages import PETS, soup


def set_setting(project: Path, old: str, new: str) -> int:
    """Replace a line of the project's mkdocs.yml; return its line number."""
    config = project / "mkdocs.yml"
    lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(number for number, line in enumerate(lines, 1) if line.strip().startswith(old))
    lines[number - 1] = lines[number - 1].replace(old, new, 1)
    config.write_text("".join(lines), encoding="utf-8")
    return number


def test_a_wrong_setting_is_reported_on_its_line_by_check_and_build(project: Path, capsys):
    line = set_setting(project, "retention_days: 365", "retention_days: a year")
    assert main(["--project", str(project), "check"]) == 1
    expected = (f"mkdocs.yml:{line}: extra.moderation.retention_days: 'a year' is not a number of days; "
                "write a whole number, such as 365")
    assert capsys.readouterr().err == f"1 problem in the policy files:\n{expected}\n"
    assert main(["--project", str(project), "build"]) == 1  # the hooks read it the same way
    assert expected in capsys.readouterr().err
    assert not (project / "site").exists()


def test_every_wrong_setting_is_reported_at_once(project: Path):
    reading = set_setting(project, "min_reading_ease: 50", "min_reading_ease: fifty")
    choice = set_setting(project, "out_of_date: warn", "out_of_date: sometimes")
    email = set_setting(project, "email: policies@", "email: policies at ")
    with pytest.raises(PolicyError) as caught:
        load_project(project)
    assert email < choice < reading
    assert [str(problem) for problem in caught.value.problems] == [
        f"mkdocs.yml:{email}: extra.association.email: 'policies at larkfield-housing.example' is not an "
        "email address",
        f"mkdocs.yml:{choice}: extra.translations.out_of_date: 'sometimes' is not allowed; use warn "
        "(publish with a banner) or error (stop the build)",
        f"mkdocs.yml:{reading}: extra.plain_english.min_reading_ease: 'fifty' is not a whole number",
    ]


def test_a_missing_setting_is_reported_on_its_blocks_line():
    config = ConfigFile.parse("site_name: Policies\nextra:\n  association:\n    name: Larkfield\n"
                              "    phone: 0113 496 0750\n    email: 42\n  moderation: 30\n")
    with pytest.raises(PolicyError) as caught:
        read_settings(config)
    assert [str(problem) for problem in caught.value.problems] == [
        "mkdocs.yml:3: extra.association.address: missing or empty; tenants need it to ask for other formats",
        "mkdocs.yml:6: extra.association.email: '42' is not text; put it in quotes",
        "mkdocs.yml:7: extra.moderation: must be a block of settings",
    ]


def test_mkdocs_tags_still_load_and_lines_stay_right(monkeypatch):
    """MkDocs' own tags that would run code load as nothing; `!ENV` as MkDocs reads it."""
    monkeypatch.delenv("SITE_URL", raising=False)
    config = ConfigFile.parse(
        "markdown_extensions:\n  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "site_url: !ENV [SITE_URL, 'https://example.org/']\nextra:\n  association:\n    name: Larkfield\n"
        "    phone: 0113 496 0750\n    email: a@larkfield.example\n    address: 4 Mill Yard\n"
        "  moderation:\n    retention_days: 0\n")
    assert config.data["markdown_extensions"] == [{"pymdownx.emoji": {"emoji_index": None}}]
    assert config.data["site_url"] == "https://example.org/"
    assert config.line("markdown_extensions.pymdownx.emoji.emoji_index") == 3
    with pytest.raises(PolicyError, match=r"^1 problem in the policy files:\nmkdocs\.yml:12: "
                                          r"extra\.moderation\.retention_days: '0' is not a number of days"):
        read_settings(config)


def test_settings_are_read_as_mkdocs_reads_them_with_inherit_and_env(project: Path, monkeypatch):
    """MkDocs merges the file `INHERIT` names under mkdocs.yml, block by block, and puts in the
    value of the environment variable an `!ENV` tag names: the portal must see the same settings
    (the build's fingerprint covers both: test_cli). A problem in the inherited file is reported
    on its line there."""
    set_setting(project, "phone: 0113 496 0750", "")
    set_setting(project, "retention_days: 365", "retention_days: !ENV [RETENTION_DAYS, 365]")
    config = project / "mkdocs.yml"
    config.write_text("INHERIT: shared/base.yml\n" + config.read_text(encoding="utf-8"), encoding="utf-8")
    (project / "shared").mkdir()
    base = project / "shared" / "base.yml"
    base.write_text("extra:\n  association:\n    phone: 0113 496 0999\n    name: Not used\n",
                    encoding="utf-8")
    monkeypatch.setenv("RETENTION_DAYS", "30")
    loaded = load_project(project)
    association = loaded.association
    assert (association.name, association.phone) == ("Larkfield Housing Association", "0113 496 0999")
    assert loaded.moderation.retention_days == 30
    assert (loaded.config_files, loaded.config_variables) == ([config, base], ["RETENTION_DAYS"])
    monkeypatch.delenv("RETENTION_DAYS")
    assert load_project(project).moderation.retention_days == 365

    base.write_text("extra:\n  association:\n    phone: ring us\n", encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_project(project)
    assert [str(problem) for problem in caught.value.problems] == [
        "shared/base.yml:3: extra.association.phone: 'ring us' is not a phone number; write it as people "
        "dial it, for example 0113 496 0750"]
    base.unlink()
    with pytest.raises(PolicyError, match=r"mkdocs\.yml:1: INHERIT: names shared/base\.yml, but there is "
                                          r"no such file at .*base\.yml: create it"):
        load_project(project)


def test_unreadable_yaml_is_reported_on_its_line(project: Path):
    set_setting(project, "retention_days: 365", "retention_days: [365")
    with pytest.raises(PolicyError, match=r"mkdocs\.yml:\d+: file: cannot be read: ") as caught:
        load_project(project)
    assert caught.value.problems[0].line > 80  # where the list is left open, not line 1


def test_check_and_the_app_agree_on_the_association(project: Path, tmp_path: Path, capsys):
    line = set_setting(project, "phone: 0113 496 0750", "phone: ring us")
    assert main(["--project", str(project), "check"]) == 1
    expected = (f"mkdocs.yml:{line}: extra.association.phone: 'ring us' is not a phone number; write it as "
                "people dial it, for example 0113 496 0750")
    assert expected in capsys.readouterr().err
    with pytest.raises(PolicyError) as caught:
        create_app(project, APP_SETTINGS)
    assert [str(problem) for problem in caught.value.problems] == [expected]

    set_setting(project, "phone: ring us", "phone: 0113 496 0999")
    set_setting(project, "name: Larkfield Housing Association", "name: Riverside Homes")
    assert main(["--project", str(project), "check"]) == 0
    database = migrated(f"sqlite:///{tmp_path / 'c.sqlite'}")
    app = create_app(project, {**APP_SETTINGS, "DATABASE_URL": database})
    footer = soup(app.test_client().get(PETS)).find("footer").get_text(" ", strip=True)
    assert "Riverside Homes" in footer
    assert "0113 496 0999" in footer
    app.extensions["engine"].dispose()


def test_the_project_knows_its_folders():
    project = load_project(ROOT)
    assert (project.policies, project.docs, project.config_file) == (
        ROOT / "policies", ROOT / "docs", ROOT / "mkdocs.yml")
    assert [language.code for language in project.languages.all] == ["en", "cy", "pl", "ar"]
    assert project.library.translation("complaints", "cy") is not None


def test_a_folder_without_mkdocs_yml_is_not_a_project(tmp_path: Path, capsys):
    assert main(["--project", str(tmp_path), "check"]) == 1
    assert capsys.readouterr().err == (
        "1 problem in the policy files:\n"
        f"mkdocs.yml:1: file: there is no mkdocs.yml in {tmp_path.resolve()}; run the command in the "
        "project folder, or name it with --project\n")


SOURCES = ("policy_portal", "consultation", "portal", "hooks")


def test_only_the_environment_table_reads_the_environment():
    """Every variable is declared, documented and read in policy_portal/config/environment.py
    (the clock reads PORTAL_TODAY, which the table declares, itself)."""
    readers = sorted(path.relative_to(ROOT).as_posix() for folder in SOURCES
                     for path in (ROOT / folder).rglob("*.py")
                     if re.search(r"os\.environ|getenv", path.read_text(encoding="utf-8")))
    assert readers == ["policy_portal/clock.py", "policy_portal/config/environment.py"]
