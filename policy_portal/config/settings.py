"""Settings from the `extra:` block of mkdocs.yml: the association's details, where the
consultation app runs, and moderation.

The association's details appear on every policy page ("ask for this policy in another format"),
so a missing or malformed value fails the build with a message instead of publishing a page with
no way to ask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import phonenumbers
import yaml

from policy_portal.problems import PolicyError, Problem

CONFIG = "mkdocs.yml"
KEYS = ("name", "phone", "email", "address")

CONSULTATION_PATH = "/consultations/"
"""Where the portal mounts the consultation app beside the site, and so where draft pages link
unless `extra.consultation_url` in mkdocs.yml says the app runs somewhere else."""


@dataclass(frozen=True)
class Association:
    name: str
    phone: str
    email: str
    address: str

    @property
    def phone_uri(self) -> str:
        """A `tel:` link in international form, which phones dial from anywhere."""
        number = phonenumbers.parse(self.phone, "GB")
        return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def association_from(extra: dict[str, Any]) -> Association:
    """Read and check `extra.association`; raise `PolicyError` naming each bad key."""
    block = extra.get("association")
    if not isinstance(block, dict):
        raise PolicyError([Problem(CONFIG, 1, "extra.association",
                                   f"missing; add an `association:` block under `extra:` with "
                                   f"{', '.join(KEYS)}")])
    problems = []
    for key in KEYS:
        if not isinstance(block.get(key), str) or not block[key].strip():
            problems.append(Problem(CONFIG, 1, f"extra.association.{key}",
                                    "missing or empty; tenants need it to ask for other formats"))
    if not problems:
        try:
            number = phonenumbers.parse(block["phone"], "GB")
            valid = phonenumbers.is_possible_number(number)
        except phonenumbers.NumberParseException:
            valid = False
        if not valid:
            problems.append(Problem(CONFIG, 1, "extra.association.phone",
                                    f"'{block['phone']}' is not a phone number; write it as "
                                    "people dial it, for example 0113 496 0750"))
        if "@" not in block["email"]:
            problems.append(Problem(CONFIG, 1, "extra.association.email",
                                    f"'{block['email']}' is not an email address"))
    if problems:
        raise PolicyError(problems)
    return Association(**{key: block[key].strip() for key in KEYS})


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml safely: tags that would run code (`!!python/name:`, `!ENV`) become None."""


_ConfigLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def read_config(config_file: Path) -> dict[str, Any]:
    """mkdocs.yml as plain data, for programs that read it without MkDocs."""
    try:
        config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_ConfigLoader)  # a SafeLoader
    except (OSError, yaml.YAMLError) as error:
        raise PolicyError([Problem(CONFIG, 1, "file", f"cannot be read: {error}")]) from None
    return config if isinstance(config, dict) else {}


def read_extra(config_file: Path) -> dict[str, Any]:
    """The `extra:` block of mkdocs.yml."""
    return read_extra_from(read_config(config_file))


def read_extra_from(config: dict[str, Any]) -> dict[str, Any]:
    extra = config.get("extra")
    return extra if isinstance(extra, dict) else {}


def load_association(config_file: Path) -> Association:
    return association_from(read_extra(config_file))


APP_ADDRESS = re.compile(r"(https?://[^/\s\"'<>()`]+)?/([^/\s\"'<>()`][^\s\"'<>()`]*/)?")
"""A path on the site's own host, or a full http(s) address, ending in /; nothing that could end
a Markdown link or an HTML attribute early."""


def consultation_url_from(extra: dict[str, Any]) -> str:
    """`extra.consultation_url`: where the consultation app runs, which every link from the site
    to it starts with. A path (the default, /consultations/) when the portal serves the site and
    the app together; a full address when the site is published elsewhere (GitHub Pages, say)."""
    value = extra.get("consultation_url", CONSULTATION_PATH)
    if not isinstance(value, str) or not APP_ADDRESS.fullmatch(value):
        raise PolicyError([Problem(CONFIG, 1, "extra.consultation_url",
                                   f"'{value}' is not the consultation app's address; write a path "
                                   f"such as {CONSULTATION_PATH}, or a full address such as "
                                   "https://portal.example.org/consultations/, ending in /")])
    return value


def site_root_for_app(config: dict[str, Any]) -> str:
    """Where the consultation app's pages link back to the site: "/" when the app runs beside it
    (`consultation_url` is a path on the same host), the site's published address (`site_url`)
    when it runs apart, where "/" would be the app's own host."""
    if consultation_url_from(read_extra_from(config)).startswith("/"):
        return "/"
    site_url = config.get("site_url")
    if not isinstance(site_url, str) or not APP_ADDRESS.fullmatch(site_url) or site_url.startswith("/"):
        raise PolicyError([Problem(CONFIG, 1, "site_url",
                                   "the consultation app runs apart from the site (extra.consultation_url "
                                   "is a full address), so it needs the site's full address to link "
                                   "back to, such as https://policies.example.org/")])
    return site_url


@dataclass(frozen=True)
class ModerationSettings:
    """`extra.moderation`: what the consultation app flags, and how long it keeps personal data."""

    retention_days: int = 365
    staff_names: tuple[str, ...] = ()
    offensive_words: tuple[str, ...] = ()


def moderation_from(extra: dict[str, Any]) -> ModerationSettings:
    block = extra.get("moderation") or {}
    problems = []
    if not isinstance(block, dict):
        raise PolicyError([Problem(CONFIG, 1, "extra.moderation", "must be a block of settings")])
    days = block.get("retention_days", ModerationSettings.retention_days)
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        problems.append(Problem(CONFIG, 1, "extra.moderation.retention_days",
                                f"'{days}' is not a number of days; write a whole number, such as 365"))
    for key in ("staff_names", "offensive_words"):
        value = block.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            problems.append(Problem(CONFIG, 1, f"extra.moderation.{key}",
                                    "must be a list, such as [First Name, Another Name]"))
    if problems:
        raise PolicyError(problems)
    return ModerationSettings(days, tuple(block.get("staff_names", [])),
                              tuple(block.get("offensive_words", [])))


OUTCOME_WEEKS = 12
"""The Cabinet Office Consultation Principles: publish the outcome within 12 weeks of closing."""


def outcome_weeks_from(extra: dict[str, Any]) -> int:
    """`extra.consultation_outcome_weeks`: how many weeks after a consultation closes its outcome
    is due. Pages say the date, and say the outcome is late once it has passed."""
    weeks = extra.get("consultation_outcome_weeks", OUTCOME_WEEKS)
    if not isinstance(weeks, int) or isinstance(weeks, bool) or not 1 <= weeks <= 52:
        raise PolicyError([Problem(CONFIG, 1, "extra.consultation_outcome_weeks",
                                   f"'{weeks}' is not a number of weeks; write a whole number from "
                                   f"1 to 52, such as {OUTCOME_WEEKS}")])
    return weeks
