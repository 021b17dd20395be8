"""Consultation pages and exports with 100,000 comments: size, time, rows a second and memory.

Loads comments on the example draft (pets) through the app's own model, `Comment` objects added
and committed 5,000 at a time, into a database migrated by `policy-portal migrate` as staff do it, first on
SQLite and then on the tests' throwaway PostgreSQL. The mix (`bench/comment_mix.py`) is made to
look like a large real consultation, and is the same every run.

The portal then runs under gunicorn with one sync worker, as issue 21 measured it, and a
moderator made with `policy-portal staff-add` signs in. The pages: the public consultation page
(first page, a page halfway and one section), the staff dashboard, the moderation queue (first
page, filtered by a flag, and its last page) and the report (first page, filtered by respondent
group and channel, and its last page, the deepest the database has to skip to). Filters are asked
for by their own names (`consultation.filters.Filters`), and a page that says a filter was not
understood stops the run, so a renamed filter cannot quietly be measured unfiltered.

For each page, after one warm-up request (counted when the page takes seconds): the median time
of up to `--requests` requests (fewer when a page is so slow that they would take more than
`--budget` seconds, never fewer than three), measured by the client from sending the request to
the last byte; the size of the body, and gzipped at level 6 as a web server sends it. The pages
keep their addresses as they become paged and filterable; a page that does not know a
query-string parameter (`?page=`, `?section=`) ignores it and shows everything.

Exports are also timed as rows a second, and their memory is measured at a tenth of the
comments and at all of them: each export in a newly started server (after signing in), its
peak resident memory reset just before the download (`/proc/PID/clear_refs`), so the peak is
that request's. Flat memory means the worker grows by about as much for the full export as for
a tenth of it.

gunicorn's worker timeout is raised to 10 minutes, so a slow page is measured rather than
killed. Run it on an idle machine: the figures are wall-clock times.

Run: python bench/comments.py [--comments 100000] [--databases sqlite postgresql] [--quick]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import http.cookiejar
import io
import json
import os
import re
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
from functools import cached_property
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import figure  # noqa: E402
from bench.comment_mix import Comments  # noqa: E402
from bench.throughput import QUIET, cpu_use, postmaster, process_ticks, served  # noqa: E402
from consultation.database import make_engine  # noqa: E402
from consultation.filters import Filters  # noqa: E402
from consultation.models import Comment, PanelInvitation  # noqa: E402
from consultation.paging import PAGE_SIZE, Page  # noqa: E402
from policy_portal.consultations.rules import RespondentType  # noqa: E402
from policy_portal.project import load_project  # noqa: E402
from policy_portal.text.sections import sections  # noqa: E402
from tests import postgres  # noqa: E402
from tests.conftest import TODAY, copy_project  # noqa: E402

SLUG = "pets"
APP = "/consultations"
"""Where the portal serves the consultation app; the paths below are the app's own."""
STAFF_EMAIL, STAFF_PASSWORD = "bench.moderator@example.org", "a bench password, long enough"
BATCH = 5_000
"""Comments a commit: the ORM sends them in a few multi-row INSERTs, big enough that
per-statement costs vanish, small enough to keep the loader's memory low."""
TIME_TARGET_MS, SIZE_TARGET_KB, ROWS_TARGET = 300, 150, 20_000
FLAT_MB = 10
"""How much more a worker may grow for the whole export than for a tenth of it and still count
as flat: a comment kept in memory costs kilobytes, so 90,000 more kept would be hundreds of MB."""
NOW = dt.datetime.fromisoformat(TODAY).replace(tzinfo=dt.UTC)
"""The benchmark's today, as the tests': the example draft is open for comments."""
TIMEOUT = "600"
"""gunicorn's worker timeout, in seconds: the pages before paging take longer than its 30."""

def load(database_url: str, comments: Comments, count: int) -> float:
    """Add `count` more comments as `Comment` objects, committed `BATCH` at a time; the seconds the
    adding and commits took (making the rows is the benchmark's work, not counted). Objects, not
    a bulk insert of dicts (several times faster), so whatever the model does when an attribute is
    set (a validator keeping a derived column or table in step, say) happens here as in the app."""
    engine = make_engine(database_url)
    seconds = 0.0
    with Session(engine) as db:
        for done in range(0, count, BATCH):
            rows = list(comments.rows(min(BATCH, count - done)))
            started = time.perf_counter()
            db.add_all([Comment(**row) for row in rows])
            db.commit()
            seconds += time.perf_counter() - started
    engine.dispose()
    return seconds


def invite_panel(database_url: str, members: int = 12) -> list[int]:
    """Panel invitations for the draft, through the model: the ids panel members' comments carry."""
    engine = make_engine(database_url)
    with Session(engine) as db:
        invitations = [PanelInvitation(policy_slug=SLUG, member_name=f"Panel member {number}", created_at=NOW,
                                       expires_at=NOW + dt.timedelta(days=30)) for number in range(members)]
        db.add_all(invitations)
        db.commit()
        ids = [invitation.id for invitation in invitations]
    engine.dispose()
    return ids


