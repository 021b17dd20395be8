"""Build the site with MkDocs, all or nothing, each language in a process of its own.

MkDocs empties its output folder before it writes pages, so a build that fails halfway would
leave a broken or empty site behind. We build into a fresh folder beside the target and swap it
in only when the build has succeeded.

mkdocs-static-i18n builds the languages one after another on one core. Here the default language
is built in this process while the others are built at the same time in a pool of processes
(one per core), each into a folder of its own, whose language folder (cy/, ...) is moved into
the site when all have succeeded. The search index and the content security policy, which the
hooks make after the last language of a `mkdocs build`, are made here once all are in.
"""

from __future__ import annotations

import gzip
import logging
import logging.handlers
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from policy_portal.problems import PolicyError
from policy_portal.progress import LOGGER, Progress, quiet, step_of
from policy_portal.project import CACHE, load_project
from policy_portal.reading.checked import load_checked, save_checked
from policy_portal.reading.reader import remember, remembered
from policy_portal.site.search import SearchIndexError, finish_site
from policy_portal.whole_files import remove_abandoned, temporary

CODE = (Path(__file__).parent,)
"""The adapters' code a build runs, beside the project's hooks: part of what decides whether the
site is up to date (policy_portal.site.up_to_date, which has the domain's from
`fingerprint.code_version`)."""
SITEMAP = "sitemap.xml"
URLSET_END = "\n</urlset>"


class SiteBuildError(Exception):
    """The site was not built; the message lists what MkDocs and the hooks reported."""


