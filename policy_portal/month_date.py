"""Dates known only to the month, as many real policy documents give them ("Approved: October 2024").

Policy files may write any date about a policy's approval and review as `YYYY-MM`. Pages, PDFs and
messages must then say "October 2024", never an invented day, yet the rules (a policy cannot come
into force before it is approved; review is due so many years after approval) must keep working,
so the value is still a `datetime.date`.
"""

from __future__ import annotations

import datetime as dt
import re

MONTH = re.compile(r"(\d{4})-(\d{2})")
"""How a month is written in a policy file: 2024-10."""


class MonthDate(dt.date):
    """A month, standing for the first day of that month.

    The first day, because it is the earliest day the document can mean: a review due in
    "October 2025" is flagged as overdue from 2 October rather than after it may already have
    passed, and an approval in "October 2024" is never treated as later than a date in that month
    that a document also gives. Pages and messages show the month alone.
    """

    def __new__(cls, year: int, month: int, day: int = 1) -> MonthDate:
        return super().__new__(cls, year, month, 1)  # `day` only because `replace` passes one

    def __str__(self) -> str:
        """As written in the file, for messages: 2024-10. (`isoformat` keeps the full date, which
        feeds and other machine-read formats need.)"""
        return f"{self.year:04d}-{self.month:02d}"

    def __add__(self, other: dt.timedelta) -> dt.date:  # type: ignore[override]
        """A day some time after a month is a day, not a month (date's own + keeps the subclass)."""
        return dt.date(self.year, self.month, self.day) + other

    __radd__ = __add__

    def __sub__(self, other):  # type: ignore[override]
        """As `+`: a month less some days is a day; a month less a date is still a timedelta."""
        return dt.date(self.year, self.month, self.day) - other

    def __reduce__(self) -> tuple[type, tuple[int, int]]:
        return MonthDate, (self.year, self.month)


def read_month(text: str) -> MonthDate | None:
    """`2024-10` as a MonthDate; None if `text` is not written that way. Raises ValueError for a
    month that does not exist, such as 2024-13."""
    match = MONTH.fullmatch(text.strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        raise ValueError(f"there is no month {month:02d}")
    return MonthDate(year, month)
