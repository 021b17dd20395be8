"""One project: the folder with mkdocs.yml and policies/, its folders and its settings.

The MkDocs hooks, the `policy-portal` command and the consultation app all start from a
`Project`, made by `load_project`, so they find the same folders and read mkdocs.yml the same
way: a setting cannot mean one thing to the build and another to the app. Settings are checked
when the project is loaded, every problem at once with its line; the policies are read when
first asked for, once (`read_library` reads them again, for a build or after a change).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from policy_portal.checks.plain_english import PlainEnglishSettings
from policy_portal.config.config_file import CONFIG, ConfigFile
from policy_portal.config.languages import Languages
from policy_portal.config.settings import (
    Association,
    ModerationSettings,
    Settings,
    association,
    moderation,
    read_settings,
    site_root,
)
from policy_portal.problems import PolicyError, Problem
from policy_portal.reading.library import Library, load_library

POLICIES = "policies"
CACHE = ".cache"
"""What one build keeps for the next (never committed; deleting it is always safe): PDFs and
Braille files by a hash of what went into them, what checking the texts found, the last search
index, the record of the last build. Named here only: the code that keeps each is given the
folder (`Project.cache`)."""
PDF_CACHE = "pdf"
"""In the cache folder: the PDFs and Braille files."""


@dataclass(frozen=True, eq=False)
class Project:
    root: Path
    settings: Settings

    @property
    def config_file(self) -> Path:
        return self.root / CONFIG

    @property
    def policies(self) -> Path:
        return self.root / POLICIES

    @property
    def docs(self) -> Path:
        """The site's own pages: MkDocs' `docs_dir`."""
        return self.root / str(self.settings.config.data.get("docs_dir") or "docs")

    @property
    def config_files(self) -> list[Path]:
        """mkdocs.yml and the files it inherits settings from (MkDocs' `INHERIT: base.yml`),
        which MkDocs, and the portal, read as one."""
        return list(self.settings.config.files)

    @property
    def config_variables(self) -> list[str]:
        """The environment variables the settings files name in `!ENV` tags."""
        return list(self.settings.config.variables)

    @property
    def sources(self) -> list[Path]:
        """Every file and folder of the project a build reads: mkdocs.yml and what it inherits,
        the policies, the site's own pages, the theme's overrides and the hooks' folders."""
        config = self.settings.config.data
        theme = config.get("theme") if isinstance(config.get("theme"), dict) else {}
        # A hook's folder, for what it imports beside it; the file alone if it is the project's
        hooks = {path.parent if path.parent != self.root else path
                 for path in (self.root / str(hook) for hook in config.get("hooks") or [])}
        overrides = [self.root / str(theme["custom_dir"])] if theme.get("custom_dir") else []
        return [*self.config_files, self.policies, self.docs, *overrides, *sorted(hooks)]

    @property
    def cache(self) -> Path:
        return self.root / CACHE

    @property
    def pdf_cache(self) -> Path:
        return self.cache / PDF_CACHE

    @property
    def instance(self) -> Path:
        """The consultation app's own files: its SQLite database and secret key."""
        return self.root / "instance"

    @property
    def site(self) -> Path:
        """Where `policy-portal build` writes the site unless told otherwise."""
        return self.root / "site"

    @cached_property
    def library(self) -> Library:
        return self.read_library()

    def read_library(self) -> Library:
        """The policies as they are on disk now; raises `PolicyError` listing every problem."""
        return load_library(self.policies, self.root, self.languages)

    @property
    def languages(self) -> Languages:
        return self.settings["plugins.i18n.languages"]

    @cached_property
    def association(self) -> Association:
        return association(self.settings)

    @cached_property
    def moderation(self) -> ModerationSettings:
        return moderation(self.settings)

    @cached_property
    def plain_english(self) -> PlainEnglishSettings:
        return PlainEnglishSettings(self.settings["extra.plain_english.min_reading_ease"],
                                    self.settings["extra.plain_english.max_sentence_words"])

    @property
    def consultation_url(self) -> str:
        return self.settings["extra.consultation_url"]

    @property
    def outcome_weeks(self) -> int:
        return self.settings["extra.consultation_outcome_weeks"]

    @property
    def edit_policies_url(self) -> str | None:
        return self.settings["extra.edit_policies_url"]

    @cached_property
    def site_root(self) -> str:
        """Where the consultation app links back to the site. Only the app needs it, so only
        asking for it checks `site_url` (see `policy_portal.config.settings.site_root`)."""
        return site_root(self.settings)


def load_project(root: Path) -> Project:
    """The project in `root`; raise `PolicyError` listing every problem in its mkdocs.yml."""
    root = root.resolve()
    config = root / CONFIG
    if not config.is_file():
        raise PolicyError([Problem(CONFIG, 1, "file", f"there is no {CONFIG} in {root}; run the command "
                                   "in the project folder, or name it with --project")])
    return Project(root, read_settings(ConfigFile.read(config)))
