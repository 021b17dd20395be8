"""Every file the site gets from the policies, by its place in the site: the site generator's
hooks only have to add them. Text is Markdown, HTML or XML; a Path is a file to copy (a PDF)."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlsplit

from policy_portal import pages
from policy_portal.comparison import comparison_page
from policy_portal.feeds import changes_feed, consultations_feed
from policy_portal.formats import PolicyFormats
from policy_portal.history import PublishedVersion
from policy_portal.library import Library, told_us
from policy_portal.policy import Policy
from policy_portal.reviews import reviews_page
from policy_portal.settings import Association

POLICIES = "policies"


def generated_files(library: Library, association: Association, today: dt.date, policies: Path,
                    formats: dict[str, PolicyFormats], site_url: str, edit_url: str | None = None,
                    versions: dict[str, list[PublishedVersion]] | None = None) -> dict[str, str | Path]:
    """`versions`: each policy's approved versions from the repository's history, if it is here."""
    files: dict[str, str | Path] = {}
    for policy in library:
        built = formats[policy.slug]
        published = (versions or {}).get(policy.slug, [])
        earlier = [version for version in published if version.version != policy.version]
        files[f"{POLICIES}/{policy.slug}.md"] = pages.policy_page(
            policy, library, association, today, told_us(policies, policy.slug), built.links, edit_url,
            [version.version for version in earlier])
        files.update({f"{POLICIES}/{path}": source for path, source in built.files(policy.slug).items()})
        files.update(_version_pages(policy, earlier, published, library, association, today))
    host = urlsplit(site_url).hostname or "localhost"
    files["reviews.md"] = reviews_page(library, today)
    files["feeds/changes.xml"] = changes_feed(library, site_url, association.name, host)
    files["feeds/consultations.xml"] = consultations_feed(library, site_url, association.name, host)
    return files


def _version_pages(policy: Policy, earlier: list[PublishedVersion], published: list[PublishedVersion],
                   library: Library, association: Association, today: dt.date) -> dict[str, str]:
    """A page for each earlier version, and one for what changed between each consecutive pair."""
    names = [version.version for version in earlier]
    files = {f"{POLICIES}/{policy.slug}/v{version.version}.md": pages.superseded_page(
        version.policy, policy, library, association, today, names) for version in earlier}
    notes = {entry.version: entry.changes for entry in policy.history}
    for before, after in pairwise(published):
        files[f"{POLICIES}/{pages.comparison_path(policy.slug, before.version, after.version)}"] = \
            comparison_page(before.policy, after.policy, notes.get(after.version, ""), policy.version)
    return files
