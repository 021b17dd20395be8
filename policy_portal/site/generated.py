"""Every file the site gets from the policies, by its place in the site: the site generator's
hooks only have to add them. Text is Markdown, HTML or XML; a Path is a file to copy (a PDF).

English files are at their place in the site; another language's go in its own folder (cy/...),
with the same names, so a page's address in one language leads to it in every other."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlsplit

from policy_portal.checks.reviews import reviews_page
from policy_portal.config.languages import Language
from policy_portal.formats.build import PolicyFormats
from policy_portal.pages.comparison import comparison_page
from policy_portal.pages.context import PageContext
from policy_portal.pages.policy_page import comparison_path, missing_page, policy_page, superseded_page
from policy_portal.reading.history import PublishedVersion
from policy_portal.reading.policy import Policy
from policy_portal.site.feeds import changes_feed, consultations_feed

POLICIES = "policies"
REVIEWS = "reviews.md"
ENGLISH_ONLY = frozenset({REVIEWS})
"""Pages every language has, in English: the menu lists them, and they are not translated."""


def generated_files(context: PageContext, formats: dict[tuple[str, str], PolicyFormats],
                    site_url: str, edit_url: str | None = None,
                    versions: dict[str, list[PublishedVersion]] | None = None) -> dict[str, str | Path]:
    """The English files. `versions`: each policy's approved versions from the repository's
    history, if it is here; drafts and their feed link to the context's consultation app."""
    library, association = context.library, context.association
    files: dict[str, str | Path] = {}
    for policy in library:
        built = formats[policy.slug, library.languages.default.code]
        published = (versions or {}).get(policy.slug, [])
        earlier = [version for version in published if version.version != policy.version]
        files[f"{POLICIES}/{policy.slug}.md"] = policy_page(
            context, policy, told_us=library.told_us.get(policy.slug), formats=built.links, edit_url=edit_url,
            versions=[version.version for version in earlier])
        files.update({f"{POLICIES}/{path}": source for path, source in built.files(policy.slug).items()})
        files.update(_version_pages(context, policy, earlier, published))
    host = urlsplit(site_url).hostname or "localhost"
    files[REVIEWS] = reviews_page(library, context.today)
    files["feeds/changes.xml"] = changes_feed(library, site_url, association.name, host)
    files["feeds/consultations.xml"] = consultations_feed(library, site_url, association.name, host,
                                                          context.consultation_url)
    return files


OWN_PAGE = re.compile(rf"{POLICIES}/([a-z0-9-]+)/[^/]+\.md")
"""An earlier version's page or a comparison page: pages/<slug>/...md."""


def counterpart(uri: str) -> str:
    """The page that stands for the page at `uri` in every language: itself, or, for an earlier
    version or a comparison (English only), its policy's page."""
    match = OWN_PAGE.fullmatch(uri)
    return f"{POLICIES}/{match.group(1)}.md" if match else uri


def translated_files(context: PageContext, formats: dict[tuple[str, str], PolicyFormats],
                     language: Language) -> dict[str, str | Path]:
    """A language's files, by their place inside its folder: a page for every policy (its
    translation, or one that says there is none yet), and each translation's other formats."""
    context = context.in_language(language, "../../../")  # from <language>/policies/<slug>/ to the top
    library = context.library
    files: dict[str, str | Path] = {}
    for policy in library:
        translation = library.translation(policy.slug, language.code)
        if translation is None:
            files[f"{POLICIES}/{policy.slug}.md"] = missing_page(context, policy)
            continue
        built = formats[policy.slug, language.code]
        files[f"{POLICIES}/{policy.slug}.md"] = policy_page(context, translation, formats=built.links)
        files.update({f"{POLICIES}/{path}": source for path, source in built.files(policy.slug).items()})
    files[REVIEWS] = reviews_page(library, context.today, root="../../")  # from <language>/reviews/
    return files


def _version_pages(context: PageContext, policy: Policy, earlier: list[PublishedVersion],
                   published: list[PublishedVersion]) -> dict[str, str]:
    """A page for each earlier version, and one for what changed between each consecutive pair."""
    names = [version.version for version in earlier]
    files = {f"{POLICIES}/{policy.slug}/v{version.version}.md": superseded_page(
        context, version.policy, policy, names) for version in earlier}
    notes = {entry.version: entry.changes_in_a_line for entry in policy.history}
    for before, after in pairwise(published):
        files[f"{POLICIES}/{comparison_path(policy.slug, before.version, after.version)}"] = \
            comparison_page(before.policy, after.policy, notes.get(after.version, ""), policy.version)
    for version in published:
        if version.consulted is not None:  # the consultation's outcome links here
            files[f"{POLICIES}/{comparison_path(policy.slug, version.consulted.version, version.version)}"] \
                = comparison_page(version.consulted, version.policy, notes.get(version.version, ""),
                                  policy.version, consulted=True)
    return files
