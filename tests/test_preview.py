"""The preview staff edit with, `mkdocs serve`: a save rebuilds only what it changed, and every
page it changed shows it.

One real `mkdocs serve` of a copy of the example project (one test, as starting it builds the
whole site), edited as staff edit it: a policy's title and text, then a translation. Each
rebuild after an edit is a "dirty" one (policy_portal/site/rebuild.py), checked against what a
reader of each page would expect.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.mkdocs_serve import mkdocs_serve, page


class Preview:
    def __init__(self, project: Path, log: Path, address: str) -> None:
        self.project, self.log, self.address = project, log, address

    def page(self, path: str) -> str:
        return page(f"{self.address}{path}")

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.project / "policies" / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def wait_for(self, path: str, text: str) -> str:
        """The page once it shows `text`: a rebuild takes a moment after a save."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            page = self.page(path)
            if text in page:
                return page
            time.sleep(0.2)
        raise AssertionError(f"{path} never showed {text!r}; the preview said:\n"
                             f"{self.log.read_text()[-3000:]}")

    @property
    def site(self) -> Path:
        """The folder `mkdocs serve` builds into, as its log names it."""
        return Path(re.search(r"Building 'en' documentation to directory: (\S+)", self.log.read_text())[1])


@pytest.fixture
def preview(project: Path, warm_cache: None) -> Iterator[Preview]:
    """The preview starts with the PDF and Braille cache the session's build of the example made."""
    log = project / "serve.log"
    with mkdocs_serve(project, log) as address:
        yield Preview(project, log, address)


def test_a_rebuild_shows_each_edit_everywhere_it_appears_and_rebuilds_nothing_else(preview: Preview):
    untouched = preview.site / "policies" / "estate-walkabouts" / "index.html"  # links to none of it
    made = untouched.stat().st_mtime_ns
    preview.edit("social-media.md", "title: Social Media Policy", "title: Social Media and Messaging Policy")
    preview.edit("social-media.md", "\n1.1 ", "\n1.1 Edited in the preview. ")

    page = preview.wait_for("/policies/social-media/", "Edited in the preview.")
    assert "Social Media and Messaging Policy" in page
    # the menu still names the staff guide's pages, which the rebuild did not build again
    assert "How to write a policy file" in page
    assert "Social Media and Messaging Policy" in preview.page("/")  # the list of policies
    assert "Social Media and Messaging Policy" in preview.page("/policies/complaints/")  # its related links
    assert untouched.stat().st_mtime_ns == made
    assert "Preview: rebuilt" in preview.log.read_text()
    # the PDFs link to the site's address in mkdocs.yml, not the preview's: none was made again
    assert "PDFs: 0 made, 24 unchanged and reused." in preview.log.read_text()

    preview.edit("complaints.cy.md", "\n1.1 ", "\n1.1 Golygwyd yn y rhagolwg. ")

    preview.wait_for("/cy/policies/complaints/", "Golygwyd yn y rhagolwg.")
    assert "Golygwyd yn y rhagolwg." not in preview.page("/policies/complaints/")
