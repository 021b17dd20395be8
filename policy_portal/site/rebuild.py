"""What a preview rebuild has to make again, found by comparing with the build before it.

While staff preview the site (`mkdocs serve`), every save rebuilds it. Rebuilding all of it took
tens of seconds at a hundred policies in four languages, though a save changes one file. Each
generated page is made from its Markdown alone, so a page whose Markdown is what the last build
made is the same page: only the others are built again, in any language, whatever the change
touched (a title changed in one policy changes the pages that link to it). A change outside the
policies folder (mkdocs.yml, the theme's overrides, the site's own pages, the hooks) can change
every page, so it rebuilds everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from policy_portal.formats.build import FormatsMemo

SITE_SOURCES = ("mkdocs.yml", "docs", "overrides", "hooks")
"""What every page can depend on, beside the policies."""

Fingerprint = frozenset[tuple[str, int, int]]


def fingerprint(root: Path) -> Fingerprint:
    """Each file the site is made from, other than policies, with its time and size."""
    found = set()
    for name in SITE_SOURCES:
        top = root / name
        for path in [top, *top.rglob("*")] if top.is_dir() else [top] if top.exists() else []:
            if path.is_file():
                stat = path.stat()
                found.add((path.relative_to(root).as_posix(), stat.st_mtime_ns, stat.st_size))
    return frozenset(found)


@dataclass
class Rebuilds:
    """The sources each language's last build generated, and the formats it made."""

    formats: FormatsMemo = field(default_factory=FormatsMemo)
    sources: dict[str, dict[str, str | Path]] = field(default_factory=dict)
    """By language code, then place in the site."""
    site: Fingerprint | None = None
    everything: bool = True
    """This build makes every page: the first one, or after a change outside the policies."""
    changed: set[str] = field(default_factory=set)
    """The languages in which this build changes at least one page."""

    def start(self, root: Path) -> None:
        """A build begins: rebuild everything if anything but the policies has changed."""
        site = fingerprint(root)
        self.everything = site != self.site
        if self.everything:
            self.formats, self.sources = FormatsMemo(), {}
        self.site, self.changed = site, set()

    def unchanged(self, language: str, sources: dict[str, str | Path]) -> set[str]:
        """The places in the site whose source is what this language's last build generated;
        these sources are remembered for the next build."""
        before = self.sources.get(language, {})
        same = {uri for uri, source in sources.items() if uri in before and before[uri] == source}
        if same != set(sources) or set(before) != set(sources):
            self.changed.add(language)
        self.sources[language] = dict(sources)
        return same
