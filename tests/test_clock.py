"""The one clock (issue 18): PORTAL_TODAY fixes the date of `now()` as well as `today()`, in the UK."""

from __future__ import annotations

import datetime as dt

import pytest

from policy_portal.clock import UK, Clock


def test_a_fixed_day_keeps_the_real_time_of_day_on_that_day():
    before = dt.datetime.now(UK)
    now = Clock(day=dt.date(2026, 6, 22)).now()
    after = dt.datetime.now(UK)
    assert now.tzinfo is dt.UTC
    local = now.astimezone(UK)
    assert local.date() == dt.date(2026, 6, 22)
    assert before.time() <= local.time() <= after.time()  # the wall-clock time, in summer time or not


def test_today_is_the_uk_date_not_the_servers():
    """00:30 on 22 June in British Summer Time is 23:30 on 21 June in UTC."""
    clock = Clock.at(dt.datetime(2026, 6, 21, 23, 30, tzinfo=dt.UTC))
    assert clock.today() == dt.date(2026, 6, 22)
    assert clock.now() == dt.datetime(2026, 6, 21, 23, 30, tzinfo=dt.UTC)


def test_portal_today_sets_the_clock(monkeypatch):
    monkeypatch.setenv("PORTAL_TODAY", "2027-01-31")
    clock = Clock.from_environment()
    assert clock.today() == clock.now().astimezone(UK).date() == dt.date(2027, 1, 31)
    monkeypatch.delenv("PORTAL_TODAY")
    assert Clock.from_environment() == Clock()


def test_a_mistyped_portal_today_says_how_to_write_it(monkeypatch):
    monkeypatch.setenv("PORTAL_TODAY", "31/01/2027")
    with pytest.raises(ValueError, match=r"PORTAL_TODAY='31/01/2027' is not a date; write it as YYYY-MM-DD"):
        Clock.from_environment()


def test_a_stopped_clock_needs_a_time_zone():
    with pytest.raises(ValueError, match="has no time zone"):
        Clock.at(dt.datetime(2026, 6, 21, 23, 30))
