"""The portal's one clock: today's date in the UK, and the moment now, which staff and tests can
fix with PORTAL_TODAY=YYYY-MM-DD.

Review-overdue notices, open consultations, panel invitations, sign-in limits and the audit log
all depend on the time, so they ask one `Clock`, made once (by the build, the app or the
command) and handed to whatever needs it. Were the date fixed and the time of day not, a
consultation would be open "today" while its invitations were judged by the real date.

It is the date in the UK, not the server's own: a server on UTC would otherwise take a comment
sent at 00:30 on 22 June (British Summer Time) as sent on 21 June. Fixing the date lets a build
be checked against a known day ("what will the site say on 1 April?") and keeps tests
repeatable; tests that need a moment of their own make `Clock.at(moment)` instead.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from zoneinfo import ZoneInfo

VARIABLE = "PORTAL_TODAY"
UK = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Clock:
    """The real time; or, with `day`, that day at the real UK time of day (so time still passes
    within it); or, with `moment`, that moment for ever."""

    day: dt.date | None = None
    moment: dt.datetime | None = None

    @classmethod
    def from_environment(cls) -> Clock:
        """The real clock, or the day PORTAL_TODAY names."""
        value = os.environ.get(VARIABLE)
        if not value:
            return cls()
        try:
            return cls(day=dt.date.fromisoformat(value))
        except ValueError:
            raise ValueError(f"{VARIABLE}={value!r} is not a date; write it as YYYY-MM-DD") from None

    @classmethod
    def at(cls, moment: dt.datetime) -> Clock:
        """A clock stopped at `moment` (which must say its time zone)."""
        if moment.tzinfo is None:
            raise ValueError(f"{moment} has no time zone: a stopped clock needs one")
        return cls(moment=moment)

    def now(self) -> dt.datetime:
        """The moment now, in UTC: every time the app stores is UTC."""
        if self.moment is not None:
            return self.moment.astimezone(dt.UTC)
        real = dt.datetime.now(UK)
        if self.day is None:
            return real.astimezone(dt.UTC)
        return dt.datetime.combine(self.day, real.timetz()).astimezone(dt.UTC)

    def today(self) -> dt.date:
        """Today's date in the UK, always the date of `now()` there."""
        return self.now().astimezone(UK).date()
