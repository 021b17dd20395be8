"""Whether the site a build would make is the one already built: then the build need not run.

A build with nothing changed took several times as long as MkDocs itself, to make the same site
again. As make, ninja and Sphinx ("no targets are out of date") do, `policy-portal build` first
takes a fingerprint of everything a build reads, and of the site it left last time; when both
are what the last successful build recorded, the site is up to date and nothing is built.

The inputs are every file the site is made from (mkdocs.yml and any file it inherits from, the
policies folder, the site's own pages, the theme's overrides, the hooks, folders linked to from
any of them), the code that makes it (the adapters' folders, passed in by the adapter, and the
domain package and every installed Python package's version, which `fingerprint.code_version`
hashed once for the process: MkDocs, Material, the i18n plugin, Typst, Pagefind...), liblouis'
version, the git commit that earlier versions are read from and whether the clone is shallow,
the build dates (the portal's day, which review and consultation notices depend on, and the UTC
day MkDocs dates the sitemap by), the environment variables the build reads (the portal's, and
those the settings files name in `!ENV` tags, as `ConfigFile` found them), and where the site
goes. The output's fingerprint is each site file's path, size and modification time: a file
deleted, added or edited there means a real build.
Anything not in the fingerprint must not change what a build makes; a new input belongs in
`build_inputs`.

The record is kept in the project's cache folder (`Project.cache`), beside the PDF and Braille
caches. Whoever can write `.cache/` could make a build skip, leaving the site as it is: they
could equally write site/ or the PDF cache, or the hooks the build runs, so the record opens no
new way in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from policy_portal import clock
from policy_portal.config.environment import as_set
from policy_portal.fingerprint import add_files, code_version, files
from policy_portal.formats.liblouis import BrailleError, liblouis_version
from policy_portal.whole_files import write_whole

RECORD = "last-build.json"
"""In the build's cache folder: what the last successful `policy-portal build` read and made."""
VARIABLES = (clock.VARIABLE, "SOURCE_DATE_EPOCH")
"""The environment variables a build reads: the portal's day, and the date MkDocs writes in the
sitemap."""


@dataclass(frozen=True)
class LastBuild:
    """What one successful build read (`inputs`), made (`site`) and said (`report`, its warnings)."""

    inputs: str
    site: str
    built: str
    """When it finished, ISO 8601 with its offset."""
    report: str
    """What it printed after building: the warnings, the same for the same inputs."""
    warnings: int

    def when(self) -> str:
        """"14:52 on 30 November 2026", in UK time."""
        moment = dt.datetime.fromisoformat(self.built).astimezone(clock.UK)
        return f"{moment:%H:%M} on {moment.day} {moment:%B %Y}"


def build_inputs(root: Path, sources: Iterable[Path], variables: Iterable[str], code: Iterable[Path],
                 site_dir: Path) -> str:
    """A fingerprint of everything a build of the project in `root` into `site_dir` reads:
    `sources`, the files and folders the site is made from (`Project.sources`); `variables`, the
    environment variables its settings files name in `!ENV` tags (`Project.config_variables`);
    `code`, the folders of the adapters that make it (the domain's code is in `code_version`)."""
    digest = hashlib.sha256()

    def add(*parts: str) -> None:
        for part in parts:
            digest.update(part.encode("utf-8", "surrogateescape"))
            digest.update(b"\0")

    add_files(digest, [*sources, *code], root)
    add(code_version())
    try:
        add(f"liblouis {liblouis_version()}")
    except BrailleError as error:  # the build says so itself
        add(str(error))
    add(*_git_state(root))
    # The portal's day is PORTAL_TODAY's, or the UK's: both are here, with the UTC day MkDocs uses
    add(dt.datetime.now(clock.UK).date().isoformat(), dt.datetime.now(dt.UTC).date().isoformat(),
        *as_set([*VARIABLES, *variables]), str(site_dir.resolve()))
    return digest.hexdigest()


def _git_state(root: Path) -> list[str]:
    """The commit earlier versions are read from, and whether the clone is shallow; or why
    there is no history (the build then publishes current versions only)."""
    result = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD", "--is-shallow-repository"],
                            capture_output=True, text=True, check=False)
    return [str(result.returncode), result.stdout, result.stderr]


def site_fingerprint(site_dir: Path) -> str:
    """Each file of the built site's path, size and modification time, as one hash."""
    digest = hashlib.sha256()
    for path in files(site_dir) if site_dir.is_dir() else []:
        stat = path.stat()
        digest.update(f"{path.relative_to(site_dir).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n"
                      .encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def up_to_date(cache: Path, inputs: str, site_dir: Path) -> LastBuild | None:
    """The last build recorded in `cache`, if it read these inputs and the site is still as it
    left it."""
    try:
        last = LastBuild(**json.loads((cache / RECORD).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):  # none yet, or not one this version wrote
        return None
    if last.inputs != inputs or last.site != site_fingerprint(site_dir):
        return None
    return last


def record_build(cache: Path, inputs: str, site_dir: Path, report: str, warnings: int) -> None:
    """Remember in `cache` a successful build of `inputs` into `site_dir`, as it is now."""
    record = cache / RECORD
    record.parent.mkdir(parents=True, exist_ok=True)
    last = LastBuild(inputs, site_fingerprint(site_dir), dt.datetime.now(dt.UTC).isoformat(), report, warnings)
    write_whole(record, json.dumps(asdict(last)))  # a record half written is never read as a whole one

