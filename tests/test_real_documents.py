"""What real policies converted from Word carry, built into a site as a reader sees it.

A policy with a document control table, dates known only to the month, a version whose changes
are a list, and appendices, added to a copy of the example project and built: its page, its
large print PDF, and the month in each site language.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pymupdf
import pytest
from bs4 import BeautifulSoup

from policy_portal.config.messages import Words
from policy_portal.month_date import MonthDate
from policy_portal.project import load_project
from portal.cli import main
from tests.conftest import ROOT, copy_project

POLICY = """---
title: Staff Social Media Policy
reference: HR-07
category: Working with us
status: approved
version: "2"
owner: Head of People
summary: How our staff and board members use social media, at work and in their own time.
approved_by: Board of Management
approval_date: 2024-10
effective_date: 2024-11-04
review_cycle_years: 2
equality_impact_assessment: 2024-09
document_control:
  Author: Head of People
  Legal review: "Completed: September 2024"
  Linked corporate aim: Trusted by our tenants
history:
  - version: "1"
    date: 2021-06
    approved_by: Board of Management
    changes: New policy.
  - version: "2"
    date: 2024-10
    approved_by: Board of Management
    changes:
      - Covers board members too.
      - Adds what to do when a post about us goes wrong.
---

## 1. Introduction

1.1 This policy is for everyone who works for us.

## Appendix A: Checklist before you post

Ask yourself whether you would say it to a tenant's face.

## Appendix B: Who to tell

Tell the communications team.
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("real") / "project")
    (project / "policies" / "staff-social-media.md").write_text(POLICY, encoding="utf-8")
    site = project / "site"
    assert main(["--project", str(project), "build", "--site-dir", str(site)]) == 0
    return site


def page(site: Path) -> BeautifulSoup:
    html = (site / "policies" / "staff-social-media" / "index.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser")


def text(element) -> str:
    return " ".join(element.get_text().split())


def test_about_this_policy_has_the_document_control_rows_in_order_and_months(built):
    rows = [(text(row.dt), text(row.dd)) for row in page(built).select(".policy-meta dl > div")]
    assert rows[5:] == [
        ("Approved by", "Board of Management, October 2024"),
        ("In force since", "4 November 2024"),
        ("Next review", "October 2026 (overdue)"),  # two years after a month is a month
        ("Equality impact assessment", "September 2024"),
        ("Author", "Head of People"),
        ("Legal review", "Completed: September 2024"),
        ("Linked corporate aim", "Trusted by our tenants"),
        ("Appendices", "Appendix A: Checklist before you post; Appendix B: Who to tell"),
    ]


def test_the_overdue_notice_says_in_the_month(built):
    notice = page(built).select_one(".policy-notice--overdue")
    assert text(notice).startswith("Review overdue. This policy was due for review in October 2026.")


def test_history_shows_months_and_a_list_of_changes(built):
    table = page(built).find("h2", id="version-history").find_next("table")
    rows = table.select("tbody tr")
    assert [text(cell) for cell in rows[1].find_all("td")] == ["1", "June 2021", "Board of Management",
                                                              "New policy."]
    newest = rows[0].find_all("td")
    assert [text(cell) for cell in newest[:3]] == ["2", "October 2024", "Board of Management"]
    assert [text(item) for item in newest[3].select("ul > li")] == [
        "Covers board members too.", "Adds what to do when a post about us goes wrong."]


def test_appendices_are_in_the_page_contents(built):
    contents = [text(link) for link in page(built).select(".md-sidebar--secondary .md-nav__link")]
    assert "Appendix A: Checklist before you post" in contents
    assert "Appendix B: Who to tell" in contents


def test_large_print_pdf_says_the_month_and_lists_the_changes(built):
    pdf = pymupdf.open(built / "policies" / "staff-social-media" / "staff-social-media-large-print.pdf")
    first_page = " ".join(pdf[0].get_text().split())
    assert "Board of Management, October 2024" in first_page
    assert "Legal review Completed: September 2024" in first_page
    whole = " ".join(" ".join(page.get_text() for page in pdf).split())
    history = whole[whole.index("Version history"):]
    assert "October 2024" in history and "June 2021" in history
    assert "Covers board members too." in history
    assert "Adds what to do when a post about us goes wrong." in history


def test_the_changes_feed_dates_a_month_by_its_first_day(built):
    feed = ElementTree.parse(built / "feeds" / "changes.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    entry = next(entry for entry in feed.iter(f"{atom}entry")
                 if entry.find(f"{atom}id").text.endswith("staff-social-media/v2"))
    assert entry.find(f"{atom}updated").text == "2024-10-01T00:00:00Z"  # RFC 3339 needs a day
    assert entry.find(f"{atom}summary").text == ("Approved by Board of Management in October 2024. "
                                                  "Covers board members too. Adds what to do when a post "
                                                  "about us goes wrong.")


@pytest.mark.parametrize(("code", "month"), [
    ("en", "October 2024"), ("cy", "Hydref 2024"), ("pl", "październik 2024")])
def test_a_month_is_said_in_each_language(code, month):
    language = load_project(ROOT).library.languages[code]
    assert Words(language).date(MonthDate(2024, 10)) == month
