"""Read one policy file into a `Policy`, or say everything that is wrong with it.

Checks that need other files (related slugs, duplicate references) live in `library.py`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Container
from functools import partial
from itertools import pairwise
from pathlib import Path
from typing import Any

from policy_portal.month_date import read_month
from policy_portal.problems import Problem
from policy_portal.reading import frontmatter
from policy_portal.reading.allowlist import refusals
from policy_portal.reading.frontmatter import Located
from policy_portal.reading.placeholders import leftover_placeholders
from policy_portal.reading.policy import (
    AUDIENCES,
    Consultation,
    HistoryEntry,
    Policy,
    RelatedDocument,
    Status,
    Translation,
    version_key,
)
from policy_portal.reading.schema import (
    CONSULTATION_FIELDS,
    DOCUMENT_FIELDS,
    FIELDS,
    HISTORY_FIELDS,
    OPTIONAL_IN_BLOCKS,
    TRANSLATION_FIELDS,
)
from policy_portal.text.sections import headings, sections

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
VERSION = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3})?")
REFERENCE = re.compile(r"[A-Z][A-Z0-9./-]{0,19}")
URL = re.compile(r"(https?://|/)\S+")
ENDS_A_LINK = re.compile(r"[()<>]")
"""The page writes a document's address into a Markdown link, [title](address), which these end:
after `)`, the rest would be Markdown or HTML of its own, such as a script."""
GUIDE = "docs/staff/policy-format.md"
TRANSLATION_GUIDE = "docs/staff/translations.md"


class _InvalidError(Exception):
    """A value that cannot be used; the message says why and how to fix it. `line` is where, when
    that is not the field's own line: an entry in a list is reported on its own line."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def _text(item: Located) -> str:
    if isinstance(item.value, dict):
        raise _InvalidError(_read_as_fields(item), item.line)
    if isinstance(item.value, list):
        raise _InvalidError("must be a single piece of text, not a list", item.line)
    text = item.text.strip() if item.value is not None else ""
    if not text:
        raise _InvalidError("is empty; write the text after the colon", item.line)
    return text


def _read_as_fields(item: Located) -> str:
    """Why a text became a mapping: almost always a colon and a space inside it, which YAML reads
    as `name: value` (`- Post on Facebook: 30 November`)."""
    fields = item.value
    if len(fields) == 1:
        (key, value), = fields.items()
        if not isinstance(value.value, (dict, list)):
            written = f"{key}: {value.text}"
            return (f"'{written}' is read as a name and a value, because of the colon and space in it; "
                    f"put the whole text in double quotes: \"{written}\"")
    return ("must be a single piece of text, but it is read as several `name: value` fields; if the "
            "text has a colon followed by a space, put the whole text in double quotes")


def _date(item: Located, months: bool = False) -> dt.date | None:
    """A day, YYYY-MM-DD; with `months`, also a month alone, YYYY-MM."""
    value = item.value
    if value is None and item.text:  # an impossible date, already reported by the parser
        return None
    if isinstance(value, dt.datetime):
        raise _InvalidError(f"'{item.text}' has a time in it; give the date only, as YYYY-MM-DD")
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise _InvalidError(f"'{item.text}' is in quotes, so it is read as text, not a date; "
                            "remove the quotes")
    if not isinstance(value, dt.date):
        month = ", or as YYYY-MM for a month, for example 2024-10" if months else ""
        raise _InvalidError(f"'{item.text}' is not a date; write it as YYYY-MM-DD, "
                            f"for example 2025-04-01{month}")
    return value


def _date_or_month(item: Located) -> dt.date | None:
    """A day, or a month alone (2024-10) for documents that give only the month."""
    if isinstance(item.value, str):
        try:
            month = read_month(item.value)
        except ValueError as error:
            raise _InvalidError(f"'{item.text}' is not a month: {error}; write it as YYYY-MM, "
                                "for example 2024-10 for October 2024") from None
        if month:
            return month
    return _date(item, months=True)


def _version(item: Located) -> str:
    text = _text(item)
    if not VERSION.fullmatch(text):
        raise _InvalidError(f"'{text}' is not a version number; write it as \"3\" or \"3.1\"")
    return text


def _years(item: Located) -> int:
    if isinstance(item.value, bool) or not isinstance(item.value, int) or not 1 <= item.value <= 5:
        raise _InvalidError(f"'{item.text}' is not allowed; give a whole number of years from 1 to 5")
    return item.value


