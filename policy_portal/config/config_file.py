"""mkdocs.yml as plain data, with the line every key is written on.

Staff edit mkdocs.yml by hand, so a problem in it should say where, as problems in policy files
do ("mkdocs.yml:37: extra.moderation.retention_days: ..."). `yaml.safe_load` throws lines away,
so the file is composed into YAML's node tree once, the line of each key noted, and the same
tree then made into plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from policy_portal.problems import PolicyError, Problem

CONFIG = "mkdocs.yml"
MISSING: Any = object()
"""What `ConfigFile.find` returns for a key that is not written in the file."""
MAX_DEPTH = 40
"""Deeper than any real mkdocs.yml; stops a self-referring YAML alias from recursing for ever."""


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml safely: tags that would run code (`!!python/name:`, `!ENV`) become None."""


_ConfigLoader.add_multi_constructor("", lambda loader, suffix, node: None)


class NotABlockError(Exception):
    """A key on the way to a setting holds a value where a block of settings should be."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class ConfigFile:
    """The settings file's data, and the line of each key in it, by dotted path.

    Paths are as staff read them: `extra.moderation.retention_days`; the third item of a list is
    `nav[3]`; an entry of the plugins list is also found by its name, `plugins.i18n.languages`.
    """

    data: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)
    name: str = CONFIG

    @classmethod
    def read(cls, path: Path) -> ConfigFile:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise PolicyError([Problem(path.name, 1, "file", f"cannot be read: {error}")]) from None
        return cls.parse(text, path.name)

    @classmethod
    def parse(cls, text: str, name: str = CONFIG) -> ConfigFile:
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
        return cls(data if isinstance(data, dict) else {}, lines, name)

    def line(self, key: str) -> int:
        """The line `key` is on; else its nearest written parent's (a missing key belongs in
        its block); else 1."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key.rpartition(".")[0]
        return 1

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