def last_page(database_url: str, *conditions) -> int:
    """The number of the last page of the draft's comments meeting `conditions`, counted in SQL."""
    engine = make_engine(database_url)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(Comment).where(
            Comment.policy_slug == SLUG, *conditions))
    engine.dispose()
    return Page((), 1, PAGE_SIZE, count).count


def query(filters: Filters, **more: object) -> str:
    """A query string asking for `filters` by the names the app reads them by, and `more`."""
    return "?" + urllib.parse.urlencode({**filters.args(keep_policy=False), **more})


NOT_UNDERSTOOD = b"is not one of the choices"
"""What a staff page says of a filter value it does not offer (`consultation.filters.read`)."""


def portal_cli(project: Path, database_url: str, *args: str, password: str | None = None) -> None:
    """`policy-portal` as staff run it, on this project and database."""
    subprocess.run([sys.executable, "-m", "portal.cli", "--project", str(project), *args], check=True,
                   cwd=ROOT, input=password, text=True, capture_output=True,
                   env={**os.environ, "DATABASE_URL": database_url, "PORTAL_TODAY": TODAY,
                        "PYTHONPATH": str(ROOT)})


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """Signing in answers with a redirect to the dashboard, which is not measured."""

    def redirect_request(self, *args, **kwargs):
        return None


TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
"""A form's CSRF token: the sign-in form's (written by WTForms) or any staff page's own forms'."""


class Staff:
    """A browser signed in as the benchmark's moderator, on one running portal."""

    def __init__(self, url: str) -> None:
        self.url = url + APP
        cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(cookies, NoRedirects)
        page = self.opener.open(f"{self.url}/staff/sign-in", timeout=60).read().decode()
        form = {"csrf_token": TOKEN.search(page).group(1), "email": STAFF_EMAIL, "password": STAFF_PASSWORD}
        try:
            self.opener.open(f"{self.url}/staff/sign-in", urllib.parse.urlencode(form).encode(), timeout=60)
        except urllib.error.HTTPError as answer:
            if answer.code != 303:
                raise RuntimeError(f"signing in as {STAFF_EMAIL} answered {answer.code}") from None
        else:
            raise RuntimeError("signing in did not redirect: the password was refused")
        dashboard = self.opener.open(f"{self.url}/staff/", timeout=60).read().decode()
        self.token = TOKEN.search(dashboard).group(1)  # the signed-in session's, for the downloads

    def get(self, path: str) -> tuple[bytes, float]:
        """The body of a page that must answer 200, and the seconds from request to last byte.
        An export (`EXPORTS`) is asked for as its button on the report page asks: a POST with
        the CSRF token. A page saying a filter in `path` was not understood stops the run."""
        export = path in EXPORTS.values()
        form = urllib.parse.urlencode({"csrf_token": self.token}).encode() if export else None
        started = time.perf_counter()
        with self.opener.open(self.url + path, form, timeout=int(TIMEOUT)) as answer:
            body = answer.read()
        seconds = time.perf_counter() - started
        if NOT_UNDERSTOOD in body:
            raise RuntimeError(f"{path} says a filter in its address is not one of the choices: "
                               "the benchmark's filters no longer match the app's")
        return body, seconds


def export_rows(name: str, body: bytes) -> int | None:
    """Comments in an export (None for a page): CSV records after the header, or the JSON report's
    list of comments (or the list itself, should the export become one)."""
    if name.startswith("CSV"):
        return sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8")))) - 1
    if name.startswith("JSON"):
        report = json.loads(body)
        return len(report["comments"] if isinstance(report, dict) else report)
    return None


@dataclass
class Measured:
    name: str
    times: list[float]
    body: bytes
    cpu: float
    """The worker's CPU seconds a timed request, on average: less swayed than `times` by other work
    on a shared machine. On PostgreSQL the database server's share is not in it."""

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times) * 1000

    @cached_property  # read several times a report; gzipping a 50 MB download once is enough
    def gzipped_kb(self) -> float:
        return len(gzip.compress(self.body, 6)) / 1024

    @cached_property  # parsing a 100,000-row download once is enough
    def rows(self) -> int | None:
        return export_rows(self.name, self.body)

    def row(self) -> str:
        rows = self.rows
        rate = f"{rows:>8,} rows {rows / statistics.median(self.times):>8,.0f}/s" if rows is not None else ""
        verdict = "" if rows is not None else "  " + ("met" if self.median_ms < TIME_TARGET_MS and
                                                     self.gzipped_kb < SIZE_TARGET_KB else "OVER")
        return (f"{self.name:<44} {len(self.times):>4} {self.median_ms:>9,.0f} {self.cpu * 1000:>7,.0f} "
                f"{len(self.body) / 1024:>10,.1f} {self.gzipped_kb:>9,.1f}{verdict}  {rate}").rstrip()