def _status(item: Located) -> Status:
    text = _text(item)
    try:
        return Status(text)
    except ValueError:
        names = ", ".join(status.value for status in Status)
        raise _InvalidError(f"'{text}' is not a status; use one of: {names}") from None


def _reference(item: Located) -> str:
    text = _text(item)
    if not REFERENCE.fullmatch(text):
        raise _InvalidError(
            f"'{text}' is not a reference code; use capital letters and digits, "
            "for example CS-03 (up to 20 characters, '-', '.' and '/' allowed)"
        )
    return text


def _slug(item: Located) -> str:
    text = _text(item)
    if not SLUG.fullmatch(text):
        raise _InvalidError(
            f"'{text}' is not a policy's file name; use the name of its file without .md, "
            "for example complaints"
        )
    return text


def _list(item: Located, example: str) -> list[Located]:
    if not isinstance(item.value, list):
        raise _InvalidError(f"must be a list; write it as {example}")
    return item.value


def _slugs(item: Located) -> list[str]:
    return [_slug(entry) for entry in _list(item, "[complaints, data-protection]")]


def _texts(item: Located) -> tuple[str, ...]:
    return tuple(_text(entry) for entry in _list(item, "[Text message to all tenants, Newsletter]"))


def _text_or_texts(item: Located) -> tuple[str, ...]:
    """One text, or a list of them (a history entry's changes, written either way)."""
    return _texts(item) if isinstance(item.value, list) else (_text(item),)


def _url(item: Located) -> str:
    text = _text(item)
    if not URL.fullmatch(text):
        raise _InvalidError(f"'{text}' is not a web address; start it with https:// or /")
    if ENDS_A_LINK.search(text):
        raise _InvalidError(f"'{text}' has a character that would end its link early on the page, "
                            "one of ( ) < >; write ( as %28, ) as %29, < as %3C and > as %3E")
    return text


KINDS: dict[str, Any] = {
    "text": _text,
    "date": _date,
    "version": _version,
    "years": _years,
    "status": _status,
    "reference": _reference,
    "slug": _slug,
    "slugs": _slugs,
    "texts": _texts,
    "text_or_texts": _text_or_texts,
    "date_or_month": _date_or_month,
    "url": _url,
}


