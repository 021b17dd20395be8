"""Today's date in the UK, which staff and tests can fix with PORTAL_TODAY=YYYY-MM-DD.

Review-overdue notices and open consultations depend on the date. It is the date in the UK,
not the server's own: a server on UTC would otherwise take a comment sent at 00:30 on
22 June (British Summer Time) as sent on 21 June. Fixing the date lets a build be checked
against a known day ("what will the site say on 1 April?") and keeps tests repeatable.
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

VARIABLE = "PORTAL_TODAY"
UK = ZoneInfo("Europe/London")


def today() -> dt.date:
    value = os.environ.get(VARIABLE)
    if not value:
        return dt.datetime.now(UK).date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{VARIABLE}={value!r} is not a date; write it as YYYY-MM-DD") from None
