"""Every rule `load_library` checks, one test each, with the exact message staff would read.

Each test writes a small policies folder in `tmp_path`: a valid approved policy (or a minimal
draft) with one thing changed, then asserts the full `policies/x.md:LINE: field: message` text.
Also: many problems are reported together and sorted, valid folders load in title order, review
dates are worked out, the example content loads, and the staff guide documents every field.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from policy_portal.problems import PolicyError
from policy_portal.project import load_project
from policy_portal.reading.library import load_library
from policy_portal.reading.policy import Status
from policy_portal.reading.schema import FIELDS

ROOT = Path(__file__).resolve().parent.parent
GUIDE = "the fields are listed in docs/staff/policy-format.md"
TODAY = dt.date(2026, 11, 23)
BODY = "## 1. Introduction\n\n1.1 We want to hear from you.\n"


def history(*entries: tuple[str, str]) -> str:
    """A `history:` block with one four-line entry per (version, date)."""
    return "".join(f'\n  - version: "{version}"\n    date: {date}\n'
                   "    approved_by: Board of Management\n    changes: Changed." for version, date in entries)


def consultation(opens="2026-11-09", closes="2026-12-21", audiences="[public, tenants]") -> str:
    return f"\n  opens: {opens}\n  closes: {closes}\n  audiences: {audiences}"


DRAFT = {  # lines 2-8; a field added to a draft goes on line 9
    "title": "Complaints Policy",
    "reference": "CS-03",
    "category": "Customer service",
    "status": "draft",
    "version": '"0.1"',
    "owner": "Head of Customer Services",
    "summary": "How to complain and what happens next.",
}
APPROVED = {  # lines 2-21 (history: 13, its entries 14 and 18); an added field goes on line 22
    **DRAFT,
    "status": "approved",
    "version": '"2"',
    "approved_by": "Board of Management",
    "approval_date": "2024-05-14",
    "effective_date": "2024-06-01",
    "review_cycle_years": "3",
    "history": history(("1", "2019-03-19"), ("2", "2024-05-14")),
}
"""With the default BODY, the closing --- is line 22 and the text starts on line 24."""


def write(tmp_path: Path, name: str, content: str | bytes) -> None:
    folder = tmp_path / "policies"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(content if isinstance(content, bytes) else content.encode())


def write_policy(tmp_path, slug="complaints", base=APPROVED, body=BODY, extra="", **changes) -> None:
    """Write `base` with `changes` (None removes a field; new fields go last), then `extra` lines."""
    fields = {key: value for key, value in {**base, **changes}.items() if value is not None}
    lines = [f"{key}:{value if value.startswith(chr(10)) else ' ' + value}" for key, value in fields.items()]
    write(tmp_path, f"{slug}.md", "\n".join(["---", *lines, *extra.splitlines(), "---", "", body]))


def problems(tmp_path: Path) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        load_library(tmp_path / "policies")
    return [str(problem) for problem in caught.value.problems]


def load_one(tmp_path: Path):
    return load_library(tmp_path / "policies")["complaints"]


# Front matter


def test_front_matter_must_start_the_file(tmp_path):
    write(tmp_path, "complaints.md", "title: Complaints Policy\n---\n\nText.\n")
    assert problems(tmp_path) == [
        "policies/complaints.md:1: front matter: the file must start with a line of three dashes (---), "
        "then the policy's fields, then another --- line; `policy-portal new` writes an example"
    ]


def test_front_matter_must_be_closed(tmp_path):
    write(tmp_path, "complaints.md", "---\ntitle: Complaints Policy\n\n## 1. Introduction\n")
    assert problems(tmp_path) == [
        "policies/complaints.md:1: front matter: there is no closing --- line; "
        "add a line of three dashes after the last field"
    ]


def test_invalid_yaml_is_reported_on_its_line(tmp_path):
    write_policy(tmp_path, summary="Our aims: to put things right.")
    assert problems(tmp_path) == [
        "policies/complaints.md:8: front matter: this is not valid YAML (mapping values are not allowed "
        "here); check the indentation, and put quotes around values that contain a colon or start with "
        "a special character"
    ]


@pytest.mark.parametrize("yaml_text", ["- title\n- status\n", "Complaints Policy\n", ""])
def test_front_matter_must_be_a_mapping(tmp_path, yaml_text):
    write(tmp_path, "complaints.md", f"---\n{yaml_text}---\n\n{BODY}")
    assert problems(tmp_path) == [
        "policies/complaints.md:2: front matter: the front matter must be a list of `field: value` lines"
    ]


@pytest.mark.parametrize(("name", "hint"), [
    ("aproval_date", "did you mean 'approval_date'? "),
    ("colour", ""),
])
def test_unknown_field(tmp_path, name, hint):
    write_policy(tmp_path, extra=f"{name}: blue")
    assert problems(tmp_path) == [f"policies/complaints.md:22: {name}: unknown field; {hint}{GUIDE}"]


def test_field_given_twice(tmp_path):
    write_policy(tmp_path, extra="title: Complaints and Compliments Policy")
    assert problems(tmp_path) == [
        "policies/complaints.md:22: title: appears twice (first on line 2); keep one of them"
    ]


# Required fields


@pytest.mark.parametrize("name", [
    "title", "reference", "category", "version", "owner", "summary",
    "approved_by", "approval_date", "effective_date", "history",
])
def test_approved_policy_needs_field(tmp_path, name):
    write_policy(tmp_path, **{name: None})
    assert problems(tmp_path) == [
        f"policies/complaints.md:1: {name}: missing; add `{name}:` (every approved policy needs it)"
    ]


def test_every_policy_needs_a_status(tmp_path):
    write_policy(tmp_path, status=None)
    assert problems(tmp_path) == [
        "policies/complaints.md:1: status: missing; add `status:` (every policy needs it)"
    ]


def test_draft_needs_no_approval_fields(tmp_path):
    write_policy(tmp_path, base=DRAFT)
    policy = load_one(tmp_path)
    assert (policy.status, policy.version) == (Status.DRAFT, "0.1")
    assert (policy.approved_by, policy.approval_date, policy.next_review) == (None, None, None)
    assert policy.history == []


# Values


@pytest.mark.parametrize(("text", "message"), [
    ("14/05/2024", "'14/05/2024' is not a date; write it as YYYY-MM-DD, for example 2025-04-01, "
                   "or as YYYY-MM for a month, for example 2024-10"),
    ("2024-13", "'2024-13' is not a month: there is no month 13; write it as YYYY-MM, "
                "for example 2024-10 for October 2024"),
    ("2024-02-30", "'2024-02-30' is not a real date; check the day and month"),
    ("2024-05-14 10:30:00", "'2024-05-14 10:30:00' has a time in it; give the date only, as YYYY-MM-DD"),
])
def test_bad_date(tmp_path, text, message):
    write_policy(tmp_path, approval_date=text)
    assert problems(tmp_path) == [f"policies/complaints.md:10: approval_date: {message}"]


@pytest.mark.parametrize("written", ["1.10", '"1.10"'])
def test_version_is_kept_as_written_quoted_or_not(tmp_path, written):
    """YAML reads an unquoted 1.10 as the number 1.1; the portal keeps the text, so 1.10 follows 1.9."""
    write_policy(tmp_path, status="draft", version=written, history=history(("1.9", "2024-05-14")))
    assert load_one(tmp_path).version == "1.10"


@pytest.mark.parametrize("years", ["0", "6", "three", "2.5"])
def test_review_cycle_must_be_1_to_5_whole_years(tmp_path, years):
    write_policy(tmp_path, review_cycle_years=years)
    assert problems(tmp_path) == [
        f"policies/complaints.md:12: review_cycle_years: '{years}' is not allowed; "
        "give a whole number of years from 1 to 5"
    ]


# One change, one problem: each row changes the valid APPROVED policy (or DRAFT) and gives the whole
# message staff should read. A table keeps the rule next to its wording and avoids a dozen copies
# of the same three-line test.


def _draft(**changes: str) -> dict[str, object]:
    return {"base": DRAFT, "status": "consultation", **changes}


LINK_AND_SCRIPT = "https://example.org/form)<img/src=x/onerror=alert(1)>"
"""On the page, [Complaint form](https://example.org/form) and then an image that runs a script."""
ONE_PROBLEM = [
    pytest.param({"approval_date": '"2024-05-14"'},
                 "10: approval_date: '2024-05-14' is in quotes, so it is read as text, not a date; "
                 "remove the quotes", id="quoted date"),
    pytest.param({"status": "live"},
                 "5: status: 'live' is not a status; use one of: draft, consultation, approved, withdrawn",
                 id="bad status"),
    pytest.param({"version": "v3"},
                 "6: version: 'v3' is not a version number; write it as \"3\" or \"3.1\"", id="bad version"),
    pytest.param({"documents": "\n  - title: Complaint form\n    url: www.example.com/form"},
                 "24: documents[1].url: 'www.example.com/form' is not a web address; "
                 "start it with https:// or /",
                 id="document url"),
    pytest.param({"documents": f"\n  - title: Complaint form\n    url: {LINK_AND_SCRIPT}"},
                 f"24: documents[1].url: '{LINK_AND_SCRIPT}' has a character that would end its link early "
                 "on the page, one of ( ) < >; write ( as %28, ) as %29, < as %3C and > as %3E",
                 id="document url that would end its link"),
    pytest.param({"review_cycle_years": None},
                 "1: review_cycle_years: missing; add `review_cycle_years:` (1 to 5) or "
                 "`review_due_date:` so tenants can see when the policy will be reviewed",
                 id="no review date or cycle"),
    pytest.param({"version": '"1"', "history": history(("2", "2019-03-19"), ("1", "2024-05-14"))},
                 "18: history[2].version: version 1 comes after version 2; "
                 "list versions oldest first, each higher than the one before", id="history versions order"),
    pytest.param({"approval_date": "2019-03-19", "effective_date": "2019-04-01",
                  "history": history(("1", "2024-05-14"), ("2", "2019-03-19"))},
                 "19: history[2].date: 2019-03-19 is earlier than the entry before it (2024-05-14); "
                 "list versions oldest first", id="history dates order, on the date line"),
    pytest.param({"version": '"3"'},
                 "6: version: the policy is at version 3 but the last history entry is version 2; "
                 "add a history entry for version 3 or correct the version", id="version not in history"),
    pytest.param({"approval_date": "2024-05-15"},
                 "10: approval_date: 2024-05-15 does not match the date of version 2 in the history "
                 "(2024-05-14); make them the same", id="approval date not in history"),
    pytest.param({"extra": "    chnages: Also changed."},
                 "22: history[2].chnages: unknown field; did you mean 'changes'? " + GUIDE,
                 id="history unknown key"),
    pytest.param({"status": "draft"},
                 "6: version: a draft must have a higher version than the last approved one (2); use 3",
                 id="draft version not above history"),
    pytest.param(_draft(consultation=consultation(closes="2026-11-01")),
                 "11: consultation.closes: 2026-11-01 is before the opening date 2026-11-09",
                 id="consultation closes before opening"),
    pytest.param(_draft(consultation=consultation(audiences="[public, landlords]")),
                 "12: consultation.audiences: 'landlords' is not an audience; "
                 "use any of: public, tenants, panel",
                 id="unknown audience"),
    pytest.param({"consultation": consultation()},
                 "22: consultation: only a policy with status: consultation can be open for comments; "
                 "remove this block or change the status", id="consultation block on approved policy"),
]


@pytest.mark.parametrize(("changes", "message"), ONE_PROBLEM)
def test_one_change_one_problem(tmp_path, changes, message):
    write_policy(tmp_path, **changes)
    assert problems(tmp_path) == [f"policies/complaints.md:{message}"]


# Approval and review dates


@pytest.mark.parametrize(("changes", "line", "name", "what"), [
    ({"effective_date": "2024-05-01"}, 11, "effective_date", "come into force"),
    ({"review_due_date": "2024-05-01"}, 22, "review_due_date", "be due for review"),
    ({"status": "withdrawn", "withdrawn_date": "2024-05-01"}, 22, "withdrawn_date", "be withdrawn"),
])
def test_date_before_approval(tmp_path, changes, line, name, what):
    write_policy(tmp_path, **changes)
    assert problems(tmp_path) == [
        f"policies/complaints.md:{line}: {name}: 2024-05-01 is before the approval date 2024-05-14; "
        f"a policy cannot {what} before it is approved"
    ]


# History


def test_history_entry_missing_a_field(tmp_path):
    entries = history(("1", "2019-03-19"), ("2", "2024-05-14")).removesuffix("\n    changes: Changed.")
    write_policy(tmp_path, history=entries)
    assert problems(tmp_path) == [
        "policies/complaints.md:18: history[2].changes: missing; add `changes:` to this entry"
    ]


# Consultation, withdrawal and replacement


@pytest.mark.parametrize(("base", "status", "name"), [
    (DRAFT, "consultation", "consultation"),
    (APPROVED, "withdrawn", "withdrawn_date"),
])
def test_status_needs_its_own_field(tmp_path, base, status, name):
    write_policy(tmp_path, base=base, status=status)
    assert problems(tmp_path) == [
        f"policies/complaints.md:1: {name}: missing; add `{name}:` (every {status} policy needs it)"
    ]


def test_only_withdrawn_policy_can_be_replaced(tmp_path):
    write_policy(tmp_path, replaced_by="pets")
    write_policy(tmp_path, slug="pets", reference="HM-07")
    assert problems(tmp_path) == [
        "policies/complaints.md:22: replaced_by: only a withdrawn policy can be replaced; "
        "remove this or set status: withdrawn"
    ]


# Checks across files


@pytest.mark.parametrize(("related", "message"), [
    ("[pets]", "there is no policy called 'pets' (no file policies/pets.md); "
               "check the spelling or remove it"),
    ("[complaints]", "'complaints' is this policy itself; remove it"),
])
def test_related_must_be_another_existing_policy(tmp_path, related, message):
    write_policy(tmp_path, related=related)
    assert problems(tmp_path) == [f"policies/complaints.md:22: related: {message}"]


def test_duplicate_reference_is_reported_in_both_files(tmp_path):
    write_policy(tmp_path)
    write_policy(tmp_path, slug="pets", title="Pets Policy")
    assert problems(tmp_path) == [
        "policies/complaints.md:3: reference: CS-03 is also used by policies/pets.md; "
        "give every policy its own reference",
        "policies/pets.md:3: reference: CS-03 is also used by policies/complaints.md; "
        "give every policy its own reference",
    ]


# Files and body


def test_bad_file_name(tmp_path):
    write_policy(tmp_path, slug="Complaints Policy")
    assert problems(tmp_path) == [
        "policies/Complaints Policy.md:1: file name: 'Complaints Policy.md' is not a usable file name; "
        "use lower-case words joined by hyphens, ending in .md, for example tenant-participation.md"
    ]


def test_file_must_be_utf8(tmp_path):
    write(tmp_path, "complaints.md", "---\ntitle: Café Policy\n---\n".encode("latin-1"))
    assert problems(tmp_path) == [
        "policies/complaints.md:1: file: this file is not UTF-8 text; save it again as UTF-8"
    ]


def test_body_must_not_be_empty(tmp_path):
    write_policy(tmp_path, body="\n")
    assert problems(tmp_path) == [
        "policies/complaints.md:23: body: the policy has no text; write it below the closing --- line"
    ]


def test_top_level_heading_outside_code_blocks(tmp_path):
    """The `#` lines inside the fence (lines 29 and 32) are code, not headings."""
    body = BODY + "\n```\n# a comment in an example\n```\n~~~\n# another\n~~~\n\n# Our aims\n"
    write_policy(tmp_path, body=body)
    assert problems(tmp_path) == [
        "policies/complaints.md:35: body: '# Our aims' is a top-level heading, but the title is already "
        "the page's heading; start sections with ## instead of #"
    ]


def test_fences_close_only_on_their_own_marker(tmp_path):
    """A ~~~ line inside a ``` block is code; the # after it is still inside the block."""
    write_policy(tmp_path, body=BODY + "\n```\n~~~\n# code\n```\n")
    assert load_one(tmp_path).body.endswith("~~~\n# code\n```")


def test_byte_order_mark_is_accepted(tmp_path):
    """Some Windows editors start UTF-8 files with a byte-order mark."""
    write_policy(tmp_path)
    path = tmp_path / "policies" / "complaints.md"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_one(tmp_path).title == "Complaints Policy"


# Everything together


def test_all_problems_in_all_files_are_reported_at_once_and_sorted(tmp_path):
    write_policy(tmp_path, slug="pets", reference="HM-07", review_cycle_years="9", body="# Pets\n")
    write_policy(tmp_path, version="v3", extra="colour: blue")
    with pytest.raises(PolicyError) as caught:
        load_library(tmp_path / "policies")
    assert str(caught.value) == "\n".join([
        "4 problems in the policy files:",
        "policies/complaints.md:6: version: 'v3' is not a version number; write it as \"3\" or \"3.1\"",
        f"policies/complaints.md:22: colour: unknown field; {GUIDE}",
        "policies/pets.md:12: review_cycle_years: '9' is not allowed; "
        "give a whole number of years from 1 to 5",
        "policies/pets.md:24: body: '# Pets' is a top-level heading, but the title is already the page's "
        "heading; start sections with ## instead of #",
    ])


def test_valid_folder_loads_in_title_order(tmp_path):
    write_policy(tmp_path, slug="a-zoo", title="Zoo Policy", reference="ZP-01", related="[b-apple]")
    write_policy(tmp_path, slug="b-apple", title="apple Policy", reference="AP-01")
    library = load_library(tmp_path / "policies")
    assert list(library.policies) == ["b-apple", "a-zoo"]
    assert library["a-zoo"].related == ["b-apple"]


@pytest.mark.parametrize(("changes", "due", "overdue"), [
    ({}, dt.date(2027, 5, 14), False),
    ({"review_cycle_years": "2"}, dt.date(2026, 5, 14), True),
    ({"review_cycle_years": "1", "last_reviewed": "2026-01-10"}, dt.date(2027, 1, 10), False),
    ({"review_cycle_years": None, "review_due_date": "2026-11-22"}, dt.date(2026, 11, 22), True),
    ({"review_cycle_years": None, "review_due_date": "2026-11-23"}, dt.date(2026, 11, 23), False),
    ({"approval_date": "2024-02-29", "effective_date": "2024-03-01", "review_cycle_years": "1",
      "history": history(("1", "2019-03-19"), ("2", "2024-02-29"))}, dt.date(2025, 2, 28), True),
    ({"status": "withdrawn", "withdrawn_date": "2025-01-31", "review_cycle_years": "1"},
     dt.date(2025, 5, 14), False),
])
def test_next_review_and_overdue(tmp_path, changes, due, overdue):
    write_policy(tmp_path, **changes)
    policy = load_one(tmp_path)
    assert (policy.next_review, policy.review_overdue(TODAY)) == (due, overdue)


def test_example_policies_load():
    library = load_project(ROOT).library
    assert list(library.policies) == [
        "complaints", "data-protection", "equality-and-diversity", "estate-walkabouts",
        "pets", "social-media", "tenant-participation",
    ]


# The staff guide


def documented_fields() -> list[str]:
    """The `name`s in the first column of the table under "## The fields" in the staff guide."""
    guide = (ROOT / "docs/staff/policy-format.md").read_text(encoding="utf-8")
    section = guide.split("\n## The fields\n")[1].split("\n## ")[0]
    return re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.MULTILINE)