class _Reader:
    """Collects problems for one file while turning its fields into Python values."""

    def __init__(self, path: str, guide: str = GUIDE) -> None:
        self.path = path
        self.guide = guide
        """The staff guide that lists the fields, named when a field is unknown."""
        self.problems: list[Problem] = []

    def problem(self, line: int, field: str, message: str) -> None:
        self.problems.append(Problem(self.path, line, field, message))

    def value(self, kind: str, item: Located, label: str) -> Any:
        """Convert one value, recording a problem (and returning None) when it is unusable."""
        try:
            if kind in KINDS:
                return KINDS[kind](item)
            return getattr(self, kind)(item, label)
        except _InvalidError as error:
            self.problem(error.line or item.line, label, str(error))
            return None

    def record(self, item: Located, label: str, spec: dict[str, str]) -> dict[str, Any] | None:
        """Read a mapping (a history entry, the consultation, a translation's front matter) against
        its field list. `label` is where it is, empty for a whole front matter."""
        if not isinstance(item.value, dict):
            self.problem(item.line, label, f"must have the fields {', '.join(spec)}")
            return None
        values: dict[str, Any] = {}
        for key, entry in item.value.items():
            if key not in spec:
                self.problem(entry.line, _field(label, key), _unknown(key, spec, self.guide))
        for key, kind in spec.items():
            if key in item.value:
                values[key] = self.value(kind, item.value[key], _field(label, key))
            elif key not in OPTIONAL_IN_BLOCKS:
                where = " to this entry" if label else ""
                self.problem(item.line, _field(label, key), f"missing; add `{key}:`{where}")
        if any(values.get(key) is None for key in spec if key not in OPTIONAL_IN_BLOCKS):
            return None
        return values

    def audiences(self, item: Located, label: str) -> tuple[str, ...] | None:
        """Who may comment; every name that is not an audience is reported, each on its line."""
        names = ", ".join(AUDIENCES)
        chosen = [(entry.line, _text(entry)) for entry in _list(item, f"[{names}]")]
        if not chosen:
            raise _InvalidError(f"names nobody; list at least one of: {names}")
        for line, text in chosen:
            if text not in AUDIENCES:
                self.problem(line, label, f"'{text}' is not an audience; use any of: {names}")
        return tuple(text for _, text in chosen) if all(text in AUDIENCES for _, text in chosen) else None

    def labelled_texts(self, item: Located, label: str) -> dict[str, str] | None:
        """`label: text` lines, kept in the order written, each checked on its own line."""
        if not isinstance(item.value, dict) or not item.value:
            raise _InvalidError("must be a list of `label: text` lines, one a line, indented under it; "
                                "for example `  Author: Head of Housing`")
        values = {key: self.value("text", entry, f"{label}.{key}") for key, entry in item.value.items()}
        return None if None in values.values() else values

    def history(self, item: Located, label: str) -> list[HistoryEntry]:
        entries = []
        for number, entry in enumerate(_list(item, "a list of entries, each starting with '- version:'"), 1):
            values = self.record(entry, f"{label}[{number}]", HISTORY_FIELDS)
            if values:
                entries.append((entry.value, number, HistoryEntry(**values)))
        for (_, _, before), (located, number, after) in pairwise(entries):
            if version_key(after.version) <= version_key(before.version):
                self.problem(located["version"].line, f"history[{number}].version",
                             f"version {after.version} comes after version {before.version}; "
                             "list versions oldest first, each higher than the one before")
            elif after.date < before.date:
                self.problem(located["date"].line, f"history[{number}].date",
                             f"{after.date} is earlier than the entry before it ({before.date}); "
                             "list versions oldest first")
        return [entry for _, _, entry in entries]

    def documents(self, item: Located, label: str) -> list[RelatedDocument]:
        documents = []
        for number, entry in enumerate(_list(item, "a list of entries, each starting with '- title:'"), 1):
            if isinstance(entry.value, str):
                documents.append(RelatedDocument(_text(entry)))
                continue
            values = self.record(entry, f"{label}[{number}]", DOCUMENT_FIELDS)
            if values:
                documents.append(RelatedDocument(**values))
        return documents

    def consultation(self, item: Located, label: str) -> Consultation | None:
        values = self.record(item, label, CONSULTATION_FIELDS)
        if not values:
            return None
        if values["closes"] < values["opens"]:
            self.problem(item.value["closes"].line, f"{label}.closes",
                         f"{values['closes']} is before the opening date {values['opens']}")
            return None
        return Consultation(**values)


def _field(label: str, key: str) -> str:
    return f"{label}.{key}" if label else key


def _unknown(key: str, known: dict[str, Any], guide: str = GUIDE) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown field; {hint}the fields are listed in {guide}"


def read_policy(path: Path, root: Path) -> tuple[Policy | None, list[Problem]]:
    """Read and check one policy file. `root` is the project folder, for short paths in messages."""
    name = path.relative_to(root).as_posix()
    reader = _Reader(name)
    slug = path.name.removesuffix(".md")
    if not SLUG.fullmatch(slug):
        reader.problem(1, "file name",
                       f"'{path.name}' is not a usable file name; use lower-case words joined by "
                       "hyphens, ending in .md, for example tenant-participation.md")
    try:
        text = path.read_text(encoding="utf-8-sig")  # some editors start UTF-8 files with a BOM
    except UnicodeDecodeError:
        reader.problem(1, "file", "this file is not UTF-8 text; save it again as UTF-8")
        return None, reader.problems
    policy, problems = read_policy_text(text, name, slug)
    return (None, reader.problems + problems) if reader.problems else (policy, problems)


def read_translation(path: Path, root: Path,
                     languages: Container[str]) -> tuple[Translation | None, list[Problem]]:
    """Read and check one translation, policies/<slug>.<language>.md. Whether the policy it
    translates exists, and has that version, is checked in `library.py`."""
    name = path.relative_to(root).as_posix()
    reader = _Reader(name, TRANSLATION_GUIDE)
    slug, _, language = path.name.removesuffix(".md").partition(".")
    if not SLUG.fullmatch(slug) or language not in languages:
        codes = ", ".join(code for code in languages) or "none"
        reader.problem(1, "file name",
                       f"'{path.name}' is not a usable file name; a translation is named after its "
                       f"policy and language, as in complaints.cy.md, and the site's languages are "
                       f"set in mkdocs.yml (now: {codes})")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        reader.problem(1, "file", "this file is not UTF-8 text; save it again as UTF-8")
        return None, reader.problems
    key = ("translation", text, name, slug, language)
    if key not in _READ:
        _remember(key, _translation_text(text, name, slug, language))
    translation, problems = _READ[key]
    return (None, reader.problems + list(problems)) if reader.problems else (translation, list(problems))