SLOW = 2.0
"""Seconds: a page this slow counts its warm-up request as its first timed one, which costs a
page of many seconds less than a tenth more than a warm request and saves a long wait."""


def measure(staff: Staff, worker: int, name: str, path: str, requests: int, budget: float) -> Measured:
    """One warm-up request (counted when slower than `SLOW`), then up to `requests` timed ones, at
    least three, within `budget` seconds; `worker` is the server's process id, for its CPU time."""
    started, cpu = time.perf_counter(), cpu_seconds(worker)
    body, seconds = staff.get(path)
    times = [seconds] if seconds > SLOW else []
    if not times:
        cpu = cpu_seconds(worker)
    while len(times) < requests and (len(times) < 3 or time.perf_counter() - started < budget):
        body, seconds = staff.get(path)
        times.append(seconds)
    return Measured(name, times, body, (cpu_seconds(worker) - cpu) / len(times))


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used so far, user and system."""
    return process_ticks(pid)[1] / os.sysconf("SC_CLK_TCK")


EXPORTS = {"CSV export": f"/staff/reports/{SLUG}/comments.csv",
           "JSON export": f"/staff/reports/{SLUG}/report.json"}


@dataclass
class Memory:
    rows: int
    peak_mb: float
    growth_mb: float
    """Peak during the download less the worker's size just before it."""


@contextmanager
def portal(project: Path, database_url: str, log: Path) -> Iterator[tuple[Staff, int]]:
    """The portal under gunicorn with one worker, and the moderator signed in: (staff, worker's pid)."""
    environment = {"PORTAL_PROJECT": str(project), "DATABASE_URL": database_url, "SECRET_KEY": "bench",
                   "PORTAL_SECURE_COOKIES": "0", "PORTAL_TODAY": TODAY}
    with served("portal.wsgi:application", environment, log, workers=1, options=("--timeout", TIMEOUT)) \
            as (url, server):
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        try:
            yield Staff(url), int(children[0])
        except urllib.error.HTTPError as error:  # say why, from the server's log
            tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-20:])
            raise RuntimeError(f"{error.url} answered {error.code}; the end of the server's log:\n"
                               f"{tail}") from None


def memory_mb(pid: int, field: str) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE).group(1)) / 1024


def export_memory(project: Path, database_url: str, log: Path, path: str, name: str) -> Memory:
    """One download of an export in a newly started worker, its peak memory that request's alone."""
    with portal(project, database_url, log) as (staff, worker):
        before = memory_mb(worker, "VmRSS")
        Path(f"/proc/{worker}/clear_refs").write_text("5")  # resets the peak (VmHWM) to now
        body, _ = staff.get(path)
        peak = memory_mb(worker, "VmHWM")
    return Memory(export_rows(name, body), peak, peak - before)