def test_every_field_is_documented():
    assert [name for name in FIELDS if name not in documented_fields()] == []


def test_every_documented_field_exists():
    documented = documented_fields()
    assert len(documented) == len(set(documented))
    assert [name for name in documented if name not in FIELDS] == []


# What real documents carry (issue 17)


def test_a_month_alone_is_a_date_that_keeps_review_arithmetic(tmp_path):
    write_policy(tmp_path, approval_date="2024-05", effective_date="2024-05-14", review_cycle_years=None,
                 review_due_date="2026-11", history=history(("1", "2019-03"), ("2", "2024-05")))
    policy = load_one(tmp_path)
    assert (str(policy.approval_date), str(policy.history[0].date), str(policy.next_review)) == \
        ("2024-05", "2019-03", "2026-11")
    assert policy.review_overdue(TODAY)  # a month stands for its first day: due 1 November 2026


def test_a_month_makes_no_sense_for_a_consultation_day(tmp_path):
    write_policy(tmp_path, base=DRAFT, status="consultation", consultation=consultation(opens="2026-11"))
    assert problems(tmp_path) == [
        "policies/complaints.md:10: consultation.opens: '2026-11' is not a date; write it as "
        "YYYY-MM-DD, for example 2025-04-01"
    ]


def test_document_control_keeps_the_order_written(tmp_path):
    write_policy(tmp_path, document_control="\n  Author: Communications Manager\n"
                 '  Legal review: "Completed: September 2024"\n  Linked corporate aim: Safe homes')
    assert list(load_one(tmp_path).document_control.items()) == [
        ("Author", "Communications Manager"), ("Legal review", "Completed: September 2024"),
        ("Linked corporate aim", "Safe homes")]


