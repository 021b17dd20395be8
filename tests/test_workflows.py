"""The GitHub Actions workflows do what docs/staff/publishing.md says they do.

Publishing (`publish.yml`): on every merge to main, every morning after midnight in the UK and
by hand; from the whole history; check, then build, then publish, and publish only after both
passed; to GitHub Pages with the permissions it needs and no other; on the real date. Checking
(`check.yml`): on pull requests, the plain-English summary, the built site uploaded for
reviewers and the list of changed pages, which is run here as the workflow runs it. Both pass
actionlint, which knows the actions' inputs and outputs and GitHub's expression language.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT
from tests.test_versions import git

WORKFLOWS = ROOT / ".github" / "workflows"
GUIDE = ROOT / "docs" / "staff" / "publishing.md"


def workflow(name: str) -> dict[str, Any]:
    # PyYAML reads the key `on` as True (YAML 1.1); put it back.
    loaded = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    loaded["on"] = loaded.pop(True)
    return loaded


def step_index(steps: list[dict[str, Any]], *, uses: str | None = None, runs: str | None = None) -> int:
    """The position of the one step that uses an action, or whose command contains `runs`."""
    found = [number for number, step in enumerate(steps)
             if (uses and step.get("uses", "").startswith(f"{uses}@"))
             or (runs and runs in step.get("run", ""))]
    assert len(found) == 1, (uses, runs, found)
    return found[0]


PUBLISH = workflow("publish.yml")
CHECK = workflow("check.yml")


def test_publishing_runs_on_every_merge_every_morning_and_by_hand():
    triggers = PUBLISH["on"]
    assert triggers["push"] == {"branches": ["main"]}
    assert "workflow_dispatch" in triggers
    [schedule] = triggers["schedule"]
    minute, hour, *every_day = schedule["cron"].split()
    assert every_day == ["*", "*", "*"]
    # GitHub's cron is UTC; the UK is UTC in winter and UTC+1 in summer. After midnight in both,
    # so the build has the new day's date, and before 07:00 in both.
    assert 0 <= int(hour) <= 5
    assert f"every day at {int(hour):02}:{int(minute):02} UTC" in GUIDE.read_text(encoding="utf-8")


def test_publishing_builds_from_the_whole_history_on_the_real_date():
    steps = PUBLISH["jobs"]["build"]["steps"]
    assert steps[step_index(steps, uses="actions/checkout")]["with"]["fetch-depth"] == 0
    assert "PORTAL_TODAY" not in (WORKFLOWS / "publish.yml").read_text(encoding="utf-8")


def test_publishing_checks_builds_and_only_then_publishes():
    build, publish = PUBLISH["jobs"]["build"], PUBLISH["jobs"]["publish"]
    steps = build["steps"]
    order = [step_index(steps, runs="policy-portal check"), step_index(steps, runs="policy-portal build"),
             step_index(steps, uses="actions/upload-pages-artifact")]
    assert order == sorted(order)
    assert steps[order[-1]]["with"]["path"] == "site/"
    assert all("continue-on-error" not in step and "if" not in step for step in steps)  # a failure stops it
    assert publish["needs"] == "build" and "if" not in publish
    assert [step["uses"].split("@")[0] for step in publish["steps"]] == ["actions/deploy-pages"]


def test_publishing_may_write_to_pages_only_one_at_a_time():
    assert PUBLISH["permissions"] == {"contents": "read"}
    publish = PUBLISH["jobs"]["publish"]
    assert publish["permissions"] == {"pages": "write", "id-token": "write"}
    assert publish["environment"]["name"] == "github-pages"
    assert "permissions" not in PUBLISH["jobs"]["build"]
    assert PUBLISH["concurrency"]["cancel-in-progress"] is False  # never stop a publication half-way


def test_pull_requests_get_the_summary_the_built_site_and_the_changed_pages():
    steps = CHECK["jobs"]["check"]["steps"]
    assert steps[step_index(steps, uses="actions/checkout")]["with"]["fetch-depth"] == 0
    summary = step_index(steps, runs="policy-portal diff --base origin/")
    build = step_index(steps, runs="policy-portal build")
    upload = step_index(steps, uses="actions/upload-artifact")
    pages = step_index(steps, runs="--pages")
    assert summary < build < upload < pages
    assert steps[upload]["with"]["path"] == "site/" and steps[upload]["id"] == "preview"
    for number in (summary, upload, pages):
        assert steps[number]["if"] == "github.base_ref"  # pull requests only
    for number in (summary, pages):
        assert '>> "$GITHUB_STEP_SUMMARY"' in steps[number]["run"]


def test_the_changed_pages_step_writes_a_link_to_the_site_and_the_pages(project: Path, tmp_path: Path):
    """The step's own script, run as the workflow runs it (bash -e), in a pull request's checkout."""
    step = CHECK["jobs"]["check"]["steps"][step_index(CHECK["jobs"]["check"]["steps"], runs="--pages")]
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "-c", "user.name=Tests", "-c", "user.email=tests@larkfield.example", "commit", "-q",
        "-m", "Policies")
    policy = project / "policies" / "pets.md"
    policy.write_text(policy.read_text(encoding="utf-8") + "\nA new sentence.\n", encoding="utf-8")
    (project / ".venv").symlink_to(Path(sys.prefix))
    summary = tmp_path / "summary.md"
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "BASE": "main",
                   "PREVIEW": "https://github.example/artifacts/1", "GITHUB_STEP_SUMMARY": str(summary)}
    subprocess.run(["bash", "-e", "-c", step["run"]], cwd=project, env=environment, check=True)
    assert summary.read_text(encoding="utf-8") == (
        "\n## The changed pages\n\nDownload [the built site](https://github.example/artifacts/1) "
        "(a zip file), unzip it and open:\n\n- **Pets and Animals Policy**: page `policies/pets/index.html`, "
        "large print `policies/pets/large-print/index.html`, PDF `policies/pets/pets.pdf`, large-print PDF "
        "`policies/pets/pets-large-print.pdf`\n")


@pytest.mark.parametrize("name", ["check.yml", "publish.yml"])
def test_actionlint_finds_nothing(name: str):
    """actionlint checks the actions' inputs and outputs, expressions and runners. ShellCheck and
    pyflakes are turned off: they are not installed, and the result must not depend on whether
    they happen to be."""
    actionlint = Path(sys.executable).parent / "actionlint"
    command = [str(actionlint), "-shellcheck=", "-pyflakes=", "-no-color", str(WORKFLOWS / name)]
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
