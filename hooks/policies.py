"""MkDocs hooks: turn the policies folder into site pages.

A thin adapter. All the rules live in `policy_portal`; these functions only move MkDocs events
into calls on it, and turn its `PolicyError` into MkDocs' `PluginError` so the build stops with
every problem listed. Validation happens in `on_pre_build`, before MkDocs empties the site folder,
so a bad policy never replaces a good site with a broken one.

Languages: mkdocs-static-i18n builds the whole site once per language, re-running these hooks
each time (the default language first; the others run inside its `on_post_build`). The project
(`policy_portal.project`: its folders and settings, read as the command line and the app read
them), its policies, their formats and their history are read once, in the default language's
run, and kept in `_build` for the others. The plugin
rebuilds MkDocs' file list from the docs folder in its own `on_files` (priority -100) and fails
on files that are not there, so policy pages are added after it (-200), each language's in its
own folder; the plugin's language switcher does not know them, so `on_page_context` points it
at the same page in each language. Pagefind runs once, after the last language, and then the
content security policy is made from every language's pages.

`policy-portal build` builds each language in a process of its own (portal/site.py), telling
the i18n plugin it is already in its loop: that process reads the project and makes the formats
of its language alone, and leaves the index and policy to portal/site.py. `mkdocs serve`
rebuilds only the pages whose source changed (`policy_portal.site.rebuild`) and leaves the
search index as it was.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

from policy_portal import clock
from policy_portal.checks.accessibility import images_without_alt
from policy_portal.checks.translation_status import refuse_stale
from policy_portal.config.languages import Language
from policy_portal.formats.build import PolicyFormats, build_formats
from policy_portal.formats.liblouis import BrailleError
from policy_portal.formats.pdf import PdfError
from policy_portal.pages.context import PageContext
from policy_portal.pages.policy_list import INDEX_MARKER, policy_list, translated_policy_list
from policy_portal.problems import PolicyError
from policy_portal.progress import Step, log_steps
from policy_portal.project import POLICIES, Project, load_project
from policy_portal.reading.allowlist import no_alt_text
from policy_portal.reading.history import (
    ONLY_CURRENT,
    HistoryUnavailableError,
    PublishedVersion,
    library_versions,
    recorded_versions,
)
from policy_portal.reading.library import Library
from policy_portal.site import csp
from policy_portal.site.generated import ENGLISH_ONLY, counterpart, generated_files, translated_files
from policy_portal.site.rebuild import Rebuilds
from policy_portal.site.search import SearchIndexError, finish_site

log = logging.getLogger("mkdocs.hooks.policies")
_progress = log_steps()
"""Each language's pages, PDFs and Braille files, and the search index, as they are made:
`policy-portal build` shows them, `mkdocs build -v` logs them."""


@dataclass(frozen=True)
class _Build:
    """What one build read and made, which every language's run of it uses."""

    project: Project
    context: PageContext
    """The library, association, day and consultation app's address every page is made with."""
    formats: dict[tuple[str, str], PolicyFormats]
    versions: dict[str, list[PublishedVersion]]
    languages: frozenset[str]
    """The languages (by code) whose formats were made: all, or the one a process builds alone."""

    @property
    def library(self) -> Library:
        return self.project.library


_build: _Build | None = None
"""Set by the default language's `on_pre_build`, which the i18n plugin always runs first."""
_preview: Rebuilds | None = None
"""Set while `mkdocs serve` runs: what the last build made, so a rebuild makes only what changed."""
_pages: Step | None = None
"""The pages of the language being built, so far."""


def _current() -> _Build:
    if _build is None:
        raise PluginError("the policy hooks ran out of order: on_pre_build has not read the project")
    return _build


def _root(config) -> Path:
    return Path(config.config_file_path).parent


def _language(config) -> Language:
    """The language this run builds: the i18n plugin sets the theme's language for each run."""
    languages = _current().project.languages
    code = config.theme.get("language")
    return languages.get(code, languages.default)


def _published_url(project: Project) -> str:
    """The site's address in mkdocs.yml, for links in PDFs and Braille files. Not MkDocs' own
    `site_url`, which `mkdocs serve` makes the preview's address: each preview on a new port
    then made every PDF again, as the address is in their cache key."""
    url = project.settings["site_url"]
    return f"{url.rstrip('/')}/" if url else "/"


def on_startup(command: str, dirty: bool) -> None:
    global _preview
    _preview = Rebuilds() if command == "serve" else None


