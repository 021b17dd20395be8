"""The Markdown extensions every renderer in policy_portal uses are the site's: mkdocs.yml names the
same ones, with the same settings, in the same order."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from policy_portal.text.extensions import SITE_EXTENSIONS

ROOT = Path(__file__).resolve().parent.parent


def configured_extensions(config: dict) -> dict[str, dict]:
    """mkdocs.yml's `markdown_extensions`, each as name and settings, in order: MkDocs allows a
    bare name or a one-entry mapping of name to settings."""
    found: dict[str, dict] = {}
    for entry in config["markdown_extensions"]:
        name, settings = next(iter(entry.items())) if isinstance(entry, dict) else (entry, None)
        found[name] = settings or {}
    return found


def test_mkdocs_yml_names_the_extensions_every_renderer_uses_with_the_same_settings():
    """The site is rendered by MkDocs from mkdocs.yml's list; large print, PDFs, Braille, the
    consultation page and the checks by policy_portal's. Change one, change the other."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert list(configured_extensions(config).items()) == list(SITE_EXTENSIONS.items())


@pytest.mark.parametrize("entries", [
    ["toc", "fenced_code", "tables", "attr_list", "policy_portal.text.clauses"],  # md_in_html left out
    [{"toc": {"permalink": True}}, "fenced_code", "tables", "attr_list", "md_in_html",
     "policy_portal.text.clauses"],  # a setting the renderers would not have
    ["fenced_code", "toc", "tables", "attr_list", "md_in_html", "policy_portal.text.clauses"],  # reordered
])
def test_a_list_that_differs_from_the_renderers_is_noticed(entries):
    configured = configured_extensions({"markdown_extensions": entries})
    assert list(configured.items()) != list(SITE_EXTENSIONS.items())
