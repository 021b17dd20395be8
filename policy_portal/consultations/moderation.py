"""What the house rules keep off the public site, found automatically in a comment.

A flag is a suggestion for a moderator, never a decision: it says what was found and where, so
the moderator can redact just that text. The house rules allow a comment to be redacted or
hidden only for these reasons; nothing else is removed.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote

import phonenumbers

from policy_portal.config.settings import ModerationSettings

HIDE_REASONS = {
    "offensive": "Swearing or offensive language",
    "hate": "Hate speech, or prejudice against a group of people",
    "staff": "Names or identifies a member of staff",
    "personal": "Personal details, such as a phone number, email or home address",
    "spam": "Spam or advertising links",
}
"""The house rules' reasons for hiding a comment; the keys are stored."""

FLAG_LABELS = {
    "phone": "phone number",
    "email": "email address",
    "postcode": "postcode",
    "address": "street address",
    "staff": "name of a member of staff",
    "offensive": "offensive word",
    "link": "link",
    "national insurance": "National Insurance number",
    "complaint": "may be a complaint",
}
REPLACEMENTS = {kind: f"[{label} removed]" for kind, label in FLAG_LABELS.items()}

COMPLAINT_PHRASES = (
    "still waiting", "been waiting", "kept waiting", "waiting for months", "waiting for weeks",
    "not been fixed", "never been fixed", "still not fixed", "still broken", "not been repaired",
    "never repaired", "nobody came", "no one came", "nobody has come", "no one has come",
    "never turned up", "didn't turn up", "did not turn up", "nobody turned up",
    "no reply", "no response", "never replied", "never heard back", "not heard back",
    "nobody listens", "no one listens", "ignored", "ignoring us", "ignoring me",
    "unacceptable", "disgraceful", "appalling", "shocking service", "poor service",
    "terrible service", "awful service", "fed up", "let down", "let us down", "let me down",
    "want to complain", "make a complaint", "made a complaint", "my complaint", "complained",
)
"""Words people use when unhappy with a service, rather than with the draft's wording. A comment
with them is flagged "may be a complaint", so a moderator offers the complaints procedure: the
Housing Ombudsman's Complaint Handling Code (1.3) says a landlord must, whenever a resident
expresses dissatisfaction. Whole phrases, not words such as "complaint" alone, which every
comment on a complaints policy would contain."""
COMPLAINT = re.compile(r"\b(?:" + "|".join(re.escape(phrase).replace(r"\ ", r"\s+").replace("'", "['\\u2019]")
                                          for phrase in COMPLAINT_PHRASES) + r")\b", re.IGNORECASE)

EMAIL = re.compile(r"[\w.+-]{1,64}+@[\w-]++(?:\.[\w-]++)+")
"""An email address. The part before the @ has at most 64 characters, as the standard allows:
tried from each character of a long run of letters, dots and hyphens, an unbounded part read the
rest of the run each time, so a long comment took time growing with the square of its length."""
POSTCODE = re.compile(r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b",
                      re.IGNORECASE)
"""A UK postcode: outward code, optional space, inward code (the Royal Mail pattern)."""
STREET = re.compile(
    r"\b\d{1,4}[a-zA-Z]?,? (?:"
    r"(?:[A-Za-z]+ ){1,3}(?i:street|road|avenue|lane|drive|crescent|gardens|terrace|grove|mews)"
    r"|(?:[A-Z][a-z]+ ){1,3}(?:St|Rd|Ave|Close|Way|Court|Place|Walk|Row|Square|Hill|View|Yard)"
    r")\b")
"""A house number and a street name, such as '14 Mill Lane', '14 mill lane' or '3a, Canal Street'.
Street words that are also everyday words (way, close, walk, hill, view) count only with a capital,
so "2 dogs for a walk" is not an address."""
LINK = re.compile(r"(?:\b(?:https?://|www\.)|\b[\w-]{1,63}+\.(?:com|co\.uk|org|net|info|biz|xyz|ru)\b)"
                  r"(?:[^\s<>\"]*[^\s<>\".,;:!?)])?", re.IGNORECASE)
"""A web address, without the full stop or bracket that ends the sentence around it. A name before
the domain ending has at most 63 characters, as the standard allows, for the reason given for EMAIL."""
NATIONAL_INSURANCE = re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b", re.IGNORECASE)
MIN_PHONE_DIGITS = 10
"""UK numbers have 10 or 11 digits; shorter runs of digits are years, amounts or clause numbers."""
NUMBERS = re.compile(r"\d+")
MAX_NUMBERS = 30
"""More numbers than an ordinary comment holds. The phone number matcher parses each number it meets,
often several times over, at up to half a millisecond each: text with more numbers would be slow."""
PHONE_LIKE = re.compile(r"\+?\(?\d++(?:[\s.()/\u2010-\u2015\u2212-]{1,4}+\d++)*+")
"""Digits joined by the spaces, dots, brackets, slashes and dashes phone numbers are written with."""


@dataclass(frozen=True, order=True)
class Flag:
    start: int
    end: int
    kind: str
    text: str

    @property
    def label(self) -> str:
        return FLAG_LABELS[self.kind]


