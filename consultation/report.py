"""The consultation report for the board, and the "What you told us" summary for the site.

Built from the stored comments as moderated: names and contact details never appear, redacted
text replaces the original, a comment not yet moderated is shown as the automatic check
redacted it when it arrived, and a hidden comment is counted with its reason but not quoted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from dataclasses import dataclass
from html import unescape

from consultation.models import Comment
from policy_portal.consultations.moderation import HIDE_REASONS, NAME_REMOVED, REPLACEMENTS
from policy_portal.consultations.rules import CHANNELS, OUTCOMES, RespondentType
from policy_portal.reading.policy import AUDIENCES, Policy
from policy_portal.text.formatting import long_date, md_text
from policy_portal.text.sections import Section, sections

WHOLE = "The whole draft"
CSV_COLUMNS = ["reference", "received", "section", "respondent", "verified_panel_member", "comment",
               "suggested_wording", "may_publish", "moderation", "response", "explanation",
               "wording_changed_in", "channel"]


@dataclass
class Report:
    policy: Policy
    comments: list[Comment]

    def shown_text(self, comment: Comment) -> str:
        if comment.moderation == "hidden":
            return f"Hidden by a moderator: {HIDE_REASONS[comment.rule_broken].lower()}."
        return comment.shown_body

    def shown_wording(self, comment: Comment) -> str:
        if comment.moderation == "hidden":
            return ""
        return comment.shown_wording

    def dates(self) -> tuple[dt.date | None, dt.date | None]:
        """When comments opened and closed. Once a policy is approved its file no longer says, so
        the closing date then comes from the comments."""
        if self.policy.consultation:
            return self.policy.consultation.opens, self.policy.consultation.closes
        closes = [comment.consultation_closes for comment in self.comments if comment.consultation_closes]
        return None, max(closes, default=None)

    def audiences(self) -> list[str]:
        window = self.policy.consultation
        return [AUDIENCES[name] for name in window.audiences] if window else []

    def promotion(self) -> list[str]:
        return list(self.policy.consultation.promotion) if self.policy.consultation else []

    @property
    def sections(self) -> tuple[Section, ...]:
        return sections(self.policy.body)

    def by_respondent(self) -> list[tuple[str, int]]:
        counts = Counter(comment.respondent_type for comment in self.comments)
        return [(kind.label, counts[kind.value]) for kind in RespondentType if counts[kind.value]]

    def by_channel(self) -> list[tuple[str, int]]:
        """How the comments reached us: those staff typed in count the same as those sent online."""
        counts = Counter(comment.channel for comment in self.comments)
        return [(label, counts[key]) for key, label in CHANNELS.items() if counts[key]]

    def by_section(self) -> list[tuple[str, int]]:
        counts = Counter(comment.section_title or WHOLE for comment in self.comments)
        order = [section.title for section in self.sections] + [WHOLE]
        place = {title: number for number, title in enumerate(order)}
        return sorted(counts.items(), key=lambda item: place.get(item[0], len(order)))

    def suggestions(self) -> list[tuple[Section, list[Comment]]]:
        """Each section with the wordings people suggested for it, to set side by side."""
        found = []
        for section in self.sections:
            suggested = [comment for comment in self.comments
                         if comment.section_key == section.key and self.shown_wording(comment)]
            if suggested:
                found.append((section, suggested))
        return found

    def rows(self) -> list[dict[str, object]]:
        titles = {section.key: section.title for section in self.sections}
        return [{
            "reference": comment.reference,
            "received": comment.created_at.date().isoformat(),
            "section": comment.section_title or WHOLE,
            "respondent": RespondentType(comment.respondent_type).label,
            "verified_panel_member": comment.verified_panel,
            "comment": self.shown_text(comment),
            "suggested_wording": self.shown_wording(comment),
            "may_publish": comment.may_publish,
            "moderation": comment.moderation,
            "response": OUTCOMES.get(comment.response_outcome or "", ""),
            "explanation": comment.response_text or "",
            "wording_changed_in": titles.get(comment.response_section or "", comment.response_section or ""),
            "channel": CHANNELS[comment.channel],
        } for comment in self.comments]

    def as_json(self) -> dict[str, object]:
        opens, closes = self.dates()
        return {
            "policy": {"slug": self.policy.slug, "title": self.policy.title,
                       "reference": self.policy.reference, "version": self.policy.version},
            "consultation": {"opens": opens and opens.isoformat(), "closes": closes and closes.isoformat(),
                             "audiences": self.audiences(), "promotion": self.promotion()},
            "totals": {"comments": len(self.comments),
                       "by_respondent": dict(self.by_respondent()),
                       "by_section": dict(self.by_section()),
                       "by_channel": dict(self.by_channel())},
            "comments": self.rows(),
        }

    def as_csv(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, CSV_COLUMNS)
        writer.writeheader()
        for row in self.rows():
            writer.writerow({key: _cell(value) for key, value in row.items()})
        return out.getvalue()

    def told_us(self) -> str:
        """Markdown for staff to commit as policies/what-you-told-us/<policy>.md."""
        opens, closes = self.dates()
        when = (f" from {long_date(opens)} to {long_date(closes)}" if opens and closes
                else f" until {long_date(closes)}" if closes else "")
        lines = [f"We asked for comments on the draft {self.policy.title}{when}, and received "
                 f"{len(self.comments)}.", ""]
        for comment in self.comments:
            if not (comment.moderation == "approved" and comment.may_publish and comment.response_outcome):
                continue  # only what its writer agreed we may publish, once answered
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
