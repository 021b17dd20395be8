"""Shared fixtures: one built example site, one browser and one PostgreSQL server a session.

Building the site, starting Chromium and starting PostgreSQL are the slow parts of the suite, so
each happens once; so do the slow parts of starting an app, which ~300 tests do: the database
schema is made by Alembic once and copied, a project's policies are read once for each set of
files (see `app_project`), and templates are compiled once. Today is fixed (PORTAL_TODAY =
23 November 2026), so review and consultation notices are known: the example pets policy is open
for comments until 21 December 2026.

Every test that uses `app` or `client` runs twice: on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jinja2 import FileSystemBytecodeCache
from sqlalchemy import text
from werkzeug.serving import make_server

from consultation import create_app
from consultation.database import make_engine, upgrade
from consultation.models import Base
from policy_portal.project import CACHE, PDF_CACHE, Project, load_project
from policy_portal.reading.library import Library
from portal.server import create_portal
from portal.site import build_site
from tests import postgres, redis
from tests.smtp import SmtpServer

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-11-23"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
PROJECT_FILES = ("mkdocs.yml", "docs", "hooks", "overrides", "policies")
SECRET_KEY = "a key for tests only"
TEST_HASH_COST = 2**7
"""scrypt's cost for the test apps' staff passwords: the full cost (`auth.PASSWORD_HASH_COST`)
spends a tenth of a second of CPU on each hash and each sign-in, half a minute over the suite.
The least scrypt takes with its memory limit (2**4 to 2**6 are refused), 1/256 of the
full cost. Only an app with TESTING set may take a lower cost than the full one."""
APP_SETTINGS = {"SECRET_KEY": SECRET_KEY, "COMMENT_RATE_LIMIT": "1000 per minute",
                "SIGN_IN_RATE_LIMIT": "1000 per minute",
                "SESSION_COOKIE_SECURE": False, "TESTING": True, "PASSWORD_HASH_COST": TEST_HASH_COST,
                "POLICY_CHECK_SECONDS": 0}  # tests edit a policy and look at once (see test_consultation)


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


@pytest.fixture(scope="session")
def pdf_cache(site: Path) -> Path:
    """The example project's PDFs and Braille files, which the session's build of `site` keeps in
    the project's own cache (`.cache/pdf`, each named by a hash of what went into it)."""
    return ROOT / CACHE / PDF_CACHE


@pytest.fixture
def warm_cache(project: Path, pdf_cache: Path) -> None:
    """`project` with the PDFs and Braille files of an earlier build in its cache, so that its
    build reuses all but those of what the test changed, as a second build does (the example
    project's build, medians of 3 on the shared 2-core machine: 15.6 s cold, 14.2 s warm). Tests
    of the cache itself start without it."""
    shutil.copytree(pdf_cache, project / CACHE / PDF_CACHE)


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


def migrated(url: str) -> str:
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def portal_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The SQLite database behind `site_url`, so browser tests can check what was stored."""
    return migrated(f"sqlite:///{tmp_path_factory.mktemp('portal') / 'portal.sqlite'}")


@pytest.fixture(scope="session")
def site_url(site: Path, portal_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The portal (built site plus consultation app) on a free loopback port."""
    project = copy_project(tmp_path_factory.mktemp("portal-project") / "project")
    portal = create_portal(project, site, {**APP_SETTINGS, "DATABASE_URL": portal_database})
    server = make_server("127.0.0.1", 0, portal, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[postgres.Server]:
    """One PostgreSQL server for the session."""
    with postgres.server() as running:
        yield running


@pytest.fixture(scope="session")
def postgres_url(postgres_server: postgres.Server) -> str:
    """The session server's database, migrated once."""
    return migrated(postgres_server.url)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """One Redis server for the session, for rate limits shared by workers."""
    with redis.server() as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database, migrated once: each test gets a copy of the file, which takes a
    millisecond where running the migrations took ~0.3 s."""
    path = tmp_path_factory.mktemp("template") / "consultation.sqlite"
    migrated(f"sqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: a new SQLite file, or the session's PostgreSQL emptied after."""
    if request.param == "sqlite":
        path = tmp_path / "consultation.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_url")
    yield url
    engine = make_engine(url)
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(scope="session")
def libraries() -> dict[bytes, Library]:
    """The policies read from each set of project files met in the session, by `files_key`."""
    return {}


def files_key(project: Project) -> bytes:
    """A digest of every file the policies are read from: mkdocs.yml (the languages) and policies/."""
    digest = hashlib.sha256()
    for path in sorted([project.config_file, *project.policies.rglob("*")]):
        if path.is_file():
            digest.update(f"{path.relative_to(project.root)}\0{path.stat().st_size}\0".encode())
            digest.update(path.read_bytes())
    return digest.digest()


def app_project(folder: Path, libraries: dict[bytes, Library]) -> Project:
    """The project in `folder`, as `create_app` would load it, with its policies read only if no
    earlier test's project had the same files. Reading and checking the example's policies was
    ~0.3 s of every app's start; the library depends on nothing but those files (and holds paths
    relative to the project), so one read serves every copy. The app still reads the files again
    when a test changes them, as it does in production."""
    project = load_project(folder)
    key = files_key(project)
    if key in libraries:
        project.__dict__["library"] = libraries[key]  # where the `library` cached_property keeps it
    else:
        libraries[key] = project.library
    return project


@pytest.fixture(scope="session")
def compiled_templates(tmp_path_factory: pytest.TempPathFactory) -> FileSystemBytecodeCache:
    """Jinja's compiled templates, kept for the session: each test's app has its own Jinja
    environment, which compiled every template it rendered again (33 ms of CPU for the pets
    consultation page and the list of consultations). Jinja checks each template's source
    against what was compiled."""
    return FileSystemBytecodeCache(str(tmp_path_factory.mktemp("jinja")))


@pytest.fixture
def app(project: Path, database_url: str, libraries: dict[bytes, Library],
        compiled_templates: FileSystemBytecodeCache) -> Iterator[Flask]:
    app = create_app(app_project(project, libraries), {**APP_SETTINGS, "DATABASE_URL": database_url})
    app.jinja_env.bytecode_cache = compiled_templates
    yield app
    app.extensions["engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Use Debian's Chromium: Playwright's own browser download is not possible here."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on a free loopback port, running; see tests/smtp.py."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()