Read = tuple["Policy | Translation | None", tuple[Problem, ...]]
_READ: dict[tuple[str, ...], Read] = {}
"""What reading each text found, by the text and its file's name: a process reads the same
policies again (`policy-portal build` for its warnings, a preview on every save, git history
every time), and most have not changed. Policies and translations are frozen; the problems are
copied for each caller."""
MEMORY = 8192
"""Texts remembered at most (a library of hundreds, with their sections and earlier versions)."""


def _remember(key: tuple[str, ...], read: Read) -> None:
    if len(_READ) >= MEMORY:
        _READ.clear()
    _READ[key] = read


def remembered() -> dict[tuple[str, ...], Read]:
    """Everything this process has read, for another process to `remember`."""
    return dict(_READ)


def remember(read: dict[tuple[str, ...], Read]) -> None:
    """Take what another process read (`policy-portal build`'s language processes start so)."""
    for key, found in read.items():
        _remember(key, found)


def _translation_text(text: str, name: str, slug: str, language: str) -> Read:
    reader = _Reader(name, TRANSLATION_GUIDE)
    document, problems = frontmatter.parse(text, name)
    reader.problems += problems
    if document is None:
        return None, tuple(reader.problems)
    values = reader.record(Located(document.fields, 1, ""), "", TRANSLATION_FIELDS) or {}
    _check_body(reader, document)
    _check_title(reader, document.fields)
    _check_summary(reader, document.fields)
    if reader.problems:
        return None, tuple(reader.problems)
    lines = {key: item.line for key, item in document.fields.items()}
    return Translation(slug=slug, language=language, path=name, body=document.body, field_lines=lines,
                       **values), ()


def read_policy_text(text: str, name: str, slug: str) -> tuple[Policy | None, list[Problem]]:
    """Read and check a policy from its text: a file's, or an old version's from git history."""
    key = ("policy", text, name, slug)
    if key not in _READ:
        _remember(key, _policy_text(text, name, slug))
    policy, problems = _READ[key]
    return policy, list(problems)


def _policy_text(text: str, name: str, slug: str) -> Read:
    reader = _Reader(name)
    document, problems = frontmatter.parse(text, name)
    reader.problems += problems
    if document is None:
        return None, tuple(reader.problems)

    fields = document.fields
    for key, item in fields.items():
        if key not in FIELDS:
            reader.problem(item.line, key, _unknown(key, FIELDS))
    status = reader.value("status", fields["status"], "status") if "status" in fields else None
    values: dict[str, Any] = {}
    for key, spec in FIELDS.items():
        if key == "status" and key in fields:  # already read above
            values[key] = status
        elif key in fields:
            values[key] = reader.value(spec.kind, fields[key], key)
        elif status in spec.required:
            reader.problem(1, key, f"missing; add `{key}:` (every {status.value} policy needs it)")
        elif status is None and spec.required == frozenset(Status):
            reader.problem(1, key, f"missing; add `{key}:` (every policy needs it)")
    _check_body(reader, document)
    _check_title(reader, fields)
    _check_summary(reader, fields)
    if status is not None:
        _check_together(reader, fields, values, status)
    if status not in (None, Status.DRAFT):  # a draft may keep them, with a warning (see placeholders.py)
        reader.problems += leftover_placeholders(name, values.get("summary") or "", _line(fields, "summary"),
                                                 document.body, document.body_line)
    if reader.problems:
        return None, tuple(reader.problems)
    values = {key: value for key, value in values.items() if value is not None}
    lines = {key: item.line for key, item in fields.items()}
    return Policy(slug=slug, path=name, body=document.body, body_line=document.body_line,
                  field_lines=lines, **values), ()


def _line(fields: dict[str, Located], key: str) -> int:
    return fields[key].line if key in fields else 1


