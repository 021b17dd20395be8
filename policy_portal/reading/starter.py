"""Starter files for new policies, written by `policy-portal new`.

A starter must pass `check` as soon as it is written, so staff begin from something valid and
only ever make it more specific.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import yaml

from policy_portal.reading.library import Library
from policy_portal.reading.placeholders import SECTIONS, SUMMARY

TRAILING_KIND = re.compile(r"[-\s]+(policy|strategy|procedure)$", re.IGNORECASE)


def slug_for(title: str) -> str:
    """'Complaints Policy' -> 'complaints': the file name and web address of a policy."""
    words = TRAILING_KIND.sub("", title.strip()) or title
    plain = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode()  # Café -> Cafe
    return re.sub(r"[^a-z0-9]+", "-", plain.casefold()).strip("-")


def reference_for(title: str, library: Library) -> str:
    """Initials plus the first free number: 'Complaints Policy' -> 'CP-01'."""
    initials = "".join(word[0] for word in re.findall(r"[A-Za-z]+", title)).upper()[:4] or "POL"
    taken = {policy.reference for policy in library}
    number = 1
    while f"{initials}-{number:02d}" in taken:
        number += 1
    return f"{initials}-{number:02d}"


def starter_text(title: str, reference: str, category: str, owner: str, today: dt.date) -> str:
    """A draft policy with every section a policy usually has, numbered as clauses."""
    fields = {
        "title": title,
        "reference": reference,
        "category": category,
        "status": "draft",
        "version": "0.1",
        "owner": owner,
        "summary": SUMMARY.format(title=title),
    }
    front = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=100)
    text = "\n\n".join(f"## {number}. {heading}\n\n{number}.1 {sentence}"
                       for number, (heading, sentence) in enumerate(SECTIONS.items(), start=1))
    # A note in the front matter, not the text: a <!-- --> note in the text is published in the
    # page's code, and made an empty "Opening text" section people could comment on.
    return f"""---
{front}# Started on {today.isoformat()}. Field guide: docs/staff/policy-format.md
---

{text}
"""
