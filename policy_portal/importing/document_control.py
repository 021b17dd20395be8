"""A Word policy's document-control table ("Version | 3", "Approved by | Board") as front matter.

Associations keep the same facts under many labels ("Date approved", "Approval date", "Approved
on"), so each field has a pattern of the labels seen for it. A date is written as the schema
reads it: a day as YYYY-MM-DD, a month alone ("May 2027") as YYYY-MM. Rows that match no field,
or whose value is not what the field needs ("Review date: to be agreed"), go into
`document_control`, label and text as written, in order, so nothing in the table is lost.
"""

from __future__ import annotations

import datetime as dt
import re

FIELD_LABELS: dict[str, re.Pattern[str]] = {
    "reference": re.compile(r"(policy )?(reference|ref|number|no)( number| no)?"),
    "category": re.compile(r"(policy )?(category|area|service area)"),
    "version": re.compile(r"(policy )?version( number| no)?"),
    "owner": re.compile(r"(policy )?owner|responsible (officer|manager|person|lead)|lead officer"),
    "approved_by": re.compile(r"approved by|approving body|approval body"),
    "approval_date": re.compile(r"(date (of )?approv(ed|al))|approval date|approved on|date agreed"),
    "effective_date": re.compile(r"effective date|date effective|effective from|"
                                 r"(date of )?implementation( date)?"),
    "review_due_date": re.compile(r"(next |date of next )?review( due)?( date)?|review due"),
    "last_reviewed": re.compile(r"(date )?last reviewed|last review( date)?"),
    "equality_impact_assessment": re.compile(r"equality impact assessment|eia|eqia|equality analysis"
                                             r"( date| completed)?"),
}
"""Each field a document-control row can fill, by the labels it goes under (lower case, no ':')."""
DATES = frozenset({"approval_date", "effective_date", "review_due_date", "last_reviewed",
                   "equality_impact_assessment"})
MONTHS = {name: number for number, name in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"), start=1)}
MONTH_NAMES = "|".join([*MONTHS, *(name[:3] for name in MONTHS), "sept"])
DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({MONTH_NAMES})\.?,?\s+(\d{{4}})\b",
                            re.IGNORECASE)
MONTH_YEAR = re.compile(rf"\b({MONTH_NAMES})\.?,?\s+(\d{{4}})\b", re.IGNORECASE)
NUMERIC = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")
ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
VERSION = re.compile(r"\d+(?:\.\d+)?")


def is_control_table(rows: list[list[str]]) -> bool:
    """Two columns, label then value, and at least two labels a field is known by."""
    return (len(rows) >= 2 and all(len(row) == 2 for row in rows)
            and sum(_field(row[0]) is not None for row in rows) >= 2)


def control_fields(rows: list[list[str]]) -> dict[str, object]:
    """Front-matter fields from the table's rows, `document_control` holding the rest."""
    fields: dict[str, object] = {}
    rest: dict[str, str] = {}
    for label, value in rows:
        name, value = _field(label), " ".join(value.split())
        if not value:
            continue
        read = _value(name, value) if name and name not in fields else None
        if read is None:
            rest[label.strip().rstrip(":").strip()] = value
        else:
            fields[name] = read
    if rest:
        fields["document_control"] = rest
    return fields


def _field(label: str) -> str | None:
    plain = " ".join(label.casefold().replace(":", " ").replace(".", " ").split())
    return next((name for name, pattern in FIELD_LABELS.items() if pattern.fullmatch(plain)), None)


def _value(name: str, value: str) -> object | None:
    if name in DATES:
        return date_in(value)
    if name == "version":
        found = VERSION.search(value)
        return found.group() if found else None
    return value


def date_in(text: str) -> dt.date | str | None:
    """The date a cell gives: a day (21 May 2024, 21/05/2024, 2024-05-21) as a date; a month
    alone (May 2027) as "2027-05"; None if it gives none, or one that is not in the calendar."""
    try:
        if found := ISO.search(text):
            return dt.date(*map(int, found.groups()))
        if found := NUMERIC.search(text):  # UK order: day, month, year
            day, month, year = map(int, found.groups())
            return dt.date(year, month, day)
        if found := DAY_MONTH_YEAR.search(text):
            return dt.date(int(found.group(3)), _month(found.group(2)), int(found.group(1)))
    except ValueError:
        return None
    if found := MONTH_YEAR.search(text):
        return f"{found.group(2)}-{_month(found.group(1)):02d}"
    return None


def _month(name: str) -> int:
    name = name.casefold().rstrip(".")
    return next(number for month, number in MONTHS.items() if month.startswith(name[:3]))
