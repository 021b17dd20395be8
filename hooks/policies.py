"""MkDocs hooks: turn the policies folder into site pages.

A thin adapter. All the rules live in `policy_portal`; these functions only move MkDocs events
into calls on it, and turn its `PolicyError` into MkDocs' `PluginError` so the build stops with
every problem listed. Validation happens in `on_pre_build`, before MkDocs empties the site folder,
so a bad policy never replaces a good site with a broken one.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from policy_portal import clock, pages
from policy_portal.library import Library, load_library, told_us
from policy_portal.problems import PolicyError
from policy_portal.search import SearchIndexError, index_site
from policy_portal.settings import Association, association_from

POLICIES = "policies"
_state: dict[str, object] = {}


def _project(config) -> Path:
    return Path(config.config_file_path).parent


def on_pre_build(config) -> None:
    try:
        _state["library"] = load_library(_project(config) / POLICIES, _project(config))
        _state["association"] = association_from(config.extra)
        _state["today"] = clock.today()
    except (PolicyError, ValueError) as error:
        raise PluginError(str(error)) from None


def on_files(files: Files, config) -> Files:
    library: Library = _state["library"]
    association: Association = _state["association"]
    for policy in library:
        summary = told_us(_project(config) / POLICIES, policy.slug)
        content = pages.policy_page(policy, library, association, _state["today"], summary)
        files.append(File.generated(config, f"{POLICIES}/{policy.slug}.md", content=content))
    return files


def on_page_markdown(markdown: str, page, config, files) -> str:
    if page.file.src_uri != "index.md":
        return markdown
    if pages.INDEX_MARKER not in markdown:
        raise PluginError(f"docs/index.md: the home page needs the line {pages.INDEX_MARKER} "
                          "where the list of policies goes")
    listing = pages.policy_list(_state["library"], _state["today"])
    return markdown.replace(pages.INDEX_MARKER, listing)


def on_post_build(config) -> None:
    try:
        index_site(Path(config.site_dir))
    except SearchIndexError as error:
        raise PluginError(str(error)) from None


def on_serve(server, config, builder):
    """`mkdocs serve` watches docs/ by itself; make it rebuild when a policy changes too."""
    server.watch(str(_project(config) / POLICIES))
    return server
