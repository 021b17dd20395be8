"""mkdocs.yml as plain data, with the file and line every key is written on.

Staff edit mkdocs.yml by hand, so a problem in it should say where, as problems in policy files
do ("mkdocs.yml:37: extra.moderation.retention_days: ..."). `yaml.safe_load` throws lines away,
so the file is composed into YAML's node tree once, the line of each key noted, and the same
tree then made into plain data.

The portal must see the settings MkDocs sees, or the app and the build could disagree. So it
reads the file as MkDocs does, without importing MkDocs: `INHERIT: base.yml` merges the file
named (relative to the one naming it) under this one, blocks of settings key by key and any
other value replaced whole; `!ENV VAR` and `!ENV [VAR, OTHER, default]` take the first of the
variables that is set, typed as YAML types a plain value, else the default. The files read and
the variables named are kept, for the fingerprint of what a build reads
(`policy_portal.site.up_to_date`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from policy_portal.config.environment import config_variable
from policy_portal.problems import PolicyError, Problem

CONFIG = "mkdocs.yml"
MISSING: Any = object()
"""What `ConfigFile.find` returns for a key that is not written in the file."""
MAX_DEPTH = 40
"""Deeper than any real mkdocs.yml; stops a self-referring YAML alias from recursing for ever."""


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml safely: `!ENV` as MkDocs reads it; other tags (`!!python/name:`, which
    would run code, and `!relative`) become None."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.variables: list[str] = []


def _environment(loader: _ConfigLoader, node: yaml.Node) -> Any:
    """The value of MkDocs' `!ENV` tag (its pyyaml_env_tag's rules)."""
    default = None
    if isinstance(node, yaml.ScalarNode):
        items = [node]
    elif isinstance(node, yaml.SequenceNode):
        items = node.value
        if len(items) > 1:  # the last is the default, typed as YAML types it
            default = loader.construct_object(items[-1])
            items = items[:-1]
    else:
        raise yaml.constructor.ConstructorError(
            None, None, "!ENV takes a variable's name, or a list of names and a default last",
            node.start_mark)
    names = [str(loader.construct_scalar(item)) for item in items]
    loader.variables.extend(names)
    for value in map(config_variable, names):
        if value is not None:  # typed as YAML types a plain value, as MkDocs does
            tag = loader.resolve(yaml.ScalarNode, value, (True, False))
            return loader.construct_object(yaml.ScalarNode(tag, value))
    return default


_ConfigLoader.add_constructor("!ENV", _environment)
_ConfigLoader.add_multi_constructor("", lambda loader, suffix, node: None)


class NotABlockError(Exception):
    """A key on the way to a setting holds a value where a block of settings should be."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class ConfigFile:
    """The settings file's data (with what it inherits), and the file and line of each key in
    it, by dotted path.

    Paths are as staff read them: `extra.moderation.retention_days`; the third item of a list is
    `nav[3]`; an entry of the plugins list is also found by its name, `plugins.i18n.languages`.
    """

    data: dict[str, Any]
    places: dict[str, tuple[str, int]] = field(default_factory=dict)
    name: str = CONFIG
    files: tuple[Path, ...] = ()
    """The file read, then each it inherits from, in order."""
    variables: tuple[str, ...] = ()
    """The environment variables named in `!ENV` tags, in every file read."""

    @classmethod
    def read(cls, path: Path, name: str | None = None, inheriting: tuple[Path, ...] = ()) -> ConfigFile:
        """The file at `path` and what it inherits; PolicyError naming the file (as `name`, by
        default its own) and the line if one cannot be read. `inheriting`: the files that
        inherit from this one, which it must not inherit from in turn."""
        name = name or path.name
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise PolicyError([Problem(name, 1, "file", f"cannot be read: {error}")]) from None
        own = cls.parse(text, name)
        own = cls(own.data, own.places, name, (path,), own.variables)
        base = own.data.pop("INHERIT", MISSING)
        if base is MISSING:
            return own
        inherit = [Problem(name, own.line("INHERIT"), "INHERIT", message) for message in _inherit_problems(
            path, base, inheriting)]
        if inherit:
            raise PolicyError(inherit)
        base_path = Path(os.path.normpath(path.parent / base))
        parent = cls.read(base_path, os.path.relpath(base_path, (inheriting or (path,))[0].parent),
                          (*inheriting, path))
        replaced: list[str] = []
        data = _merge(parent.data, own.data, "", replaced)
        places = {key: place for key, place in parent.places.items()
                  if not any(key.startswith((f"{written}.", f"{written}[")) for written in replaced)}
        return cls(data, places | own.places, name, (path, *parent.files), own.variables + parent.variables)

    @classmethod
    def parse(cls, text: str, name: str = CONFIG) -> ConfigFile:
        """One file's settings, inheriting nothing (MkDocs follows INHERIT only from a file)."""
        loader = _ConfigLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            raise PolicyError([Problem(name, mark.line + 1 if mark else 1, "file",
                                       f"cannot be read: {error.problem or error}; check the "
                                       "indentation and the quotes")]) from None
        except yaml.YAMLError as error:
            raise PolicyError([Problem(name, 1, "file", f"cannot be read: {error}")]) from None
        finally:
            loader.dispose()
        lines: dict[str, int] = {}
        if node is not None:
            _note_lines(node, "", lines, 0)
        return cls(data if isinstance(data, dict) else {}, {key: (name, line) for key, line in lines.items()},
                   name, variables=tuple(loader.variables))

    def where(self, key: str) -> tuple[str, int]:
        """The file and line `key` is on; else its nearest written parent's (a missing key
        belongs in its block); else this file's first line."""
        while key:
            if key in self.places:
                return self.places[key]
            key = key.rpartition(".")[0]
        return self.name, 1

    def line(self, key: str) -> int:
        return self.where(key)[1]

    def find(self, key: str) -> Any:
        """The value at a dotted path, or `MISSING`. An empty block counts as missing; a block
        that holds a plain value raises `NotABlockError`, naming it."""
        value: Any = self.data
        walked = ""
        for name in key.split("."):
            if value is None:
                return MISSING
            if isinstance(value, dict):
                value = value.get(name, MISSING)
            elif isinstance(value, list):
                value = _entry(value, name)
            else:
                raise NotABlockError(walked)
            if value is MISSING:
                return MISSING
            walked = f"{walked}.{name}" if walked else name
        return value


