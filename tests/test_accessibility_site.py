"""WCAG checks on the static site that axe-core cannot make, starting with the Nu HTML Checker
over every built page (one Java start for all of them)."""

from __future__ import annotations

from pathlib import Path

from tests import vnu


def test_the_nu_html_checker_finds_no_errors(site: Path):
    assert vnu.errors(sorted(site.rglob("*.html"))) == []
