"""Throughput of the consultation app: requests per second and latency under load, and no lost comment.

gunicorn with two sync workers serves the portal on loopback, on SQLite and then on PostgreSQL;
`wrk` (Debian package) loads it. Two runs on each database:

- consultation page: GET /consultations/pets/ with no cookie, as a first visit (each answer
  makes a new session and CSRF token and fills the visitor's token and submission keys into the
  page with the draft and its nine comment forms, which each worker renders once and keeps: see
  consultation/draft_cache.py; the published comments, counted in one query, are read and
  rendered at most once a second per worker: see consultation/published_cache.py. Run with
  PUBLISHED_COMMENTS_CACHE_SECONDS=0 in the environment to read them for every request).
- comment: POST of the comment form for one section, with a valid CSRF token and a new
  submission key on every request. The key is the form's hidden UUID that makes a double click
  store once; the app accepts any UUID it has not seen, which is all its own form puts there, so
  the Lua script writes a unique one per request (run nonce, thread, counter) instead of opening
  the page first. The token comes from one real page visit, and every request sends that
  visit's session cookie, as one visitor sending many comments would. So the POST figures are
  the POST alone: validation, CSRF check, moderation flags and the insert (the session is
  read for the CSRF check but not changed, so no new cookie is signed).

The floors: a bare Flask app under the same gunicorn. Its POST takes the same form body and
inserts the same row (the project's Comment model, engine made by `make_engine`, so the same
SQLite pragmas) with no CSRF, validation, session or template, on SQLite and on a PostgreSQL server
of its own; each comment POST's rate is compared with the floor on its own database. Its GET
is a bare Flask-WTF page with one form (a textarea and its CSRF token, from a template file),
opened with no cookie as the consultation page is, so each answer makes a session and a token too;
the consultation page GET's rate is compared with it.
Each comparison is given twice: by requests a second, the target's own measure, and by the
server's CPU time a request (gunicorn's processes, and PostgreSQL's where it runs), which other
work on a shared machine delays but changes less.
On each database the portal and the floors are served at once and measured in rounds (three by
default): a round is the page GET, the floor's page GET, the comment POST, the floor's POST and
the Flask-WTF form's POST, one straight after another (every other round in the opposite order),
so each run and its floor meet the same load from the rest of the machine. The shares given are
the medians of the rounds' shares.

A third floor, given for comparison only: the same insert from a bare Flask-WTF form, its CSRF
token checked against the session it was issued to, answered with a redirect. Its share of the
bare floor is what CSRF protection alone costs a form POST in Flask-WTF; the comment POST's
share of it is what the portal adds (validation, house-rules screening, the rate limit, the
double-click guard). (Runs of the portal and its
floor minutes apart, as this bench first made them, gave shares 15 points apart on a shared
machine from one run of the bench to the next.)

Acknowledged: responses saying the comment was stored, counted by the Lua script (the app's 303
to the thank-you page, whose address carries the new comment's reference; the floor's 200). Stored:
rows added to the comments table during the run. Requests still in flight when wrk stops (at most
one a connection) may be stored without being acknowledged; fewer stored than acknowledged is a
lost comment. These are counts: a loss hidden by as many in-flight rows would not show.

The comment rate limit is raised for the run, or it would refuse nearly everything. PostgreSQL
is the tests' throwaway server, run with fsync off; SQLite runs as the app sets it up (WAL,
synchronous=NORMAL). wrk shares the machine's cores with the server. Each run follows a
warm-up of the same requests. The CPU the machine spends during a run on other processes is
shown: well above nothing, the figures say more about the machine than about the app.

Run: python bench/throughput.py [--duration 10] [--threads 2] [--connections 16] [--rounds 3]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import resource
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, abort, redirect, render_template, request
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker
from wtforms import TextAreaField

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import figure  # noqa: E402
from consultation.actions import new_reference  # noqa: E402
from consultation.database import make_engine  # noqa: E402
from consultation.models import Comment  # noqa: E402
from policy_portal.clock import Clock  # noqa: E402
from policy_portal.project import load_project  # noqa: E402
from policy_portal.text.sections import sections  # noqa: E402
from tests import postgres  # noqa: E402
from tests.conftest import TODAY, copy_project, migrated  # noqa: E402
from tests.consultation_pages import GOOD, SECTION  # noqa: E402

PAGE = "/consultations/pets/"
COMMENT = f"/consultations/pets/comment/{SECTION}"
FLOOR_COMMENT = "/comment"
FLOOR_FORM_COMMENT = "/form-comment"
KEY_FIELD = f"{SECTION}-submission"
TOKEN = re.compile(r'name="([\w-]*csrf_token)" type="hidden" value="([^"]*)"')
"""A form's CSRF token field, as (name, value): the comment forms' are named for their section."""
RATE_LIMIT = "1000000 per hour"
WARM_UP = 2
"""Seconds of the same load before each measured run."""
TARGET = 0.80
"""Comment posting should reach this share of the floor's rate (reported, not asserted; issue 21)."""
PAGE_TARGET = 0.50
"""The consultation page GET should reach this share of the bare Flask-WTF form page's rate."""
FLOOR_PAGE = "/form"
PAGE_FLOOR = "bare Flask-WTF form page GET"
POST_FLOOR = "bare Flask floor POST"
FORM_POST_FLOOR = "bare Flask-WTF form POST"

