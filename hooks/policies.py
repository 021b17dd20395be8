"""MkDocs hooks: turn the policies folder into site pages.

A thin adapter. All the rules live in `policy_portal`; these functions only move MkDocs events
into calls on it, and turn its `PolicyError` into MkDocs' `PluginError` so the build stops with
every problem listed. Validation happens in `on_pre_build`, before MkDocs empties the site folder,
so a bad policy never replaces a good site with a broken one.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from policy_portal import clock, pages
from policy_portal.accessibility import images_without_alt
from policy_portal.formats import build_formats
from policy_portal.generated import generated_files
from policy_portal.history import HistoryUnavailableError, library_versions
from policy_portal.library import load_library
from policy_portal.problems import PolicyError
from policy_portal.search import SearchIndexError, index_site
from policy_portal.settings import association_from

POLICIES = "policies"
CACHE = ".cache/pdf"
"""PDFs kept between builds, by a hash of what went into them (not committed)."""
log = logging.getLogger("mkdocs.hooks.policies")
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
    project = _project(config)
    build = build_formats(_state["library"], _state["association"], _state["today"], project / POLICIES,
                          Path(config.docs_dir), config.site_url or "/", project / CACHE)
    _state["formats"] = build.formats
    log.info("PDFs: %d made, %d unchanged and reused.", build.pdfs_made, build.pdfs_reused)
    try:
        _state["versions"] = library_versions(project, _state["library"])
    except HistoryUnavailableError as error:
        _state["versions"] = {}
        log.info("Only the current version of each policy is published: %s.", error)


def on_files(files: Files, config) -> Files:
    for uri, source in generated_files(_state["library"], _state["association"], _state["today"],
                                       _project(config) / POLICIES, _state["formats"],
                                       config.site_url or "/", config.extra.get("edit_policies_url"),
                                       _state["versions"]).items():
        files.append(File.generated(config, uri, content=source) if isinstance(source, str)
                     else File.generated(config, uri, abs_src_path=str(source)))
    return files


def on_page_markdown(markdown: str, page, config, files) -> str:
    if page.file.src_uri != "index.md":
        return markdown
    if pages.INDEX_MARKER not in markdown:
        raise PluginError(f"docs/index.md: the home page needs the line {pages.INDEX_MARKER} "
                          "where the list of policies goes")
    listing = pages.policy_list(_state["library"], _state["today"])
    return markdown.replace(pages.INDEX_MARKER, listing)


def on_page_content(html: str, page, config, files) -> str:
    missing = images_without_alt(html)
    if missing:
        raise PluginError("\n".join(
            f"{_source(page, config)}: image '{source}' has no alt text; describe it in the square "
            "brackets, as in ![A cat on a sofa](cat.jpg), or mark a purely decorative image "
            'role="presentation"' for source in missing))
    return html


def _source(page, config) -> str:
    """The file staff edit: docs/... for the site's own pages, policies/... for policies."""
    uri = page.file.src_uri
    return uri if uri.startswith(f"{POLICIES}/") else f"{config.docs_dir.rsplit('/', 1)[-1]}/{uri}"


def on_post_build(config) -> None:
    try:
        index_site(Path(config.site_dir))
    except SearchIndexError as error:
        raise PluginError(str(error)) from None


def on_serve(server, config, builder):
    """`mkdocs serve` watches docs/ by itself; make it rebuild when a policy changes too."""
    server.watch(str(_project(config) / POLICIES))
    return server
