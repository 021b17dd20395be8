"""The staff guide names every setting, environment variable and command (as Datasette's
tests/test_docs.py does for its settings and plugin hooks): one added without a line in the
guide fails here, so nobody has to read the code to learn it exists."""

from __future__ import annotations

import argparse
from collections.abc import Iterable

from policy_portal.config.environment import ENVIRONMENT
from policy_portal.config.settings import SETTINGS
from portal.cli import make_parser
from tests.conftest import ROOT

GUIDE = ROOT / "docs" / "staff"


def guide() -> str:
    return "\n".join(page.read_text(encoding="utf-8") for page in sorted(GUIDE.glob("*.md")))


def undocumented(rows: Iterable[str], text: str) -> list[str]:
    """The rows (the start of a reference table's row) that the guide's text lacks."""
    return [row for row in rows if f"\n{row}" not in text]


def commands() -> list[str]:
    parser = make_parser()
    subcommands = next(action for action in parser._actions
                       if isinstance(action, argparse._SubParsersAction))
    return list(subcommands.choices)


def test_every_setting_is_in_the_settings_table():
    rows = [f"| `{setting.key}` | {setting.kind} |" for setting in SETTINGS.values()]
    assert undocumented(rows, guide()) == []


def test_every_environment_variable_is_in_the_operators_table():
    assert undocumented((f"| `{name}` |" for name in ENVIRONMENT), guide()) == []


def test_every_command_is_in_the_commands_table():
    assert {"check", "build", "new"} <= set(commands())  # the parser was read
    assert undocumented((f"| `policy-portal {command}" for command in commands()), guide()) == []


def test_a_new_undocumented_name_is_caught():
    """The checks above can fail: a setting, variable or command the guide lacks is reported."""
    text = guide()
    assert undocumented(["| `extra.moderation.retention_weeks` | whole number |", "| `PORTAL_COLOUR` |",
                         "| `policy-portal publish"], text) == [
        "| `extra.moderation.retention_weeks` | whole number |", "| `PORTAL_COLOUR` |",
        "| `policy-portal publish"]
    assert undocumented(["| `extra.moderation.retention_days` | whole number |"], text) == []
