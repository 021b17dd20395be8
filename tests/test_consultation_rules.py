"""The plain-Python rules behind consultations: sections, dates, audiences and invitations."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from policy_portal.consultations.rules import (
    RespondentType,
    WindowState,
    allowed_respondents,
    invitation_ends,
    invitation_problem,
    panel_only,
    window_state,
)
from policy_portal.project import load_project
from policy_portal.text.sections import WHOLE_DRAFT, sections

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = load_project(ROOT).library
PETS = LIBRARY["pets"]


def test_sections_split_at_second_level_headings_outside_code():
    body = ("Some opening words.\n\n## 1. Scope\n\nText.\n\n### 1.1 Detail\n\nMore.\n\n"
            "```\n## not a heading\n```\n\n## General\n\nLast.\n\n## 1. Scope\n\nAgain.")
    found = sections(body)
    assert [(section.key, section.title) for section in found] == [
        ("opening-text", "Opening text"), ("1-scope", "1. Scope"), ("general-section", "General"),
        ("1-scope_1", "1. Scope")]
    assert "### 1.1 Detail" in found[1].markdown and "## not a heading" in found[1].markdown
    assert all(section.key != WHOLE_DRAFT for section in found)


def test_section_keys_and_titles_are_the_sites_anchors_and_plain_text():
    found = sections("## See [the Complaints Policy](complaints.md)\n\nText.\n\n## Tom &amp; Jerry\n\nMore.")
    assert [(section.key, section.title) for section in found] == [
        ("see-the-complaints-policy", "See the Complaints Policy"), ("tom-jerry", "Tom & Jerry")]


def test_section_html_keeps_clause_numbers():
    html = sections("## 2. Pets\n\n2.1 You may keep a cat.\n")[0].html()
    assert '<p class="clause" id="clause-2-1"><span class="clause-number">2.1</span> You may' in html


@pytest.mark.parametrize(("today", "state"), [
    ("2026-11-08", WindowState.NOT_YET_OPEN),
    ("2026-11-09", WindowState.OPEN),
    ("2026-12-21", WindowState.OPEN),
    ("2026-12-22", WindowState.CLOSED),
])
def test_window_includes_opening_and_closing_days(today, state):
    assert window_state(PETS, dt.date.fromisoformat(today)) is state


def test_policy_in_force_is_not_consulting():
    assert window_state(LIBRARY["complaints"], dt.date(2026, 11, 23)) is WindowState.NOT_CONSULTING


def test_audiences_decide_who_may_say_they_are():
    assert allowed_respondents(PETS) == tuple(RespondentType)
    assert not panel_only(PETS)


def test_panel_invitations_last_until_the_end_of_the_closing_day_uk_time():
    ends = invitation_ends(PETS)
    assert ends.astimezone(dt.UTC) == dt.datetime(2026, 12, 22, 0, 0, tzinfo=dt.UTC)  # GMT in winter
    assert invitation_problem(PETS, dt.date(2026, 11, 23)) is None
    assert invitation_problem(PETS, dt.date(2026, 12, 22)) == "the consultation on pets closed on 2026-12-21"
    assert invitation_problem(LIBRARY["complaints"], dt.date(2026, 11, 23)).startswith(
        "policies/complaints.md is not under consultation")