WRK_SCRIPT = r"""
-- args: method, acknowledging status, cookie, form body, key field (the last three only for POST),
-- then a nonce for this wrk run's submission keys
local threads, made = {}, 0

function setup(thread)
  made = made + 1
  thread:set("id", made)
  table.insert(threads, thread)
end

function init(args)
  method, expected = args[1], tonumber(args[2])
  cookie, form, field, nonce = args[3], args[4], args[5], args[6]
  sent, acknowledged, s2xx, s3xx, s4xx, s5xx = 0, 0, 0, 0, 0, 0
end

function request()
  if method == "GET" then
    return wrk.format("GET")
  end
  sent = sent + 1
  local key = string.format("%s-%04x-4000-8000-%012x", nonce, id, sent)
  local headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
  if cookie ~= "" then headers["Cookie"] = cookie end
  return wrk.format("POST", nil, headers, form .. "&" .. field .. "=" .. key)
end

function response(status, headers, body)
  if status == expected then acknowledged = acknowledged + 1 end
  if status >= 500 then s5xx = s5xx + 1
  elseif status >= 400 then s4xx = s4xx + 1
  elseif status >= 300 then s3xx = s3xx + 1
  else s2xx = s2xx + 1 end
end

function done(summary, latency, requests)
  local totals = {acknowledged = 0, s2xx = 0, s3xx = 0, s4xx = 0, s5xx = 0}
  for _, thread in ipairs(threads) do
    for name, value in pairs(totals) do totals[name] = value + thread:get(name) end
  end
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d socket_errors=%d acknowledged=%d " ..
    "s2xx=%d s3xx=%d s4xx=%d s5xx=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.connect + errors.read + errors.write + errors.timeout, totals.acknowledged,
    totals.s2xx, totals.s3xx, totals.s4xx, totals.s5xx))
end
"""


@dataclass
class Load:
    duration: int
    threads: int
    connections: int


@dataclass
class Result:
    name: str
    figures: dict[str, int]
    """What the Lua script's done() printed."""
    stored: int | None
    """Comments added during the run; None for a run that posts nothing."""
    server_errors: list[str]
    """ERROR and CRITICAL lines gunicorn and the app logged during the warm-up and the run."""
    others: float
    """Share of the machine's CPU spent during the run on processes not in the benchmark."""
    server_ticks: int
    """Clock ticks of CPU gunicorn (and the PostgreSQL server, where there is one) used in the run."""

    @property
    def rps(self) -> float:
        return self.figures["requests"] / (self.figures["duration_us"] / 1e6)

    @property
    def cpu_ms(self) -> float:
        """The server's CPU time a request: unlike req/s, barely moved by other work on the
        machine, which only delays the server, so a comparison with a floor holds on a busy one."""
        return self.server_ticks / os.sysconf("SC_CLK_TCK") * 1000 / self.figures["requests"]

    def row(self) -> str:
        f = self.figures
        counts = "" if self.stored is None else f"{f['acknowledged']:>8} {self.stored:>8}"
        row = (f"{self.name:<42} {self.rps:>8.1f} {f['p50_us'] / 1000:>8.1f} {f['p99_us'] / 1000:>8.1f} "
               f"{f['requests']:>8} {f['s2xx']:>6} {f['s3xx']:>6} {f['s4xx']:>6} {f['s5xx']:>6} "
               f"{f['socket_errors']:>6} {len(self.server_errors):>6} {self.others:>6.0%}  {counts}")
        return row.rstrip()


