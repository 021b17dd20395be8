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
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException


class SiteBuildError(Exception):
    """The site was not built; the message says why. The previous site is untouched."""


def build_site(config_file: Path, site_dir: Path) -> None:
    """Build the site from `config_file` into `site_dir`, replacing it only on success."""
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{site_dir.name}.building-", dir=site_dir.parent))
    _show_mkdocs_warnings()
    try:
        config = load_config(config_file=str(config_file), site_dir=str(staging), strict=True)
        mkdocs_build(config)
    except (MkDocsException, OSError) as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise SiteBuildError(str(error)) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = site_dir.with_name(f"{site_dir.name}.old-{os.getpid()}")
    if site_dir.exists():
        site_dir.rename(old)
    staging.rename(site_dir)
    shutil.rmtree(old, ignore_errors=True)


def _show_mkdocs_warnings() -> None:
    """MkDocs logs problems (broken links, bad config); print them as `mkdocs build` would."""
    logger = logging.getLogger("mkdocs")
    if not any(getattr(handler, "_portal", False) for handler in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        handler.setLevel(logging.WARNING)
        handler._portal = True
        logger.addHandler(handler)
