"""Page weight: what a first visit to each kind of page costs a tenant on a phone.

Builds the example site, serves it on loopback with the portal's own server and opens each page
in Chromium with an empty cache. Every response the browser asked for is counted; "compressed"
is each body gzipped at level 6, as a typical web server sends it. The same content is then built
with Material's default search plugin, to show what that would cost every page.

Run: python bench/page_weight.py
"""

from __future__ import annotations

import gzip
import logging
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml
from playwright.sync_api import Page, sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import figure  # noqa: E402
from consultation.database import make_engine, upgrade  # noqa: E402
from policy_portal.reading.library import policy_files  # noqa: E402
from portal.server import create_portal  # noqa: E402
from portal.site import build_site  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, copy_project  # noqa: E402

BUDGET_KB = 150
PAGES = {"policy page": "/policies/complaints/", "large-print page": "/policies/complaints/large-print/",
         "home page": "/", "search page": "/search/",
         "consultation page (9 comment forms)": "/consultations/pets/",
         "translated policy page (Arabic, right to left)": "/ar/policies/complaints/"}
TODAY = "2026-11-23"
"""A day the example draft is open for comments, so the consultation page has its forms."""


@dataclass
class Weight:
    requests: int
    raw: int
    compressed: int

    def row(self, name: str) -> str:
        kb = self.compressed / 1024
        verdict = "within" if kb <= BUDGET_KB else "OVER"
        return (f"{name:<44} {self.requests:>8} {self.raw / 1024:>10.1f} {kb:>12.1f}   "
                f"{verdict} {BUDGET_KB} KB")


@contextmanager
def recording(page: Page) -> Iterator[list[bytes]]:
    """Collect the body of every response the browser receives inside the `with` block."""
    bodies: list[bytes] = []

    def keep(response) -> None:
        try:
            bodies.append(response.body())
        except Exception:  # a redirect or aborted request has no body to count
            bodies.append(b"")

    page.on("response", keep)
    yield bodies
    page.wait_for_load_state("networkidle")
    page.remove_listener("response", keep)


def weigh(bodies: list[bytes]) -> Weight:
    return Weight(len(bodies), sum(map(len, bodies)), sum(len(gzip.compress(b, 6)) for b in bodies))


def serve(project: Path) -> tuple[str, object]:
    """The portal for a built project, its consultation app on a new SQLite database."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request in the report
    database = f"sqlite:///{project / 'bench.sqlite'}"
    upgrade(make_engine(database))
    portal = create_portal(project, project / "site", {"DATABASE_URL": database, "SECRET_KEY": "bench",
                                                       "SESSION_COOKIE_SECURE": False})
    server = make_server("127.0.0.1", 0, portal, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def measure(project: Path, browser, names: list[str]) -> dict[str, Weight]:
    url, server = serve(project)
    results = {}
    try:
        for name in names:
            address = PAGES[name]
            context = browser.new_context()  # an empty cache: a first visit
            page = context.new_page()
            with recording(page) as bodies:
                page.goto(url + address)
            results[name] = weigh(bodies)
            if name == "search page":
                box = page.get_by_role("textbox", name="Search for a word or phrase in our policies")
                with recording(page) as bodies:
                    box.fill("complaint")
                    page.locator(".pagefind-ui__result").first.wait_for()
                results["a search for 'complaint'"] = weigh(bodies)
            context.close()
    finally:
        server.shutdown()
    return results


def material_default_build(work: Path) -> Path:
    """The same project with Material's own search plugin switched back on."""
    project = copy_project(work / "material-default")
    config_path = project / "mkdocs.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["plugins"] = ["search", *config["plugins"]]
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    build_site(config_path, project / "site")
    return project


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="page-weight-"))
    try:
        os.environ.setdefault("PORTAL_TODAY", TODAY)
        ours = copy_project(work / "ours")
        build_site(ours / "mkdocs.yml", ours / "site")
        default = material_default_build(work)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            our_weights = measure(ours, browser, list(PAGES))
            default_weights = measure(default, browser, ["policy page", "home page"])
            browser.close()
        print(f"{'first view, empty cache':<44} {'requests':>8} {'raw KB':>10} {'gzipped KB':>12}")
        for name, weight in our_weights.items():
            print(weight.row(name))
            figure(f"{name}, first view", f"{weight.compressed / 1024:.1f} KB gzipped, {weight.requests} "
                   "requests", "" if name.startswith("a search") else f"<= {BUDGET_KB} KB")
        for name, weight in default_weights.items():
            print(weight.row(f"{name} (Material default search)"))
        index = default / "site" / "search" / "search_index.json"
        data = index.read_bytes()
        policies = len(policy_files(ROOT / "policies"))
        print(f"\nMaterial's search index, fetched by every page: {len(data) / 1024:.1f} KB raw, "
              f"{len(gzip.compress(data, 6)) / 1024:.1f} KB gzipped for {policies} policies; it grows "
              "with every policy. (Both builds have web fonts off: Material's default also fetches "
              "fonts from another host, which this offline machine cannot measure.)")
        policy = our_weights["policy page"].compressed
        print(f"Policy page: ours {policy / 1024:.1f} KB vs Material default "
              f"{default_weights['policy page'].compressed / 1024:.1f} KB "
              f"(ratio {default_weights['policy page'].compressed / policy:.2f}x).")
        material = default_weights["policy page"].compressed
        figure("policy page with Material's default search",
               f"{material / 1024:.1f} KB gzipped ({material / policy:.2f}x ours)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
