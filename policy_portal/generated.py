"""Every file the site gets from the policies, by its place in the site: the site generator's
hooks only have to add them. Text is Markdown, HTML or XML; a Path is a file to copy (a PDF)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit

from policy_portal import pages
from policy_portal.feeds import changes_feed, consultations_feed
from policy_portal.formats import PolicyFormats
from policy_portal.library import Library, told_us
from policy_portal.reviews import reviews_page
from policy_portal.settings import Association

POLICIES = "policies"


def generated_files(library: Library, association: Association, today: dt.date, policies: Path,
                    formats: dict[str, PolicyFormats], site_url: str,
                    edit_url: str | None = None) -> dict[str, str | Path]:
    files: dict[str, str | Path] = {}
    for policy in library:
        built = formats[policy.slug]
        files[f"{POLICIES}/{policy.slug}.md"] = pages.policy_page(
            policy, library, association, today, told_us(policies, policy.slug), built.links, edit_url)
        files.update({f"{POLICIES}/{path}": source for path, source in built.files(policy.slug).items()})
    host = urlsplit(site_url).hostname or "localhost"
    files["reviews.md"] = reviews_page(library, today)
    files["feeds/changes.xml"] = changes_feed(library, site_url, association.name, host)
    files["feeds/consultations.xml"] = consultations_feed(library, site_url, association.name, host)
    return files