class _Collector(logging.Handler):
    """Keeps MkDocs' warnings and errors (broken links, policy problems) for the error message."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class _Steps(logging.Handler):
    """Passes the steps the hooks log (policy_portal.progress) to whoever shows them."""

    def __init__(self, progress: Progress) -> None:
        super().__init__(logging.DEBUG)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        step = step_of(record)
        if step is not None:
            self.progress(step)


@contextmanager
def _steps_to(handler: logging.Handler) -> Iterator[None]:
    """The steps the hooks log go to `handler` while MkDocs builds, and to no other handler."""
    logger = logging.getLogger(LOGGER)
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = True


def build_site(config_file: Path, site_dir: Path, progress: Progress = quiet) -> None:
    """Build the site from `config_file` into `site_dir`, replacing it only on success, telling
    `progress` of each language's pages, PDFs and Braille files and of the search index. MkDocs
    is strict: a warning stops the build, so a site that was built had none."""
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(site_dir, config_file.parent / CACHE)
    staging = Path(tempfile.mkdtemp(prefix=f"{temporary(site_dir).name}-", dir=site_dir.parent))
    try:
        steps = _Steps(progress)  # one handler, whose lock keeps steps from two threads apart
        with _steps_to(steps):
            _build_languages(config_file, staging, steps)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = temporary(site_dir, "old")
    if site_dir.exists():
        site_dir.rename(old)
    staging.rename(site_dir)
    shutil.rmtree(old, ignore_errors=True)


def _remove_abandoned(site_dir: Path, cache: Path) -> None:
    """Remove what builds that were killed left: half-built and replaced sites beside `site_dir`
    (each a whole site), and half-written files in the cache and its folders (a search index,
    PDFs). A build still running is left alone."""
    remove_abandoned(site_dir.parent, site_dir.name)
    for folder in (cache, *(cache.iterdir() if cache.is_dir() else ())):
        if folder.is_dir():
            remove_abandoned(folder)


def _build_languages(config_file: Path, staging: Path, steps: _Steps) -> None:
    config = _config(config_file, staging)
    i18n = config.plugins.get("i18n")
    others = [code for code in i18n.build_languages if code != i18n.default_language] if i18n else []
    if not others:
        _build(config)  # the hooks index the site and write its policy, as in `mkdocs build`
        return
    folders = {code: Path(tempfile.mkdtemp(prefix=f"{staging.name}-{code}-", dir=staging.parent))
               for code in others}
    # Each process starts with what reading the library here found: reading and checking every
    # policy and translation again took each process seconds, most of what a language's build
    # costs. Fresh interpreters, not forked copies: the caller may have threads (a test's
    # server), whose locks a forked copy would find held for ever.
    # The processes' steps come back as log records, to the same handler as this one's.
    spawn = multiprocessing.get_context("spawn")
    queue = spawn.Queue()
    listener = logging.handlers.QueueListener(queue, steps)
    listener.start()
    try:
        with ProcessPoolExecutor(min(len(others), os.cpu_count() or 1), mp_context=spawn,
                                 initializer=_start_process,
                                 initargs=(_read_library(config_file.parent), queue)) as pool:
            running = [pool.submit(_build_language, config_file, folder, code)
                       for code, folder in folders.items()]
            try:
                _build(_alone(config, i18n.default_language))
                for future in running:
                    future.result()
            except BaseException:
                for future in running:
                    future.cancel()
                for folder in folders.values():
                    shutil.rmtree(folder, ignore_errors=True)
                raise
    finally:
        listener.stop()  # once the processes have ended, and sent all they had
    _merge_sitemaps(staging, list(folders.values()))
    for code, folder in folders.items():
        (folder / code).rename(staging / code)
        shutil.rmtree(folder, ignore_errors=True)
    try:
        finish_site(staging, steps.progress, config_file.parent / CACHE)
    except SearchIndexError as error:
        raise SiteBuildError(str(error)) from None


def _read_library(root: Path) -> dict:
    """What reading the policies found, for the processes; a problem is reported by the build.
    What checking the texts found is kept for the next build (policy_portal.reading.checked)."""
    cache = root / CACHE
    load_checked(cache)
    try:
        load_project(root).library  # noqa: B018 (read for what it leaves remembered)
    except (PolicyError, ValueError):
        return remembered()
    save_checked(cache)
    return remembered()


def _merge_sitemaps(staging: Path, folders: list[Path]) -> None:
    """The i18n plugin's sitemap lists each language's pages after the one before's, as its
    last language's run writes it; each process wrote only its own language's."""
    sitemap = staging / SITEMAP
    text = sitemap.read_text(encoding="utf-8")
    end = text.rindex(URLSET_END)
    pages = "".join(_pages(folder / SITEMAP) for folder in folders)
    text = text[:end] + pages + text[end:]
    sitemap.write_text(text, encoding="utf-8")
    packed = Path(f"{sitemap}.gz")
    stamp = int.from_bytes(packed.read_bytes()[4:8], "little")  # MkDocs dates it by the pages
    with packed.open("wb") as file, gzip.GzipFile(fileobj=file, filename=str(packed), mode="wb",
                                                  mtime=stamp) as gz:
        gz.write(text.encode("utf-8"))


def _pages(sitemap: Path) -> str:
    """The <url> entries of a sitemap, as the template wrote them."""
    text = sitemap.read_text(encoding="utf-8")
    return text[text.index(">", text.index("<urlset")) + 1:text.rindex(URLSET_END)]


def _start_process(read: dict, steps: multiprocessing.Queue) -> None:
    """A language's process begins with what reading the library found, and sends its steps."""
    remember(read)
    logger = logging.getLogger(LOGGER)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(logging.handlers.QueueHandler(steps))


def _build_language(config_file: Path, folder: Path, code: str) -> None:
    """In a process of its own: one language of the site, into `folder`/`code`."""
    config = _config(config_file, folder)
    _build(_alone(config, code))


def _alone(config, code: str):
    """The configuration for building one language by itself: the i18n plugin is told it is in
    its own loop over languages, so it builds only `code` and the hooks neither index the site
    nor make its policy (see hooks/policies.py)."""
    i18n = config.plugins["i18n"]
    i18n.current_language, i18n.building = code, True
    return config


def _config(config_file: Path, site_dir: Path):
    with _reported():
        return load_config(config_file=str(config_file), site_dir=str(site_dir), strict=True)


def _build(config) -> None:
    with _reported():
        mkdocs_build(config)


@contextmanager
def _reported() -> Iterator[None]:
    """SiteBuildError, with every warning and error MkDocs and the hooks reported, if it fails."""
    collector = _Collector()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    try:
        yield
    except (MkDocsException, OSError) as error:
        raise SiteBuildError("\n".join(collector.messages) or str(error)) from None
    finally:
        logger.removeHandler(collector)
