"""Split a policy file into YAML front matter and Markdown body, keeping line numbers.

`yaml.safe_load` throws line numbers away and silently keeps the last of two duplicate keys.
Staff need "policies/x.md:12: approval_date: ..." messages, so we compose the YAML node tree
ourselves and keep each value's line. Only the safe constructor builds scalar values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from policy_portal.problems import Problem

FENCE = "---"
MAX_NODES = 5_000
"""More YAML nodes than any real policy needs; stops alias bombs and runaway files."""


@dataclass
class Located:
    """A front-matter value with the file line it starts on.

    `value` is a scalar (str, int, date, ...), a `dict[str, Located]` or a `list[Located]`.
    `text` is the scalar exactly as written, which matters for versions: YAML reads 1.10 as 1.1.
    """

    value: Any
    line: int
    text: str = ""


@dataclass
class Document:
    """A parsed policy file: its fields (by name) and its Markdown body."""

    fields: dict[str, Located] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1


class _Converter:
    """Turns composed YAML nodes into `Located` values, noting duplicates and bad scalars."""

    def __init__(self, path: str, line_offset: int) -> None:
        self.path = path
        self.offset = line_offset
        self.problems: list[Problem] = []
        self.nodes = 0
        self.constructor = yaml.constructor.SafeConstructor()

    def line(self, node: yaml.Node) -> int:
        return node.start_mark.line + 1 + self.offset

    def convert(self, node: yaml.Node, name: str) -> Located:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooBigError
        if isinstance(node, yaml.MappingNode):
            return Located(self.mapping(node, name), self.line(node))
        if isinstance(node, yaml.SequenceNode):
            items = [self.convert(item, f"{name}[{i + 1}]") for i, item in enumerate(node.value)]
            return Located(items, self.line(node))
        return self.scalar(node, name)

    def mapping(self, node: yaml.MappingNode, name: str) -> dict[str, Located]:
        result: dict[str, Located] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            label = f"{name}.{key}" if name else key
            if key in result:
                self.problems.append(Problem(
                    self.path, self.line(key_node), label,
                    f"appears twice (first on line {result[key].line}); keep one of them",
                ))
                continue
            result[key] = self.convert(value_node, label)
            result[key].line = self.line(key_node)
        return result

    def scalar(self, node: yaml.ScalarNode, name: str) -> Located:
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (ValueError, yaml.YAMLError):
            if node.tag.endswith(":timestamp"):  # date-shaped but impossible, like 2024-02-30
                message = f"'{node.value}' is not a real date; check the day and month"
            else:  # a YAML tag such as !!python/object, which the safe loader refuses
                message = "this value cannot be read; write it as plain text without a '!' tag"
            self.problems.append(Problem(self.path, self.line(node), name, message))
            value = None
        return Located(value, self.line(node), str(node.value))


class _TooBigError(Exception):
    pass


def parse(text: str, path: str) -> tuple[Document | None, list[Problem]]:
    """Parse one policy file's text; return the document (if readable) and its problems."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != FENCE:
        return None, [Problem(
            path, 1, "front matter",
            "the file must start with a line of three dashes (---), then the policy's fields, "
            "then another --- line; `policy-portal new` writes an example",
        )]
    try:
        close = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == FENCE)
    except StopIteration:
        return None, [Problem(
            path, 1, "front matter",
            "there is no closing --- line; add a line of three dashes after the last field",
        )]
    yaml_text = "\n".join(lines[1:close])
    try:
        root = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 2 if mark else 1
        reason = error.problem or "it cannot be read"
        return None, [Problem(
            path, line, "front matter",
            f"this is not valid YAML ({reason}); check the indentation, and put quotes "
            "around values that contain a colon or start with a special character",
        )]
    except yaml.YAMLError as error:
        return None, [Problem(path, 1, "front matter", f"this is not valid YAML ({error})")]
    if not isinstance(root, yaml.MappingNode):
        return None, [Problem(
            path, 2, "front matter",
            "the front matter must be a list of `field: value` lines",
        )]
    converter = _Converter(path, line_offset=1)
    try:
        fields = converter.mapping(root, "")
    except _TooBigError:
        return None, [Problem(
            path, 2, "front matter",
            f"the front matter has more than {MAX_NODES} values; a policy needs far fewer",
        )]
    body = "\n".join(lines[close + 1:])
    return Document(fields, body, body_line=close + 2), converter.problems
