"""The README's production set-up, run as written (issue 21): PostgreSQL, Redis and gunicorn with
four workers, and the limits on comments and sign-ins holding across the workers.

The commands are read out of README.md's "In production" block and run by bash with only the
folder, the database, the secret key's file, Redis's address and the port replaced by this
test's own; each replaced value must be in the block, so a README changed without this test
fails here. The staff account is made with the README's own `staff-add` line. Requests come as
nginx would pass them on (PORTAL_PROXIES=1): with the README's host name, X-Forwarded-For and
X-Forwarded-Proto, each over a new connection so that any worker may answer. gunicorn's access
log (turned on through GUNICORN_CMD_ARGS, which leaves the README's command as it is) records
which worker answered each request, so the test can show that several did.
"""

from __future__ import annotations

import http.client
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest
import redis
from sqlalchemy import text

from consultation import auth, create_app
from consultation.auth import REFUSED
from consultation.database import make_engine
from policy_portal.project import CACHE, PDF_CACHE
from tests import redis as redis_server
from tests.conftest import APP_SETTINGS, ROOT, TODAY, copy_project
from tests.consultation_pages import GOOD, SECTION, comment, stored
from tests.postgres import _free_port
from tests.test_load import TOKEN, stop

HOST = "policies.larkfield.example"
WORKERS = 4
COMMENT_LIMIT = 20  # the default COMMENT_RATE_LIMIT, "20 per hour", which the README quotes
SIGN_IN_LIMIT = 30  # SIGN_IN_RATE_LIMIT, "30 per hour"
STAFF_EMAIL, STAFF_PASSWORD = "dana@larkfield.example", "a long staff password"
COMMENT_PATH = f"/consultations/pets/comment/{SECTION}"
SIGN_IN_PATH = "/consultations/staff/sign-in"
ACCESS_LOG = re.compile(r"^<(\d+)> (\w+) (\S+) (\d+)$", re.MULTILINE)
STORAGE_LINE = "export RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379"


def readme_block(after: str, starting: str) -> str:
    """The first fenced block after the heading `after` whose first line starts with `starting`."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks: list[str] = []
    inside = False
    for line in readme[readme.index(after):].splitlines(keepends=True):
        if line.startswith("```"):
            inside = not inside
            blocks += [""] if inside else []
        elif inside:
            blocks[-1] += line
    return next(block for block in blocks if block.startswith(starting))


def replaced(block: str, values: dict[str, str]) -> str:
    for old, new in values.items():
        assert old in block, f"the README's production commands no longer contain {old!r}"
        block = block.replace(old, new)
    return block


@dataclass
class Answer:
    status: int
    body: str
    cookie: str


@dataclass
class Portal:
    port: int
    access_log: Path

    def request(self, method: str, path: str, network: str, cookie: str = "",
                form: dict[str, str] | None = None) -> Answer:
        """One request over a new connection, as nginx in front would send it."""
        headers = {"Host": HOST, "X-Forwarded-For": network, "X-Forwarded-Proto": "https",
                   "Referer": f"https://{HOST}{path}"}
        if cookie:
            headers["Cookie"] = cookie
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            page = response.read().decode()
            jar = SimpleCookie()
            for header in response.headers.get_all("Set-Cookie") or []:
                jar.load(header)
            new_cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in jar.items())
            return Answer(response.status, page, new_cookie or cookie)
        finally:
            connection.close()

    def comment(self, network: str) -> int:
        """Open the consultation page and send one comment from it, as a visitor would."""
        page = self.request("GET", "/consultations/pets/", network)
        form = dict(TOKEN.findall(page.body)) | {f"{SECTION}-{name}": value for name, value in GOOD.items()}
        return self.request("POST", COMMENT_PATH, network, page.cookie, form).status

    def signed_in_form(self, network: str) -> tuple[str, str]:
        """A session cookie and its sign-in form's CSRF token."""
        page = self.request("GET", SIGN_IN_PATH, network)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.body).group(1)
        return page.cookie, token

    def sign_in(self, network: str, email: str, password: str, session: tuple[str, str]) -> Answer:
        cookie, token = session
        return self.request("POST", SIGN_IN_PATH, network, cookie,
                            {"csrf_token": token, "email": email, "password": password})

    def answers(self, path: str) -> list[tuple[int, int]]:
        """(worker pid, status) of every POST to `path`, from gunicorn's access log."""
        return [(int(pid), int(status))
                for pid, method, logged, status in ACCESS_LOG.findall(self.access_log.read_text())
                if method == "POST" and logged == path]