def _inherit_problems(path: Path, base: Any, inheriting: tuple[Path, ...]) -> list[str]:
    if not isinstance(base, str) or not base:
        return ["must name the settings file this one inherits from, such as base.yml"]
    found = Path(os.path.normpath(path.parent / base))
    if not found.is_file():
        return [f"names {base}, but there is no such file at {found}: create it, or correct the name "
                "(it is relative to the folder of the file that names it)"]
    if found in (*inheriting, path):
        return [f"{base} inherits, in the end, from this file: remove one INHERIT"]
    return []


def _merge(base: dict[str, Any], own: dict[str, Any], at: str, replaced: list[str]) -> dict[str, Any]:
    """`own` over `base`, as MkDocs merges an inherited file: blocks key by key, any other value
    replaced whole. `replaced` is told the path of each value `own` wrote over `base`'s."""
    merged = dict(base)
    for key, value in own.items():
        path = f"{at}.{key}" if at else str(key)
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _merge(base[key], value, path, replaced)
        else:
            merged[key] = value
            replaced.append(path)
    return merged


def _entry(items: list[Any], name: str) -> Any:
    """A named entry of a list such as `plugins:`, written `- name` or `- name: {options}`."""
    for item in items:
        if item == name:
            return None
        if isinstance(item, dict) and len(item) == 1 and name in item:
            return item[name]
    return MISSING


def _note_lines(node: yaml.Node, path: str, lines: dict[str, int], depth: int) -> None:
    if depth > MAX_DEPTH:
        return
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = f"{path}.{key_node.value}" if path else str(key_node.value)
            lines.setdefault(key, key_node.start_mark.line + 1)
            _note_lines(value_node, key, lines, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for number, item in enumerate(node.value, 1):
            lines.setdefault(f"{path}[{number}]", item.start_mark.line + 1)
            _note_lines(item, f"{path}[{number}]", lines, depth + 1)
            if isinstance(item, yaml.ScalarNode):
                lines.setdefault(f"{path}.{item.value}", item.start_mark.line + 1)
            elif isinstance(item, yaml.MappingNode) and len(item.value) == 1:
                _note_lines(item, path, lines, depth + 1)  # `- i18n: ...` is plugins.i18n too


class InvalidSettingError(Exception):
    """A setting's value is wrong: each problem as (where, under the setting's key; message).

    Where is "" for the setting itself, or what follows its key, such as "[2].locale"."""

    def __init__(self, message: str = "", *, problems: list[tuple[str, str]] | None = None) -> None:
        self.problems = problems or [("", message)]
        super().__init__("; ".join(message for _, message in self.problems))