HEADER = (f"{'run':<42} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'requests':>8} {'2xx':>6} {'3xx':>6} "
          f"{'4xx':>6} {'5xx':>6} {'sock':>6} {'logerr':>6} {'other':>6}  {'acked':>8} {'stored':>8}")
QUIET = 0.10
"""More of the CPU than this taken by other work during a run, and its figures say more about the
machine than about the app."""


class FloorForm(FlaskForm):
    comment = TextAreaField("Your comment")


def create_floor_app() -> Flask:
    """The floors, for gunicorn (`bench.throughput:create_floor_app()`): the comment row, inserted
    from the same form fields, and a small page with its reference; the same row from a Flask-WTF
    form, its CSRF token checked against the session, answered with a redirect; and a page with
    one Flask-WTF form. DATABASE_URL says where; the policy's details come from PORTAL_PROJECT,
    the same project copy the portal runs on."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY="bench", SESSION_COOKIE_SECURE=False)
    sessions = sessionmaker(make_engine(os.environ["DATABASE_URL"]))
    policy = load_project(Path(os.environ["PORTAL_PROJECT"])).library["pets"]
    section = next(section for section in sections(policy.body) if section.key == SECTION)

    def insert() -> str:
        form = request.form
        reference = new_reference()
        with sessions() as db:
            db.add(Comment(
                reference=reference, submission_key=form[KEY_FIELD], policy_slug=policy.slug,
                policy_version=policy.version, section_key=section.key, section_title=section.title,
                respondent_type=form[f"{SECTION}-respondent_type"], name=form.get(f"{SECTION}-name") or None,
                email=form.get(f"{SECTION}-email") or None, body=form[f"{SECTION}-comment"],
                screened_body=form[f"{SECTION}-comment"], suggested_wording=None,
                may_publish=form[f"{SECTION}-may_publish"] == "yes", flags="[]",
                consultation_closes=policy.consultation.closes, created_at=Clock().now()))
            db.commit()
        return reference

    @app.post(FLOOR_COMMENT)
    def comment() -> str:
        return f'<!doctype html><title>Sent</title><p class="reference">{insert()}</p>'

    @app.post(FLOOR_FORM_COMMENT)
    def form_comment() -> Response:
        if not FloorForm(prefix=f"{SECTION}-").validate():
            abort(400)
        return redirect(f"{FLOOR_PAGE}?reference={insert()}", 303)

    @app.get(FLOOR_PAGE)
    def form_page() -> str:
        return render_template("floor_form.html", form=FloorForm())

    return app


@contextmanager
def gunicorn(app: str, environment: dict[str, str], log: Path) -> Iterator[str]:
    """`app` under gunicorn with two workers on a free loopback port; yields its URL once it answers.
    Its log goes to `log`, so errors under load can be counted."""
    with served(app, environment, log) as (url, _):
        yield url


@contextmanager
def served(app: str, environment: dict[str, str], log: Path, workers: int = 2,
           options: tuple[str, ...] = ()) -> Iterator[tuple[str, subprocess.Popen]]:
    """`gunicorn` with its number of `workers` and other command-line `options` chosen; yields the
    URL and the gunicorn process (the master: its workers are its children)."""
    port = postgres._free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
             "--pythonpath", str(ROOT), "--no-control-socket", *options, app],
            env={**os.environ, **environment}, start_new_session=True, stdout=output, stderr=output)
        try:
            wait_for(url, server, log)
            yield url, server
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def wait_for(url: str, server: subprocess.Popen, log: Path) -> None:
    """Until the server answers anything at all (the floor has no page at /, so 404 will do)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:])
    raise RuntimeError(f"gunicorn did not start at {url}; the end of its log:\n{tail}")


def visit(address: str, field: str = f"{SECTION}-csrf_token") -> tuple[str, str]:
    """One real page visit: (Cookie header, CSRF token) for the form whose token field is `field`."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(address, timeout=30).read().decode()
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar), dict(TOKEN.findall(page))[field]


def form_body(token: str) -> str:
    """The comment form as a browser sends it, without the submission key (added per request)."""
    fields = {f"{SECTION}-csrf_token": token, **{f"{SECTION}-{name}": value for name, value in GOOD.items()}}
    return urllib.parse.urlencode(fields)


def machine_ticks() -> tuple[int, int]:
    """(all, busy) clock ticks of every core since boot; busy includes steal, the host's share."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(fields), sum(fields) - fields[3] - fields[4]  # less idle and waiting for disk