@pytest.fixture
def production_database(postgres_server) -> Iterator[str]:
    """A new, empty database on the session's PostgreSQL server: the README's `migrate` makes
    its tables."""
    name = f"production_{os.getpid()}_{time.monotonic_ns()}"
    with psycopg.connect(postgres_server.url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield postgres_server.url.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(postgres_server.url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def empty_redis(redis_url: str) -> str:
    client = redis.Redis.from_url(redis_url)
    client.flushall()
    client.close()
    return redis_url


@contextmanager
def readme_portal(tmp_path: Path, database_url: str, redis_url: str | None,
                  pdf_cache: Path) -> Iterator[Portal]:
    """The README's production commands running, with this test's folder, database, Redis and
    port; without its RATELIMIT_STORAGE_URI line when `redis_url` is None. Its build reuses the
    session's PDFs and Braille files (see `warm_cache`)."""
    project = copy_project(tmp_path / "srv")
    shutil.copytree(pdf_cache, project / CACHE / PDF_CACHE)
    (project / ".venv").symlink_to(Path(sys.prefix))  # the README runs .venv/bin/... from the project
    secret = tmp_path / "secret_key"
    secret.write_text("a production test key\n", encoding="utf-8")
    port = _free_port()
    block = readme_block("### In production", "export PORTAL_PROJECT=")
    assert f"--workers {WORKERS} " in block
    values = {"/srv/policy-portal": str(project), "postgresql://portal@db/portal": database_url,
              "/etc/policy-portal/secret_key": str(secret), "127.0.0.1:8000": f"127.0.0.1:{port}"}
    values |= {"redis://127.0.0.1:6379": redis_url} if redis_url else {STORAGE_LINE: ""}
    script = replaced(block, values)
    access_log, output = tmp_path / "access.log", tmp_path / "output.log"
    environment = {
        "PATH": os.environ["PATH"], "HOME": str(tmp_path), "PYTHONPATH": str(ROOT), "PORTAL_TODAY": TODAY,
        "GUNICORN_CMD_ARGS": f"--no-control-socket --access-logfile {access_log} "
                             "--access-logformat '%(p)s %(m)s %({script_name}e)s%(U)s %(s)s'",
    }
    with output.open("w") as log:
        server = subprocess.Popen(["bash", "-e", "-c", script], env=environment, cwd=tmp_path,
                                  start_new_session=True, stdout=log, stderr=subprocess.STDOUT)
    portal = Portal(port, access_log)
    try:
        _wait_for(portal, server, output)
        _add_staff(project, environment | {"DATABASE_URL": database_url})
        yield portal
    finally:
        stop(server)


def _wait_for(portal: Portal, server: subprocess.Popen, output: Path) -> None:
    """Until every worker has started; the site is built and the database migrated first."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert server.poll() is None, f"the README's commands stopped:\n{output.read_text()}"
        if output.read_text().count("Booting worker") >= WORKERS:
            try:
                if portal.request("GET", "/consultations/", "192.0.2.1").status == 200:
                    return
            except OSError:
                pass
        time.sleep(0.2)
    raise AssertionError(f"gunicorn did not start:\n{output.read_text()}")


def _add_staff(project: Path, environment: dict[str, str]) -> None:
    """The README's staff-add line, run from the project folder with the password piped in."""
    line = next(line for line in readme_block("## Consultations", ".venv/bin/policy-portal staff-add")
                .splitlines() if "staff-add" in line)
    command = shlex.split(line, comments=True)
    assert STAFF_EMAIL in command
    subprocess.run(command, cwd=project, env=environment, input=STAFF_PASSWORD + "\n", text=True,
                   check=True, capture_output=True)


def stored_comments(database_url: str) -> int:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM comments")).scalar()
    engine.dispose()
    return count


def password_methods(database_url: str) -> set[str]:
    """How each staff password was hashed: the part of the stored hash before its salt."""
    engine = make_engine(database_url)
    with engine.connect() as connection:
        hashes = connection.execute(text("SELECT password_hash FROM staff_users")).scalars()
        methods = {stored.split("$")[0] for stored in hashes}
    engine.dispose()
    return methods


def counted_in_redis(url: str) -> dict[str, int]:
    """The POSTs counted for each limited view, over every network's key."""
    client = redis.Redis.from_url(url, decode_responses=True)
    counts: Counter[str] = Counter()
    for key in client.keys("*"):
        view = next(view for view in ("consultation.comment", "staff.sign_in") if f"/{view}/" in key)
        counts[view] += int(client.get(key))
    client.close()
    return dict(counts)


def comments_from_one_network(portal: Portal, how_many: int) -> list[int]:
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda _: portal.comment("203.0.113.10"), range(how_many)))