@pytest.mark.parametrize(("written", "message"), [
    (" Communications Manager", "22: document_control: must be a list of `label: text` lines, one a line, "
     "indented under it; for example `  Author: Head of Housing`"),
    ("\n  Author:\n  Legal review: [a, b]",
     "23: document_control.Author: is empty; write the text after the colon\n"
     "policies/complaints.md:24: document_control.Legal review: must be a single piece of text, not a list"),
])
def test_document_control_errors_name_the_label_and_line(tmp_path, written, message):
    write_policy(tmp_path, document_control=written)
    assert "\n".join(problems(tmp_path)) == f"policies/complaints.md:{message}"


def test_history_changes_may_be_a_list(tmp_path):
    entries = history(("1", "2019-03-19")) + ('\n  - version: "2"\n    date: 2024-05-14\n'
                                              "    approved_by: Board of Management\n    changes:\n"
                                              "      - Shorter.\n      - Clearer.")
    write_policy(tmp_path, history=entries)
    changes = [entry.changes for entry in load_one(tmp_path).history]
    assert changes == [("Changed.",), ("Shorter.", "Clearer.")]


def test_appendices_are_the_sections_headed_appendix(tmp_path):
    write_policy(tmp_path, body=BODY + "\n## Appendix A: Checklist\n\nA.\n\n## Appendix 2. Contacts\n\nB.\n")
    assert load_one(tmp_path).appendices == ["Appendix A: Checklist", "Appendix 2. Contacts"]


def test_a_colon_in_a_list_item_is_explained_on_the_items_line(tmp_path):
    write_policy(tmp_path, base=DRAFT, status="consultation",
                 consultation=consultation() + "\n  promotion:\n    - Newsletter\n"
                 "    - Post on Facebook: 30 November")
    assert problems(tmp_path) == [
        "policies/complaints.md:15: consultation.promotion: 'Post on Facebook: 30 November' is read as "
        "a name and a value, because of the colon and space in it; put the whole text in double quotes: "
        '"Post on Facebook: 30 November"'
    ]


def test_every_unknown_audience_is_reported(tmp_path):
    write_policy(tmp_path, base=DRAFT, status="consultation",
                 consultation=consultation(audiences="\n    - staff\n    - tenants\n    - board"))
    assert problems(tmp_path) == [
        f"policies/complaints.md:{line}: consultation.audiences: '{name}' is not an audience; "
        "use any of: public, tenants, panel" for line, name in ((13, "staff"), (15, "board"))
    ]