def find_flags(text: str, staff_names: Iterable[str] = (), offensive_words: Iterable[str] = ()) -> list[Flag]:
    """Everything in `text` a moderator should look at, in order, overlaps removed."""
    found = _phones(text)
    patterns = [("email", EMAIL), ("postcode", POSTCODE), ("address", STREET), ("link", LINK),
                ("national insurance", NATIONAL_INSURANCE)]
    patterns += [("staff", _words(staff_names)), ("offensive", _words(offensive_words))]
    for kind, pattern in patterns:
        if pattern is not None:
            found += [Flag(m.start(), m.end(), kind, m.group()) for m in pattern.finditer(text)]
    kept: list[Flag] = []
    for flag in sorted(_personal_links(text, found), key=lambda flag: (flag.start, -flag.end)):
        if not kept or flag.start >= kept[-1].end:  # an email is not also a link; a phone not twice
            kept.append(flag)
    return kept


def _phones(text: str) -> list[Flag]:
    """Phone numbers, as the phonenumbers library finds them. In text with more than MAX_NUMBERS
    numbers, rare in a comment and the shape of an attack, each run of digits and separators long
    enough to be a phone number is flagged whole instead: that covers what the matcher would find
    in numbers written the usual ways, at a cost in proportion to the text."""
    if len(NUMBERS.findall(text)) <= MAX_NUMBERS:
        found = [(m.start, m.end, m.raw_string) for m in
                 phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE)]
    else:
        found = [(m.start(), m.end(), m.group()) for m in PHONE_LIKE.finditer(text)]
    return [Flag(start, end, "phone", raw) for start, end, raw in found if _long_enough(raw)]


def _long_enough(number: str) -> bool:
    """Enough digits for a phone number (see MIN_PHONE_DIGITS)."""
    return sum(c.isdigit() for c in number) >= MIN_PHONE_DIGITS


def _personal_links(text: str, found: list[Flag]) -> list[Flag]:
    """`found`, with each link that holds a personal detail, such as ?email=jo@example.com, flagged
    as that detail from the link's start to the end of both. A link is not a personal detail, and
    the link would win the overlap, so erasure, which removes only personal details, kept them."""
    details = sorted(flag for flag in found if flag.kind in PERSONAL)
    starts = [detail.start for detail in details]
    flags = []
    for flag in found:
        if flag.kind == "link" and (inside := details[bisect_left(starts, flag.start):
                                                      bisect_left(starts, flag.end)]):
            end = max(flag.end, *(detail.end for detail in inside))
            flag = Flag(flag.start, end, inside[0].kind, text[flag.start:end])
        elif flag.kind == "link" and (kind := _encoded_detail(flag.text)):
            flag = Flag(flag.start, flag.end, kind, flag.text)
        flags.append(flag)
    return flags


def _encoded_detail(link: str) -> str | None:
    """The kind of personal detail written %-encoded in a link (`?u=sam%40example.com`), if any."""
    decoded = unquote(link)
    if decoded == link:
        return None
    if EMAIL.search(decoded):
        return "email"
    if any(_long_enough(m.group()) for m in PHONE_LIKE.finditer(decoded)):
        return "phone"
    return None


def _words(words: Iterable[str]) -> re.Pattern[str] | None:
    """Whole words or names, any case; None when the list is empty."""
    words = [re.escape(word.strip()) for word in words if word.strip()]
    if not words:
        return None
    return re.compile(r"\b(?:" + "|".join(sorted(words, key=len, reverse=True)) + r")\b", re.IGNORECASE)


def redact(text: str, flags: Iterable[Flag]) -> str:
    """`text` with each flagged part replaced by a note of what was removed."""
    parts, position = [], 0
    for flag in sorted(flags):
        parts += [text[position:flag.start], REPLACEMENTS[flag.kind]]
        position = flag.end
    return "".join([*parts, text[position:]])


PERSONAL = frozenset({"phone", "email", "postcode", "address", "national insurance"})
"""Kinds of flag that are personal details, which erasure removes from kept comments."""


def auto_redact(text: str, settings: ModerationSettings, kinds: frozenset[str] | None = None) -> str:
    """`text` with what the check finds (or only flags of `kinds`) replaced by notes."""
    flags = find_flags(text, settings.staff_names, settings.offensive_words)
    return redact(text, [flag for flag in flags if kinds is None or flag.kind in kinds])


NAME_REMOVED = "[name removed]"


def without_personal_details(text: str | None, name: str | None = None) -> str | None:
    """For erasure: phone numbers, emails, postcodes, addresses and NI numbers replaced by notes,
    and each word of the person's own name (as they gave it) wherever it stands in the text."""
    if not text:
        return text
    text = auto_redact(text, ModerationSettings(), PERSONAL)
    pattern = _words(part for part in (name or "").split() if len(part) > 1)
    return pattern.sub(NAME_REMOVED, text) if pattern else text


@dataclass(frozen=True)
class Screening:
    """What the automatic check made of a comment when it arrived. Stored with the comment, so
    no report, queue or panel page runs the check again."""

    flags: list[Flag]
    body: str
    wording: str | None


def screen(body: str, wording: str | None, settings: ModerationSettings) -> Screening:
    """Flag the comment and its suggested wording, and redact what was flagged in each."""
    found = [find_flags(text, settings.staff_names, settings.offensive_words) if text else []
             for text in (body, wording)]
    return Screening(flags=found[0] + found[1] + complaint_flags(body),
                     body=redact(body, found[0]), wording=redact(wording, found[1]) if wording else None)


def complaint_flags(text: str) -> list[Flag]:
    """Where a comment sounds like dissatisfaction with a service (see COMPLAINT_PHRASES). Never
    redacted: the words stay; the flag asks a moderator to offer the complaints procedure."""
    return [Flag(m.start(), m.end(), "complaint", m.group()) for m in COMPLAINT.finditer(text)]