def on_pre_build(config) -> None:
    global _build
    code = config.theme.get("language")
    if _build is not None and code in _build.languages and code != _build.project.languages.default.code:
        # Another language's run of the same build: everything is already read and made. The
        # i18n plugin always runs the default language first, which reads it all afresh.
        config.theme.static_templates.discard("404.html")  # else each language's would replace English's
        return
    i18n = config.plugins.get("i18n")
    alone = i18n is not None and i18n.building  # one language in a process of its own (portal/site.py)
    if _preview is not None:
        _preview.start(_root(config))
    try:
        project = load_project(_root(config))
        today = clock.Clock.from_environment().today()
        refuse_stale(project.library, project.settings)
    except (PolicyError, ValueError) as error:
        raise PluginError(str(error)) from None
    language = project.languages.get(code, project.languages.default)
    languages = frozenset({language.code} if alone else {each.code for each in project.languages.all})
    try:
        context = PageContext(project.library, project.association, today,
                              consultation_url=project.consultation_url, outcome_weeks=project.outcome_weeks)
        build = build_formats(context, project.docs, _published_url(project), project.pdf_cache,
                              languages, _progress, memo=_preview and _preview.formats)
    except (BrailleError, PdfError) as error:  # a Typst or liblouis failure, said plainly
        raise PluginError(str(error)) from None
    log.info("PDFs: %d made, %d unchanged and reused.", build.pdfs_made, build.pdfs_reused)
    log.info("Braille files: %d made, %d unchanged and reused.", build.braille_made, build.braille_reused)
    versions = {}
    if language.default:  # only the default language's pages show earlier versions
        try:
            versions = library_versions(project.root, project.library)
        except HistoryUnavailableError as error:
            versions = recorded_versions(project.library)
            log.info(ONLY_CURRENT.format(reason=error))  # `policy-portal build` says it in its summary
    _build = _Build(project, context, build.formats, versions, languages)


@event_priority(-200)  # after mkdocs-static-i18n's on_files, which cannot handle generated files
def on_files(files: Files, config) -> Files:
    global _pages
    build, language = _current(), _language(config)
    project = build.project
    if language.default:
        sources = generated_files(build.context, build.formats, config.site_url or "/",
                                  project.edit_policies_url, build.versions)
    else:
        sources = translated_files(build.context, build.formats, language)
    unchanged = _preview.unchanged(language.code, sources) if _preview is not None else set()
    for uri, source in sources.items():
        file = (File.generated(config, uri, content=source) if isinstance(source, str)
                else File.generated(config, uri, abs_src_path=str(source)))
        if not language.default:
            file.dest_uri = f"{language.code}/{file.dest_uri}"
        file.portal_generated = True
        if uri in unchanged:
            file.is_modified = _no  # a preview rebuild (a "dirty" one) leaves this page as it is
        files.append(file)
    if _preview is not None:
        _preview_rebuilds(files, language)
    _pages = Step("pages", language.english_name, 0, len(files.documentation_pages()))
    _progress(_pages)
    return files


def _preview_rebuilds(files: Files, language: Language) -> None:
    """Which of the site's own pages a preview rebuild makes again: every one after a change
    outside the policies; otherwise those that list the policies, if anything in this language
    changed (MkDocs rebuilds an edited page by itself, from the files' times)."""
    everything, changed = _preview.everything, language.code in _preview.changed
    for file in files.documentation_pages():
        if getattr(file, "portal_generated", False) or not (everything or changed):
            continue
        if everything or INDEX_MARKER in Path(file.abs_src_path).read_text(encoding="utf-8"):
            file.is_modified = _yes


def _no() -> bool:
    return False


def _yes() -> bool:
    return True


@event_priority(-200)  # after mkdocs-static-i18n's, which translates the menu
def on_nav(nav, config, files):
    """A preview rebuild leaves most pages unread, and a page not read has no title: read the
    menu's pages (the site's own, a few) so that every rebuilt page's menu names them."""
    if _preview is not None:
        for page in nav.pages:
            if page.markdown is None:
                page.read_source(config)
    return nav


def on_page_markdown(markdown: str, page, config, files) -> str:
    language, uri = _language(config), page.file.src_uri
    english = uri in ENGLISH_ONLY or getattr(page.file, "locale", language.code) != language.code
    page.meta["portal_english"] = english and not language.default  # overrides/main.html marks it
    # An earlier version or a "what changed" page: search finds the policies in force, not these
    page.meta["portal_not_searched"] = counterpart(uri) != uri
    if INDEX_MARKER not in markdown:
        if uri == "index.md":
            raise PluginError(f"docs/index.md: the home page needs the line {INDEX_MARKER} "
                              "where the list of policies goes")
        return markdown
    context = _current().context
    listing = (policy_list(context) if language.default or english
               else translated_policy_list(context.in_language(language, "../")))  # from /<code>/
    return markdown.replace(INDEX_MARKER, listing)


def on_page_context(context, page, config, nav):
    """Point the language switcher at this page in each language (the i18n plugin does this only
    for pages from the docs folder). A page only in English (an earlier version, say) switches to
    the page that stands for it in every language: its policy."""
    alternates = config.extra.get("alternate")
    if not getattr(page.file, "portal_generated", False) or not isinstance(alternates, list):
        return context
    target = counterpart(page.file.src_uri).removesuffix(".md") + "/"  # mkdocs.yml keeps directory URLs
    languages = _current().project.languages
    links = []
    for alternate in alternates:
        code = alternate.get("lang")
        prefix = "" if code not in languages or languages[code].default else f"{code}/"
        links.append({**alternate, "link": prefix + target})
    # The plugin sets the menu as an attribute (config.extra.alternate), which templates read
    # before the mapping's item, so the attribute is what has to change.
    config.extra.alternate = links
    return context