def process_ticks(pid: int) -> tuple[int, int]:
    """(parent's process id, clock ticks of CPU used so far, user and system) of a running process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[1]), int(fields[11]) + int(fields[12])  # after the name: state, parent, ...


def tree_ticks(roots: set[int]) -> int:
    """Clock ticks of CPU used so far by `roots` and every process under them that is still running."""
    parents, ticks = {}, {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)], ticks[int(entry.name)] = process_ticks(int(entry.name))
            except OSError:  # it ended while we looked
                continue
    ours = set(roots)
    while grown := {pid for pid, parent in parents.items() if parent in ours} - ours:
        ours |= grown
    return sum(ticks.get(pid, 0) for pid in ours)


def waited_ticks() -> int:
    """Clock ticks of CPU used by the children this process has waited for, such as each wrk."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return round((used.ru_utime + used.ru_stime) * os.sysconf("SC_CLK_TCK"))


@dataclass
class CpuUse:
    """What the machine's CPU did while a `cpu_use` block ran; filled in as the block ends."""
    ours: int = 0
    """Clock ticks the benchmark's processes still running at the end used in the block."""
    others: float = 0.0
    """Share of the machine's CPU spent on anything else: well above nothing, the block's figures
    say more about the machine than about the app."""


@contextmanager
def cpu_use(database_server: int | None = None) -> Iterator[CpuUse]:
    """How much CPU the benchmark used during the block, and the share of the machine other work
    took. The benchmark: this process, every process under it (gunicorn) or that it waited for in
    the block (each wrk), and `database_server` (a PostgreSQL server's process id) with its own."""
    roots = {os.getpid(), *([database_server] if database_server else [])}
    use = CpuUse()
    (total, busy), mine, waited = machine_ticks(), tree_ticks(roots), waited_ticks()
    yield use
    (later_total, later_busy), later_mine, later_waited = machine_ticks(), tree_ticks(roots), waited_ticks()
    use.ours = later_mine - mine
    use.others = max(0.0, (later_busy - busy - use.ours - (later_waited - waited)) / (later_total - total))


def comment_count(database_url: str) -> int:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(Comment))
    engine.dispose()
    return count


def wrk(url: str, args: list[str], threads: int, connections: int, seconds: int, script: Path) -> str:
    """What the Lua script's done() printed, as its RESULT line. Each call gets its own nonce for
    the submission keys, so no run repeats a key an earlier one sent (that would be a double click)."""
    finished = subprocess.run(
        ["wrk", "--threads", str(threads), "--connections", str(connections), "--duration", f"{seconds}s",
         "--timeout", "30s", "--script", str(script), url, "--", *args, secrets.token_hex(4)],
        capture_output=True, text=True, check=True)
    return next(line for line in finished.stdout.splitlines() if line.startswith("RESULT "))


def run_wrk(name: str, url: str, args: list[str], load: Load, script: Path, log: Path,
            database_url: str | None = None, database_server: int | None = None) -> Result:
    """One wrk run after a warm-up of the same requests, so every worker has loaded its templates
    and connections, and a second's pause for the warm-up's queued requests to finish. With
    `database_url`, the comments stored during the run are counted. CPU the machine spent during
    the run on anything but this script, wrk, gunicorn and `database_server` (a PostgreSQL
    server's process id) is other work."""
    logged = log.stat().st_size
    wrk(url, args, load.threads, load.connections, WARM_UP, script)
    time.sleep(1)
    before = comment_count(database_url) if database_url else 0
    with cpu_use(database_server) as used:
        line = wrk(url, args, load.threads, load.connections, load.duration, script)
    figures = {key: int(value) for key, value in (pair.split("=") for pair in line.split()[1:])}
    stored = comment_count(database_url) - before if database_url else None
    with log.open(encoding="utf-8", errors="replace") as text:
        text.seek(logged)
        errors = [entry for entry in text.read().splitlines() if "ERROR" in entry or "CRITICAL" in entry]
    # wrk has ended by now, so what the tree under this script used is gunicorn's (and the database's)
    return Result(name, figures, stored, errors, used.others, used.ours)