def check_lock_out_holds_across_workers(portal: Portal) -> None:
    """Five wrong passwords from one network, sent at once to whichever workers take them, then
    the right one is refused from that network and accepted from another."""
    guesser = "198.51.100.7"
    session = portal.signed_in_form(guesser)
    with ThreadPoolExecutor(5) as pool:
        guesses = list(pool.map(lambda _: portal.sign_in(guesser, STAFF_EMAIL, "a wrong guess!!", session),
                                range(5)))
    assert [answer.status for answer in guesses] == [400] * 5
    locked = portal.sign_in(guesser, STAFF_EMAIL, STAFF_PASSWORD, session)
    assert locked.status == 400 and REFUSED.split(". ")[0] in locked.body
    assert portal.sign_in("198.51.100.8", STAFF_EMAIL, STAFF_PASSWORD, portal.signed_in_form("198.51.100.8")
                          ).status == 303


def test_the_readme_production_set_up_holds_the_limits_across_workers(tmp_path, production_database,
                                                                         empty_redis, pdf_cache):
    sent = COMMENT_LIMIT + 8
    with readme_portal(tmp_path, production_database, empty_redis, pdf_cache) as portal:
        statuses = comments_from_one_network(portal, sent)
        flooder = "203.0.113.20"
        session = portal.signed_in_form(flooder)
        with ThreadPoolExecutor(8) as pool:
            sign_ins = list(pool.map(lambda _: portal.sign_in(flooder, "nobody@example.org", "not a password",
                                                              session).status, range(SIGN_IN_LIMIT + 6)))
        check_lock_out_holds_across_workers(portal)
    assert Counter(statuses) == {303: COMMENT_LIMIT, 429: sent - COMMENT_LIMIT}
    assert stored_comments(production_database) == COMMENT_LIMIT
    assert password_methods(production_database) == {f"scrypt:{auth.PASSWORD_HASH_COST}:8:1"}  # full cost
    assert Counter(sign_ins) == {400: SIGN_IN_LIMIT, 429: 6}
    comment_workers = {pid for pid, _ in portal.answers(COMMENT_PATH)}
    sign_in_workers = {pid for pid, _ in portal.answers(SIGN_IN_PATH)}
    print(f"\ncomments answered by {len(comment_workers)} workers, sign-ins by {len(sign_in_workers)}")
    assert len(comment_workers) > 1 and len(sign_in_workers) > 1
    # Each POST counted once in Redis, refused ones included, whichever worker took it: the
    # flood, then five guesses and the right password from one network and from another.
    assert counted_in_redis(empty_redis) == {"consultation.comment": sent,
                                             "staff.sign_in": SIGN_IN_LIMIT + 6 + 5 + 1 + 1}


def test_without_redis_each_worker_counts_comments_separately(tmp_path, production_database, pdf_cache):
    """The README's warning: with the counts in each worker's memory, one address gets the limit
    from every worker, while sign-in lock-outs, counted in the database, still hold."""
    sent = COMMENT_LIMIT + 8
    with readme_portal(tmp_path, production_database, None, pdf_cache) as portal:
        statuses = comments_from_one_network(portal, sent)
        check_lock_out_holds_across_workers(portal)
    by_worker = Counter(pid for pid, _ in portal.answers(COMMENT_PATH))
    accepted = Counter(pid for pid, status in portal.answers(COMMENT_PATH) if status == 303)
    print(f"\n{statuses.count(303)} of {sent} comments accepted, answered by workers {dict(by_worker)}")
    assert len(by_worker) > 1
    assert accepted == {pid: min(count, COMMENT_LIMIT) for pid, count in by_worker.items()}
    assert statuses.count(303) > COMMENT_LIMIT
    assert stored_comments(production_database) == statuses.count(303)



def test_while_redis_is_down_each_process_counts_alone_and_no_comment_is_lost(project, database_url, caplog):
    """Redis stopping turns no comment into an error page: the process counts in its own memory,
    within the same limit, and says so in the log."""
    with redis_server.server() as url:
        app = create_app(project, {**APP_SETTINGS, "DATABASE_URL": database_url, "RATELIMIT_STORAGE_URI": url,
                                   "COMMENT_RATE_LIMIT": "2 per hour"})
        client = app.test_client()
        assert comment(client, **GOOD).status_code == 303
    started = time.monotonic()
    assert [comment(client, **GOOD).status_code for _ in range(3)] == [303, 303, 429]
    print(f"\n3 comments while Redis was down took {time.monotonic() - started:.2f} s")
    assert len(stored(app)) == 3
    assert "Rate-limit storage unavailable, counting in this process only" in caplog.text
    app.extensions["engine"].dispose()
