"""Which policies are overdue for review, or due soon: the reviews page and `check`'s warnings."""

from __future__ import annotations

import datetime as dt

from policy_portal.problems import Problem
from policy_portal.reading.library import Library
from policy_portal.reading.policy import Policy
from policy_portal.text.formatting import long_date, md_text, on_date

SOON = dt.timedelta(days=90)


def overdue(library: Library, today: dt.date) -> list[Policy]:
    return sorted((policy for policy in library if policy.review_overdue(today)),
                  key=lambda policy: policy.next_review)


def due_soon(library: Library, today: dt.date) -> list[Policy]:
    """Policies in force whose review falls in the next 90 days, soonest first."""
    return sorted((policy for policy in library if policy.in_force and policy.next_review
                   and today <= policy.next_review <= today + SOON),
                  key=lambda policy: policy.next_review)


def review_warnings(library: Library, today: dt.date) -> list[Problem]:
    found = []
    for policy in overdue(library, today):
        found.append(Problem(policy.path, policy.field_lines.get("review_due_date") or
                             policy.field_lines.get("review_cycle_years", 1), "review",
                             f"overdue: it was due for review {on_date(policy.next_review)}; "
                             f"{policy.owner} should review it"))
    for policy in due_soon(library, today):
        found.append(Problem(policy.path, policy.field_lines.get("review_due_date") or
                             policy.field_lines.get("review_cycle_years", 1), "review",
                             f"due for review {on_date(policy.next_review)}, within 90 days"))
    return found


def reviews_page(library: Library, today: dt.date, root: str = "../") -> str:
    """The Markdown of the reviews page. `root` leads from the page to the top of the site, where
    the feeds are: every language's menu has this page (in English), but only English has feeds."""
    parts = ["---\ntitle: Policy reviews\n---", "# Policy reviews",
             f"Every policy is reviewed at least every few years. This page was made on "
             f'{long_date(today)}. Subscribe to <a href="{root}feeds/changes.xml">changes to our '
             f'policies</a> or <a href="{root}feeds/consultations.xml">drafts open for comments</a> in a '
             "feed reader."]
    for heading, policies, empty in (
        ("Overdue for review", overdue(library, today), "No policy is overdue for review."),
        ("Due for review in the next 90 days", due_soon(library, today),
         "No policy is due for review in the next 90 days."),
    ):
        rows = [f"| [{md_text(policy.title)}](policies/{policy.slug}.md) | {md_text(policy.owner)} | "
                f"{long_date(policy.next_review)} |" for policy in policies]
        table = "\n".join(["| Policy | Owner | Review due |", "| --- | --- | --- |", *rows])
        parts.append(f"## {heading}\n\n{table if rows else empty}")
    return "\n\n".join(parts) + "\n"
