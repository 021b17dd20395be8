"""Publishing a consultation's outcome to 100,000 respondents: time and memory of queueing their emails.

Loads comments on the example draft (pets) as `bench/comments.py` does (the same mix, through the
app's own model, into a database migrated by `policy-portal migrate`), then gives every comment
an email address, the worst case: each gets an outcome email. The app, on the day after the
board decided, publishes the outcome as the staff page does (`actions.publish_outcome`), which
queues the emails a batch of `outcomes.BATCH` comments a transaction.

Figures, on SQLite and on the tests' throwaway PostgreSQL, for a tenth of the comments and then
for all of them, each in a database of its own: the seconds publishing took, emails queued a
second, this process's CPU seconds, and how much its peak resident memory grew while publishing
(`/proc/self/clear_refs` resets the peak just before). Flat memory: about the same growth for
the whole as for a tenth. The longest a transaction held the database is the time of one batch:
the total divided by the batches.

Run: python bench/outcome_emails.py [--comments 100000] [--databases sqlite postgresql]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import figure  # noqa: E402
from bench.comment_mix import Comments  # noqa: E402
from bench.comments import NOW, SLUG, invite_panel, load, memory_mb, portal_cli  # noqa: E402
from consultation import actions, context, create_app, outcomes  # noqa: E402
from consultation.database import make_engine  # noqa: E402
from consultation.models import OutboxMessage  # noqa: E402
from policy_portal.clock import Clock  # noqa: E402
from policy_portal.project import load_project  # noqa: E402
from tests import postgres  # noqa: E402
from tests.conftest import copy_project  # noqa: E402

DECIDED = dt.date(2027, 1, 5)
"""After the example draft's consultation closed (21 December 2026): the board's meeting, and today."""


def publish(project: Path, database_url: str, total: int) -> tuple[int, float, float, float, float]:
    """Load `total` comments, each with an address, and publish the outcome: (emails queued,
    seconds, CPU seconds, resident MB before publishing, and the peak while publishing)."""
    portal_cli(project, database_url, "migrate")
    loaded = load_project(project)
    load(database_url, Comments(loaded.library[SLUG], loaded, total, invite_panel(database_url), NOW), total)
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE comments SET email = 'r' || id || '@example.net', "
                                "email_key = 'r' || id || '@example.net', personal_data_erased_at = NULL"))
    engine.dispose()
    settings = {"DATABASE_URL": database_url, "SECRET_KEY": "bench",
                "PORTAL_URL": "https://policies.example.org/consultations/"}
    app = create_app(loaded, settings, Clock(day=DECIDED))
    with app.test_request_context("/"):
        policy = context.library()[SLUG]
        closes = policy.consultation.closes
        gc.collect()
        before = memory_mb(os.getpid(), "VmRSS")
        Path("/proc/self/clear_refs").write_text("5")  # resets the peak (VmHWM) to now
        started, cpu = time.perf_counter(), time.process_time()
        actions.publish_outcome(policy, decision="approved", approved_version="1.0", decided_on=DECIDED,
                                summary="Approved with the changes you asked for.", closes=closes,
                                actor="bench")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        peak = memory_mb(os.getpid(), "VmHWM")
        queued = context.database().scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.kind == "outcome"))
    app.extensions["engine"].dispose()
    return queued, seconds, cpu, before, peak


def report(label: str, results: list[tuple[int, float, float, float, float]]) -> None:
    for queued, seconds, cpu, before, peak in results:
        grew = peak - before
        batches = -(-queued // outcomes.BATCH)
        print(f"{label}: {queued:,} outcome emails queued in {seconds:.1f} s ({queued / seconds:,.0f}/s, "
              f"CPU {cpu:.1f} s), {batches} transactions of about {seconds / batches:.2f} s each; "
              f"peak memory {peak:.0f} MB, {grew:.0f} MB more than before publishing")
        figure(f"{label}: publishing an outcome to {queued:,} respondents",
               f"{seconds:.1f} s, {queued / seconds:,.0f} emails/s, CPU {cpu:.1f} s, {batches} transactions "
               f"of ~{seconds / batches:.2f} s; peak RSS {peak:.0f} MB (+{grew:.0f} MB)",
               f"batches of {outcomes.BATCH:,}, memory flat")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000, help="how many comments (default 100,000)")
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgresql"],
                        default=["sqlite", "postgresql"], help="which databases (default both)")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="outcome-bench-"))
    try:
        project = copy_project(work / "project")
        sizes = (max(1, options.comments // 10), options.comments)
        if "sqlite" in options.databases:
            report("SQLite", [publish(project, f"sqlite:///{work / f'{size}.sqlite'}", size)
                              for size in sizes])
        if "postgresql" in options.databases:
            results = []
            for size in sizes:
                with postgres.server() as database:
                    results.append(publish(project, database.url, size))
            report("PostgreSQL", results)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
