"""Shared fixtures: one built example site and one browser for the whole session.

Building the site and starting Chromium are the slow parts of the suite, so each happens once.
The site is built with today fixed (PORTAL_TODAY), so review and consultation notices are known.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from portal.server import create_app
from portal.site import build_site

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-11-23"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
PROJECT_FILES = ("mkdocs.yml", "docs", "hooks", "overrides", "policies")


def copy_project(target: Path) -> Path:
    """A copy of the project's site sources, for tests that change policies or config."""
    target.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy(source, target / name)
    return target


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session", autouse=True)
def fixed_today() -> Iterator[None]:
    previous = os.environ.get("PORTAL_TODAY")
    os.environ["PORTAL_TODAY"] = TODAY
    yield
    if previous is None:
        del os.environ["PORTAL_TODAY"]
    else:
        os.environ["PORTAL_TODAY"] = previous


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, fixed_today: None) -> Path:
    """The example content, built once into a temporary folder."""
    site_dir = tmp_path_factory.mktemp("built") / "site"
    build_site(ROOT / "mkdocs.yml", site_dir)
    return site_dir


@pytest.fixture(scope="session")
def site_url(site: Path) -> Iterator[str]:
    """The built site served over HTTP by the portal's own server, on a free loopback port."""
    server = make_server("127.0.0.1", 0, create_app(site), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Use Debian's Chromium: Playwright's own browser download is not possible here."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
