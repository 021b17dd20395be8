"""The code stays ruff-clean, policy_portal stays free of MkDocs and Flask, and its groups import
only the groups below them (import-linter, configured in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", str(ROOT)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_domain_package_imports_no_web_framework(tmp_path: Path):
    """Prove the banned-api rule bites: a domain module importing MkDocs is reported."""
    module = tmp_path / "policy_portal" / "sneaky.py"
    module.parent.mkdir()
    module.write_text("import mkdocs\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"),
         str(module)], capture_output=True, text=True, check=False)
    assert "TID251" in result.stdout


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """import-linter on the packages under `root`, with the contracts in pyproject.toml."""
    return subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--no-cache",
                           "--config", str(ROOT / "pyproject.toml")],
                          cwd=root, env={"PYTHONPATH": str(root)}, capture_output=True, text=True,
                          check=False)


def test_imports_go_one_way():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_lower_group_importing_the_renderer_is_refused(tmp_path: Path):
    """Prove the layers contract bites: text/ importing the page renderer breaks it."""
    for package in ("policy_portal", "consultation", "portal"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    formatting = tmp_path / "policy_portal" / "text" / "formatting.py"
    formatting.write_text(formatting.read_text(encoding="utf-8")
                          + "\nfrom policy_portal.pages import policy_page  # noqa\n", encoding="utf-8")
    result = _lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "policy_portal.text.formatting -> policy_portal.pages.policy_page" in result.stdout
