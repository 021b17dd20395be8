"""`policy-portal init`: put an association's own details into mkdocs.yml, in every place at once.

The example project is Larkfield Housing Association's, and its details are in seven places in
mkdocs.yml: the site's name, description, address and copyright line, the edit link, the
`association:` block and the moderation list of staff names. `init` writes each of them, changing
only the values: every other line, comment and setting in the file stays exactly as it was, as
staff keep their own notes there. It checks every value first and writes nothing if one is wrong.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from policy_portal.config.config_file import ConfigFile, InvalidSettingError
from policy_portal.config.settings import SETTINGS

ADDRESS = re.compile(r"https://[^\s/\"'<>()`]+\.[^\s/\"'<>()`]+/(?:[^\s\"'<>()`]*/)?")
"""A published https address ending in /: the site's, or the folder of policy files to edit."""
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


@dataclass(frozen=True)
class Details:
    """What `init` asks for; each becomes one or more values in mkdocs.yml."""

    name: str
    phone: str
    email: str
    address: str
    site_url: str
    edit_url: str
    staff_names: tuple[str, ...]


QUESTIONS = {
    "name": "The association's name, as tenants know it",
    "phone": "The phone number tenants call to ask for a policy in another format",
    "email": "The email address tenants write to",
    "address": "The postal address, on one line",
    "site_url": "Where the policies site is published (https://...)",
    "edit_url": "Where staff edit a policy file in the repository (https://.../policies/)",
    "staff_names": "Staff names, separated by commas, to flag in tenants' comments",
}
"""The questions `init` asks, in order, each with the option that answers it (--site-url...)."""


def option(field: str) -> str:
    return "--" + field.replace("_", "-")


def current_details(config_file: Path) -> Details:
    """The details mkdocs.yml has now, the answers `init` offers to keep."""
    config = ConfigFile.read(config_file).data
    extra = config.get("extra") if isinstance(config.get("extra"), dict) else {}
    block = extra.get("association") if isinstance(extra.get("association"), dict) else {}
    moderation = extra.get("moderation") if isinstance(extra.get("moderation"), dict) else {}
    return Details(
        *(str(block.get(key) or "") for key in ("name", "phone", "email", "address")),
        site_url=str(config.get("site_url") or ""), edit_url=str(extra.get("edit_policies_url") or ""),
        staff_names=tuple(str(name) for name in moderation.get("staff_names") or ()))


def problems_with(details: Details) -> list[str]:
    """Every value that cannot be used, as `--option: why, and what to write`."""
    found = []
    for field in ("name", "address"):
        value = getattr(details, field)
        if not value.strip():
            found.append(f"{option(field)}: is empty; give the association's {field.replace('_', ' ')}")
        elif "\n" in value or "<" in value or ">" in value:
            found.append(f"{option(field)}: '{value}' must be one line of plain text, without < or >")
    for field in ("phone", "email"):
        if getattr(details, field).strip():
            try:  # the build's own check of the setting, with its message
                SETTINGS[f"extra.association.{field}"].parse(getattr(details, field))
            except InvalidSettingError as error:
                found.append(f"{option(field)}: {error}")
    for field in ("phone", "email"):
        if not getattr(details, field).strip():
            found.append(f"{option(field)}: is empty; tenants need it to ask for other formats")
    if details.email.strip() and "@" in details.email and not EMAIL.fullmatch(details.email.strip()):
        found.append(f"--email: '{details.email}' is not an email address; write it as "
                     "name@example.org")
    for field, example in (("site_url", "https://policies.example.org/"),
                           ("edit_url", "https://github.com/example/policies/edit/main/policies/")):
        value = getattr(details, field)
        if not ADDRESS.fullmatch(value.strip()):
            found.append(f"{option(field)}: '{value}' is not a web address starting https:// and "
                         f"ending in /; for example {example}")
    for name in details.staff_names:
        if not name.strip() or any(character in name for character in "[]{},\n"):
            found.append(f"--staff-names: '{name}' is not a name; separate names with commas")
    return found


def staff_names_from(text: str) -> tuple[str, ...]:
    """'Dana Whitfield, Marcus Obi' -> ('Dana Whitfield', 'Marcus Obi')."""
    return tuple(name.strip() for name in text.split(",") if name.strip())


class SetupError(ValueError):
    """Nothing was written; the message lists every reason, one a line."""


def write_details(config_file: Path, details: Details) -> list[str]:
    """Write `details` into mkdocs.yml; return the settings written, as `key: value` lines.
    Raises SetupError, having written nothing, if a value is unusable or a setting is missing."""
    problems = problems_with(details)
    if problems:
        raise SetupError("\n".join(problems))
    name, address = details.name.strip(), details.address.strip()
    values: dict[tuple[str, ...], str | tuple[str, ...]] = {
        ("site_name",): f"{name} policies",
        ("site_url",): details.site_url.strip(),
        ("site_description",): f"The policies of {name}, and drafts open for comment.",
        ("copyright",): f"{name}, {address}",
        ("extra", "edit_policies_url"): details.edit_url.strip(),
        ("extra", "association", "name"): name,
        ("extra", "association", "phone"): details.phone.strip(),
        ("extra", "association", "email"): details.email.strip(),
        ("extra", "association", "address"): address,
        ("extra", "moderation", "staff_names"): details.staff_names,
    }
    text = config_file.read_text(encoding="utf-8")
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    edits, missing = [], []
    for path, value in values.items():
        node = _find(root, path)
        if node is None:
            missing.append(".".join(path))
        else:
            block = text[node.start_mark.index] in "|>"  # a block scalar's span ends with its line break
            edits.append((node.start_mark.index, node.end_mark.index, _yaml(value) + "\n" * block))
    if missing:
        raise SetupError("\n".join(f"{config_file.name} has no `{key}:` setting; add it (the example "
                                   "project's mkdocs.yml shows where) and run init again" for key in missing))
    for start, end, replacement in sorted(edits, reverse=True):  # from the end, so indexes hold
        text = text[:start] + replacement + text[end:]
    config_file.write_text(text, encoding="utf-8")
    return [f"{'.'.join(path)}: {_yaml(value)}" for path, value in values.items()]


def _find(node: yaml.Node | None, path: tuple[str, ...]) -> yaml.Node | None:
    """The value node at `path` in a composed YAML document (None if it is not there)."""
    for key in path:
        if not isinstance(node, yaml.MappingNode):
            return None
        node = next((value for name, value in node.value if name.value == key), None)
    return node


def _yaml(value: str | tuple[str, ...]) -> str:
    """A value as YAML on one line: plain where YAML reads it back unchanged, else in quotes (JSON's
    double-quoted strings are YAML's); a list of names in brackets. Each is tried where it will
    stand, since a list item may not be plain where a value may (`?q`, `(?:a+)+$`)."""
    if isinstance(value, tuple):
        return "[" + ", ".join(_plain_or_quoted(name, "key: [{}]", [name]) for name in value) + "]"
    return _plain_or_quoted(value, "key: {}", value)


def _plain_or_quoted(value: str, where: str, meant: str | list[str]) -> str:
    plain = value and not value.startswith(("'", '"', "[", "{", "&", "*", "!", "|", ">", "%", "@", "`"))
    if plain and " #" not in value and ": " not in value:
        try:
            if yaml.safe_load(where.format(value)) == {"key": meant}:
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)