def run_database(label: str, project: Path, database_url: str, options: argparse.Namespace,
                 work: Path, database_server: int | None = None) -> None:
    """Everything for one database: load a tenth, exports' memory, load the rest, then every page.
    `database_server`: the PostgreSQL server's process id, whose CPU is not other processes'."""
    total = options.comments
    portal_cli(project, database_url, "migrate")
    portal_cli(project, database_url, "staff-add", STAFF_EMAIL, "--name", "Bench Moderator",
               password=STAFF_PASSWORD + "\n")
    loaded = load_project(project)
    started = time.perf_counter()
    comments = Comments(loaded.library[SLUG], loaded, total, invite_panel(database_url), NOW)
    prepared = time.perf_counter() - started
    log = work / f"gunicorn-{label}.log"
    tenth = total // 10
    seconds = load(database_url, comments, tenth)
    small = {name: export_memory(project, database_url, log, path, name) for name, path in EXPORTS.items()}
    seconds += load(database_url, comments, total - tenth)
    print(f"\n{label}: {total:,} comments loaded in {seconds:.1f} s ({total / seconds:,.0f} rows/s), "
          f"after {prepared:.1f} s screening the pool of texts.")
    figure(f"{label}: loading {total:,} comments (Comment objects, {BATCH:,} a commit)",
           f"{seconds:.1f} s, {total / seconds:,.0f} rows/s")
    large = {name: export_memory(project, database_url, log, path, name) for name, path in EXPORTS.items()}
    later = max(1, last_page(database_url, Comment.moderation == "approved", Comment.may_publish) // 2)
    queue_end = last_page(database_url, Comment.moderation == "new")  # only the example draft has comments
    report_end = last_page(database_url)
    section = sections(loaded.library[SLUG].body)[1].key
    tenants_online = Filters(respondent=RespondentType.TENANT.value, channel="online")
    pages = {"public consultation page, first page": f"/{SLUG}/",
             f"public consultation page, page {later}": f"/{SLUG}/?page={later}",
             "public consultation page, one section": f"/{SLUG}/?section={section}",
             "staff dashboard": "/staff/",
             "staff queue": "/staff/queue",
             "staff queue, flagged for a phone number": "/staff/queue" + query(Filters(flag="phone")),
             f"staff queue, last page ({queue_end:,})": "/staff/queue" + query(Filters(), page=queue_end),
             "report page": f"/staff/reports/{SLUG}/",
             "report page, tenants online": f"/staff/reports/{SLUG}/" + query(tenants_online),
             f"report page, last page ({report_end:,})": f"/staff/reports/{SLUG}/" + query(Filters(),
                                                                                         page=report_end),
             **EXPORTS}
    with portal(project, database_url, log) as (staff, worker), cpu_use(database_server) as used:
        measured = [measure(staff, worker, name, path, options.requests, options.budget)
                    for name, path in pages.items()]
    report(label, total, measured, small, large)
    print(f"Other processes took {used.others:.0%} of the machine's CPU while the pages were measured.")
    if used.others > QUIET:
        print("WARNING: the machine was busy: these times are longer and noisier than on an idle one.")


def report(label: str, total: int, measured: list[Measured], small: dict[str, Memory],
           large: dict[str, Memory]) -> None:
    print(f"{label}, {total:,} comments, gunicorn 1 sync worker:")
    print(f"{'page':<44} {'reqs':>4} {'median ms':>9} {'CPU ms':>7} {'raw KB':>10} {'gzip KB':>9}")
    for result in measured:
        print(result.row())
    print(f"(pages: target under {TIME_TARGET_MS} ms at the median and under {SIZE_TARGET_KB} KB gzipped; "
          f"exports: at least {ROWS_TARGET:,} rows/s)")
    for result in measured:
        size = f"{len(result.body) / 1024:,.1f} KB raw, {result.gzipped_kb:,.1f} KB gzipped"
        name = f"{label} {total:,}: {result.name}"
        if result.rows is None:
            figure(name, f"median {result.median_ms:,.0f} ms ({len(result.times)} requests, worker CPU "
                   f"{result.cpu * 1000:,.0f} ms each); {size}",
                   f"< {TIME_TARGET_MS} ms, < {SIZE_TARGET_KB} KB gzipped")
        else:
            rate = result.rows / statistics.median(result.times)
            figure(name, f"{rate:,.0f} rows/s ({result.rows:,} rows, median {result.median_ms / 1000:.2f} s "
                   f"of {len(result.times)}, worker CPU {result.cpu:.2f} s each); {size}",
                   f">= {ROWS_TARGET:,} rows/s")
    for name in EXPORTS:
        before, after = small[name], large[name]
        flat = after.growth_mb - before.growth_mb <= FLAT_MB
        print(f"{name}: worker peak {before.peak_mb:.0f} MB at {before.rows:,} rows, {after.peak_mb:.0f} MB "
              f"at {after.rows:,} (grew {before.growth_mb:.0f} and {after.growth_mb:.0f} MB during the "
              f"download): {'flat' if flat else 'NOT flat'}")
        figure(f"{label}: {name} worker peak RSS, {before.rows:,} vs {after.rows:,} rows",
               f"{before.peak_mb:.0f} vs {after.peak_mb:.0f} MB (grew {before.growth_mb:.0f} vs "
               f"{after.growth_mb:.0f} MB)", f"flat: grows <= {FLAT_MB} MB more")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000, help="how many comments (default 100,000)")
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgresql"],
                        default=["sqlite", "postgresql"], help="which databases (default both)")
    parser.add_argument("--requests", type=int, default=20, help="timed requests a page (default 20)")
    parser.add_argument("--budget", type=float, default=60,
                        help="seconds of timed requests a page at most, after three (default 60)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 1,000 comments, 3 requests a page, SQLite only")
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("Stopped."))  # still stops its servers
    if options.quick:
        options.comments, options.requests, options.databases = 1_000, 3, ["sqlite"]
    if options.comments < 10:
        parser.error("--comments must be at least 10 (the memory figures compare a tenth with all)")
    work = Path(tempfile.mkdtemp(prefix="comments-bench-"))
    try:
        project = copy_project(work / "project")
        (project / "site").mkdir()
        (project / "site" / "index.html").write_text("<!doctype html><title>Home</title>", encoding="utf-8")
        if "sqlite" in options.databases:
            run_database("SQLite", project, f"sqlite:///{work / 'portal.sqlite'}", options, work)
        if "postgresql" in options.databases:
            with postgres.server() as database:
                run_database("PostgreSQL", project, database.url, options, work, postmaster(database))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