def on_page_content(html: str, page, config, files) -> str:
    missing = images_without_alt(html)
    if missing:
        raise PluginError("\n".join(f"{_source(page, config)}: {no_alt_text(source)}" for source in missing))
    if page.title and ("<" in page.title or ">" in page.title):
        # The theme writes the title into the page as it is (and unescapes it in <title>).
        raise PluginError(f"{_source(page, config)}: the title '{page.title[:60]}' contains < or >; "
                          "a title is plain text: write it without them.")
    if csp.inline_scripts(html):
        # The content security policy allows every inline script in the built site by its hash,
        # so one written into a page would be allowed too: only the theme's may be there.
        raise PluginError(f"{_source(page, config)}: a page cannot contain a <script>; remove it. "
                          "Scripts go in docs/assets/ and are listed under extra_javascript in "
                          "mkdocs.yml.")
    return html


# Material's base.html (outside any block a template can override) writes autocomplete="off" on
# its two hidden checkboxes, the drawer's and the search's, so that Firefox does not restore them
# open on "Back". HTML allows autocomplete only on text-like inputs, and the Nu HTML Checker
# reports it twice on every page. Without it, Firefox may show the menu open again after "Back";
# one press closes it.
THEME_CHECKBOXES = ('type="checkbox" id="__drawer" autocomplete="off"',
                    'type="checkbox" id="__search" autocomplete="off"')


def _without_autocomplete(html: str) -> str:
    for checkbox in THEME_CHECKBOXES:
        html = html.replace(checkbox, checkbox.removesuffix(' autocomplete="off"'))
    return html


def on_post_page(output: str, page, config) -> str:
    global _pages
    if _pages is not None:
        _pages = replace(_pages, done=_pages.done + 1)
        _progress(_pages)
    return _without_autocomplete(output)


def on_post_template(output_content: str, template_name: str, config) -> str:
    """Static templates, such as 404.html, which are not pages."""
    return _without_autocomplete(output_content)


def _source(page, config) -> str:
    """The file staff edit: docs/... for the site's own pages, policies/... for policies."""
    uri = page.file.src_uri
    return uri if uri.startswith(f"{POLICIES}/") else f"{config.docs_dir.rsplit('/', 1)[-1]}/{uri}"


@event_priority(-200)  # after mkdocs-static-i18n's on_post_build, which builds the other languages
def on_post_build(config) -> None:
    i18n = config.plugins.get("i18n")
    if i18n is not None and i18n.building:
        return  # one language's run inside the i18n plugin's loop: index once, when all are built
    if _preview is not None and not _preview.everything:
        # A preview rebuild: `mkdocs serve` sends no content security policy, and indexing
        # every page again would take longer than the rebuild. The staff guide says so.
        log.info("Preview: rebuilt %s; the search index is as the preview started.",
                 ", ".join(sorted(_preview.changed)) or "nothing")
        return
    try:
        finish_site(Path(config.site_dir), _progress)
    except SearchIndexError as error:
        raise PluginError(str(error)) from None


def on_serve(server, config, builder):
    """`mkdocs serve` watches docs/ by itself; make it rebuild when a policy changes too, and
    rebuild only what changed (see `policy_portal.site.rebuild`)."""
    server.watch(str(_root(config) / POLICIES))
    server.builder = _only_changes(server.builder)
    return server


class _NoDirtyWarning(logging.Filter):
    """MkDocs warns that a dirty build may leave menus wrong, which strict mode makes an error;
    `on_nav` reads what the menus need, and `Rebuilds` rebuilds every page when they change."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")


def _only_changes(builder):
    """`mkdocs serve`'s rebuild, made "dirty" (MkDocs then builds only pages it is told have
    changed) in every language: `mkdocs serve --dirty` does this only for the first language,
    and for every page of the site's own, however it changed. MkDocs 1.x gets no new releases,
    so the two functions replaced here stay as they are."""
    from mkdocs.commands import build as mkdocs_build
    from mkdocs.commands import serve as mkdocs_serve
    from mkdocs_static_i18n import plugin as i18n_plugin

    def dirty(config, *, serve_url=None, dirty=False):
        mkdocs_build.build(config, serve_url=serve_url, dirty=True)

    def rebuild(*args, **kwargs):
        quiet = logging.getLogger("mkdocs.commands.build")
        quiet.addFilter(warning := _NoDirtyWarning())
        mkdocs_serve.build = i18n_plugin.build = dirty
        try:
            builder(*args, **kwargs)
        finally:
            mkdocs_serve.build = i18n_plugin.build = mkdocs_build.build
            quiet.removeFilter(warning)

    return rebuild
