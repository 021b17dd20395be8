"""Every setting the portal reads from mkdocs.yml, declared once in `SETTINGS`.

Each setting has its key (`extra.moderation.retention_days`), what kind of value it takes, its
default, one line saying what it does (the staff guide's reference table must mention every key:
tests/test_docs.py) and the function that checks it. `read_settings` reads them all at once and
reports every problem with the line it is on, as the policy checks do for policy files.

The association's details appear on every policy page ("ask for this policy in another format"),
so a missing or malformed value fails the build with a message instead of publishing a page with
no way to ask.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import phonenumbers

from policy_portal.config.config_file import MISSING, ConfigFile, InvalidSettingError, NotABlockError
from policy_portal.config.languages import Languages, parse_languages
from policy_portal.problems import PolicyError, Problem

CONSULTATION_PATH = "/consultations/"
"""Where the portal mounts the consultation app beside the site, and so where draft pages link
unless `extra.consultation_url` in mkdocs.yml says the app runs somewhere else."""

APP_ADDRESS = re.compile(r"(https?://[^/\s\"'<>()`]+)?/([^/\s\"'<>()`][^\s\"'<>()`]*/)?")
"""A path on the site's own host, or a full http(s) address, ending in /; nothing that could end
a Markdown link or an HTML attribute early."""


@dataclass(frozen=True)
class Setting:
    key: str
    kind: str
    """What it takes, in words, for the staff guide's table."""
    doc: str
    parse: Callable[[Any], Any]
    """Returns the value to use, or raises `InvalidSettingError` saying what is wrong and how to write it."""
    default: Any = None
    required: bool = False
    """Required settings have no default: a missing one is checked as an empty value."""


@dataclass(frozen=True)
class ModerationSettings:
    """`extra.moderation`: what the consultation app flags, and how long it keeps personal data."""

    retention_days: int = 365
    staff_names: tuple[str, ...] = ()
    offensive_words: tuple[str, ...] = ()


# The checks, one per kind of value.

