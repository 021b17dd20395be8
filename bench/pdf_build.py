"""PDF build time per policy: cold (no cache) and cached.

Runs `build_formats` on the example policies three times each way and prints medians, per
policy (two PDFs each) and in total, with how many PDFs each run made.

Run: python bench/pdf_build.py
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import figure  # noqa: E402
from policy_portal import clock  # noqa: E402
from policy_portal.formats.build import build_formats  # noqa: E402
from policy_portal.pages.context import PageContext  # noqa: E402
from policy_portal.project import load_project  # noqa: E402

RUNS = 3


def timed(cache: Path) -> tuple[float, int]:
    project = load_project(ROOT)
    started = time.perf_counter()
    context = PageContext(project.library, project.association, clock.Clock.from_environment().today(),
                          consultation_url=project.consultation_url)
    build = build_formats(context, ROOT / "docs", "https://policies.example/", cache)
    return time.perf_counter() - started, build.pdfs_made


def main() -> None:
    library = load_project(ROOT).library
    documents = len(library.policies) + sum(map(len, library.translations.values()))
    cold, warm = [], []
    for _ in range(RUNS):
        cache = Path(tempfile.mkdtemp(prefix="pdf-cache-"))
        try:
            cold.append(timed(cache))
            warm.append(timed(cache))
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    print(f"{len(library.policies)} policies and {documents - len(library.policies)} translations, 2 PDFs "
          f"each, {os.cpu_count()} cores, median of {RUNS} runs")
    for name, runs in (("cold (no cache)", cold), ("cached (nothing changed)", warm)):
        seconds = statistics.median(run[0] for run in runs)
        print(f"{name:<26} {seconds:6.2f} s in all, {seconds / documents * 1000:7.1f} ms a policy or "
              f"translation, {runs[0][1]} PDFs made")
        figure(f"PDFs, {name}", f"{seconds / documents * 1000:.0f} ms a policy or translation (2 PDFs)")


if __name__ == "__main__":
    main()
