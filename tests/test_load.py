"""No comment lost under load or in a crash: gunicorn with two workers, many clients at once.

Each client opens the consultation page (for its CSRF token and submission key), posts a comment
and reads the reference on the confirmation page; some send the same form twice at once, like a
double click. Every acknowledged reference must then be stored exactly once. On SQLite, on
PostgreSQL, and with two separate app processes sharing one PostgreSQL database. Then gunicorn
is killed with SIGKILL in the middle of a burst: after a restart every acknowledged comment is
there and the database passes its integrity check.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text

from consultation.database import make_engine
from tests.conftest import TODAY, migrated
from tests.consultation_pages import GOOD, SECTION
from tests.postgres import _free_port

CLIENTS, COMMENTS_EACH = 8, 6
TOKEN = re.compile(rf'name="({SECTION}-csrf_token|{SECTION}-submission)" type="hidden" value="([^"]*)"')
REFERENCE = re.compile(r'class="reference">(C-[A-Z0-9-]+)<')


def start_gunicorn(project: Path, database_url: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    environment = {**os.environ, "PORTAL_PROJECT": str(project), "DATABASE_URL": database_url,
                   "SECRET_KEY": "load test key", "PORTAL_SECURE_COOKIES": "0", "PORTAL_TODAY": TODAY,
                   "COMMENT_RATE_LIMIT": "100000 per hour"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--bind",
                               f"127.0.0.1:{port}", "--no-control-socket", "portal.wsgi:application"],
                              env=environment, start_new_session=True, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/consultations/", timeout=2)
            return server, url
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def stop(server: subprocess.Popen, how: signal.Signals = signal.SIGTERM) -> None:
    os.killpg(server.pid, how)
    server.wait(timeout=20)


def send(url: str, double: bool) -> list[str]:
    """One visitor commenting; the references their confirmation pages showed (none on failure)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    try:
        page = opener.open(f"{url}/consultations/pets/", timeout=30).read().decode()
        data = dict(TOKEN.findall(page))
        data.update({f"{SECTION}-{name}": value for name, value in GOOD.items()})
        body = urllib.parse.urlencode(data).encode()
        action = f"{url}/consultations/pets/comment/{SECTION}"
        with ThreadPoolExecutor(2) as pool:  # a double click: the same form twice at once
            pages = list(pool.map(lambda _: opener.open(action, body, timeout=30).read().decode(),
                                  range(2 if double else 1)))
    except (OSError, urllib.error.URLError, http.client.HTTPException):  # the server was killed mid-answer
        return []
    return [match.group(1) for page in pages if (match := REFERENCE.search(page))]


def burst(urls: list[str], seen: list[str] | None = None) -> list[str]:
    """All the visitors at once; `seen` fills with references as they are acknowledged."""
    seen = [] if seen is None else seen
    jobs = [(urls[number % len(urls)], number % 3 == 0) for number in range(CLIENTS * COMMENTS_EACH)]
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(lambda job: seen.extend(send(*job)), jobs))
    return seen


def stored(database_url: str) -> list[str]:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        references = list(connection.execute(text("SELECT reference FROM comments")).scalars())
    engine.dispose()
    return references


@pytest.fixture
def site_project(project: Path) -> Path:
    (project / "site").mkdir()
    (project / "site" / "index.html").write_text("<!doctype html><title>Home</title>", encoding="utf-8")
    return project


def test_every_acknowledged_comment_is_stored_exactly_once(site_project, database_url):
    check_no_loss(site_project, database_url, processes=1)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_app_processes_sharing_postgresql_store_each_comment_once(site_project, database_url):
    check_no_loss(site_project, database_url, processes=2)


def check_no_loss(site_project: Path, database_url: str, processes: int) -> None:
    servers = [start_gunicorn(site_project, database_url) for _ in range(processes)]
    try:
        acknowledged = burst([url for _, url in servers])
    finally:
        for server, _ in servers:
            stop(server)
    kept = stored(database_url)
    print(f"\n{len(acknowledged)} acknowledgements, {len(set(acknowledged))} distinct, {len(kept)} stored")
    assert len(set(acknowledged)) == CLIENTS * COMMENTS_EACH
    assert sorted(kept) == sorted(set(acknowledged))  # each once, double clicks included


def test_a_crash_in_a_burst_loses_no_acknowledged_comment(site_project, tmp_path):
    database_url = migrated(f"sqlite:///{tmp_path / 'crash.sqlite'}")
    server, url = start_gunicorn(site_project, database_url)
    seen: list[str] = []
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(burst, [url], seen)
        deadline = time.monotonic() + 60
        while len(seen) < 5 and time.monotonic() < deadline:  # well into the burst, however slow
            time.sleep(0.02)
        stop(server, signal.SIGKILL)  # no chance to finish anything
        acknowledged = running.result()
    server, url = start_gunicorn(site_project, database_url)
    stop(server)
    kept = stored(database_url)
    engine = make_engine(database_url)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    engine.dispose()
    print(f"\n{len(set(acknowledged))} acknowledged before the crash, {len(kept)} stored")
    assert 0 < len(set(acknowledged)) < CLIENTS * COMMENTS_EACH  # the crash really was mid-burst
    assert set(acknowledged) <= set(kept)
