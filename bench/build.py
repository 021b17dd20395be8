"""Build time at scale: the 100-policy corpus, cold, warm, after a one-policy change, and in preview.

Warm with nothing changed twice: as staff run it (the site is up to date, so nothing is built)
and with --force (built again all the same, from the caches).

Each build runs `policy-portal build` in a child process: wall time, CPU time (user + system of
every process it started, so CPU above wall means both cores worked) and peak memory (the
largest process). The floor is a plain `mkdocs build` of the same policy pages written out as
Markdown, with Material but no hooks, PDFs or search index: what MkDocs itself costs.
The preview is `mkdocs serve` on the same corpus: the time from saving a one-policy edit to the
served page showing it, the median of a few edits.

Run: python bench/build.py [--policies 100] [--runs 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import figure  # noqa: E402
from bench.corpus import write_corpus  # noqa: E402
from policy_portal.pages.context import PageContext  # noqa: E402
from policy_portal.pages.policy_page import policy_page  # noqa: E402
from policy_portal.project import load_project  # noqa: E402
from tests.mkdocs_serve import mkdocs_serve, page  # noqa: E402

TODAY = "2026-11-23"
BIN = Path(sys.executable).parent


def measure(command: list[str], cwd: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak MB) of one command and everything it started."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "PORTAL_TODAY": TODAY})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def floor_project(project: Path, target: Path) -> Path:
    """The same policy pages and translations as plain Markdown files, built in every language by
    Material and mkdocs-static-i18n, with no hooks, PDFs or search index."""
    docs = target / "docs" / "policies"
    docs.mkdir(parents=True)
    loaded = load_project(project)
    library = loaded.library
    context = PageContext(library, loaded.association, dt.date.fromisoformat(TODAY))
    for policy in library:
        page = policy_page(context, policy)
        (docs / f"{policy.slug}.md").write_text(page, encoding="utf-8")
        for code, translation in library.translations.get(policy.slug, {}).items():
            page = policy_page(context.in_language(library.languages[code], "../../../"), translation)
            (docs / f"{policy.slug}.{code}.md").write_text(page, encoding="utf-8")
    (target / "docs" / "index.md").write_text("# Policies\n", encoding="utf-8")
    languages = [{"locale": language.code, "name": language.name, "default": language.default}
                 for language in library.languages.all]
    config = {"site_name": "Floor", "theme": {"name": "material", "font": False, "language": "en"},
              "plugins": [{"i18n": {"docs_structure": "suffix", "reconfigure_search": False,
                                    "languages": languages}}],
              "markdown_extensions": ["toc", "tables", "attr_list", "md_in_html", "fenced_code"]}
    (target / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return target


def pdfs_made_since(project: Path, started: float) -> int:
    """PDFs written to the cache since `started`: each one made rather than reused."""
    return sum(1 for path in load_project(project).pdf_cache.glob("*.pdf") if path.stat().st_mtime >= started)


def preview_edits(project: Path, edits: int = 3) -> list[float]:
    """Seconds from saving an edit to a policy (a different one each time) to `mkdocs serve`
    serving its page with the edit in it."""
    with mkdocs_serve(project, project / "serve.log", timeout=900, env={"PORTAL_TODAY": TODAY}) as address:
        times = []
        for edit in range(edits):
            slug = f"policy-{10 * edit + 5:03d}"
            path = project / "policies" / f"{slug}.md"
            mark = f"Edited{edit}Now"
            path.write_text(re.sub(r"^1\.1 ", f"1.1 {mark} ", path.read_text(encoding="utf-8"), count=1,
                                   flags=re.MULTILINE), encoding="utf-8")
            saved = time.perf_counter()
            while mark not in page(f"{address}/policies/{slug}/"):
                if time.perf_counter() - saved > 300:
                    raise RuntimeError(f"the edit to {slug} never showed in the preview")
                time.sleep(0.05)
            times.append(time.perf_counter() - saved)
        return times


BUILDS = (("cold build (no PDF cache)", "< 60 s"),
          ("nothing changed (up to date: skipped)", "<= 1.5x the floor"),
          ("nothing changed, --force", ""),
          ("one policy changed", "< 15 s"),
          ("plain mkdocs build (floor)", ""))
Measured = tuple[float, float, float, int | None]
"""Wall seconds, CPU seconds, peak MB and PDFs made (None for the floor) of one build."""


def run(policies: int) -> tuple[list[Measured], list[float]]:
    """Each of BUILDS, in order, on a new corpus; seconds for each preview edit."""
    build = [str(BIN / "policy-portal"), "build"]
    rows: list[Measured] = []
    with tempfile.TemporaryDirectory(prefix="bench-build-") as work:
        project = write_corpus(Path(work) / "corpus", policies)

        def timed(*options: str) -> None:
            started = time.time()
            rows.append((*measure([*build, *options], project), pdfs_made_since(project, started)))

        timed()
        timed()
        timed("--force")
        changed = project / "policies" / "policy-001.md"
        changed.write_text(changed.read_text(encoding="utf-8").replace("1.1 ", "1.1 Changed. ", 1),
                           encoding="utf-8")
        timed()
        floor = floor_project(project, Path(work) / "floor")
        rows.append((*measure([str(BIN / "mkdocs"), "build", "-q"], floor), None))
        edits = preview_edits(project)
    return rows, edits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, default=100)
    parser.add_argument("--runs", type=int, default=1, help="repeat everything, on a new corpus each "
                        "time, and give medians (ratios to the floor are taken within each run)")
    options = parser.parse_args()
    runs = []
    for number in range(1, options.runs + 1):
        runs.append(run(options.policies))
        rows, edits = runs[-1]
        print(f"run {number}: " + ", ".join(f"{name} {row[0]:.1f} s ({row[1]:.1f} s CPU)"
                                             for (name, _), row in zip(BUILDS, rows, strict=True))
              + f"; preview edits {', '.join(f'{edit:.1f}' for edit in edits)} s", flush=True)
    print(f"{options.policies} policies, each in force translated into 3 languages, 2 PDFs per policy "
          f"per language, {os.cpu_count()} cores; {options.runs} run(s), medians")
    print(f"{'':<38} {'wall s':>8} {'CPU s':>8} {'peak MB':>8} {'PDFs made':>10} {'x floor':>8}  "
          "each run's wall s")
    floor = len(BUILDS) - 1
    for index, (name, target) in enumerate(BUILDS):
        each = [rows[index] for rows, _ in runs]
        wall, cpu, peak = (statistics.median(row[part] for row in each) for part in range(3))
        ratio = statistics.median(rows[index][0] / rows[floor][0] for rows, _ in runs)
        made = each[0][3]
        walls = ", ".join(f"{row[0]:.1f}" for row in each)
        print(f"{name:<38} {wall:8.1f} {cpu:8.1f} {peak:8.0f} {'' if made is None else made:>10} "
              f"{ratio:8.2f}  {walls}")
        pdfs = "" if made is None else f", {made} PDFs made"
        figure(f"{options.policies}-policy corpus: {name}",
               f"{wall:.1f} s ({cpu:.1f} s CPU, {peak:.0f} MB{pdfs}; {ratio:.2f}x the floor; "
               f"median of {len(each)}: {walls} s)", target)
    edits = [edit for _, each in runs for edit in each]
    figure(f"{options.policies}-policy corpus: preview (mkdocs serve), from saving a one-policy edit to its "
           "page showing it",
           f"{statistics.median(edits):.1f} s median of {len(edits)} edits "
           f"({', '.join(f'{edit:.1f}' for edit in edits)} s)", "< 5 s")


if __name__ == "__main__":
    main()
