"""The staff side at 100,000 comments (issue 21, part 1): the queue, the report and the downloads.

Loads `--comments` comments on the pets draft into a new database (SQLite, then the tests'
throwaway PostgreSQL unless `--sqlite-only`), in batches through the app's tables, with a mix
like a large consultation's: every respondent type, a tenth flagged, some approved, hidden,
answered, with suggested wording or typed in from a phone call or letter. Then, signed in as a
moderator through the app's own sign-in, it fetches each staff page with Flask's test client
(in-process: no HTTP server, so these are the app's own times) and prints the median of
`--runs` fetches and the size sent, raw and gzipped.

The downloads run in a child process each, which reads the streamed answer chunk by chunk as a
browser would and reports rows a second (of wall-clock time, and of the process's own CPU time,
which other work on a shared machine does not change) and the process's peak memory (ru_maxrss) before and
after the download, once on a database of 10,000 comments and once on 100,000: memory that stays
the same for ten times the rows is what "streamed in constant memory" means.

Run: python bench/staff_lists.py [--comments 100000] [--runs 7] [--sqlite-only]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PORTAL_TODAY", "2026-11-23")  # the example pets draft is open for comments

from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from sqlalchemy import insert

from bench import figure
from consultation import actions, auth, create_app
from consultation.database import make_engine, upgrade
from consultation.models import Comment, CommentFlag
from policy_portal.consultations.rules import CHANNELS, OUTCOMES, RespondentType
from tests import postgres

ROOT = Path(__file__).resolve().parent.parent
PROJECT_FILES = ("mkdocs.yml", "docs", "hooks", "overrides", "policies")
SECTIONS = [(None, None), ("1-introduction", "1. Introduction"),
            ("2-what-needs-our-permission", "2. What needs our permission"),
            ("3-how-to-ask-for-permission", "3. How to ask for permission"),
            ("6-looking-after-your-pet", "6. Looking after your pet")]
BODY = ("We have two cats and a small dog, and the draft says we must ask before getting another. "
        "That seems fair, but the form takes weeks to come back and nobody tells you why. ")
PASSWORD = "a password for the benchmark only"
SETTINGS = {"SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": False, "SIGN_IN_RATE_LIMIT": "1000 per minute"}
PAGES = {
    "dashboard": "/staff/",
    "queue": "/staff/queue",
    "queue, flagged for a phone number": "/staff/queue?flag=phone",
    "queue, page 1,000": "/staff/queue?page=1000",
    "report": "/staff/reports/pets/",
    "report, tenants online": "/staff/reports/pets/?respondent=tenant&channel=online",
    "report, page 1,500": "/staff/reports/pets/?page=1500",
}
EXPORTS = {"CSV": "/staff/reports/pets/comments.csv", "JSON": "/staff/reports/pets/report.json"}
BATCH = 5000


def project(folder: Path) -> Path:
    for name in PROJECT_FILES:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, folder / name)
    return folder


def load(url: str, count: int, seed: int = 21) -> None:
    """`count` comments in batches of BATCH, with the flags' rows `Comment._index_flags` would
    write (set here directly: a bulk insert skips the ORM's per-object hooks). PostgreSQL's
    tables are then vacuumed and analysed, as autovacuum does to a table that grew over weeks:
    straight after a bulk load its planner knows nothing of the rows, and index-only scans still
    read the table."""
    engine = make_engine(url)
    upgrade(engine)
    rng = random.Random(seed)
    started = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    kinds, channels, outcomes = list(RespondentType), list(CHANNELS), list(OUTCOMES)
    with engine.begin() as connection:
        next_id = 1
        for first in range(0, count, BATCH):
            comments, flags = [], []
            for number in range(first, min(count, first + BATCH)):
                key, title = SECTIONS[number % len(SECTIONS)]
                flagged = rng.random() < 0.1
                state = rng.choices(["new", "approved", "hidden"], [0.6, 0.35, 0.05])[0]
                answered = state != "new" and rng.random() < 0.5
                wording = "Ask only for dogs." if key and rng.random() < 0.2 else None
                body = BODY + (f"Ring me on 07700 9{number % 100000:05d}." if flagged else "")
                comments.append({
                    "id": next_id, "reference": f"C-{number:09d}",
                    "submission_key": str(uuid.UUID(int=number)), "policy_slug": "pets",
                    "policy_version": "0.2", "section_key": key, "section_title": title,
                    "respondent_type": kinds[number % len(kinds)].value, "name": None, "email": None,
                    "body": body, "suggested_wording": wording, "may_publish": rng.random() < 0.7,
                    "created_at": started + dt.timedelta(seconds=20 * number),
                    "flags": json.dumps([{"start": len(BODY) + 11, "end": len(body) - 1, "kind": "phone",
                                          "text": body[len(BODY) + 11:-1]}] if flagged else []),
                    "unflagged": not flagged, "screened_body": BODY + ("Ring me on [phone number removed]."
                                                                 if flagged else ""),
                    "screened_wording": wording, "moderation": state,
                    "rule_broken": "offensive" if state == "hidden" else None,
                    "response_outcome": rng.choice(outcomes) if answered else None,
                    "response_text": "We changed the form so it comes back in a week." if answered else None,
                    "channel": "online" if rng.random() < 0.85 else rng.choice(channels),
                })
                if flagged:
                    flags.append({"comment_id": next_id, "kind": "phone"})
                next_id += 1
            connection.execute(insert(Comment), comments)
            if flags:
                connection.execute(insert(CommentFlag), flags)
    if engine.dialect.name == "postgresql":  # what autovacuum does to a table that grew over weeks
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE comments, comment_flags")
    engine.dispose()


def moderator(folder: Path, url: str) -> FlaskClient:
    """A test client signed in as a moderator, through the sign-in form."""
    app = create_app(folder, {**SETTINGS, "DATABASE_URL": url})
    email = f"mo-{uuid.uuid4().hex[:8]}@larkfield.example"  # one account a run
    with app.app_context():
        actions.add_staff_user(email, "Mo", "moderator", auth.hash_password(PASSWORD), "bench")
    client = app.test_client()
    page = BeautifulSoup(client.get("/staff/sign-in").get_data(as_text=True), "html.parser")
    token = page.find("input", attrs={"name": "csrf_token"})["value"]
    answer = client.post("/staff/sign-in", data={"csrf_token": token, "email": email,
                                                 "password": PASSWORD})
    assert answer.status_code == 303, answer.status_code
    return client


def pages(client: FlaskClient, runs: int, database: str) -> None:
    for name, address in PAGES.items():
        times = []
        for _ in range(runs):
            began = time.perf_counter()
            response = client.get(address)
            body = response.get_data()
            times.append(time.perf_counter() - began)
            assert response.status_code == 200, (address, response.status_code)
        median = statistics.median(times) * 1000
        packed = len(gzip.compress(body, 6)) / 1024
        print(f"{database:10} {name:38} {median:7.0f} ms  {len(body) / 1024:7.0f} KB  "
              f"{packed:6.1f} KB gzipped")
        figure(f"{database}: {name}", f"{median:.0f} ms, {packed:.0f} KB gzipped", "< 300 ms, < 150 KB")


def export_child(folder: Path, url: str, address: str) -> None:
    """Run in its own process: one download read chunk by chunk; prints JSON figures."""
    client = moderator(folder, url)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    began, cpu = time.perf_counter(), time.process_time()
    response = client.get(address, buffered=False)
    size = chunks = 0
    for chunk in response.response:
        size += len(chunk)
        chunks += 1
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    response.close()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu": cpu, "bytes": size, "chunks": chunks, "rss_before": before,
                      "rss_after": after}))


def exports(folder: Path, urls: dict[int, str], database: str) -> None:
    for kind, address in EXPORTS.items():
        peaks = {}
        for count, url in urls.items():
            result = subprocess.run([sys.executable, __file__, "--export-child", str(folder), url, address],
                                    capture_output=True, text=True, check=True)
            measured = json.loads(result.stdout.strip().splitlines()[-1])
            rate = count / measured["seconds"]
            peaks[count] = measured["rss_after"]
            print(f"{database:10} {kind} of {count:>7,} rows: {measured['seconds']:6.2f} s, "
                  f"{rate:8,.0f} rows/s ({count / measured['cpu']:,.0f} a CPU second), "
                  f"{measured['bytes'] / 1e6:6.1f} MB in {measured['chunks']} chunks, peak memory "
                  f"{measured['rss_before']:.0f} MB before, {measured['rss_after']:.0f} MB after")
            figure(f"{database}: {kind} download, {count:,} rows", f"{rate:,.0f} rows/s", ">= 20,000 rows/s")
        low, high = min(peaks), max(peaks)
        figure(f"{database}: {kind} peak memory, {low:,} vs {high:,} rows",
               f"{peaks[low]:.0f} MB vs {peaks[high]:.0f} MB", "flat")


def bench(folder: Path, urls: dict[int, str], runs: int, database: str) -> None:
    for count, url in urls.items():
        began = time.perf_counter()
        load(url, count)
        print(f"{database:10} loaded {count:,} comments in {time.perf_counter() - began:.1f} s")
    pages(moderator(folder, urls[max(urls)]), runs, database)
    exports(folder, urls, database)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--export-child", nargs=3, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.export_child:
        folder, url, address = arguments.export_child
        export_child(Path(folder), url, address)
        return
    sizes = sorted({arguments.comments // 10, arguments.comments})
    with tempfile.TemporaryDirectory(prefix="bench-staff-") as work:
        (Path(work) / "project").mkdir()
        folder = project(Path(work) / "project")
        bench(folder, {count: f"sqlite:///{work}/comments-{count}.sqlite" for count in sizes}, arguments.runs,
              "SQLite")
        if not arguments.sqlite_only:
            with postgres.server() as server:
                base = server.url.rsplit("/", 1)[0]
                for count in sizes:
                    server._run("createdb", "-h", "127.0.0.1", "-p", str(server.port), "-U", "portal",
                                f"comments_{count}")
                bench(folder, {count: f"{base}/comments_{count}" for count in sizes}, arguments.runs,
                      "PostgreSQL")


if __name__ == "__main__":
    main()