@dataclass
class Round:
    """One round on one database: the portal's runs, each straight after or before its floor's,
    so each pair met the same load from the rest of the machine."""
    page: Result
    page_floor: Result
    comment: Result
    comment_floor: Result
    form_floor: Result
    """The same insert from a bare Flask-WTF form (CSRF token checked against the session), shown
    against the bare floor: what CSRF protection alone costs a form POST in Flask-WTF."""


def rounds_on(label: str, project: Path, databases: tuple[str, str], load: Load, rounds: int, script: Path,
              work: Path, database_servers: tuple[int | None, int | None] = (None, None)) -> list[Round]:
    """`rounds` rounds of the five runs on one database, the portal and the floors served at once
    (an idle server takes no CPU), each on a database of its own (`databases`: the portal's and
    the floor's URLs; `database_servers`: their PostgreSQL servers' process ids)."""
    portal_log, floor_log = work / f"gunicorn-{label}.log", work / f"gunicorn-floor-{label}.log"
    portal_environment = {"PORTAL_PROJECT": str(project), "DATABASE_URL": databases[0],
                          "SECRET_KEY": "bench", "PORTAL_SECURE_COOKIES": "0", "PORTAL_TODAY": TODAY,
                          "COMMENT_RATE_LIMIT": RATE_LIMIT}
    floor_environment = {"PORTAL_PROJECT": str(project), "DATABASE_URL": databases[1]}
    getting = ["GET", "200", "", "", ""]
    done = []
    with (gunicorn("portal.wsgi:application", portal_environment, portal_log) as url,
          gunicorn("bench.throughput:create_floor_app()", floor_environment, floor_log) as floor_url):
        cookie, token = visit(url + PAGE)
        floor_cookie, floor_token = visit(floor_url + FLOOR_PAGE, "csrf_token")
        posting, floor_posting, form_posting = (
            ["POST", "303", cookie, form_body(token), KEY_FIELD],
            ["POST", "200", "", form_body("unused"), KEY_FIELD],
            ["POST", "303", floor_cookie, form_body(floor_token), KEY_FIELD])
        for number in range(rounds):
            runs = {
                "page": lambda: run_wrk(f"{label}: consultation page GET", url + PAGE, getting, load, script,
                                        portal_log, database_server=database_servers[0]),
                "page_floor": lambda: run_wrk(f"{label}: {PAGE_FLOOR}", floor_url + FLOOR_PAGE, getting, load,
                                              script, floor_log),
                "comment": lambda: run_wrk(f"{label}: comment POST", url + COMMENT, posting, load, script,
                                           portal_log, databases[0], database_servers[0]),
                "comment_floor": lambda: run_wrk(f"{label}: {POST_FLOOR}", floor_url + FLOOR_COMMENT,
                                                 floor_posting, load, script, floor_log, databases[1],
                                                 database_servers[1]),
                "form_floor": lambda: run_wrk(f"{label}: {FORM_POST_FLOOR}", floor_url + FLOOR_FORM_COMMENT,
                                              form_posting, load, script, floor_log, databases[1],
                                              database_servers[1]),
            }
            # every other round the other way round, so neither side always runs after the other's
            # inserts (a checkpoint or autovacuum they set off would fall in the next run)
            order = list(runs) if number % 2 == 0 else list(reversed(runs))
            done.append(Round(**{name: runs[name]() for name in order}))
    return done


def postmaster(database: postgres.Server) -> int:
    """The process id of the PostgreSQL server, whose CPU time counts as the server's."""
    return int((database.data / "postmaster.pid").read_text().split()[0])


