"""Build the site with MkDocs, all or nothing.

MkDocs empties its output folder before it writes pages, so a build that fails halfway would
leave a broken or empty site behind. We build into a fresh folder beside the target and swap it
in only when the build has succeeded.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from policy_portal.progress import LOGGER, Progress, quiet, step_of


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
def _steps_to(progress: Progress) -> Iterator[None]:
    """The steps the hooks log go to `progress` while MkDocs builds, and to no other handler."""
    handler, logger = _Steps(progress), logging.getLogger(LOGGER)
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
    staging = Path(tempfile.mkdtemp(prefix=f"{site_dir.name}.building-", dir=site_dir.parent))
    collector = _Collector()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    try:
        config = load_config(config_file=str(config_file), site_dir=str(staging), strict=True)
        with _steps_to(progress):
            mkdocs_build(config)
    except (MkDocsException, OSError) as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise SiteBuildError("\n".join(collector.messages) or str(error)) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        logger.removeHandler(collector)
    old = site_dir.with_name(f"{site_dir.name}.old-{os.getpid()}")
    if site_dir.exists():
        site_dir.rename(old)
    staging.rename(site_dir)
    shutil.rmtree(old, ignore_errors=True)
