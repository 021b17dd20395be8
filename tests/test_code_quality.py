"""The code stays ruff-clean, including the rule that keeps policy_portal free of MkDocs and Flask."""

from __future__ import annotations

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
