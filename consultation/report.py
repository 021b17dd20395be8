"""The consultation report for the board, and the "What you told us" summary for the site.

Built from the stored comments as moderated: names and contact details never appear, redacted
text replaces the original, a comment not yet moderated is shown as the automatic check
redacted it when it arrived, and a hidden comment is counted with its reason but not quoted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from functools import cached_property
from html import unescape

from sqlalchemy.orm import Session

from consultation import store
from consultation.filters import STATES, Filters
from consultation.models import Comment
from consultation.paging import Page, paged
from policy_portal.consultations.moderation import FLAG_LABELS, HIDE_REASONS, NAME_REMOVED, REPLACEMENTS
from policy_portal.consultations.rules import CHANNELS, OUTCOMES, RespondentType
from policy_portal.reading.policy import AUDIENCES, Policy
from policy_portal.text.formatting import long_date, md_text
from policy_portal.text.sections import WHOLE_DRAFT_TITLE, Section, sections

NOT_ANSWERED = "Not yet answered"
CSV_COLUMNS = ["reference", "received", "section", "respondent", "verified_panel_member", "comment",
               "suggested_wording", "may_publish", "moderation", "response", "explanation",
               "wording_changed_in", "channel"]
SUGGESTIONS_SHOWN = 5
"""Suggested wordings set beside each section on the page; the rest are in the downloads."""
CHUNK = 64 * 1024
"""How much of a download is written before it is sent on: small enough to keep memory flat."""


class Report:
    """The report on one draft's comments, narrowed by `filters` (whose `policy` is the draft).
    Every count is a SQL aggregate and the comment list is read a page, or for a download a
    batch, at a time, so the report costs the same at 100 comments or 100,000."""

    def __init__(self, policy: Policy, db: Session, filters: Filters) -> None:
        self.policy, self.db, self.filters = policy, db, filters

    @staticmethod
    def shown_text(comment: Comment) -> str:
        if comment.moderation == "hidden":
            return f"Hidden by a moderator: {HIDE_REASONS[comment.rule_broken].lower()}."
        return comment.shown_body

    @staticmethod
    def shown_wording(comment: Comment) -> str:
        if comment.moderation == "hidden":
            return ""
        return comment.shown_wording

    def dates(self) -> tuple[dt.date | None, dt.date | None]:
        """When comments opened and closed. Once a policy is approved its file no longer says, so
        the closing date then comes from the comments."""
        if self.policy.consultation:
            return self.policy.consultation.opens, self.policy.consultation.closes
        return None, store.latest_closing(self.db, self.policy.slug)

    def audiences(self) -> list[str]:
        window = self.policy.consultation
        return [AUDIENCES[name] for name in window.audiences] if window else []

    def promotion(self) -> list[str]:
        return list(self.policy.consultation.promotion) if self.policy.consultation else []

    @cached_property
    def sections(self) -> tuple[Section, ...]:
        return sections(self.policy.body)

    @cached_property
    def titles(self) -> dict[str, str]:
        return {section.key: section.title for section in self.sections}

    @cached_property
    def _counts(self) -> dict[str, Counter]:
        """The comments passing the filters counted by each of `store.FACETS`, from one query."""
        counts: dict[str, Counter] = {column.key: Counter() for column in store.FACETS}
        for *values, count in store.facet_counts(self.db, self.filters):
            for column, value in zip(store.FACETS, values, strict=True):
                counts[column.key][value] += count
        return counts

    @property
    def total(self) -> int:
        return self._counts["moderation"].total()

    def by_respondent(self) -> list[tuple[str, int]]:
        counts = self._counts["respondent_type"]
        return [(kind.label, counts[kind.value]) for kind in RespondentType if kind.value in counts]

    def by_channel(self) -> list[tuple[str, int]]:
        """How the comments reached us: those staff typed in count the same as those sent online."""
        counts = self._counts["channel"]
        return [(label, counts[key]) for key, label in CHANNELS.items() if key in counts]

    def by_section(self) -> list[tuple[str, int]]:
        """Counted by section key, in the draft's order; a section since removed from the draft
        keeps the title it had when commented on, after the rest."""
        counts = self._counts["section_key"]
        order = [section.key for section in self.sections] + [None]
        place = {key: number for number, key in enumerate(order)}
        return [(self._section_title(key), count) for key, count in
                sorted(counts.items(), key=lambda item: (place.get(item[0], len(order)), item[0] or ""))]

    def _section_title(self, key: str | None) -> str:
        if key is None:
            return WHOLE_DRAFT_TITLE
        return self.titles.get(key) or store.section_title(self.db, self.policy.slug, key) or key

    def by_state(self) -> list[tuple[str, int]]:
        counts = self._counts["moderation"]
        return [(label, counts[key]) for key, label in STATES.items() if key in counts]

    def by_flag(self) -> list[tuple[str, int]]:
        """What the automatic check flagged: a comment with two kinds is counted under each."""
        counts = store.count_by_flag(self.db, self.filters)
        return [(label.capitalize(), counts[key]) for key, label in FLAG_LABELS.items() if key in counts]

    def by_response(self) -> list[tuple[str, int]]:
        """What was done with the comments: how many of each answer, and how many wait for one."""
        counts = self._counts["response_outcome"]
        found = [(label, counts[key]) for key, label in OUTCOMES.items() if key in counts]
        return found + ([(NOT_ANSWERED, counts[None])] if None in counts else [])

    def suggestions(self) -> list[tuple[Section, list[Comment], bool]]:
        """Each section with the first wordings people suggested for it, to set side by side, and
        whether there are more (not how many: counting them reads every comment's text)."""
        found = []
        for section in self.sections:
            if self.filters.section not in (None, section.key):
                continue
            statement = (store.comments_matching(replace(self.filters, section=section.key))
                         .where(store.with_suggested_wording()).limit(SUGGESTIONS_SHOWN + 1))
            suggested = list(self.db.scalars(statement))
            if suggested:
                found.append((section, suggested[:SUGGESTIONS_SHOWN], len(suggested) > SUGGESTIONS_SHOWN))
        return found

    def page(self, number: int) -> Page:
        """One page of the comments, oldest first, as rows (see `row`)."""
        page = paged(self.db, store.comments_matching(self.filters), number, total=self.total)  # same filter
        return Page([self.row(comment) for comment in page.items], page.number, page.size, page.total)

    def row(self, comment: Comment) -> dict[str, object]:
        return {
            "reference": comment.reference,
            "received": comment.created_at.date().isoformat(),
            "section": comment.section_title or WHOLE_DRAFT_TITLE,
            "respondent": RespondentType(comment.respondent_type).label,
            "verified_panel_member": comment.verified_panel,
            "comment": self.shown_text(comment),
            "suggested_wording": self.shown_wording(comment),
            "may_publish": comment.may_publish,
            "moderation": comment.moderation,
            "response": OUTCOMES.get(comment.response_outcome or "", ""),
            "explanation": comment.response_text or "",
            "wording_changed_in": self.titles.get(comment.response_section or "",
                                                  comment.response_section or ""),
            "channel": CHANNELS[comment.channel],
        }

    def rows(self) -> Iterator[dict[str, object]]:
        """Every comment passing the filters as a row, read a batch at a time."""
        for comment in store.each_comment(self.db, self.filters):
            yield self.row(comment)

    def summary(self) -> dict[str, object]:
        """Everything in the JSON download but the comments."""
        opens, closes = self.dates()
        return {
            "policy": {"slug": self.policy.slug, "title": self.policy.title,
                       "reference": self.policy.reference, "version": self.policy.version},
            "consultation": {"opens": opens and opens.isoformat(), "closes": closes and closes.isoformat(),
                             "audiences": self.audiences(), "promotion": self.promotion()},
            "filters": self.filters.args(keep_policy=False),
            "totals": {"comments": self.total,
                       "by_respondent": dict(self.by_respondent()),
                       "by_section": dict(self.by_section()),
                       "by_channel": dict(self.by_channel()),
                       "by_state": dict(self.by_state()),
                       "by_flag": dict(self.by_flag()),
                       "by_response": dict(self.by_response())},
        }

    def json_chunks(self) -> Iterator[str]:
        """The report as JSON, written a comment at a time: the summary first (indented), then
        `"comments": [...]` last, a comment a line."""
        head = json.dumps(self.summary(), indent=2, ensure_ascii=False)
        parts, size, separator = [head.removesuffix("\n}") + ',\n  "comments": ['], 0, "\n"
        for row in self.rows():
            part = separator + json.dumps(row, ensure_ascii=False)
            parts.append(part)
            size, separator = size + len(part), ",\n"
            if size > CHUNK:
                yield "".join(parts)
                parts, size = [], 0
        parts.append("\n]}\n" if separator == ",\n" else "]}\n")
        yield "".join(parts)

    def csv_chunks(self) -> Iterator[str]:
        """The comments as CSV, a spreadsheet row a comment, written to a small buffer sent on
        each time it fills."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for row in self.rows():
            writer.writerow([_cell(value) for value in row.values()])
            if buffer.tell() > CHUNK:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    def told_us(self) -> str:
        """Markdown for staff to commit as policies/what-you-told-us/<policy>.md: every comment,
        whatever the filters."""
        opens, closes = self.dates()
        when = (f" from {long_date(opens)} to {long_date(closes)}" if opens and closes
                else f" until {long_date(closes)}" if closes else "")
        lines = [f"We asked for comments on the draft {self.policy.title}{when}, and received "
                 f"{store.count_matching(self.db, Filters(policy=self.policy.slug))}.", ""]
        for comment in store.answered_for_publishing(self.db, self.policy.slug):
            lines += [f"### On {md_text(comment.section_title or 'the whole draft')}", "",
                      f"**You said:** {_quoted(self.shown_text(comment))}", "",
                      f"**We did:** {OUTCOMES[comment.response_outcome]}. "
                      f"{_quoted(comment.response_text)}", ""]
        return "\n".join(lines)


def _cell(value: object) -> object:
    """Spreadsheets run a cell starting with = + - or @ as a formula; a quote mark stops that."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


NOTES = [*REPLACEMENTS.values(), NAME_REMOVED]
"""What moderation puts in place of personal details: `[phone number removed]`."""
ESCAPED_NOTE = re.compile("(?:" + "|".join(re.escape(md_text(note)) for note in NOTES) + r")(?![(:])")
"""A note escaped by md_text, and not followed by what would make it a link. Every other bracket
in the text stays escaped, so the note cannot be the label of a link with ( after it, nor of a
link definition with : after it, nor meet a definition of its own: it can only be text."""


def _quoted(text: str | None) -> str:
    """A comment or reply on one line, every character that could change Markdown's meaning escaped
    (md_text), but the notes of what moderation removed readable in the file, as people read them
    on the site: `[phone number removed]`, not `&#91;phone number removed&#93;`."""
    return ESCAPED_NOTE.sub(lambda match: unescape(match.group()), md_text(_one_line(text)))
