"""Today's date, which staff and tests can fix with PORTAL_TODAY=YYYY-MM-DD.

Review-overdue notices and open consultations depend on the date. Fixing it lets a build be
checked against a known day ("what will the site say on 1 April?") and keeps tests repeatable.
"""

from __future__ import annotations

import datetime as dt
import os

VARIABLE = "PORTAL_TODAY"


def today() -> dt.date:
    value = os.environ.get(VARIABLE)
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{VARIABLE}={value!r} is not a date; write it as YYYY-MM-DD") from None
