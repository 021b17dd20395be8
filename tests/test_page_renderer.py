"""The one page renderer's templates: text from a policy file reaches a page as text."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from policy_portal.pages.context import PageContext
from policy_portal.pages.policy_page import page_markdown
from policy_portal.project import load_project
from policy_portal.reading.library import load_library
from policy_portal.text.extensions import converter
from tests.test_validation import TODAY, write_policy

ROOT = Path(__file__).resolve().parent.parent


def test_text_from_a_policy_file_shows_as_text_in_about_this_policy(tmp_path):
    owner = "Head of \"Homes\" & <Tenancy> {: onclick=alert(1)} *O'Brien*"
    write_policy(tmp_path, owner=f"'{owner.replace(chr(39), chr(39) * 2)}'")
    library = load_library(tmp_path / "policies")
    context = PageContext(library, load_project(ROOT).association, TODAY)
    html = converter().convert(page_markdown(context, library["complaints"]))
    panel = BeautifulSoup(html, "html.parser").select_one("section.policy-meta")
    rows = {row.dt.get_text(): row.dd for row in panel.select("dl > div")}
    assert rows["Policy owner"].get_text() == owner
    assert rows["Policy owner"].find() is None  # no element made from the text
    assert panel.select("[onclick]") == []