def _check_together(reader: _Reader, fields: dict[str, Located], values: dict[str, Any],
                    status: Status) -> None:
    """Rules that involve more than one field."""
    approved = values.get("approval_date")
    line = partial(_line, fields)
    for key, what in (("effective_date", "come into force"), ("review_due_date", "be due for review"),
                      ("withdrawn_date", "be withdrawn")):
        if approved and values.get(key) and values[key] < approved:
            reader.problem(line(key), key,
                           f"{values[key]} is before the approval date {approved}; a policy cannot "
                           f"{what} before it is approved")
    if status is Status.APPROVED and "review_cycle_years" not in fields and "review_due_date" not in fields:
        reader.problem(1, "review_cycle_years",
                       "missing; add `review_cycle_years:` (1 to 5) or `review_due_date:` "
                       "so tenants can see when the policy will be reviewed")
    if values.get("replaced_by") and status is not Status.WITHDRAWN:
        reader.problem(line("replaced_by"), "replaced_by",
                       "only a withdrawn policy can be replaced; remove this or set status: withdrawn")
    if values.get("consultation") and status is not Status.CONSULTATION:
        reader.problem(line("consultation"), "consultation",
                       "only a policy with status: consultation can be open for comments; "
                       "remove this block or change the status")
    history, version = values.get("history"), values.get("version")
    if not history or not version or len(history) != len(fields["history"].value):
        return
    last = history[-1]
    if status in (Status.APPROVED, Status.WITHDRAWN):
        if last.version != version:
            reader.problem(line("version"), "version",
                           f"the policy is at version {version} but the last history entry is "
                           f"version {last.version}; add a history entry for version {version} "
                           "or correct the version")
        elif approved and last.date != approved:
            reader.problem(line("approval_date"), "approval_date",
                           f"{approved} does not match the date of version {version} in the history "
                           f"({last.date}); make them the same")
    elif version_key(version) <= version_key(last.version):
        reader.problem(line("version"), "version",
                       f"a draft must have a higher version than the last approved one "
                       f"({last.version}); use {_next(last.version)}")


def _next(version: str) -> str:
    major = version.split(".")[0]
    return str(int(major) + 1)


def _check_body(reader: _Reader, document: frontmatter.Document) -> None:
    """The title is the page's only top-level heading, a policy must say something, and what it
    says may hold only what the allowlist allows (see `allowlist.py`)."""
    if not document.body.strip():
        reader.problem(document.body_line, "body",
                       "the policy has no text; write it below the closing --- line")
        return
    for heading in headings(document.body):
        if heading.level == 1:
            reader.problem(document.body_line + heading.index, "body",
                           f"'# {heading.text[:60]}' is a top-level heading, but the title is already "
                           "the page's heading; start sections with ## instead of #")
    found = refusals(document.body)
    for refusal in found:
        reader.problem(document.body_line + refusal.index, "body", refusal.message)
    if not found:
        _check_sections(reader, document)


def _check_sections(reader: _Reader, document: frontmatter.Document) -> None:
    """The consultation page shows each `##` section on its own, so each must also pass alone:
    text that is safe inside a code block of the whole could come out of it when split."""
    parts = sections(document.body)
    starts = [heading.index for heading in headings(document.body) if heading.level == 2]
    starts = [0] * (len(parts) - len(starts)) + starts  # the opening text, if any, starts the body
    for section, start in zip(parts, starts, strict=True):
        for refusal in refusals(section.markdown):
            reader.problem(document.body_line + start, "body",
                           f"in the section '{section.title[:60]}' on its own (as the consultation page "
                           f"shows it): {refusal.message}")


def _check_title(reader: _Reader, fields: dict[str, Located]) -> None:
    """The title is plain text, but the theme puts it on every page as it is (and unescapes it
    in the page's <title>), so it may not hold the characters that start or end a tag."""
    item = fields.get("title")
    if item is not None and isinstance(item.value, str) and ("<" in item.value or ">" in item.value):
        reader.problem(item.line, "title", "a title is plain text and cannot contain < or >; "
                       "write it without them")


def _check_summary(reader: _Reader, fields: dict[str, Located]) -> None:
    """The summary is put on the page as Markdown, above the text, so it may hold only what the
    text may. Its problems are given on the `summary:` line: YAML may have refolded its lines."""
    item = fields.get("summary")
    if item is not None and isinstance(item.value, str):
        for refusal in refusals(item.value):
            reader.problem(item.line, "summary", refusal.message)
