"""The code stays ruff-clean, policy_portal stays free of MkDocs and Flask, and its groups import
only the groups below them (import-linter, configured in pyproject.toml)."""

from __future__ import annotations

import ast
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


WRITE_PATH = [ROOT / "consultation" / f"{name}.py"
              for name in ("transactions", "actions", "staff_accounts", "outbox")]
"""The write path: `transactions` commits, and the modules of changes made through it."""
TRANSACTION_ENDS = {"commit", "rollback"}
"""Calls that end a transaction, whatever they are made on (a session, a connection)."""
SESSION_WRITES = {"add", "add_all", "delete", "merge", "flush"}
"""Calls that change rows when made on a database session (named `db` throughout the app);
`sys.stdout.flush()` is no such call."""


def session_writes(path: Path) -> list[str]:
    """Where the module at `path` writes to the database through a session: `file:line: call`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name, receiver = node.func.attr, node.func.value
            if name in TRANSACTION_ENDS or (name in SESSION_WRITES and isinstance(receiver, ast.Name)
                                            and receiver.id == "db"):
                found.append(f"{path.relative_to(path.parents[1])}:{node.lineno}: .{name}(")
    return sorted(found, key=lambda write: int(write.split(":")[1]))


def test_every_database_change_goes_through_actions():
    """One write path (issue 18): only its modules commit, roll back or add rows, so every
    change is made with its audit entry in one transaction. Migrations change the schema inside
    Alembic's own transaction and are not looked at."""
    modules = [path for folder in ("consultation", "portal", "hooks", "policy_portal")
               for path in (ROOT / folder).rglob("*.py")
               if path not in WRITE_PATH and "migrations" not in path.parts]
    assert len(modules) > 50
    assert [write for module in modules for write in session_writes(module)] == []
    assert any(write.endswith(".commit(") for write in session_writes(WRITE_PATH[0]))  # it sees them there


def test_a_view_that_commits_is_caught(tmp_path: Path):
    module = tmp_path / "consultation" / "sneaky.py"
    module.parent.mkdir()
    module.write_text("def view(db, comment):\n    comment.moderation = 'approved'\n"
                      "    db.add(comment)\n    context.database().commit()\n", encoding="utf-8")
    assert session_writes(module) == ["consultation/sneaky.py:3: .add(", "consultation/sneaky.py:4: .commit("]
