"""Build time at scale: the 100-policy corpus, cold, warm and after a one-policy change.

Each build runs `policy-portal build` in a child process: wall time, CPU time (user + system of
every process it started, so CPU above wall means both cores worked) and peak memory (the
largest process). The floor is a plain `mkdocs build` of the same policy pages written out as
Markdown, with Material but no hooks, PDFs or search index: what MkDocs itself costs.

Run: python bench/build.py [--policies 100]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import write_corpus  # noqa: E402
from policy_portal.library import load_library  # noqa: E402
from policy_portal.pages import policy_page  # noqa: E402
from policy_portal.settings import load_association  # noqa: E402

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
    """The same policy pages as plain Markdown files, with Material and no hooks."""
    docs = target / "docs" / "policies"
    docs.mkdir(parents=True)
    library = load_library(project / "policies")
    association = load_association(project / "mkdocs.yml")
    for policy in library:
        page = policy_page(policy, library, association, dt.date.fromisoformat(TODAY))
        (docs / f"{policy.slug}.md").write_text(page, encoding="utf-8")
    (target / "docs" / "index.md").write_text("# Policies\n", encoding="utf-8")
    (target / "mkdocs.yml").write_text(
        "site_name: Floor\ntheme:\n  name: material\n  font: false\nplugins: []\n"
        "markdown_extensions: [toc, tables, attr_list, md_in_html, fenced_code]\n", encoding="utf-8")
    return target


def run(policies: int) -> list[tuple[str, tuple[float, float, float]]]:
    build = [str(BIN / "policy-portal"), "build"]
    with tempfile.TemporaryDirectory(prefix="bench-build-") as work:
        project = write_corpus(Path(work) / "corpus", policies)
        rows = [("cold build (no PDF cache)", measure(build, project)),
                ("warm build, nothing changed", measure(build, project))]
        changed = project / "policies" / "policy-001.md"
        changed.write_text(changed.read_text(encoding="utf-8").replace("1.1 ", "1.1 Changed. ", 1),
                           encoding="utf-8")
        rows.append(("warm build, one policy changed", measure(build, project)))
        floor = floor_project(project, Path(work) / "floor")
        rows.append(("plain mkdocs build (floor)", measure([str(BIN / "mkdocs"), "build", "-q"], floor)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, default=100)
    options = parser.parse_args()
    rows = run(options.policies)
    print(f"{options.policies} policies, 2 PDFs each, {os.cpu_count()} cores")
    print(f"{'':<34} {'wall s':>8} {'CPU s':>8} {'peak MB':>8}")
    for name, (wall, cpu, peak) in rows:
        print(f"{name:<34} {wall:8.1f} {cpu:8.1f} {peak:8.0f}")
    floor = rows[3][1][0]
    print(f"ratio to the floor: cold {rows[0][1][0] / floor:.1f}x, nothing changed "
          f"{rows[1][1][0] / floor:.1f}x, one policy changed {rows[2][1][0] / floor:.1f}x")


if __name__ == "__main__":
    main()
