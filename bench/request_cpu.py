"""The consultation app's CPU time a request, in one process, against the floors of throughput.py.

`bench/throughput.py` measures what the targets ask (requests a second under gunicorn and wrk),
but on a machine shared with other work its shares swing by 15 points or more from one run to
the next, more than most changes to the app. Here the portal's consultation app and the floor
app (`bench.throughput.create_floor_app`) run in this one process through Flask's test client,
in interleaved batches, each timed by this process's CPU time, which other work on the machine
barely changes. So this is the figure to compare a change by; throughput.py's is the target's.

Both apps skip HTTP and gunicorn here, whose cost (the same for both) raises the share under a
real server: these shares are lower than throughput.py's would be on a quiet machine. On
PostgreSQL only this process's CPU is counted, not the server's: for the bench's comment (no
email, no flags) both apps send it the same statements, one INSERT ... RETURNING and a commit.

- comment POST: as in throughput.py, one visitor's session and token, a new submission key each
  time, against the floor's plain insert (the target's floor), and against the same insert from
  a bare Flask-WTF form that checks its CSRF token against the session and answers with a
  redirect: the least a form POST with CSRF protection costs in Flask-WTF. On SQLite and on
  PostgreSQL (a server each).
- page GET: the consultation page opened with no cookie, against the bare Flask-WTF page.

Run: python bench/request_cpu.py [--batches 12] [--requests 300]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from werkzeug.test import TestResponse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import figure  # noqa: E402
from bench.throughput import (  # noqa: E402
    COMMENT,
    FLOOR_COMMENT,
    FLOOR_FORM_COMMENT,
    FLOOR_PAGE,
    KEY_FIELD,
    PAGE,
    RATE_LIMIT,
    TOKEN,
    create_floor_app,
    form_body,
)
from consultation import create_app  # noqa: E402
from tests import postgres  # noqa: E402
from tests.conftest import TODAY, copy_project, migrated  # noqa: E402
from tests.consultation_pages import SECTION  # noqa: E402

MOUNT = "/consultations"
"""The portal serves the app under this path; here the app is called on its own."""
FORM = "application/x-www-form-urlencoded"

Request = Callable[[], None]


def expect(status: int, response: TestResponse) -> None:
    if response.status_code != status:
        raise SystemExit(f"expected {status}, got {response.status_code}: "
                         f"{response.get_data(as_text=True)[:500]}")


def comparisons(project: Path, databases: tuple[str, str]) -> list[tuple[str, Request, str, Request]]:
    """(what, the portal's request, which floor, the floor's request) for the page GET and the
    comment POST, the POST against both insert floors; `databases`: the portal's and the floor's
    URLs."""
    app = create_app(project, {"DATABASE_URL": databases[0], "SECRET_KEY": "bench",
                               "COMMENT_RATE_LIMIT": RATE_LIMIT, "SESSION_COOKIE_SECURE": False})
    os.environ.update(DATABASE_URL=databases[1], PORTAL_PROJECT=str(project))
    floor_app = create_floor_app()
    floor, floor_visitor = floor_app.test_client(use_cookies=False), floor_app.test_client()
    visitor, first_visits = app.test_client(), app.test_client(use_cookies=False)
    page, comment = PAGE.removeprefix(MOUNT), COMMENT.removeprefix(MOUNT)
    token = dict(TOKEN.findall(visitor.get(page).get_data(as_text=True)))[f"{SECTION}-csrf_token"]
    floor_token = dict(TOKEN.findall(floor_visitor.get(FLOOR_PAGE).get_data(as_text=True)))["csrf_token"]
    body, floor_body, form_floor_body = form_body(token), form_body("unused"), form_body(floor_token)

    def key() -> str:
        return f"&{KEY_FIELD}={uuid.uuid4()}"

    def posting() -> None:
        expect(303, visitor.post(comment, data=body + key(), content_type=FORM))

    return [
        ("consultation page GET", lambda: expect(200, first_visits.get(page)),
         "the bare Flask-WTF form page", lambda: expect(200, floor.get(FLOOR_PAGE))),
        ("comment POST", posting, "the bare-Flask insert floor",
         lambda: expect(200, floor.post(FLOOR_COMMENT, data=floor_body + key(), content_type=FORM))),
        ("comment POST", posting, "a bare Flask-WTF form's insert (CSRF, session, redirect)",
         lambda: expect(303, floor_visitor.post(FLOOR_FORM_COMMENT, data=form_floor_body + key(),
                                                content_type=FORM))),
    ]


def cpu_ms(request: Request, count: int) -> float:
    started = time.process_time()
    for _ in range(count):
        request()
    return (time.process_time() - started) / count * 1000


def compare(label: str, name: str, ours: Request, floor_name: str, floor: Request,
            options: argparse.Namespace) -> None:
    """Batches of each in turn after a warm-up; the median of the batches' shares."""
    cpu_ms(ours, 50), cpu_ms(floor, 50)
    count = options.requests
    times = []
    for number in range(options.batches):  # every other batch the floor first: neither always pays
        if number % 2:                     # for the garbage the other left
            theirs = cpu_ms(floor, count)
            times.append((cpu_ms(ours, count), theirs))
        else:
            times.append((cpu_ms(ours, count), cpu_ms(floor, count)))
    share = statistics.median(theirs / mine for mine, theirs in times)
    mine, theirs = statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)
    print(f"{label}: {name}: {mine:.3f} ms of CPU a request; {floor_name}: {theirs:.3f} ms; {share:.0%} "
          f"(median of {options.batches} batches of {count})")
    figure(f"{label}: {name}, in-process CPU share of {floor_name}",
           f"{share:.0%} ({mine:.2f} / {theirs:.2f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=12, help="batches of each request (default 12)")
    parser.add_argument("--requests", type=int, default=300, help="requests a batch (default 300)")
    options = parser.parse_args()
    os.environ["PORTAL_TODAY"] = TODAY
    work = Path(tempfile.mkdtemp(prefix="request-cpu-"))
    try:
        project = copy_project(work / "project")
        sqlite = tuple(migrated(f"sqlite:///{work / name}") for name in ("portal.sqlite", "floor.sqlite"))
        for compared in comparisons(project, sqlite):
            compare("SQLite", *compared, options)
        with postgres.server() as database, postgres.server() as floor_database:
            for compared in comparisons(project, (migrated(database.url), migrated(floor_database.url)))[1:]:
                compare("PostgreSQL", *compared, options)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
