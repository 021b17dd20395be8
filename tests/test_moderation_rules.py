"""The automatic check for what the house rules keep off the public site (plain Python)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import pytest

from policy_portal.consultations.moderation import (
    EMAIL,
    LINK,
    MAX_NUMBERS,
    NATIONAL_INSURANCE,
    NUMBERS,
    PHONE_LIKE,
    POSTCODE,
    STREET,
    complaint_flags,
    find_flags,
    redact,
    without_personal_details,
)

STAFF = ["Dana Whitfield"]
OFFENSIVE = ["bollocks"]


@pytest.mark.parametrize(("text", "kind", "found"), [
    ("Ring me on 0113 496 0750 after six.", "phone", "0113 496 0750"),
    ("My mobile is 07700 900123.", "phone", "07700 900123"),
    ("My mobile is 07700900123.", "phone", "07700900123"),
    ("From abroad call +44 7700 900 123.", "phone", "+44 7700 900 123"),
    ("Write to me at sam.patel+pets@example.co.uk please", "email", "sam.patel+pets@example.co.uk"),
    ("My postcode is LK1 2AB.", "postcode", "LK1 2AB"),
    ("My postcode is sw1a1aa.", "postcode", "sw1a1aa"),
    ("I live at 14 Mill Lane with my dog.", "address", "14 Mill Lane"),
    ("I live at 3a, Canal Street.", "address", "3a, Canal Street"),
    ("Dana Whitfield told me no.", "staff", "Dana Whitfield"),
    ("dana whitfield told me no.", "staff", "dana whitfield"),
    ("This is bollocks.", "offensive", "bollocks"),
    ("Cheap pet food at www.cheap-pets.example.", "link", "www.cheap-pets.example"),
    ("See https://example.org/pets?x=1).", "link", "https://example.org/pets?x=1"),
])
def test_each_kind_of_personal_detail_or_rule_break_is_flagged(text, kind, found):
    flags = find_flags(text, STAFF, OFFENSIVE)
    assert [(flag.kind, flag.text) for flag in flags] == [(kind, found)]


@pytest.mark.parametrize("text", [
    "I have 2 cats and 3 dogs, and in 2024 we paid £1,250 for a fence.",
    "Clause 3.2 is unfair; clause 4.1 is fine. Fish tanks up to 100 litres are OK.",
    "Between 2019 and 2024 the rules changed twice.",
    "Tenants in Scunthorpe and Essex agree with section 5.",
    "Danas and whit fields are not names here. Call the office.",
])
def test_harmless_text_is_not_flagged(text):
    assert find_flags(text, STAFF, OFFENSIVE) == []


def test_redaction_replaces_only_what_was_flagged():
    text = "Dana Whitfield said no. Call 07700 900123 or email jo@example.com. Thanks!"
    assert redact(text, find_flags(text, STAFF, OFFENSIVE)) == (
        "[name of a member of staff removed] said no. Call [phone number removed] or email "
        "[email address removed]. Thanks!")


def test_an_email_address_is_not_also_a_link():
    assert [flag.kind for flag in find_flags("jo@pets.com", STAFF, OFFENSIVE)] == ["email"]


@pytest.mark.parametrize("number", ["0113 496 0750", "07700 900123", "+44 7700 900 123", "(0113) 496 0750",
                                    "0113\u2013496\u20130750"])
def test_a_phone_number_among_more_numbers_than_the_matcher_reads_is_still_flagged(number):
    text = f"Ring {number} about flats {', '.join(str(flat) for flat in range(MAX_NUMBERS))}."
    assert [(flag.kind, flag.text) for flag in find_flags(text, STAFF, OFFENSIVE)] == [("phone", number)]


def test_personal_details_in_a_link_are_flagged_with_it_and_erased():
    text = "See https://example.com/?mail=sam@example.com&tel=07700900123 for details."
    assert [flag.kind for flag in find_flags(text, STAFF, OFFENSIVE)] == ["email"]
    erased = without_personal_details(text)
    assert "sam@example.com" not in erased
    assert "07700900123" not in erased
    assert erased == "See [email address removed] for details."


def test_a_phone_number_that_starts_in_a_link_is_erased_with_it():
    text = "Text www.example.com/call?tel=07700 900123 to join."
    assert without_personal_details(text) == "Text [phone number removed] to join."


def test_a_link_with_no_personal_details_stays_a_link_and_is_kept_on_erasure():
    text = "See https://example.org/policies/2024/pets?page=2 and www.cheap-pets.example."
    assert [(flag.kind, flag.text) for flag in find_flags(text, STAFF, OFFENSIVE)] == [
        ("link", "https://example.org/policies/2024/pets?page=2"), ("link", "www.cheap-pets.example")]
    assert without_personal_details(text) == text


@pytest.mark.parametrize(("text", "erased"), [
    ("Unsubscribe: https://example.com/unsub?u=zeb.quux%40example.org now.",
     "Unsubscribe: [email address removed] now."),
    ("Call https://example.com/call?p=07700%20900777 today.", "Call [phone number removed] today."),
])
def test_personal_details_encoded_in_a_link_are_erased(text, erased):
    """Found in a second attack: %-encoding hid an email or phone number in a link from erasure."""
    assert without_personal_details(text) == erased


def test_erasure_removes_the_persons_own_name_from_their_text():
    """Found in a second attack: a writer who signed their comment kept their name in it."""
    text = "Zebedee Quuxworth here. My neighbour calls me zebedee; the Quuxworth family agrees."
    assert without_personal_details(text, "Zebedee Quuxworth") == (
        "[name removed] [name removed] here. My neighbour calls me [name removed]; the [name removed] "
        "family agrees.")


LONGEST_COMMENT = 5000
ADVERSARIAL = ["x-", "a.", "a@", "a+", "a_", "a-.", "x@x.", "www.", "http://", "a.com", "x/", "a", "-", ".",
               "+", "1", "1 ", "1-", "(1) ", "12 ", "1234 ", "07700 ", "07700900123 ", "0113 496 0750 ",
               "A1 ", "AB12", "AB 12 ", "1 Aa ", "1a, ", "12345678901234567890 ", "1 - 10321.100683 - ",
               "a.com/?a@a.com ", "a.com/?a@a.com&", "been ", "still  ", "no one ", "let "]
"""Text an attacker might send, each repeated to the longest comment: runs of the characters
each pattern repeats, which a pattern that backtracks reads again from every position, and
numbers in the arrangements the phone number matcher is slowest on."""
CHECKS: dict[str, Callable[[str], object]] = {
    "email": lambda text: list(EMAIL.finditer(text)),
    "postcode": lambda text: list(POSTCODE.finditer(text)),
    "address": lambda text: list(STREET.finditer(text)),
    "link": lambda text: list(LINK.finditer(text)),
    "national insurance": lambda text: list(NATIONAL_INSURANCE.finditer(text)),
    "phone-like run": lambda text: list(PHONE_LIKE.finditer(text)),
    "everything": lambda text: find_flags(text, STAFF, OFFENSIVE),
    "complaint": complaint_flags,
}


def median_seconds(check: Callable[[str], object], text: str) -> float:
    """The middle of three timings, so that one pause of a busy machine does not fail the test."""
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        check(text)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("unit", ADVERSARIAL)
def test_no_comment_makes_a_check_slow(check, unit):
    text = (unit * LONGEST_COMMENT)[:LONGEST_COMMENT]
    assert median_seconds(CHECKS[check], text) < 0.05


@pytest.mark.parametrize("unit", ["1 - 10321.100683 - ", "34 - 41707  983647-", "620169 ",
                                  "0774 - 496-9939."])
def test_as_many_numbers_as_the_phone_number_matcher_reads_are_quick(unit):
    """The phone number matcher's slowest arrangements found by trial, with as many numbers as it
    is still given."""
    text = unit * (MAX_NUMBERS // len(NUMBERS.findall(unit)))
    assert median_seconds(CHECKS["everything"], text) < 0.05