def report(done: dict[str, list[Round]], load: Load) -> None:
    """Every run's row, lost comments and server errors; then, for each database, the page GET
    against the form page floor and the comment POST against the insert floor: each round's
    share, and the median of the rounds'."""
    runs = [run for rounds in done.values() for one in rounds
            for run in (one.page, one.page_floor, one.comment, one.comment_floor, one.form_floor)]
    print(f"\nwrk: {load.threads} threads, {load.connections} connections, {load.duration} s a run; "
          f"gunicorn: 2 sync workers; comment rate limit raised to {RATE_LIMIT}.")
    print(HEADER)
    for run in runs:
        print(run.row())
    print("(sock: wrk connect/read/write/timeout errors; logerr: ERROR/CRITICAL lines in the server log "
          "during warm-up and run; "
          "other: share of the CPU other processes took during the run; acked: acknowledged by the server; "
          "stored: rows added during the run)")
    busiest = max(run.others for run in runs)
    if busiest > QUIET:
        print(f"WARNING: other processes took up to {busiest:.0%} of the CPU during a run: these "
              "figures are lower and noisier than on a quiet machine; run again when it is idle.")
    print()
    lost = 0
    for run in runs:
        if run.stored is not None:
            acked, stored = run.figures["acknowledged"], run.stored
            lost += max(acked - stored, 0)
            verdict = f"LOST {acked - stored}" if stored < acked else f"none lost, {stored - acked} in flight"
            print(f"{run.name}: {acked} acknowledged, {stored} stored: {verdict}")
        for entry in run.server_errors[:3]:
            print(f"  log: {entry}")
    figure("Comments lost, every run", str(lost), "0")
    print()
    for rounds in done.values():
        compare([(one.page, one.page_floor) for one in rounds], "a bare Flask-WTF one-form page", PAGE_TARGET)
        compare([(one.comment, one.comment_floor) for one in rounds], "the bare-Flask floor", TARGET)
        compare([(one.form_floor, one.comment_floor) for one in rounds], "the bare-Flask floor")
        compare([(one.comment, one.form_floor) for one in rounds], "a bare Flask-WTF form's POST")


def compare(pairs: list[tuple[Result, Result]], floor_name: str, target: float | None = None) -> None:
    """Each round's rate as a share of its floor's, and the median over the rounds as a FIGURE
    (against the target, if it has one); and the same share by the server's CPU time a request,
    which holds better on a busy machine."""
    name = pairs[0][0].name
    for result, floor in pairs:
        print(f"{name} / {floor.name}: {result.rps:.1f} / {floor.rps:.1f} req/s = "
              f"{result.rps / floor.rps:.0%}; by server CPU a request: {floor.cpu_ms:.2f} / "
              f"{result.cpu_ms:.2f} ms = {floor.cpu_ms / result.cpu_ms:.0%}")
    ratio = statistics.median(result.rps / floor.rps for result, floor in pairs)
    by_cpu = statistics.median(floor.cpu_ms / result.cpu_ms for result, floor in pairs)
    rates = statistics.median(result.rps for result, _ in pairs)
    p99 = statistics.median(result.figures["p99_us"] / 1000 for result, _ in pairs)
    goal = "" if target is None else f">= {target:.0%}"
    verdict = "" if target is None else f" ({'meets' if ratio >= target else 'BELOW'} the target, {goal})"
    print(f"{name}: median of {len(pairs)} round(s) {ratio:.0%} of {floor_name}{verdict}; "
          f"by server CPU {by_cpu:.0%}")
    figure(f"{name}, share of {floor_name}", f"{ratio:.0%} (median of {len(pairs)}; {rates:.0f} req/s, "
           f"p99 {p99:.0f} ms)", goal)
    figure(f"{name}, share of {floor_name} by server CPU a request", f"{by_cpu:.0%} (median of {len(pairs)})",
           goal)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the four runs on each database "
                        "(default 3); the shares given are the rounds' medians")
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    load = Load(options.duration, options.threads, options.connections)
    work = Path(tempfile.mkdtemp(prefix="throughput-"))
    try:
        script = work / "load.lua"
        script.write_text(WRK_SCRIPT, encoding="utf-8")
        project = copy_project(work / "project")
        (project / "site").mkdir()
        (project / "site" / "index.html").write_text("<!doctype html><title>Home</title>", encoding="utf-8")
        done = {"SQLite": rounds_on("SQLite", project, (migrated(f"sqlite:///{work / 'portal.sqlite'}"),
                                                        migrated(f"sqlite:///{work / 'floor.sqlite'}")),
                                    load, options.rounds, script, work)}
        # a server each, so the portal's rows do not slow the floor's inserts
        with postgres.server() as database, postgres.server() as floor_database:
            done["PostgreSQL"] = rounds_on("PostgreSQL", project, (migrated(database.url),
                                                                   migrated(floor_database.url)),
                                           load, options.rounds, script, work,
                                           (postmaster(database), postmaster(floor_database)))
        report(done, load)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