def _filled(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidSettingError("missing or empty; tenants need it to ask for other formats")
    if not isinstance(value, str):
        raise InvalidSettingError(f"'{value}' is not text; put it in quotes")
    return value.strip()


def _phone(value: Any) -> str:
    value = _filled(value)
    try:
        possible = phonenumbers.is_possible_number(phonenumbers.parse(value, "GB"))
    except phonenumbers.NumberParseException:
        possible = False
    if not possible:
        raise InvalidSettingError(f"'{value}' is not a phone number; write it as people dial it, for example "
                      "0113 496 0750")
    return value


def _email(value: Any) -> str:
    value = _filled(value)
    if "@" not in value:
        raise InvalidSettingError(f"'{value}' is not an email address")
    return value


def _app_address(value: Any) -> str:
    if not isinstance(value, str) or not APP_ADDRESS.fullmatch(value):
        raise InvalidSettingError(f"'{value}' is not the consultation app's address; write a path such as "
                      f"{CONSULTATION_PATH}, or a full address such as "
                      "https://portal.example.org/consultations/, ending in /")
    return value


def _optional_text(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise InvalidSettingError(f"'{value}' is not an address; write it as https://...")
    return value


def _whole_number(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidSettingError(f"'{value}' is not a whole number")
    return value


def _days(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidSettingError(f"'{value}' is not a number of days; write a whole number, such as 365")
    return value


OUTCOME_WEEKS = 12
"""The Cabinet Office Consultation Principles: publish the outcome within 12 weeks of closing."""


def _weeks(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 52:
        raise InvalidSettingError(f"'{value}' is not a number of weeks; write a whole number from "
                                  f"1 to 52, such as {OUTCOME_WEEKS}")
    return value


def _words(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidSettingError("must be a list, such as [First Name, Another Name]")
    return tuple(value)


def _warn_or_error(value: Any) -> str:
    if value not in ("warn", "error"):
        raise InvalidSettingError(f"'{value}' is not allowed; use warn (publish with a banner) or "
                                  "error (stop the build)")
    return value


_ASSOCIATION = "the association's {}, on every policy page, for tenants to ask for other formats"

SETTINGS: dict[str, Setting] = {setting.key: setting for setting in (
    Setting("site_url", "address", "where the site is published; links in PDFs, and the consultation "
            "app's links back to the site when it runs apart, use it", _optional_text),
    Setting("extra.association.name", "text", _ASSOCIATION.format("name"), _filled, required=True),
    Setting("extra.association.phone", "phone number", _ASSOCIATION.format("phone number"), _phone,
            required=True),
    Setting("extra.association.email", "email address", _ASSOCIATION.format("email address"), _email,
            required=True),
    Setting("extra.association.address", "text", _ASSOCIATION.format("postal address"), _filled,
            required=True),
    Setting("extra.consultation_url", "path or address", "where the consultation app runs; every "
            "\"Comment on this draft\" link starts with it", _app_address, CONSULTATION_PATH),
    Setting("extra.consultation_outcome_weeks", "whole number from 1 to 52", "how many weeks after "
            "a consultation closes its outcome is due; pages give the date, and say when it is late",
            _weeks, OUTCOME_WEEKS),
    Setting("extra.edit_policies_url", "address", "where staff edit a policy file; each policy page "
            "links there, followed by the file's name", _optional_text),
    Setting("extra.moderation.retention_days", "whole number", "days after a consultation closes "
            "that names and email addresses are kept (`policy-portal erase-expired`)", _days,
            ModerationSettings.retention_days),
    Setting("extra.moderation.staff_names", "list of text", "comments naming these people are "
            "flagged for moderation", _words, ()),
    Setting("extra.moderation.offensive_words", "list of text", "comments using these words are "
            "flagged for moderation", _words, ()),
    Setting("extra.translations.out_of_date", "warn or error", "what an out-of-date translation "
            "does: warn publishes it with a banner; error stops the build", _warn_or_error, "warn"),
    Setting("extra.plain_english.min_reading_ease", "whole number", "`policy-portal check` warns "
            "about a policy whose reading ease is below this", _whole_number, 50),
    Setting("extra.plain_english.max_sentence_words", "whole number", "`policy-portal check` "
            "warns about sentences longer than this", _whole_number, 35),
    Setting("plugins.i18n.languages", "list of languages", "the site's languages: each one's "
            "`locale` (code) and `name` (in that language), one of them `default: true`",
            parse_languages, Languages()),
)}


@dataclass(frozen=True)
class Settings:
    """Every setting's checked value, by key, and the file they came from (for lines)."""

    config: ConfigFile
    values: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def problem(self, key: str, message: str) -> Problem:
        """A problem with a setting, on the line where it is (or would be) written."""
        return Problem(*self.config.where(key), key, message)


def read_settings(config: ConfigFile) -> Settings:
    """Check every setting in `SETTINGS`; raise `PolicyError` listing every problem, each on
    its own line of the file."""
    values: dict[str, Any] = {}
    problems: dict[Problem, None] = {}  # in order, once: three settings may share one bad block
    for key, setting in SETTINGS.items():
        try:
            found = config.find(key)
        except NotABlockError as error:
            problem = Problem(*config.where(error.key), error.key, "must be a block of settings")
            problems[problem] = None
            continue
        if found is MISSING and not setting.required:
            values[key] = setting.default
            continue
        try:
            values[key] = setting.parse(None if found is MISSING else found)
        except InvalidSettingError as invalid:
            for where, message in invalid.problems:
                problems[Problem(*config.where(key + where), key + where, message)] = None
    if problems:
        raise PolicyError(problems)
    return Settings(config, values)


@dataclass(frozen=True)
class Association:
    name: str
    phone: str
    email: str
    address: str

    @cached_property
    def phone_uri(self) -> str:
        """A `tel:` link in international form, which phones dial from anywhere. Worked out once:
        the number was parsed again for every page that shows it."""
        number = phonenumbers.parse(self.phone, "GB")
        return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def association(settings: Settings) -> Association:
    keys = ("name", "phone", "email", "address")
    return Association(*(settings[f"extra.association.{key}"] for key in keys))


def moderation(settings: Settings) -> ModerationSettings:
    return ModerationSettings(*(settings[f"extra.moderation.{key}"]
                                for key in ("retention_days", "staff_names", "offensive_words")))


def site_root(settings: Settings) -> str:
    """Where the consultation app's pages link back to the site: "/" when the app runs beside it
    (`consultation_url` is a path on the same host), the site's published address (`site_url`)
    when it runs apart, where "/" would be the app's own host."""
    if settings["extra.consultation_url"].startswith("/"):
        return "/"
    site_url = settings["site_url"]
    if not isinstance(site_url, str) or not APP_ADDRESS.fullmatch(site_url) or site_url.startswith("/"):
        raise PolicyError([settings.problem(
            "site_url", "the consultation app runs apart from the site (extra.consultation_url is a "
            "full address), so it needs the site's full address to link back to, such as "
            "https://policies.example.org/")])
    return site_url
